/**
 * Model specifications of a synthetic dbt project. The generator first builds specs (names, layers,
 * upstream refs, output columns), then renders each spec to SQL, so tests can edit one spec and
 * re-render exactly one file.
 */

/** Layer of a synthetic model, mirroring dbt's recommended project structure. */
export type Layer = 'staging' | 'intermediate' | 'marts';

/** How a model's SQL is written; each style exercises a different part of column lineage. */
export type ModelStyle = 'stage' | 'join' | 'aggregate' | 'window' | 'star' | 'starPlus' | 'macroLoop';

/** A source table (from `sources:` YAML). */
export interface SourceSpec {
  source: string;
  table: string;
  columns: string[];
}

/** One synthetic model. `columns` is the output column list the SQL produces. */
export interface ModelSpec {
  name: string;
  layer: Layer;
  /** Folder under `models/<layer>/`. */
  domain: string;
  style: ModelStyle;
  /** Upstream model names (for `stage`: empty; the source is in `source`). */
  refs: string[];
  source?: { source: string; table: string };
  /** Output columns; for `join` etc. each picks an upstream column (`from` index into refs or -1 for source). */
  picks: ColumnPick[];
  /** True when the model is documented in YAML (description, column docs, tests). */
  documented: boolean;
  /** Optional seed joined for lookups. */
  seed?: string;
}

/** One output column: where it comes from and how. */
export interface ColumnPick {
  /** Output name. */
  name: string;
  /** Index into `refs` (or 0 for the source of a staging model). */
  from: number;
  /** Upstream column name. */
  column: string;
  /** Expression template; `$` stands for the qualified upstream column. */
  expr: 'id' | 'cast' | 'lower' | 'cents' | 'sum' | 'count' | 'max' | 'coalesce' | 'rownum';
}

/** A whole synthetic project. */
export interface ProjectSpec {
  name: string;
  sources: SourceSpec[];
  seeds: { name: string; columns: string[]; rows: string[][] }[];
  models: ModelSpec[];
}

/** Output columns of a spec given the output columns of every model (for `SELECT *` styles). */
export function outputColumns(spec: ModelSpec, columnsOf: (model: string) => string[] | undefined): string[] {
  if (spec.style === 'star') return [...(columnsOf(spec.refs[0] ?? '') ?? [])];
  if (spec.style === 'starPlus') {
    const base = columnsOf(spec.refs[0] ?? '') ?? [];
    const extra = spec.picks.map((p) => p.name).filter((n) => !base.includes(n));
    return [...base, ...extra];
  }
  return spec.picks.map((p) => p.name);
}
