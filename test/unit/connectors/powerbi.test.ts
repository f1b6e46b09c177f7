import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { BiConfig } from '../../../core/connectors/biFiles';
import { powerbiConnector } from '../../../core/connectors/powerbi';
import { jsonPositions, pathKey } from '../../../core/connectors/jsonPositions';
import { daxRefs, readM } from '../../../core/connectors/powerbiM';
import type { Facts } from '../../../core/model/entities';
import { validateFacts } from '../../../extension/catalog/factValidation';
import '../../setup/sqlEngine';
import { binaryFolderFiles, FIXTURES, folderFiles } from './biHelpers';

/**
 * The Power BI connector on a tabular model in the real `.bim` JSON format
 * (test/fixtures/bi/powerbi/SalesModel.bim) and on a `.pbit` built as Power BI Desktop writes it: a
 * zip whose `DataModelSchema` and `Report/Layout` are UTF-16LE JSON.
 */

const DIR = join(FIXTURES, 'powerbi');
const SALES = 'dataset.powerbi.SalesModel/Sales';
const CUST = 'dataset.powerbi.SalesModel/Customer Accounts';

async function extract(files = folderFiles(DIR), config: Partial<BiConfig> = {}): Promise<Facts> {
  return (await powerbiConnector.extract({ config: BiConfig.parse(config), secrets: {} }, { files })).facts;
}
const edges = (f: Facts, to: string): string[] => f.columnEdges.filter((e) => e.to === to).map((e) => `${e.from} ${e.transform}`).sort();

/** UTF-16LE with a BOM, as Power BI Desktop writes DataModelSchema and Report/Layout. */
function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    out[2 + i * 2] = text.charCodeAt(i) & 0xff;
    out[3 + i * 2] = text.charCodeAt(i) >> 8;
  }
  return out;
}

describe('Power BI connector (.bim/.pbit fixtures)', () => {
  it('makes each table a dataset with typed columns, calculated columns and measures', async () => {
    const f = await extract();
    assert.deepEqual(f.columns.filter((c) => c.entityId === SALES).map((c) => `${c.name}:${c.type ?? ''}:${c.meta.measure === true ? 'measure' : ''}`), [
      'OrderID:int64:', 'CustomerKey:int64:', 'Amount:decimal:', 'Cost:decimal:', 'Margin:decimal:', 'Total Sales::measure', 'Margin %::measure', 'Customers Reached::measure',
    ]);
    assert.deepEqual(f.entities.find((e) => e.id === SALES)?.meta.relationships, [{ fromColumn: 'CustomerKey', toTable: 'Customer Accounts', toColumn: 'Customer Key' }]);
  });

  it('links M navigation (Sql.Database + Source{[Schema,Item]}) to the warehouse table and sourceColumn to its column', async () => {
    const f = await extract();
    assert.deepEqual(f.modelEdges.filter((e) => e.to === SALES).map((e) => `${e.from} ${e.kind}`), ['table.warehouse.adventureworksdw.dbo.factsales depends_on']);
    assert.deepEqual(edges(f, `${SALES}#amount`), ['table.warehouse.adventureworksdw.dbo.factsales#amount identity']);
  });

  it('parses Value.NativeQuery SQL (M escapes decoded) for table and column lineage', async () => {
    const f = await extract();
    assert.deepEqual(f.modelEdges.filter((e) => e.to === CUST).map((e) => e.from).sort(), ['table.warehouse.adventureworksdw.crm.customers', 'table.warehouse.adventureworksdw.dbo.factsales']);
    assert.deepEqual(edges(f, `${CUST}#lifetime value`), ['table.warehouse.adventureworksdw.dbo.factsales#amount aggregation']);
    assert.deepEqual(edges(f, `${CUST}#customer key`), ['table.warehouse.adventureworksdw.crm.customers#customer_key identity']);
  });

  it('gives DAX measures and calculated columns the columns they reference (comments and strings skipped)', async () => {
    const f = await extract();
    assert.deepEqual(edges(f, `${SALES}#margin`), [`${SALES}#amount transformation`, `${SALES}#cost transformation`]);
    assert.deepEqual(edges(f, `${SALES}#margin %`), [`${SALES}#margin aggregation`, `${SALES}#total sales aggregation`]);
    assert.deepEqual(edges(f, `${SALES}#customers reached`), [`${CUST}#customer key aggregation`]);
    assert.deepEqual(daxRefs(`CALCULATE([Total], 'My Table'[A b], "x[y]") // T[z]\n+ T[c] /* U[d] */`), [{ column: 'Total' }, { table: 'My Table', column: 'A b' }, { table: 'T', column: 'c' }]);
  });

  it('indexes JSON value positions in one pass (member keys, array elements, strings with escapes)', () => {
    const pos = jsonPositions('{\n  "a": [1, {"b\\"": "x}"}],\n  "c": {"d": {"e": true}}\n}', 2);
    assert.deepEqual(pos.get(pathKey(['a'])), { line: 2, column: 3 });
    assert.deepEqual(pos.get(pathKey(['a', 1])), { line: 2, column: 12 });
    assert.deepEqual(pos.get(pathKey(['c', 'd'])), { line: 3, column: 9 });
    assert.equal(pos.get(pathKey(['c', 'd', 'e'])), undefined, 'deeper than the limit');
  });

  it('reads Snowflake navigation chains in M', () => {
    const m = readM('let\n Source = Snowflake.Databases("acme.snowflakecomputing.com","WH"),\n DB = Source{[Name="ANALYTICS",Kind="Database"]}[Data],\n S = DB{[Name="MARTS",Kind="Schema"]}[Data],\n T = S{[Name="ORDERS",Kind="Table"]}[Data]\nin T');
    assert.deepEqual({ dialect: m.dialect, tables: m.tables }, { dialect: 'snowflake', tables: [{ name: 'ORDERS', schema: 'MARTS', database: 'ANALYTICS' }] });
  });

  it('says which sources it does not read, and reports malformed JSON at line and column', async () => {
    const f = await extract();
    assert.deepEqual(f.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.severity}`), ['Broken.bim:10:11 json-syntax error', 'SalesModel.bim:157:15 powerbi-m-source info']);
    assert.match(f.diagnostics[0]?.message ?? '', /^Malformed JSON in the model: /);
    validateFacts(f);
  });

  it('reads a .pbit (UTF-16LE DataModelSchema and Report/Layout in a zip): the report is a dashboard with field edges', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mallard-pbit-'));
    try {
      const model = readFileSync(join(DIR, 'SalesModel.bim'), 'utf8');
      const layout = readFileSync(join(DIR, 'SalesReport.Layout.json'), 'utf8');
      const pbit = zipSync({ Version: utf16le('1.28'), DataModelSchema: utf16le(model), 'Report/Layout': utf16le(layout), '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>') });
      writeFileSync(join(dir, 'Sales.pbit'), pbit);
      const f = await extract(binaryFolderFiles(dir));
      const report = f.entities.find((e) => e.id === 'dashboard.powerbi.Sales');
      assert.deepEqual(report?.meta, { powerbiType: 'report', pages: ['Overview', 'Details'] });
      assert.deepEqual(f.modelEdges.filter((e) => e.to === 'dashboard.powerbi.Sales').map((e) => e.from).sort(), ['dataset.powerbi.Sales/Customer Accounts', 'dataset.powerbi.Sales/Sales']);
      assert.deepEqual(edges(f, 'dashboard.powerbi.Sales#sales.margin %'), ['dataset.powerbi.Sales/Sales#margin % identity']);
      assert.deepEqual(edges(f, 'dashboard.powerbi.Sales#customer accounts.region'), ['dataset.powerbi.Sales/Customer Accounts#region identity']);
      assert.ok(f.columnEdges.some((e) => e.from === 'table.warehouse.adventureworksdw.dbo.factsales#amount' && e.to === 'dataset.powerbi.Sales/Sales#amount'));
      // Inside an archive, positions are the entry's: the diagnostic names them in its message.
      writeFileSync(join(dir, 'Broken.pbit'), zipSync({ DataModelSchema: utf16le(readFileSync(join(DIR, 'Broken.bim'), 'utf8')) }));
      const broken = await extract(binaryFolderFiles(dir));
      assert.deepEqual(broken.diagnostics.filter((d) => d.file === 'Broken.pbit').map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`), [
        "0:0 json-syntax In DataModelSchema, line 10, column 11: Malformed JSON in DataModelSchema: Expected ',' or ']' after array element.",
      ]);
      rmSync(join(dir, 'Broken.pbit'));
      const textOnly = await extract(folderFiles(dir));
      assert.deepEqual(textOnly.diagnostics.map((d) => `${d.file} ${d.code}`), ['Sales.pbit bi-zip-unsupported']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
