import assert from 'node:assert/strict';
import { findReference } from '../../../extension/ui/sqlReferences';

describe('sqlReferences: the dbt reference under the cursor', () => {
  const line = "    select * from {{ ref('stg_orders') }} join {{ source('shop', 'orders') }} s";

  it('finds ref() and source() anywhere inside the call, with their spans', () => {
    const at = line.indexOf('stg_orders') + 2;
    assert.deepEqual(findReference(line, at), { kind: 'ref', name: 'stg_orders', start: line.indexOf('ref('), end: line.indexOf(') }}') + 2 - 1 });
    const src = findReference(line, line.indexOf("'orders'"));
    assert.ok(src && src.kind === 'source' && src.source === 'shop' && src.name === 'orders');
  });

  it('reads two-argument and versioned refs', () => {
    assert.deepEqual(findReference("{{ ref('pkg', 'm') }}", 8), { kind: 'ref', name: 'm', package: 'pkg', start: 3, end: 18 });
    const v = findReference("{{ ref('customers', v=2) }}", 9);
    assert.ok(v && v.kind === 'ref' && v.name === 'customers');
  });

  it('finds doc() references and macro calls, not Jinja built-ins', () => {
    assert.equal(findReference(`description: '{{ doc("orders") }}'`, 22)?.kind, 'doc');
    const macro = findReference("{{ cents_to_currency('amount') }}", 6);
    assert.ok(macro && macro.kind === 'macro' && macro.name === 'cents_to_currency');
    assert.equal(findReference("{{ config(materialized='table') }}", 5), undefined);
  });

  it('falls back to a bare relation name outside Jinja, and nothing on whitespace', () => {
    assert.deepEqual(findReference('select * from analytics.orders o', 20), { kind: 'relation', name: 'analytics.orders', start: 14, end: 30 });
    assert.equal(findReference('select   x', 7), undefined);
  });
});
