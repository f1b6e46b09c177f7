import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { BiConfig } from '../../../core/connectors/biFiles';
import { tableauConnector } from '../../../core/connectors/tableau';
import { formulaRefs } from '../../../core/connectors/tableauDatasource';
import { parseXml } from '../../../core/connectors/xmlParse';
import type { Facts } from '../../../core/model/entities';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { validateFacts } from '../../../extension/catalog/factValidation';
import '../../setup/sqlEngine';
import { binaryFolderFiles, FIXTURES, folderFiles } from './biHelpers';

/**
 * The Tableau connector on workbooks and data sources written in Tableau's real XML format
 * (test/fixtures/bi/tableau): datasets with fields, calculated-field lineage, warehouse lineage from
 * table relations and custom SQL, worksheets/dashboards, packaged .twbx, and malformed XML.
 */

const DIR = join(FIXTURES, 'tableau');
const WB = 'dataset.tableau.Sales Overview/Orders (ANALYTICS)';

async function extract(config: Partial<BiConfig> = {}, files = folderFiles(DIR)): Promise<Facts> {
  return (await tableauConnector.extract({ config: BiConfig.parse(config), secrets: {} }, { files })).facts;
}
const edges = (f: Facts, to: string): string[] => f.columnEdges.filter((e) => e.to === to).map((e) => `${e.from} ${e.transform}`).sort();

describe('Tableau connector (.twb/.tds fixtures)', () => {
  it('extracts a workbook datasource as a dataset with its fields and types', async () => {
    const f = await extract();
    const cols = f.columns.filter((c) => c.entityId === WB).map((c) => `${c.name}:${c.type ?? ''}`);
    assert.deepEqual(cols, ['ORDER_ID:integer', 'CUSTOMER_ID:integer', 'AMOUNT:real', 'ORDER_DATE:date', 'CUSTOMER_ID (Custom SQL Query):integer', 'REGION:string', 'SEGMENT:string', 'Large Order:boolean', 'Revenue per Customer:real', 'Revenue Band:string']);
    // The Parameters pseudo-datasource holds no data.
    assert.ok(!f.entities.some((e) => e.name === 'Parameters'));
    assert.deepEqual(f.columns.find((c) => c.id === `${WB}#amount`)?.meta, { caption: 'Amount' });
  });

  it('links table relations to warehouse tables: database from the named connection dbname, schema from the table attribute', async () => {
    const f = await extract();
    const ups = f.modelEdges.filter((e) => e.to === WB).map((e) => `${e.from} ${e.kind}`).sort();
    assert.deepEqual(ups, ['table.warehouse.analytics.crm.customers sql', 'table.warehouse.analytics.marts.orders depends_on']);
    assert.deepEqual(edges(f, `${WB}#amount`), ['table.warehouse.analytics.marts.orders#amount identity']);
  });

  it('parses custom SQL (entities decoded) for the lineage of its fields', async () => {
    const f = await extract();
    assert.deepEqual(edges(f, `${WB}#segment`), ['table.warehouse.analytics.crm.customers#segment transformation']);
    assert.deepEqual(edges(f, `${WB}#customer_id (custom sql query)`), ['table.warehouse.analytics.crm.customers#customer_id identity']);
  });

  it('gives calculated fields the fields their formula references (not comments, not parameters)', async () => {
    const f = await extract();
    assert.deepEqual(edges(f, `${WB}#revenue per customer`), [`${WB}#amount transformation`, `${WB}#customer_id transformation`]);
    assert.deepEqual(edges(f, `${WB}#large order`), [`${WB}#amount transformation`]);
    assert.deepEqual(edges(f, `${WB}#revenue band`), [`${WB}#revenue per customer transformation`]);
    const unknown = f.diagnostics.filter((d) => d.code === 'bi-unknown-field');
    assert.deepEqual(unknown.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`), ['Sales Overview.twb:127:38 The formula of "Revenue Band" references [Missing Field], which datasource "Orders (ANALYTICS)" does not define.']);
    assert.deepEqual(formulaRefs("IF [A] = 'x[y]' THEN [Parameters].[P] ELSE [ds].[B] END // [C]"), ['[A]', '[B]']);
  });

  it('makes worksheets and dashboards dashboard entities with field-level edges', async () => {
    const f = await extract();
    const ws = 'dashboard.tableau.Sales Overview/Revenue by Region';
    const db = 'dashboard.tableau.Sales Overview/Executive Overview';
    assert.deepEqual(f.entities.filter((e) => e.kind === 'dashboard' && e.path === 'Sales Overview.twb').map((e) => `${e.name}:${String(e.meta.tableauType)}`), ['Revenue by Region:worksheet', 'Revenue per Customer:worksheet', 'Executive Overview:dashboard']);
    assert.deepEqual(f.modelEdges.filter((e) => e.to === db).map((e) => e.from).sort(), [ws, 'dashboard.tableau.Sales Overview/Revenue per Customer']);
    assert.ok(f.modelEdges.some((e) => e.from === WB && e.to === ws && e.kind === 'exposure'));
    assert.deepEqual(edges(f, `${ws}#region`), [`${WB}#region identity`]);
  });

  it('reads a .tds data source with a direct connection (database from dbname)', async () => {
    const f = await extract();
    const id = 'dataset.tableau.Customers (warehouse)';
    assert.equal(f.entities.find((e) => e.id === id)?.kind, 'dataset');
    assert.deepEqual(f.entities.find((e) => e.id === id)?.meta.servers, ['db.internal.example']);
    assert.deepEqual(edges(f, `${id}#email domain`), [`${id}#email transformation`]);
    assert.deepEqual(edges(f, `${id}#email`), ['table.warehouse.warehouse.crm.customers#email identity']);
  });

  it('ignores extract (Hyper) relations and fields, skips file sources with an info, and marks published data sources', async () => {
    const f = await extract();
    assert.ok(!f.modelEdges.some((e) => /extract/i.test(e.from)), 'no edge from the extract table');
    assert.deepEqual(f.diagnostics.filter((x) => x.file === 'Sales Overview.twb').map((x) => x.code), ['bi-unknown-field'], 'the extract relation is not a table without schema either');
    assert.equal(f.columns.find((c) => c.id === `${WB}#amount`)?.type, 'real', 'the extract\'s metadata record does not redefine the field');
    const pub = f.entities.find((e) => e.id === 'dataset.tableau.Published and Files/Customers (published)');
    assert.equal(pub?.meta.publishedDatasource, 'Customerswarehouse');
    const d = f.diagnostics.filter((x) => x.file === 'Published and Files.twb');
    assert.deepEqual(d.map((x) => `${x.line}:${x.column} ${x.code} ${x.severity}`), ['19:9 bi-non-warehouse-source info']);
    assert.ok(!f.modelEdges.some((e) => e.to.startsWith('dataset.tableau.Published and Files/')));
  });

  it('reports malformed XML at its line and column and keeps what was read before', async () => {
    const f = await extract();
    const d = f.diagnostics.filter((x) => x.file === 'Broken.twb');
    assert.deepEqual(d.map((x) => `${x.line}:${x.column} ${x.code} ${x.severity} ${x.message}`), ['13:5 xml-syntax error Malformed XML: element "<table>" opened at line 12, column 7 is not closed before "</worksheet>".']);
    assert.ok(f.modelEdges.some((e) => e.from === 'table.warehouse.warehouse.public.events' && e.to === 'dataset.tableau.Broken/Legacy'));
    assert.ok(f.entities.some((e) => e.id === 'dashboard.tableau.Broken/Events'));
  });

  it('XML reader: positions of unclosed elements, bad attributes, stray end tags', () => {
    assert.deepEqual(parseXml("<a>\n  <b x='1'>\n</a>").errors, [{ line: 3, column: 1, message: 'element "<b>" opened at line 2, column 3 is not closed before "</a>"' }]);
    assert.deepEqual(parseXml('<a x=1/>').errors, [{ line: 1, column: 6, message: 'value of attribute "x" must be quoted' }]);
    assert.deepEqual(parseXml('<a></c></a>').errors, [{ line: 1, column: 4, message: 'end tag "</c>" has no matching start tag' }]);
    assert.deepEqual(parseXml('<a>\n<b>').errors.map((e) => `${e.line}:${e.column}`), ['2:1', '1:1']);
    assert.equal(parseXml("<a t='x &amp; &lt;y&gt;'>&#65;</a>").root?.attrs.t, 'x & <y>');
  });

  it('names a table without schema or database in a warning, and uses the connector settings when given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mallard-tableau-'));
    try {
      writeFileSync(join(dir, 'x.tds'), "<?xml version='1.0'?>\n<datasource caption='X'>\n  <connection class='sqlserver' server='s'>\n    <relation name='t' table='[t]' type='table' />\n  </connection>\n</datasource>\n");
      const bare = await extract({}, folderFiles(dir));
      assert.deepEqual(bare.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.severity}`), ['4:24 bi-unqualified-table warning']);
      assert.match(bare.diagnostics[0]?.message ?? '', /Table "\[t\]" of datasource "X" names no schema/);
      const set = await extract({ database: 'DW', schema: 'dbo' }, folderFiles(dir));
      assert.deepEqual(set.modelEdges.map((e) => e.from), ['table.warehouse.dw.dbo.t']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a packaged .twbx when the host reads bytes, and says why not when it cannot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mallard-twbx-'));
    try {
      const twb = readFileSync(join(DIR, 'Customers.tds'));
      writeFileSync(join(dir, 'Packaged.tdsx'), zipSync({ 'Customers.tds': new Uint8Array(twb), 'Data/Extracts/x.hyper': strToU8('not read') }));
      writeFileSync(join(dir, 'Damaged.twbx'), 'PK not a zip');
      const f = await extract({}, binaryFolderFiles(dir));
      assert.ok(f.columnEdges.some((e) => e.from === 'table.warehouse.warehouse.crm.customers#email' && e.to === 'dataset.tableau.Customers (warehouse)#email'));
      assert.deepEqual(f.diagnostics.map((d) => `${d.file} ${d.code}`), ['Damaged.twbx zip-corrupt']);
      const textOnly = await extract({}, folderFiles(dir));
      assert.deepEqual(textOnly.diagnostics.map((d) => `${d.file} ${d.code} ${d.severity}`), ['Damaged.twbx bi-zip-unsupported warning', 'Packaged.tdsx bi-zip-unsupported warning']);
      assert.equal(textOnly.entities.length, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('facts validate and load into a real catalog, where warehouse lineage reaches the worksheet', async () => {
    const f = validateFacts(await extract());
    const dir = mkdtempSync(join(tmpdir(), 'mallard-tableau-db-'));
    const store = CatalogStore.open(join(dir, 'catalog.db'));
    try {
      store.replaceAll(f);
      const down = store.columnLineage('table.warehouse.analytics.marts.orders#amount', { direction: 'downstream' });
      assert.ok(down.nodes.some((n) => n.id === 'dashboard.tableau.Sales Overview/Revenue by Region#amount'));
      assert.ok(down.nodes.some((n) => n.id === `${WB}#revenue band`));
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
