import { outputColumns, type ColumnPick, type ModelSpec, type ProjectSpec } from './spec';

/** Renders a project spec to files (workspace-relative path → text). */

/** Path of a model's SQL file. */
export function modelPath(spec: ModelSpec): string {
  return `models/${spec.layer}/${spec.domain}/${spec.name}.sql`;
}

/** Output columns of every model of a project, computed in order (refs point backwards). */
export function columnsByModel(project: ProjectSpec): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const m of project.models) map.set(m.name, outputColumns(m, (x) => map.get(x)));
  return map;
}

function expr(p: ColumnPick, qualified: string): string {
  switch (p.expr) {
    case 'cast': return `cast(${qualified} as timestamp)`;
    case 'lower': return `lower(${qualified})`;
    case 'cents': return `{{ cents_to_dollars('${qualified}') }}`;
    case 'sum': return `sum(${qualified})`;
    case 'count': return `count(${qualified})`;
    case 'max': return `max(${qualified})`;
    case 'coalesce': return `coalesce(${qualified}, ${qualified})`;
    case 'rownum': return `row_number() over (partition by ${qualified} order by ${qualified})`;
    default: return qualified;
  }
}

function selectList(picks: ColumnPick[], alias: (from: number) => string): string {
  return picks.map((p) => {
    const e = expr(p, `${alias(p.from)}.${p.column}`);
    return `    ${e === `${alias(p.from)}.${p.name}` ? e : `${e} as ${p.name}`}`;
  }).join(',\n');
}

function renderStage(spec: ModelSpec): string {
  const src = spec.source ?? { source: 'unknown', table: 'unknown' };
  const lines = [`-- Staging model for ${src.source}.${src.table}: renames and casts only.`, 'with source as (', `    select * from {{ source('${src.source}', '${src.table}') }}`, ')', 'select'];
  lines.push(selectList(spec.picks, (from) => (from === 0 ? 'source' : 'seed')));
  lines.push('from source');
  if (spec.seed) lines.push(`left join {{ ref('${spec.seed}') }} as seed on seed.country_code = source.country_code`);
  return lines.join('\n') + '\n';
}

function renderJoin(spec: ModelSpec, columnsOf: (m: string) => string[]): string {
  const ctes = spec.refs.map((ref, i) => `u${i} as (\n    select * from {{ ref('${ref}') }}\n)`);
  const lines = [`-- ${spec.name}: joins ${spec.refs.length} upstream models.`, `with\n${ctes.join(',\n')}`, 'select'];
  lines.push(selectList(spec.picks, (from) => `u${from}`));
  lines.push('from u0');
  const key0 = columnsOf(spec.refs[0] ?? '')[0] ?? 'id';
  spec.refs.slice(1).forEach((ref, j) => {
    const key = columnsOf(ref)[0] ?? 'id';
    lines.push(`left join u${j + 1} on u0.${key0} = u${j + 1}.${key}`);
  });
  lines.push(`where u0.${key0} is not null`);
  return lines.join('\n') + '\n';
}

function renderAggregate(spec: ModelSpec): string {
  const keys = spec.picks.filter((p) => p.expr === 'id').map((p) => `agg.${p.column}`);
  const lines = [`-- ${spec.name}: aggregates ${spec.refs[0] ?? ''}.`, 'select'];
  lines.push(selectList(spec.picks, () => 'agg'));
  lines.push(`from {{ ref('${spec.refs[0] ?? ''}') }} as agg`);
  if (keys.length > 0) lines.push(`group by ${keys.join(', ')}`);
  return lines.join('\n') + '\n';
}

function renderWindow(spec: ModelSpec): string {
  const lines = [`-- ${spec.name}: ranks rows of ${spec.refs[0] ?? ''}.`, 'with base as (', `    select * from {{ ref('${spec.refs[0] ?? ''}') }}`, '),', 'ranked as (', '    select'];
  lines.push(selectList(spec.picks, () => 'base').replace(/^/gm, '    '));
  lines.push('    from base', ')', 'select * from ranked');
  return lines.join('\n') + '\n';
}

function renderMacroLoop(spec: ModelSpec, columnsOf: (m: string) => string[]): string {
  const parts = spec.refs.map((ref) => `'${ref.slice('stg_'.length)}': '${columnsOf(ref)[0] ?? 'id'}'`);
  return [
    `-- ${spec.name}: one row per entity across staging models; refs are built in a loop.`,
    `{% set parts = {${parts.join(', ')}} %}`,
    '{% for suffix, key in parts.items() %}',
    "select {{ key }} as entity_id, created_at, updated_at from {{ ref('stg_' ~ suffix) }}",
    '{% if not loop.last %}union all{% endif %}',
    '{% endfor %}',
  ].join('\n') + '\n';
}

/** Renders one model's SQL. */
export function renderModelSql(spec: ModelSpec, columnsOf: (m: string) => string[]): string {
  switch (spec.style) {
    case 'stage': return renderStage(spec);
    case 'join': return renderJoin(spec, columnsOf);
    case 'aggregate': return renderAggregate(spec);
    case 'window': return renderWindow(spec);
    case 'star': return `-- ${spec.name}: a pass-through.\nselect * from {{ ref('${spec.refs[0] ?? ''}') }}\n`;
    case 'starPlus': return `select\n    base.*,\n${selectList(spec.picks, () => 'base')}\nfrom {{ staged_ref('${spec.refs[0] ?? ''}') }} as base\n`;
    case 'macroLoop': return renderMacroLoop(spec, columnsOf);
  }
}

function yamlModel(spec: ModelSpec, cols: string[]): string {
  const lines = [`  - name: ${spec.name}`, `    description: "${spec.layer} model ${spec.name} (${spec.style})."`, '    columns:'];
  cols.slice(0, 4).forEach((c, i) => {
    lines.push(`      - name: ${c}`, `        description: "Column ${c} of ${spec.name}."`);
    if (i === 0 && spec.style !== 'macroLoop') lines.push('        data_tests:', '          - not_null');
  });
  return lines.join('\n');
}

/** Renders every file of a project. */
export function renderProjectFiles(project: ProjectSpec): Map<string, string> {
  const files = new Map<string, string>();
  const cols = columnsByModel(project);
  const columnsOf = (m: string): string[] => cols.get(m) ?? [];
  files.set('dbt_project.yml', [`name: ${project.name}`, "version: '1.0.0'", 'config-version: 2', `profile: ${project.name}`, "model-paths: ['models']", "seed-paths: ['seeds']", "macro-paths: ['macros']", 'models:', `  ${project.name}:`, '    staging:', '      +materialized: view', '    intermediate:', '      +materialized: ephemeral', '    marts:', '      +materialized: table', ''].join('\n'));
  files.set('profiles.yml', [`${project.name}:`, '  target: dev', '  outputs:', '    dev:', '      type: postgres', '      schema: analytics', ''].join('\n'));
  files.set('macros/cents_to_dollars.sql', "{% macro cents_to_dollars(column) -%}\n    ({{ column }} / 100.0)\n{%- endmacro %}\n");
  files.set('macros/staged_ref.sql', "{# Resolves a model through a macro, which a regex over ref() cannot see. #}\n{% macro staged_ref(name) -%}\n    {{ ref(name) }}\n{%- endmacro %}\n");
  for (const seed of project.seeds) files.set(`seeds/${seed.name}.csv`, [seed.columns.join(','), ...seed.rows.map((r) => r.join(','))].join('\n') + '\n');
  const bySource = new Map<string, ProjectSpec['sources']>();
  for (const s of project.sources) bySource.set(s.source, [...(bySource.get(s.source) ?? []), s]);
  for (const [source, tables] of bySource) {
    const lines = ['version: 2', 'sources:', `  - name: ${source}`, '    schema: raw', '    tables:'];
    for (const t of tables) {
      lines.push(`      - name: ${t.table}`, '        columns:');
      for (const c of t.columns) lines.push(`          - name: ${c}`);
    }
    files.set(`models/staging/${source}/_${source}__sources.yml`, lines.join('\n') + '\n');
  }
  const docsByFolder = new Map<string, string[]>();
  for (const m of project.models) {
    files.set(modelPath(m), renderModelSql(m, columnsOf));
    if (!m.documented) continue;
    const folder = `models/${m.layer}/${m.domain}`;
    docsByFolder.set(folder, [...(docsByFolder.get(folder) ?? []), yamlModel(m, columnsOf(m.name))]);
  }
  for (const [folder, entries] of docsByFolder) {
    const domain = folder.split('/').pop() ?? 'models';
    files.set(`${folder}/_${domain}__models.yml`, ['version: 2', 'models:', ...entries, ''].join('\n'));
  }
  return files;
}
