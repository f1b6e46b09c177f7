import { BUILTIN_COMPLIANCE_RULES, type ComplianceRule, type Severity } from './compliance';

/**
 * The `compliance` section of `.mallard.json` (issue 16): turn built-in rules off or change their
 * severity. Pure: the caller passes the parsed JSON value of the section. Problems (an unknown rule
 * id, a severity that is not one of error/warning/info, a value of the wrong shape) are returned as
 * messages and the rule keeps its default, so a typo never silently switches a rule off.
 *
 * ```json
 * { "compliance": { "rules": { "model-has-test": { "enabled": false }, "pii-not-public": { "severity": "warning" } } } }
 * ```
 */

/** The rules to evaluate and what was wrong with the section. */
export interface ComplianceConfig {
  rules: ComplianceRule[];
  problems: string[];
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Applies a `compliance` section (or `undefined`: the built-in rules as they are) to `base`. */
export function complianceConfig(section: unknown, base: readonly ComplianceRule[] = BUILTIN_COMPLIANCE_RULES): ComplianceConfig {
  const problems: string[] = [];
  if (section === undefined) return { rules: [...base], problems };
  if (!isObject(section)) return { rules: [...base], problems: ['"compliance" must be an object like { "rules": { "<rule id>": { "enabled": false } } }.'] };
  const settings = section.rules;
  if (settings === undefined) return { rules: [...base], problems };
  if (!isObject(settings)) return { rules: [...base], problems: ['"compliance.rules" must be an object keyed by rule id.'] };
  const known = new Set(base.map((r) => r.id));
  for (const id of Object.keys(settings)) {
    if (!known.has(id)) problems.push(`"compliance.rules.${id}": no rule with this id (known: ${[...known].join(', ')}).`);
  }
  const rules: ComplianceRule[] = [];
  for (const rule of base) {
    const s = settings[rule.id];
    if (s === undefined) {
      rules.push(rule);
      continue;
    }
    if (!isObject(s)) {
      problems.push(`"compliance.rules.${rule.id}" must be an object with "enabled" and/or "severity".`);
      rules.push(rule);
      continue;
    }
    if (s.enabled !== undefined && typeof s.enabled !== 'boolean') problems.push(`"compliance.rules.${rule.id}.enabled" must be true or false.`);
    if (s.enabled === false) continue;
    const severity = s.severity;
    if (severity !== undefined && !SEVERITIES.includes(severity as Severity)) {
      problems.push(`"compliance.rules.${rule.id}.severity" must be one of ${SEVERITIES.join(', ')}.`);
      rules.push(rule);
      continue;
    }
    rules.push(severity === undefined ? rule : { ...rule, severity: severity as Severity });
  }
  return { rules, problems };
}
