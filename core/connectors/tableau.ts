import { nodeId } from '../model/ids';
import type { Diagnostic } from '../model/entities';
import type { FileSource } from '../pipeline/contracts';
import { BI_FIELDS, BiConfig, FactsBuilder, BiSecrets, discoverFiles, factStats, fileStem, testFiles } from './biFiles';
import type { BiSplit } from './biSplit';
import { extractSplit } from './biSplit';
import { readZipText } from './biZip';
import type { ConnectorDefinition } from './connector';
import { extractDatasource, stripBrackets, type DatasourceInfo } from './tableauDatasource';
import { childrenNamed, descendantsNamed, parseXml, type XmlDocument, type XmlElement } from './xmlParse';

/**
 * The Tableau connector: workbooks (`.twb`) and published data sources (`.tds`) from a repository,
 * and their packaged forms (`.twbx`, `.tdsx`: zip archives) when the host can read bytes. Each
 * worksheet and dashboard becomes a `dashboard` entity (meta `tableauType`), each datasource a
 * `dataset` (see `tableauDatasource.ts` for fields and warehouse lineage). Edges: datasource →
 * worksheet (and the worksheet's columns from the fields it uses), worksheet → dashboard.
 */

const EXTENSIONS = ['.twb', '.tds', '.twbx', '.tdsx'] as const;
const EXTRACTOR = 'tableau';

/** Extracts one `.twb`/`.tds` text into `b`. `file` names diagnostics and provenance. */
export function extractTableauText(b: FactsBuilder, text: string, file: string, project: string, config: BiConfig): void {
  extractTableauDoc(b, parseXml(text), file, project, config);
}

/** Extracts one parsed `.twb`/`.tds` document into `b`. */
function extractTableauDoc(b: FactsBuilder, doc: XmlDocument, file: string, project: string, config: BiConfig): void {
  for (const e of doc.errors) b.diagnostic(file, e, 'xml-syntax', `Malformed XML: ${e.message}.`);
  const root = doc.root;
  if (root === undefined) return;
  const stem = fileStem(file);
  if (root.name === 'datasource') {
    extractDatasource(b, root, file, project, nodeId('dataset', project, root.attrs['formatted-name'] ?? root.attrs.caption ?? stem), root.attrs.caption ?? stem, config);
    return;
  }
  if (root.name !== 'workbook') {
    b.diagnostic(file, root.pos, 'tableau-root', `Expected a Tableau <workbook> or <datasource> root element, found <${root.name}>.`);
    return;
  }
  const sources = new Map<string, DatasourceInfo>();
  for (const list of childrenNamed(root, 'datasources')) {
    for (const ds of childrenNamed(list, 'datasource')) {
      const internal = ds.attrs.name;
      // The built-in Parameters datasource holds parameters, not data.
      if (internal === undefined || internal === 'Parameters') continue;
      const display = ds.attrs.caption ?? internal;
      sources.set(internal, extractDatasource(b, ds, file, project, nodeId('dataset', project, `${stem}/${display}`), display, config));
    }
  }
  for (const list of childrenNamed(root, 'worksheets')) for (const ws of childrenNamed(list, 'worksheet')) worksheet(b, ws, file, project, stem, sources);
  for (const list of childrenNamed(root, 'dashboards')) for (const db of childrenNamed(list, 'dashboard')) dashboard(b, db, file, project, stem);
}

function worksheet(b: FactsBuilder, ws: XmlElement, file: string, project: string, stem: string, sources: Map<string, DatasourceInfo>): void {
  const name = ws.attrs.name ?? '';
  const id = nodeId('dashboard', project, `${stem}/${name}`);
  b.entity({ id, kind: 'dashboard', name, project, path: file, meta: { tableauType: 'worksheet', workbook: stem } }, ws.pos);
  for (const deps of descendantsNamed(ws, 'datasource-dependencies')) {
    const source = sources.get(deps.attrs.datasource ?? '');
    if (source === undefined) continue;
    b.modelEdge(source.id, id, 'exposure', file, deps.pos);
    for (const c of childrenNamed(deps, 'column')) {
      const internal = c.attrs.name;
      const from = internal === undefined ? undefined : source.fields.get(internal);
      if (internal === undefined || from === undefined) continue;
      const to = b.column(id, c.attrs.caption ?? stripBrackets(internal), file, c.pos, c.attrs.datatype === undefined ? {} : { type: c.attrs.datatype });
      b.columnEdge(from, to, 'identity', file, c.pos);
    }
  }
}

function dashboard(b: FactsBuilder, db: XmlElement, file: string, project: string, stem: string): void {
  const name = db.attrs.name ?? '';
  const id = nodeId('dashboard', project, `${stem}/${name}`);
  b.entity({ id, kind: 'dashboard', name, project, path: file, meta: { tableauType: 'dashboard', workbook: stem } }, db.pos);
  // A zone named after a worksheet shows it (or its filter/legend).
  for (const zone of descendantsNamed(db, 'zone')) {
    const sheet = zone.attrs.name;
    if (sheet === undefined) continue;
    const from = nodeId('dashboard', project, `${stem}/${sheet}`);
    if (b.hasEntity(from)) b.modelEdge(from, id, 'exposure', file, zone.pos);
  }
}

/** A Tableau file's intermediate: the problems reading it, and its parsed XML (with the zip entry it came from). */
export interface TableauParsed {
  diagnostics: Diagnostic[];
  zipEntry?: string;
  doc?: XmlDocument;
}

/** Tableau split into per-file parsing (unzip, XML) and the cross-file builder. */
export const tableauSplit: BiSplit<TableauParsed> = {
  label: 'Tableau',
  extensions: EXTENSIONS,
  parseFile(files: FileSource, path: string): TableauParsed {
    // The reading problems are collected apart and replayed by `buildFacts` where the file's turn comes.
    const d = new FactsBuilder(EXTRACTOR);
    const lower = path.toLowerCase();
    if (lower.endsWith('.twbx') || lower.endsWith('.tdsx')) {
      const inner = readZipText(d, files, path, (entry) => /\.(twb|tds)$/i.test(entry) && !entry.includes('/'));
      return inner === undefined ? { diagnostics: d.facts.diagnostics } : { diagnostics: d.facts.diagnostics, zipEntry: inner.entry, doc: parseXml(inner.text) };
    }
    const text = files.read(path);
    if (text === undefined) d.diagnostic(path, { line: 0, column: 0 }, 'file-unreadable', 'The file is listed but could not be read.');
    return text === undefined ? { diagnostics: d.facts.diagnostics } : { diagnostics: d.facts.diagnostics, doc: parseXml(text) };
  },
  buildFacts(parsed, config) {
    const project = config.project ?? 'tableau';
    const b = new FactsBuilder(EXTRACTOR);
    for (const { path, parsed: p } of parsed) {
      b.facts.diagnostics.push(...p.diagnostics);
      if (p.doc === undefined) continue;
      b.zipEntry = p.zipEntry;
      extractTableauDoc(b, p.doc, path, project, config);
      b.zipEntry = undefined;
    }
    return { facts: b.facts, stats: factStats(b.facts, parsed.length) };
  },
};

/** The Tableau connector definition. */
export const tableauConnector: ConnectorDefinition<BiConfig, BiSecrets> = {
  type: 'tableau',
  label: 'Tableau',
  description: 'Workbooks (.twb/.twbx) and data sources (.tds/.tdsx) in a repository: dashboards, worksheets, fields and their lineage to warehouse tables.',
  config: BiConfig,
  secrets: BiSecrets,
  fields: BI_FIELDS,
  incremental: false,
  test: (input, ports) => testFiles('Tableau', EXTENSIONS, input, ports),
  discover: (input, ports) => discoverFiles('Tableau', EXTENSIONS, input, ports),
  extract: async (input, ports) => extractSplit(tableauSplit, input, ports),
};
