import type { ComplianceRule, Severity } from '../../core/governance/compliance';
import type { LocatedViolation } from './complianceLocal';

/**
 * What the Compliance view and the Problems panel show of a set of violations (issue 16), without
 * `vscode`: rule groups ordered by severity with a count, one row per violation with its evidence
 * (the lineage path of a flow), and one problem per located violation with the diagnostic code
 * `mallard(compliance-<rule>)`. Tested directly; `complianceView.ts` only maps it to VS Code types.
 */

/** One rule group of the view. */
export interface RuleGroup {
  ruleId: string;
  title: string;
  severity: Severity;
  /** "2 violations". */
  description: string;
  items: ViolationRow[];
}

/** One violation row. */
export interface ViolationRow {
  violation: LocatedViolation;
  /** The model (and column) it is about. */
  label: string;
  /** The message; for a flow, the path `a → b → c`. */
  description: string;
  tooltip: string;
}

/** One Problems-panel entry. */
export interface ComplianceProblem {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  message: string;
  /** `compliance-<rule id>`; shown as `mallard(compliance-<rule id>)`. */
  code: string;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** The readable form of a column or entity id (`orders.email`). */
function shortId(id: string): string {
  const [entity = id, column] = id.split('#');
  const name = entity.split('.').slice(2).join('.') || entity;
  return column === undefined ? name : `${name}.${column}`;
}

/** The evidence path as the view shows it. */
export function pathText(path: readonly string[]): string {
  return path.map(shortId).join(' → ');
}

/** Groups violations by rule, errors first; rules without violations are left out. */
export function ruleGroups(violations: readonly LocatedViolation[], rules: readonly ComplianceRule[]): RuleGroup[] {
  const titles = new Map(rules.map((r) => [r.id, r.title]));
  const groups = new Map<string, RuleGroup>();
  for (const v of violations) {
    const group = groups.get(v.ruleId) ?? { ruleId: v.ruleId, title: titles.get(v.ruleId) ?? v.ruleId, severity: v.severity, description: '', items: [] };
    const evidence = v.path !== undefined && v.path.length > 0 ? pathText(v.path) : undefined;
    group.items.push({
      violation: v,
      label: shortId(v.targetId),
      // The label names the target already; the message's own "name: " prefix is left out.
      description: evidence ?? v.message.replace(/^[^:]*:\s*/, ''),
      tooltip: evidence === undefined ? v.message : `${v.message}\nPath: ${evidence}`,
    });
    groups.set(v.ruleId, group);
  }
  return [...groups.values()]
    .map((g) => ({ ...g, description: `${g.items.length} violation${g.items.length === 1 ? '' : 's'}` }))
    .sort((a, b) => RANK[a.severity] - RANK[b.severity] || (a.ruleId < b.ruleId ? -1 : 1));
}

/** Problems-panel entries of the located violations. */
export function complianceProblems(violations: readonly LocatedViolation[]): ComplianceProblem[] {
  const out: ComplianceProblem[] = [];
  for (const v of violations) {
    if (v.location === undefined) continue;
    const evidence = v.path !== undefined && v.path.length > 0 ? ` Path: ${pathText(v.path)}.` : '';
    out.push({ ...v.location, severity: v.severity, message: `${v.message}${evidence}`, code: `compliance-${v.ruleId}` });
  }
  return out;
}
