import { z } from 'zod';
import { TransformKind, type ColumnEdge, type Facts, type ModelEdge, type Provenance } from '../model/entities';
import type { JsonValue } from '../sync/ops';

/**
 * Lineage learned from a warehouse's query history (Snowflake ACCESS_HISTORY, BigQuery JOBS),
 * accumulated across runs. History is read incrementally (only queries after the last run's
 * watermark), but a run's facts replace the connector's previous facts, so the edges found so far
 * travel in the run's state and are merged with the new ones. Edges are kept by id pair, so
 * re-reading a query never duplicates one.
 */

/** Version of the state format; a state of another version starts history over. */
const STATE_VERSION = 1;

const HistoryStateSchema = z.object({
  version: z.literal(STATE_VERSION),
  /** Start time (ISO 8601) of the newest history row read; the next run reads after it. */
  watermark: z.string().optional(),
  /** True when the last read stopped at its row limit: the next run goes on from the watermark itself. */
  truncated: z.boolean().optional(),
  /** Table-level edges: [from entity id, to entity id]. */
  tables: z.array(z.tuple([z.string(), z.string()])),
  /** Column-level edges: [from column id, to column id, transform]. */
  columns: z.array(z.tuple([z.string(), z.string(), TransformKind])),
});
export type HistoryState = z.infer<typeof HistoryStateSchema>;

/** Accumulates history lineage: the previous run's edges plus the new rows'. */
export class HistoryLineage {
  private readonly tables = new Map<string, [string, string]>();
  private readonly columns = new Map<string, [string, string, TransformKind]>();
  /** Newest history time seen (ISO 8601); starts at the previous run's. */
  watermark: string | undefined;
  /**
   * True when a read stopped at its row limit. The next run then starts at the watermark itself,
   * not before it: re-reading the latency window could return the same full page forever.
   */
  truncated = false;
  /** True when the previous run's state was present and readable. */
  readonly resumed: boolean;

  constructor(state: JsonValue | undefined) {
    const parsed = state === undefined ? undefined : HistoryStateSchema.safeParse(state);
    this.resumed = parsed?.success === true;
    if (parsed?.success !== true) return;
    this.watermark = parsed.data.watermark;
    this.truncated = parsed.data.truncated === true;
    for (const [from, to] of parsed.data.tables) this.addTable(from, to);
    for (const [from, to, transform] of parsed.data.columns) this.addColumn(from, to, transform);
  }

  addTable(from: string, to: string): void {
    if (from !== to) this.tables.set(`${from}>${to}`, [from, to]);
  }

  addColumn(from: string, to: string, transform: TransformKind): void {
    if (from === to) return;
    const k = `${from}>${to}`;
    const prev = this.columns.get(k);
    // A direct transform wins over an indirect one, as in view lineage.
    if (prev === undefined || !isDirect(prev[2])) this.columns.set(k, [from, to, transform]);
  }

  /** Moves the watermark forward to `time` (ISO 8601 strings of one format compare as text). */
  seen(time: string): void {
    if (this.watermark === undefined || time > this.watermark) this.watermark = time;
  }

  get tableEdgeCount(): number {
    return this.tables.size;
  }

  get columnEdgeCount(): number {
    return this.columns.size;
  }

  /**
   * Adds the accumulated edges to `facts`. An edge whose endpoint is a relation of an extracted
   * database that is no longer in the catalog (dropped, or filtered out) is left out; endpoints in
   * databases this connector does not extract are kept, to meet another connector's entities.
   */
  addTo(facts: Facts, provenance: Provenance, extractedDatabasePrefixes: readonly string[]): { tables: number; columns: number } {
    const known = new Set(facts.entities.map((e) => e.id));
    const keep = (entityId: string): boolean => known.has(entityId) || !extractedDatabasePrefixes.some((p) => entityId.startsWith(p));
    const entityOf = (columnId: string): string => columnId.slice(0, columnId.lastIndexOf('#'));
    const have = new Set(facts.modelEdges.map((e) => `${e.from}>${e.to}`));
    const haveColumns = new Set(facts.columnEdges.map((e) => `${e.from}>${e.to}`));
    let tables = 0;
    let columns = 0;
    const model = (from: string, to: string): void => {
      const k = `${from}>${to}`;
      if (have.has(k)) return;
      have.add(k);
      const edge: ModelEdge = { from, to, level: 'model', kind: 'sql', provenance };
      facts.modelEdges.push(edge);
      tables++;
    };
    for (const [from, to] of this.tables.values()) if (keep(from) && keep(to)) model(from, to);
    for (const [from, to, transform] of this.columns.values()) {
      const fromEntity = entityOf(from);
      const toEntity = entityOf(to);
      if (!keep(fromEntity) || !keep(toEntity) || haveColumns.has(`${from}>${to}`)) continue;
      const edge: ColumnEdge = { from, to, level: 'column', transform, provenance };
      facts.columnEdges.push(edge);
      columns++;
      if (fromEntity !== toEntity) model(fromEntity, toEntity);
    }
    return { tables, columns };
  }

  /** The state to hand back next run. */
  toState(): JsonValue {
    const state: HistoryState = { version: STATE_VERSION, tables: [...this.tables.values()], columns: [...this.columns.values()] };
    if (this.watermark !== undefined) state.watermark = this.watermark;
    if (this.truncated) state.truncated = true;
    return state as unknown as JsonValue;
  }
}

function isDirect(t: TransformKind): boolean {
  return t === 'identity' || t === 'transformation' || t === 'aggregation';
}

/**
 * Splits a qualified name as Snowflake writes it in ACCESS_HISTORY (`DB.SCHEMA."Mixed.Name"`):
 * dots inside double quotes do not split, and quotes are removed (`""` is a quote).
 */
export function splitQualifiedName(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      if (quoted && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === '.' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

/** A JSON value from a VARIANT/ARRAY column: drivers return it parsed or as JSON text. */
export function jsonColumn(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** A row's value by column name, whatever case the driver used (Snowflake upper-cases, BigQuery keeps). */
export function field(row: Record<string, unknown>, name: string): unknown {
  if (name in row) return row[name];
  const upper = name.toUpperCase();
  if (upper in row) return row[upper];
  const lower = name.toLowerCase();
  return row[lower];
}

/** A row's value as text (numbers and bigints printed), undefined for null/absent. */
export function text(row: Record<string, unknown>, name: string): string | undefined {
  const v = field(row, name);
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return undefined;
}
