/**
 * A generated BigQuery ETL repository in the shape of mozilla/bigquery-etl, with its truth: one
 * table per folder (`sql/<project>/<dataset>/<table>/query.sql`, `init.sql`, `view.sql`,
 * `checks.sql`), most files bare `SELECT`s whose target is their path, and the name traps plain SQL
 * lineage must survive: references written unqualified, dataset-qualified and fully qualified;
 * tables of the same name in two datasets and two projects; views named like the table they read in
 * another dataset (and views named without the table's version); an unqualified name that two datasets hold (ambiguous); `SET @@dataset_id`;
 * ad-hoc scripts named by their file, two of them with the same file name. Deterministic per seed.
 * Used by the golden test (`test/unit/pipeline/bigqueryEtl.test.ts`) and `scripts/bench/plainTargets.ts`.
 */
import { createRandom } from './generate';

/** Options of `generateEtlRepo`. */
export interface EtlRepoOptions {
  /** Derived tables (one folder and one `query.sql` each); default 40. */
  tables?: number;
  seed?: number;
}

/** A generated repository and what a correct extraction finds in it. */
export interface EtlRepo {
  /** Workspace-relative path → text. */
  files: Record<string, string>;
  /** Table-level edges `from>to` between fully qualified names (`project.dataset.table`, or the script's name). */
  edges: string[];
  /** Target of every file whose last statement is a bare query; null when the file names no table. */
  targets: Record<string, string | null>;
  /** Unqualified reads that two relations of the workspace could be, with the candidates' names. */
  ambiguous: { file: string; name: string; candidates: string[] }[];
}

const P1 = 'moz-fx-data-shared-prod';
const P2 = 'moz-fx-data-marketing-prod';
const DERIVED = [
  { project: P1, dataset: 'telemetry_derived', views: 'telemetry' },
  { project: P1, dataset: 'search_derived', views: 'search' },
  { project: P2, dataset: 'marketing_derived', views: 'marketing' },
] as const;
const NOUNS = ['clients_daily', 'clients_last_seen', 'events', 'sessions', 'search_counts', 'ad_clicks', 'retention', 'installs', 'crashes', 'campaigns'];
/** Tables read but never written in the workspace (the stable ping tables). `main_v5` is declared by DDL. */
const EXTERNAL = [`${P1}.telemetry_stable.main_v5`, `${P1}.telemetry_stable.event_v4`, `${P2}.marketing_stable.events_v1`];

interface Table {
  project: string;
  dataset: string;
  name: string;
  views: string;
}

const full = (t: { project: string; dataset: string; name: string }): string => `${t.project}.${t.dataset}.${t.name}`;
const split = (q: string): { project: string; dataset: string; name: string } => {
  const [project = '', dataset = '', name = ''] = q.split('.');
  return { project, dataset, name };
};

/** Builds the table list: versioned nouns spread over the datasets, with forced same-named pairs. */
function tables(count: number): Table[] {
  const out: Table[] = [];
  for (let i = 0; i < count; i++) {
    const home = DERIVED[i % DERIVED.length] as (typeof DERIVED)[number];
    // Tables 0–5 pair up by name across datasets (events_v1 twice in one project, clients_daily_v1 across projects).
    const noun = NOUNS[Math.floor(i / DERIVED.length) % NOUNS.length] as string;
    const version = 1 + Math.floor(i / (DERIVED.length * NOUNS.length));
    out.push({ project: home.project, dataset: home.dataset, name: `${noun}_v${version}`, views: home.views });
  }
  return out;
}

/** How a query in `from`'s folder writes a reference to `to`: as BigQuery resolves it there. */
function reference(r: () => number, from: Table, to: { project: string; dataset: string; name: string }): string {
  const roll = r();
  if (to.project !== from.project) return `\`${full(to)}\``;
  if (to.dataset !== from.dataset) return roll < 0.5 ? `${to.dataset}.${to.name}` : roll < 0.75 ? `\`${full(to)}\`` : `\`${to.project}\`.${to.dataset}.${to.name}`;
  return roll < 0.4 ? to.name : roll < 0.7 ? `${to.dataset}.${to.name}` : `\`${full(to)}\``;
}

/** A bare query over `reads` (already written as references): a join on client_id with an aggregate. */
function selectOver(reads: string[], prefix = ''): string {
  const from = reads.map((ref, i) => (i === 0 ? `FROM\n  ${ref} AS u0` : `JOIN\n  ${ref} AS u${i}\n  USING (client_id)`)).join('\n');
  return `${prefix}SELECT\n  u0.client_id,\n  u0.submission_date,\n  COUNT(*) AS n_rows\n${from}\nWHERE\n  u0.submission_date = @submission_date\nGROUP BY\n  u0.client_id,\n  u0.submission_date\n`;
}

/** Generates the repository. */
export function generateEtlRepo(options: EtlRepoOptions = {}): EtlRepo {
  const r = createRandom(options.seed ?? 11);
  const list = tables(options.tables ?? 40);
  const files: Record<string, string> = {};
  const edges = new Set<string>();
  const targets: Record<string, string | null> = {};
  const ambiguous: EtlRepo['ambiguous'] = [];
  const folder = (t: { project: string; dataset: string; name: string }): string => `sql/${t.project}/${t.dataset}/${t.name}`;
  files['sql/schemas/stable.sql'] = `CREATE TABLE IF NOT EXISTS \`${EXTERNAL[0]}\` (\n  client_id STRING,\n  submission_date DATE\n);\n`;
  list.forEach((t, i) => {
    // Upstreams: earlier tables (a DAG) or the stable tables nobody here writes.
    const count = 1 + Math.floor(r() * 3);
    const ups = new Set<string>();
    for (let k = 0; k < count; k++) {
      const earlier = i > 0 && r() < 0.75 ? list[Math.floor(r() * i)] : undefined;
      ups.add(earlier ? full(earlier) : (EXTERNAL[Math.floor(r() * EXTERNAL.length)] as string));
    }
    const reads = [...ups].map((q) => reference(r, t, split(q)));
    const path = `${folder(t)}/query.sql`;
    const prefix = i % 6 === 5 ? 'CREATE TEMP FUNCTION norm(x STRING) AS (LOWER(x));\n\n' : '';
    files[path] = selectOver(reads, prefix);
    targets[path] = full(t);
    for (const q of ups) edges.add(`${q}>${full(t)}`);
    if (i % 5 === 0) {
      // init.sql builds the same table from its first upstream.
      files[`${folder(t)}/init.sql`] = selectOver([reads[0] as string]).replace('WHERE\n  u0.submission_date = @submission_date\n', '');
      targets[`${folder(t)}/init.sql`] = full(t);
    }
    if (i % 7 === 3) {
      files[`${folder(t)}/checks.sql`] = `SELECT\n  COUNTIF(client_id IS NULL) AS missing\nFROM\n  \`${full(t)}\`\nWHERE\n  submission_date = @submission_date\n`;
      targets[`${folder(t)}/checks.sql`] = null;
    }
    if (i % 4 === 1) {
      // The user-facing view, in the views dataset: written `CREATE VIEW` named like the table, written
      // and named without the version, or a bare `view.sql` named like the table.
      const variant = Math.floor(i / 4) % 3;
      const view = { project: t.project, dataset: t.views, name: variant === 1 ? t.name.replace(/_v[0-9]+$/, '') : t.name };
      const file = `${folder(view)}/view.sql`;
      if (files[file] === undefined) {
        files[file] = variant === 2 ? `SELECT\n  *\nFROM\n  ${t.dataset}.${t.name}\n` : `CREATE OR REPLACE VIEW\n  \`${full(view)}\`\nAS\nSELECT\n  *\nFROM\n  \`${full(t)}\`\n`;
        if (variant === 2) targets[file] = full(view);
        edges.add(`${full(t)}>${full(view)}`);
      }
    }
  });
  // Ad-hoc scripts outside the layout: named after their file, with no default dataset.
  const events = list.filter((t) => t.name === 'events_v1').map(full).sort();
  const first = list[0] as Table;
  files['scripts/events_report.sql'] = `SELECT\n  e.client_id,\n  c.n_rows\nFROM\n  events_v1 AS e\nJOIN\n  \`${full(first)}\` AS c\n  USING (client_id)\n`;
  targets['scripts/events_report.sql'] = 'events_report';
  edges.add(`${full(first)}>events_report`);
  if (events.length > 1) ambiguous.push({ file: 'scripts/events_report.sql', name: 'events_v1', candidates: events });
  const search = list.find((t) => t.name === 'events_v1' && t.dataset === 'search_derived');
  if (search) {
    files['scripts/search_rollup.sql'] = `SET @@dataset_id = 'search_derived';\n\nSELECT\n  client_id,\n  COUNT(*) AS n\nFROM\n  events_v1\nGROUP BY\n  client_id\n`;
    targets['scripts/search_rollup.sql'] = 'search_rollup';
    edges.add(`${full(search)}>search_rollup`);
  }
  // Two scripts share a file name: the file-name rule cannot name either.
  for (const period of ['daily', 'weekly']) {
    files[`scripts/${period}/summary.sql`] = `SELECT\n  COUNT(*) AS n\nFROM\n  \`${full(first)}\`\n`;
    targets[`scripts/${period}/summary.sql`] = null;
  }
  return { files, edges: [...edges].sort(), targets, ambiguous };
}

/**
 * The same repository with every target written: each file's final query becomes `CREATE OR
 * REPLACE TABLE|VIEW <target> AS …` (the ad-hoc scripts' tables go to dataset `adhoc`). It measures
 * name resolution alone, with no target left to a rule.
 */
export function withWrittenTargets(repo: EtlRepo): EtlRepo {
  const files = { ...repo.files };
  const rename = new Map<string, string>();
  for (const [path, target] of Object.entries(repo.targets)) {
    if (target === null) continue;
    const qualified = target.includes('.') ? target : `adhoc.${target}`;
    rename.set(target, qualified);
    const text = files[path] ?? '';
    const at = [...text.matchAll(/^SELECT$/gm)].pop()?.index ?? 0;
    const kind = path.endsWith('view.sql') ? 'VIEW' : 'TABLE';
    files[path] = `${text.slice(0, at)}CREATE OR REPLACE ${kind}\n  \`${qualified}\`\nAS\n${text.slice(at)}`;
  }
  const edges = repo.edges.map((e) => {
    const [from = '', to = ''] = e.split('>');
    return `${from}>${rename.get(to) ?? to}`;
  });
  return { files, edges: [...new Set(edges)].sort(), targets: {}, ambiguous: repo.ambiguous };
}

/** Precision and recall of table-level edges. */
export interface EdgeScore {
  expected: number;
  found: number;
  correct: number;
  precision: number;
  recall: number;
}

/**
 * Scores the `sql` model edges of a catalog against the truth. Entities are named by their
 * qualified name (`database.schema.name`, as far as known), lower-cased on both sides.
 */
export function scoreTableEdges(facts: { entities: { id: string; name: string; schema?: string; database?: string }[]; modelEdges: { from: string; to: string }[] }, truth: readonly string[]): EdgeScore {
  const names = new Map(facts.entities.map((e) => [e.id, [e.database, e.schema, e.name].filter((p) => p !== undefined && p !== '').join('.').toLowerCase()]));
  const found = new Set(facts.modelEdges.map((e) => `${names.get(e.from) ?? e.from}>${names.get(e.to) ?? e.to}`));
  const expected = new Set(truth.map((e) => e.toLowerCase()));
  const correct = [...found].filter((e) => expected.has(e)).length;
  return { expected: expected.size, found: found.size, correct, precision: found.size === 0 ? 0 : correct / found.size, recall: expected.size === 0 ? 1 : correct / expected.size };
}
