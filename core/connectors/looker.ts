import { nodeId } from '../model/ids';
import { globRegExp } from '../pipeline/targetRules';
import type { FileSource } from '../pipeline/contracts';
import { BI_FIELDS, BiConfig, FactsBuilder, BiSecrets, discoverFiles, factStats, fileStem, testFiles } from './biFiles';
import type { BiSplit, ParsedFile } from './biSplit';
import { extractSplit } from './biSplit';
import type { ConnectorDefinition } from './connector';
import { extractLookerDashboards, type ExploreInfo } from './lookerDashboard';
import { declareView, linkViewFields, type ViewDef, type ViewInfo } from './lookerView';
import { lkGet, lkPairs, lkText, parseLookml, type LkError, type LkPair } from './lookmlParse';

/**
 * The Looker connector: a LookML project in a repository. Views (`.view.lkml`, or any `.lkml`) are
 * datasets (`lookerView.ts`); each explore of a model (`.model.lkml`, or an `.explore.lkml` a model
 * includes) is a dataset (meta `lookerType: explore`) with edges from its base view and every joined
 * view; `.dashboard.lookml` files are dashboards (`lookerDashboard.ts`). Refinements (`view: +orders`)
 * add to the view they refine.
 */

const EXTENSIONS = ['.lkml', '.lookml'] as const;
const EXTRACTOR = 'lookml';

interface ExploreDef {
  model: string;
  file: string;
  pair: LkPair;
}

/** Strips a refinement's `+`. */
function baseName(name: string): string {
  return name.replace(/^\+/, '');
}

/**
 * A LookML file's intermediate: a `.lkml` file's parsed pairs and syntax problems, or a
 * `.dashboard.lookml` file's text (its YAML is read by `buildFacts`, after the explores it uses are
 * known); `unreadable` when the file could not be read.
 */
export type LookerParsed = { kind: 'lkml'; pairs: LkPair[]; errors: LkError[] } | { kind: 'dashboard'; text: string } | { kind: 'unreadable' };

/** Parses one LookML file. */
function parseLookerFile(files: FileSource, path: string): LookerParsed {
  const text = files.read(path);
  if (text === undefined) return { kind: 'unreadable' };
  if (path.toLowerCase().endsWith('.lookml')) return { kind: 'dashboard', text };
  const parsed = parseLookml(text);
  return { kind: 'lkml', pairs: parsed.pairs, errors: parsed.errors };
}

/** Extracts a LookML project from its files' intermediates (in path order). */
function extractLookml(b: FactsBuilder, files: readonly ParsedFile<LookerParsed>[], project: string, config: BiConfig): void {
  const viewDefs = new Map<string, ViewDef[]>();
  const exploreDefs: ExploreDef[] = [];
  const models: { name: string; includes: RegExp[] }[] = [];
  const loose: { file: string; pair: LkPair }[] = [];
  const dashboards: { path: string; text?: string }[] = [];
  for (const { path, parsed: f } of files) {
    if (path.toLowerCase().endsWith('.lookml')) {
      dashboards.push({ path, ...(f.kind === 'dashboard' ? { text: f.text } : {}) });
      continue;
    }
    if (f.kind !== 'lkml') {
      b.diagnostic(path, { line: 0, column: 0 }, 'file-unreadable', 'The file is listed but could not be read.');
      continue;
    }
    const parsed = f;
    for (const e of parsed.errors) b.diagnostic(path, e, 'lookml-syntax', `Malformed LookML: ${e.message}.`);
    const isModel = path.toLowerCase().endsWith('.model.lkml');
    const model = fileStem(path);
    if (isModel) {
      const includes = parsed.pairs.filter((p) => p.key === 'include').flatMap((p) => (p.value.kind === 'list' ? p.value.items : [lkText(p) ?? '']));
      models.push({ name: model, includes: includes.filter((g) => g !== '').map((g) => globRegExp(`**/${g.replace(/^\/+/, '').replace(/^\/\/[^/]+\//, '')}`)) });
    }
    for (const p of parsed.pairs) {
      if (p.key === 'view' && p.name !== undefined) {
        const name = baseName(p.name);
        const defs = viewDefs.get(name) ?? [];
        // The defining view goes first (its file and position name the dataset); refinements follow.
        if (p.name.startsWith('+')) defs.push({ name, file: path, pair: p });
        else defs.unshift({ name, file: path, pair: p });
        viewDefs.set(name, defs);
      } else if (p.key === 'explore' && p.name !== undefined) {
        if (isModel) exploreDefs.push({ model, file: path, pair: p });
        else loose.push({ file: path, pair: p });
      }
    }
  }
  // An explore outside a model file belongs to the model that includes its file.
  for (const l of loose) {
    const owner = models.find((m) => m.includes.some((re) => re.test(l.file)));
    exploreDefs.push({ model: owner?.name ?? fileStem(l.file), file: l.file, pair: l.pair });
  }

  const views = new Map<string, ViewInfo>();
  const declared = [...viewDefs.entries()].map(([name, own]) => {
    const defs = withExtends(b, viewDefs, name, own, new Set([name]));
    const v = declareView(b, defs, project, config);
    views.set(name, v.info);
    return { defs, v };
  });
  for (const { defs, v } of declared) linkViewFields(b, defs, v, views);

  const explores = new Map<string, ExploreInfo>();
  for (const e of exploreDefs) {
    const name = baseName(e.pair.name ?? '');
    const key = `${e.model}/${name}`;
    const id = nodeId('dataset', project, key);
    const info = explores.get(key) ?? { id, aliases: new Map<string, string>() };
    explores.set(key, info);
    const pairs = lkPairs(e.pair);
    const label = lkText(lkGet(pairs, 'label'));
    b.entity({ id, kind: 'dataset', name: key, project, path: e.file, description: lkText(lkGet(pairs, 'description')) ?? '', meta: { lookerType: 'explore', model: e.model, ...(label === undefined ? {} : { label }) } }, e.pair.pos);
    if (!e.pair.name?.startsWith('+')) {
      const base = lkText(lkGet(pairs, 'from')) ?? lkText(lkGet(pairs, 'view_name')) ?? name;
      info.aliases.set(name, base);
      link(b, views, base, id, e.file, e.pair.pos, `explore "${key}"`);
    }
    for (const j of pairs.filter((p) => p.key === 'join' && p.name !== undefined)) {
      const alias = j.name as string;
      const view = lkText(lkGet(lkPairs(j), 'from')) ?? alias;
      info.aliases.set(alias, view);
      link(b, views, view, id, e.file, j.pos, `join "${alias}" of explore "${key}"`);
    }
  }

  for (const { path, text } of dashboards) {
    if (text === undefined) b.diagnostic(path, { line: 0, column: 0 }, 'file-unreadable', 'The file is listed but could not be read.');
    else extractLookerDashboards(b, text, path, project, explores, views);
  }
}

/**
 * A view's definitions followed by those of the views it `extends:` (recursively; the last listed
 * takes precedence among them, as in Looker), renamed to the view, so inherited fields and
 * `sql_table_name` apply to it unless it defines its own.
 */
function withExtends(b: FactsBuilder, viewDefs: ReadonlyMap<string, ViewDef[]>, name: string, own: readonly ViewDef[], seen: Set<string>): ViewDef[] {
  const out = [...own];
  for (const d of own) {
    for (const p of lkPairs(d.pair).filter((x) => x.key === 'extends')) {
      const bases = p.value.kind === 'list' ? [...p.value.items].reverse() : [lkText(p) ?? ''];
      for (const base of bases) {
        const defs = viewDefs.get(base);
        if (defs === undefined || seen.has(base)) {
          b.diagnostic(d.file, p.valuePos, 'bi-unknown-view', defs === undefined ? `View "${name}" extends "${base}", which no LookML file defines.` : `View "${name}" extends "${base}" in a cycle; the cycle is not followed.`, 'warning');
          continue;
        }
        seen.add(base);
        out.push(...withExtends(b, viewDefs, base, defs, seen).map((x) => ({ ...x, name })));
      }
    }
  }
  return out;
}

function link(b: FactsBuilder, views: ReadonlyMap<string, ViewInfo>, view: string, to: string, file: string, pos: { line: number; column: number }, what: string): void {
  const info = views.get(view);
  if (info === undefined) b.diagnostic(file, pos, 'bi-unknown-view', `The ${what} uses view "${view}", which no LookML file defines.`, 'warning');
  else b.modelEdge(info.id, to, 'depends_on', file, pos);
}

/** Looker split into per-file parsing (LookML) and the cross-file builder (views, refinements, explores, dashboards). */
export const lookerSplit: BiSplit<LookerParsed> = {
  label: 'Looker',
  extensions: EXTENSIONS,
  parseFile: parseLookerFile,
  buildFacts(parsed, config) {
    const b = new FactsBuilder(EXTRACTOR);
    extractLookml(b, parsed, config.project ?? 'looker', config);
    return { facts: b.facts, stats: factStats(b.facts, parsed.length) };
  },
};

/** The Looker connector definition. */
export const lookerConnector: ConnectorDefinition<BiConfig, BiSecrets> = {
  type: 'looker',
  label: 'Looker',
  description: 'A LookML project in a repository: views, explores and dashboards, with fields and their lineage to warehouse tables.',
  config: BiConfig,
  secrets: BiSecrets,
  fields: BI_FIELDS,
  incremental: false,
  test: (input, ports) => testFiles('LookML', EXTENSIONS, input, ports),
  discover: (input, ports) => discoverFiles('LookML', EXTENSIONS, input, ports),
  extract: async (input, ports) => extractSplit(lookerSplit, input, ports),
};
