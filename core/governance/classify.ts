import { BUILTIN_RULES, type ClassificationRule, type TypeFamily } from './classifyRules';

/**
 * Rule-based classification of one column: its name split into tokens (`customerEmailAddress`,
 * `CUSTOMER_EMAIL` → customer, email, address), its declared type reduced to a family, and sampled
 * values when a connector has them. A suggestion carries its key, a confidence and the reason a
 * reviewer reads before accepting or rejecting it. Pure and deterministic.
 */

/** What classification looks at. */
export interface ColumnSample {
  name: string;
  /** Declared or warehouse type, when known. */
  type?: string;
  /** A few sampled values (connectors that can sample); never stored. */
  values?: readonly string[];
}

/** One suggested classification. */
export interface ClassificationSuggestion {
  key: string;
  /** 0–1. */
  confidence: number;
  source: 'rules';
  /** "name matches 'email'; type varchar" — for the review list. */
  reason: string;
}

/** Lower-case name tokens: snake, kebab, dotted and camel case split; digits kept with their word (`address1`). */
export function nameTokens(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0);
}

/** The family of a SQL type name (`varchar(20)` → text, `timestamp_ntz` → date); `undefined` when no type is known. */
export function typeFamily(type: string | undefined): TypeFamily | undefined {
  if (type === undefined || type.trim() === '') return undefined;
  const t = type.trim().toLowerCase();
  if (/^(bool|boolean|bit)\b/.test(t)) return 'boolean';
  if (/(char|text|string|varchar|clob|citext|uuid|json|variant|inet|cidr|enum)/.test(t)) return /^(inet|cidr)/.test(t) ? 'other' : 'text';
  if (/(date|time)/.test(t)) return 'date';
  if (/(int|numeric|decimal|number|float|double|real|money|bignumeric)/.test(t)) return 'number';
  if (/(bytea|binary|blob|bytes)/.test(t)) return 'binary';
  return 'other';
}

function containsSequence(tokens: readonly string[], seq: readonly string[]): boolean {
  outer: for (let i = 0; i + seq.length <= tokens.length; i++) {
    for (let j = 0; j < seq.length; j++) if (tokens[i + j] !== seq[j]) continue outer;
    return true;
  }
  return false;
}

/** The name sequence of `rule` found in `tokens`, if the name matches and no excluded token appears. */
function nameMatch(rule: ClassificationRule, tokens: readonly string[]): readonly string[] | undefined {
  const found = rule.names.find((seq) => containsSequence(tokens, seq));
  if (found === undefined) return undefined;
  // Tokens of the matched sequence itself never exclude it (`address` in `address_line`).
  const excluded = tokens.some((t) => !found.includes(t) && rule.exclude.includes(t));
  return excluded ? undefined : found;
}

/** True when a sampled value is an instance of the rule's data. */
export function matchesValue(rule: ClassificationRule, value: string): boolean {
  const v = value.trim();
  if (rule.value === undefined || !rule.value.test(v)) return false;
  return rule.valueCheck === undefined || rule.valueCheck(v);
}

/**
 * Suggestions for one column, best first: a name match with a compatible (or unknown) type, and
 * value matches when at least 80 % of the non-empty samples fit. Name and values agreeing raise
 * the confidence; a type outside the rule's families rules a name match out.
 */
export function classifyColumn(column: ColumnSample, rules: readonly ClassificationRule[] = BUILTIN_RULES): ClassificationSuggestion[] {
  const tokens = nameTokens(column.name);
  const family = typeFamily(column.type);
  const samples = (column.values ?? []).map((v) => v.trim()).filter((v) => v.length > 0);
  const out: ClassificationSuggestion[] = [];
  let named = false;
  for (const rule of rules) {
    const typeOk = family === undefined || rule.types.includes(family);
    const byName = !named && typeOk ? nameMatch(rule, tokens) : undefined;
    const hits = samples.length > 0 && rule.value !== undefined ? samples.filter((v) => matchesValue(rule, v)).length : 0;
    const byValues = samples.length > 0 && hits / samples.length >= 0.8;
    if (byName === undefined && !byValues) continue;
    const reasons: string[] = [];
    if (byName !== undefined) reasons.push(`name matches '${byName.join('_')}'`);
    if (byValues) reasons.push(`${hits} of ${samples.length} sampled values look like ${rule.label}`);
    if (family !== undefined) reasons.push(`type ${column.type ?? ''}`.trim());
    const confidence = byName !== undefined && byValues ? Math.min(0.99, rule.confidence + 0.04) : byName !== undefined ? rule.confidence : 0.75;
    out.push({ key: rule.key, confidence, source: 'rules', reason: reasons.join('; ') });
    // The first (most specific) name match wins: `email_address` is an e-mail, not an address.
    if (byName !== undefined) named = true;
  }
  return out.sort((a, b) => b.confidence - a.confidence);
}
