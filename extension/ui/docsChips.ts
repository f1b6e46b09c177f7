import type { TestRef } from '../../core/model/entities';
import type { DocTest } from '../../webviews/docs/protocol';

/**
 * Data tests as the docs panel shows them: one chip each, the test's name and a short summary of
 * its arguments (`relationships → customers.customer_id`, `accepted_values: placed, shipped`),
 * with every argument written out in the chip's tooltip. Pure, so it is unit-tested without VS Code.
 */

/** Keys of a generic test entry that configure the test rather than pass it an argument. */
const CONFIG_KEYS = new Set(['config', 'severity', 'where', 'error_if', 'warn_if', 'limit', 'tags', 'meta', 'name', 'enabled', 'store_failures', 'store_failures_as', 'alias', 'schema', 'database', 'fail_calc', 'description']);

/** Most values an `accepted_values` chip lists before "+N". */
const MAX_VALUES = 4;

/** The chip of one data test. */
export function testChip(test: TestRef): DocTest {
  const args = Object.entries(test.args).filter(([key]) => !CONFIG_KEYS.has(key));
  const detail = Object.entries(test.args).map(([key, value]) => `${key}: ${valueText(value)}`).join('\n');
  const base = test.name.split('.').pop() ?? test.name;
  const get = (key: string): unknown => test.args[key];
  let summary = '';
  if (base === 'relationships' && get('to') !== undefined) {
    const field = typeof get('field') === 'string' ? `.${String(get('field'))}` : '';
    summary = `→ ${relationName(get('to'))}${field}`;
  } else if (base === 'accepted_values' && get('values') !== undefined) {
    summary = `: ${listText(get('values'))}`;
  } else if (args.length > 0) {
    summary = `: ${args.map(([key, value]) => `${key}=${valueText(value, 40)}`).join(', ')}`;
  }
  const severity = severityOf(test.args);
  return { name: test.name, summary, detail, ...(severity ? { severity } : {}) };
}

/** `ref('customers')` → `customers`, `source('raw', 'customers')` → `raw.customers`; other text as written. */
export function relationName(to: unknown): string {
  const text = valueText(to).trim();
  const call = /^\{\{\s*(.*?)\s*\}\}$/s.exec(text)?.[1] ?? text;
  const match = /^(ref|source)\s*\(\s*(.*?)\s*\)$/s.exec(call);
  if (!match) return text;
  const parts = [...(match[2] ?? '').matchAll(/(['"])(.*?)\1/g)].map((m) => m[2] ?? '');
  // ref('package', 'model') names the model last; source('src', 'table') shows both.
  if (match[1] === 'ref') return parts.filter((p) => !/^v\d+$/.test(p)).pop() ?? text;
  return parts.join('.') || text;
}

function listText(values: unknown): string {
  if (!Array.isArray(values)) return valueText(values, 60);
  const shown = values.slice(0, MAX_VALUES).map((v) => valueText(v, 24));
  return values.length > MAX_VALUES ? `${shown.join(', ')} +${values.length - MAX_VALUES}` : shown.join(', ');
}

/** A test's severity when it is not the default (`error`): `warn` shows on the chip. */
function severityOf(args: Record<string, unknown>): 'warn' | undefined {
  const config = args.config;
  const severity = args.severity ?? (typeof config === 'object' && config !== null ? (config as Record<string, unknown>).severity : undefined);
  return typeof severity === 'string' && severity.toLowerCase() === 'warn' ? 'warn' : undefined;
}

/** An argument value as one short line of text. */
function valueText(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
