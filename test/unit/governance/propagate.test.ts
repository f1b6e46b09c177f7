import assert from 'node:assert/strict';
import type { ColumnEdge } from '../../../core/model/entities';
import { propagateClasses } from '../../../core/governance/propagate';

type Edge = Pick<ColumnEdge, 'from' | 'to' | 'transform'>;
const e = (from: string, to: string, transform: Edge['transform'] = 'identity'): Edge => ({ from, to, transform });

describe('governance: classification propagates along column lineage', () => {
  const seeds = [{ columnId: 'source.shop.raw.customers#email', key: 'pii.email', confidence: 0.95 }];

  it('marks columns derived from personal data, with the path, through identity and transformation edges', () => {
    const out = propagateClasses(seeds, [
      e('source.shop.raw.customers#email', 'model.shop.stg_customers#email'),
      e('model.shop.stg_customers#email', 'model.shop.customers#email_lower', 'transformation'),
      e('model.shop.customers#email_lower', 'model.shop.mart#contact', 'identity'),
    ]);
    assert.deepEqual(out.map((p) => [p.columnId, p.confidence, p.path.length]), [
      ['model.shop.customers#email_lower', 0.95, 3],
      ['model.shop.mart#contact', 0.95, 4],
      ['model.shop.stg_customers#email', 0.95, 2],
    ]);
    assert.deepEqual(out.find((p) => p.columnId === 'model.shop.mart#contact')?.path, [
      'source.shop.raw.customers#email', 'model.shop.stg_customers#email', 'model.shop.customers#email_lower', 'model.shop.mart#contact']);
  });

  it('indirect edges never propagate; aggregation lowers confidence and two in a row drop it', () => {
    const out = propagateClasses(seeds, [
      e('source.shop.raw.customers#email', 'model.shop.orders#customer_count', 'filter'),
      e('source.shop.raw.customers#email', 'model.shop.agg#first_email', 'aggregation'),
      e('model.shop.agg#first_email', 'model.shop.agg2#x', 'aggregation'),
      e('source.shop.raw.customers#email', 'model.shop.j#amount', 'join'),
    ]);
    assert.deepEqual(out.map((p) => [p.columnId, p.confidence]), [['model.shop.agg#first_email', 0.57]]);
  });

  it('keeps the best path to a column reached twice, skips columns already holding the key, and survives a cycle', () => {
    const out = propagateClasses([...seeds, { columnId: 'model.shop.b#email', key: 'pii.email', confidence: 1 }], [
      e('source.shop.raw.customers#email', 'model.shop.a#e', 'aggregation'),
      e('source.shop.raw.customers#email', 'model.shop.b#email'),
      e('model.shop.b#email', 'model.shop.a#e'),
      e('model.shop.a#e', 'model.shop.b#email'),
    ]);
    assert.deepEqual(out.map((p) => [p.columnId, p.confidence, p.path]), [['model.shop.a#e', 1, ['model.shop.b#email', 'model.shop.a#e']]]);
  });
});
