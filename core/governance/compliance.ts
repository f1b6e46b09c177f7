import type { Column, ColumnEdge, Entity, EntityKind } from '../model/entities';
import { splitColumnId } from '../model/ids';
import { propagateClasses, type ColumnClass } from './propagate';

/**
 * Declarative compliance rules evaluated over a catalog (issue 16): locally on every change and,
 * with the same code, in the cloud on org catalogs. A rule selects what it applies to (entity
 * kinds, tags, classification prefixes) and states a requirement; a violation names the rule, its
 * severity, the target and the evidence (for a flow, the lineage path). Pure: the caller supplies
 * the catalog's entities, columns, column edges and classifications.
 */

/** What a rule applies to; every given field must hold. */
export interface Selector {
  kinds?: readonly EntityKind[];
  /** The entity has one of these tags. */
  tags?: readonly string[];
  /** The column's classification starts with one of these (`pii.`). Column rules only. */
  classified?: readonly string[];
}

export type Severity = 'error' | 'warning' | 'info';

/** A rule. */
export type ComplianceRule =
  | { id: string; title: string; severity: Severity; kind: 'column-requires'; where: Selector; require: readonly ('owner' | 'description')[] }
  | { id: string; title: string; severity: Severity; kind: 'entity-requires'; where: Selector; require: readonly ('owner' | 'description' | 'test')[] }
  | { id: string; title: string; severity: Severity; kind: 'no-flow'; from: Selector; to: Selector };

/** A broken rule. */
export interface Violation {
  ruleId: string;
  severity: Severity;
  targetKind: 'entity' | 'column';
  targetId: string;
  message: string;
  /** For flows: the column path from the classified origin to the target column. */
  path?: string[];
}

/** What rules read. `classes` holds accepted classifications (column id → key). */
export interface ComplianceInput {
  entities: readonly Entity[];
  columns: readonly Column[];
  columnEdges: readonly Pick<ColumnEdge, 'from' | 'to' | 'transform'>[];
  classes: ReadonlyMap<string, string>;
}

/** The rules Mallard ships; an organization's `.mallard.json` or cloud settings may replace them. */
export const BUILTIN_COMPLIANCE_RULES: readonly ComplianceRule[] = [
  {
    id: 'pii-owner-description', title: 'Personal-data columns need an owner and a description', severity: 'warning',
    kind: 'column-requires', where: { classified: ['pii.'] }, require: ['owner', 'description'],
  },
  {
    id: 'pii-not-public', title: 'Personal data must not flow into models tagged public', severity: 'error',
    kind: 'no-flow', from: { classified: ['pii.'] }, to: { tags: ['public'] },
  },
  {
    id: 'model-has-test', title: 'Every model has a test', severity: 'warning',
    kind: 'entity-requires', where: { kinds: ['model'] }, require: ['test'],
  },
];

function entityMatches(e: Entity, s: Selector): boolean {
  if (s.kinds !== undefined && !s.kinds.includes(e.kind)) return false;
  if (s.tags !== undefined && !s.tags.some((t) => e.tags.includes(t))) return false;
  return true;
}

function classMatches(key: string | undefined, s: Selector): boolean {
  if (s.classified === undefined) return true;
  return key !== undefined && s.classified.some((p) => key.startsWith(p));
}

function hasTest(e: Entity, columns: readonly Column[]): boolean {
  return e.tests.length > 0 || columns.some((c) => c.tests.length > 0);
}

/** Evaluates `rules` (the built-in ones by default); violations sorted by severity, rule and target. */
export function evaluateCompliance(input: ComplianceInput, rules: readonly ComplianceRule[] = BUILTIN_COMPLIANCE_RULES): Violation[] {
  const entities = new Map(input.entities.map((e) => [e.id, e]));
  const columnsOf = new Map<string, Column[]>();
  for (const c of input.columns) columnsOf.set(c.entityId, [...(columnsOf.get(c.entityId) ?? []), c]);
  const out: Violation[] = [];
  for (const rule of rules) {
    if (rule.kind === 'entity-requires') {
      for (const e of input.entities) {
        if (e.disabled || !entityMatches(e, rule.where)) continue;
        const missing = rule.require.filter((r) =>
          r === 'owner' ? e.owners.length === 0 : r === 'description' ? e.description.trim() === '' : !hasTest(e, columnsOf.get(e.id) ?? []));
        if (missing.length > 0) out.push({ ruleId: rule.id, severity: rule.severity, targetKind: 'entity', targetId: e.id, message: `${e.name}: ${rule.title.toLowerCase()} (missing: ${missing.join(', ')}).` });
      }
    } else if (rule.kind === 'column-requires') {
      for (const c of input.columns) {
        const e = entities.get(c.entityId);
        if (e === undefined || e.disabled || !entityMatches(e, rule.where) || !classMatches(input.classes.get(c.id), rule.where)) continue;
        const missing = rule.require.filter((r) => (r === 'owner' ? e.owners.length === 0 : c.description.trim() === ''));
        if (missing.length > 0) {
          out.push({ ruleId: rule.id, severity: rule.severity, targetKind: 'column', targetId: c.id,
            message: `${e.name}.${c.name} (${input.classes.get(c.id) ?? 'unclassified'}): missing ${missing.join(' and ')}.` });
        }
      }
    } else {
      const seeds: ColumnClass[] = [...input.classes].filter(([id, key]) => {
        const e = entities.get(splitColumnId(id).entityId);
        return e !== undefined && entityMatches(e, { ...rule.from, classified: undefined }) && classMatches(key, rule.from);
      }).map(([columnId, key]) => ({ columnId, key, confidence: 1 }));
      for (const p of propagateClasses(seeds, input.columnEdges)) {
        const e = entities.get(splitColumnId(p.columnId).entityId);
        if (e === undefined || !entityMatches(e, rule.to)) continue;
        out.push({ ruleId: rule.id, severity: rule.severity, targetKind: 'column', targetId: p.columnId, path: p.path,
          message: `${e.name}.${splitColumnId(p.columnId).column} receives ${p.key} from ${p.path[0] ?? '?'}: ${rule.title.toLowerCase()}.` });
      }
    }
  }
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return out.sort((a, b) => rank[a.severity] - rank[b.severity] || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : a.targetId < b.targetId ? -1 : a.targetId > b.targetId ? 1 : 0));
}
