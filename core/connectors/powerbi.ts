import { nodeId } from '../model/ids';
import type { Diagnostic } from '../model/entities';
import type { FileSource } from '../pipeline/contracts';
import { BI_FIELDS, BiConfig, FactsBuilder, BiSecrets, discoverFiles, factStats, fileStem, testFiles } from './biFiles';
import type { BiSplit } from './biSplit';
import { extractSplit } from './biSplit';
import { readZipText, type ZipText } from './biZip';
import type { ConnectorDefinition } from './connector';
import { extractTabularModel, parseJsonAt, type ModelTables } from './powerbiModel';

/**
 * The Power BI connector: tabular models (`.bim` JSON) and report templates (`.pbit`: a zip whose
 * `DataModelSchema` is the model as UTF-16LE JSON and whose `Report/Layout` is the report). The
 * model's tables are datasets (`powerbiModel.ts`); a template's report is one `dashboard` entity
 * (meta `pages`) whose columns are the `Table.Column` fields its visuals query, each with an edge
 * from the model column, and an edge from every table a visual reads.
 */

const EXTENSIONS = ['.bim', '.pbit'] as const;
const EXTRACTOR = 'powerbi';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObj = (v: unknown): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The report of a `.pbit` (its `Report/Layout` JSON) → a dashboard with field-level edges. */
export function extractReport(b: FactsBuilder, layoutText: string, file: string, project: string, stem: string, tables: ModelTables): void {
  const layout = parseJsonAt(b, layoutText, file, 'Report/Layout');
  if (!isObj(layout)) return;
  const id = nodeId('dashboard', project, stem);
  const sections = Array.isArray(layout.sections) ? layout.sections.filter(isObj) : [];
  b.entity({ id, kind: 'dashboard', name: stem, project, path: file, meta: { powerbiType: 'report', pages: sections.map((s) => (typeof s.displayName === 'string' ? s.displayName : '')) } }, { line: 0, column: 0 });
  const start = { line: 0, column: 0 };
  for (const s of sections) {
    for (const vc of Array.isArray(s.visualContainers) ? s.visualContainers.filter(isObj) : []) {
      // Each visual's config is a JSON document inside a string.
      let config: Json;
      try {
        config = typeof vc.config === 'string' ? (JSON.parse(vc.config) as Json) : null;
      } catch {
        b.diagnostic(file, start, 'json-syntax', `A visual on page "${String(s.displayName ?? '')}" has a config that is not valid JSON; its fields are not counted.`, 'warning');
        continue;
      }
      const query = isObj(config) && isObj(config.singleVisual) ? config.singleVisual.prototypeQuery : undefined;
      if (!isObj(query)) continue;
      const aliases = new Map<string, string>();
      for (const f of Array.isArray(query.From) ? query.From.filter(isObj) : []) if (typeof f.Name === 'string' && typeof f.Entity === 'string') aliases.set(f.Name, f.Entity);
      for (const ref of fieldRefs(query.Select, aliases)) {
        const table = tables.get(ref.table);
        const from = table?.columns.get(ref.column.toLowerCase());
        if (table === undefined || from === undefined) {
          b.diagnostic(file, start, 'bi-unknown-field', `A visual on page "${String(s.displayName ?? '')}" uses ${ref.table}[${ref.column}], which the model does not define.`, 'warning');
          continue;
        }
        b.modelEdge(table.id, id, 'exposure', file, start);
        b.columnEdge(from, b.column(id, `${ref.table}.${ref.column}`, file, start), 'identity', file, start);
      }
    }
  }
}

/** `{ Expression: { SourceRef: { Source|Entity } }, Property }` anywhere under `node`. */
function fieldRefs(node: Json | undefined, aliases: ReadonlyMap<string, string>, out: { table: string; column: string }[] = []): { table: string; column: string }[] {
  if (Array.isArray(node)) for (const x of node) fieldRefs(x, aliases, out);
  else if (isObj(node)) {
    const ref = isObj(node.Expression) && isObj(node.Expression.SourceRef) ? node.Expression.SourceRef : undefined;
    if (ref !== undefined && typeof node.Property === 'string') {
      const table = typeof ref.Entity === 'string' ? ref.Entity : typeof ref.Source === 'string' ? aliases.get(ref.Source) : undefined;
      if (table !== undefined && !out.some((r) => r.table === table && r.column === node.Property)) out.push({ table, column: node.Property });
    }
    for (const v of Object.values(node)) fieldRefs(v, aliases, out);
  }
  return out;
}

/**
 * A Power BI file's intermediate: a `.bim`'s text, or a `.pbit`'s unzipped `DataModelSchema` and
 * `Report/Layout` texts, each with the problems reading it (kept apart so they come out in the
 * order a single pass emits them). The JSON is parsed by `buildFacts`: reading the staged
 * intermediate costs a native `JSON.parse` of the same size anyway, and the model's positions need
 * the text.
 */
export interface PowerbiParsed {
  diagnostics: Diagnostic[];
  text?: string;
  schema?: ZipText;
  layoutDiagnostics?: Diagnostic[];
  layout?: ZipText;
}

/** Power BI split into per-file reading (unzip, UTF-16 decoding) and the cross-file builder. */
export const powerbiSplit: BiSplit<PowerbiParsed> = {
  label: 'Power BI',
  extensions: EXTENSIONS,
  parseFile(files: FileSource, path: string): PowerbiParsed {
    const d = new FactsBuilder(EXTRACTOR);
    if (path.toLowerCase().endsWith('.pbit')) {
      const schema = readZipText(d, files, path, (e) => e === 'DataModelSchema', { utf16le: true });
      if (schema === undefined) return { diagnostics: d.facts.diagnostics };
      const l = new FactsBuilder(EXTRACTOR);
      const layout = readZipText(l, files, path, (e) => e === 'Report/Layout', { utf16le: true, optional: true });
      return { diagnostics: d.facts.diagnostics, schema, layoutDiagnostics: l.facts.diagnostics, ...(layout === undefined ? {} : { layout }) };
    }
    const text = files.read(path);
    if (text === undefined) d.diagnostic(path, { line: 0, column: 0 }, 'file-unreadable', 'The file is listed but could not be read.');
    return text === undefined ? { diagnostics: d.facts.diagnostics } : { diagnostics: d.facts.diagnostics, text };
  },
  buildFacts(parsed, config) {
    const project = config.project ?? 'powerbi';
    const b = new FactsBuilder(EXTRACTOR);
    for (const { path, parsed: p } of parsed) {
      const stem = fileStem(path);
      b.facts.diagnostics.push(...p.diagnostics);
      if (p.schema !== undefined) {
        b.zipEntry = p.schema.entry;
        const root = parseJsonAt(b, p.schema.text, path, 'DataModelSchema');
        const tables = root === undefined ? new Map() : extractTabularModel(b, root, p.schema.text, path, project, stem, config);
        b.zipEntry = undefined;
        b.facts.diagnostics.push(...(p.layoutDiagnostics ?? []));
        b.zipEntry = p.layout?.entry;
        if (p.layout !== undefined) extractReport(b, p.layout.text, path, project, stem, tables);
        b.zipEntry = undefined;
        continue;
      }
      if (p.text === undefined) continue;
      const root = parseJsonAt(b, p.text, path, 'the model');
      if (root !== undefined) extractTabularModel(b, root, p.text, path, project, stem, config);
    }
    return { facts: b.facts, stats: factStats(b.facts, parsed.length) };
  },
};

/** The Power BI connector definition. */
export const powerbiConnector: ConnectorDefinition<BiConfig, BiSecrets> = {
  type: 'powerbi',
  label: 'Power BI',
  description: 'Tabular models (.bim) and report templates (.pbit) in a repository: tables, columns, measures, reports and their lineage to warehouse tables.',
  config: BiConfig,
  secrets: BiSecrets,
  fields: BI_FIELDS,
  incremental: false,
  test: (input, ports) => testFiles('Power BI', EXTENSIONS, input, ports),
  discover: (input, ports) => discoverFiles('Power BI', EXTENSIONS, input, ports),
  extract: async (input, ports) => extractSplit(powerbiSplit, input, ports),
};
