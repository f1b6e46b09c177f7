import type { z } from 'zod';
import type { ConnectorDefinition, ConnectorField } from '../../core/connectors/connector';

/**
 * Turns what a user typed into one input of the "Add Connector" flow into the value the
 * definition's zod schema accepts, and says why not otherwise. An input box only gives text, while a
 * schema may want a number (a port), a boolean or a list (path filters): the text is tried as each of
 * those, and the message of the most telling failure is shown under the input.
 */

/** Outcome of checking one field's text. */
export type FieldCheck = { ok: true; value: unknown } | { ok: false; message: string };

/** One zod issue, as much of it as this file reads. */
interface Issue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
}

/** The values the text could stand for, most literal first. */
function candidates(text: string): unknown[] {
  const out: unknown[] = [text];
  if (/^-?\d+(\.\d+)?$/.test(text)) out.push(Number(text));
  if (text === 'true' || text === 'false') out.push(text === 'true');
  out.push(
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );
  return out;
}

/** The issues of `schema` for `{ [key]: value }` that concern `key` (other fields are not filled in yet). */
function issuesOf(schema: z.ZodType, key: string, value: unknown): Issue[] {
  const result = schema.safeParse({ [key]: value });
  if (result.success) return [];
  return (result.error.issues as Issue[]).filter((issue) => issue.path[0] === key);
}

/** The schema a field belongs to. */
export function schemaOf(def: ConnectorDefinition, field: ConnectorField): z.ZodType {
  return (field.secret ? def.secrets : def.config) as z.ZodType;
}

/**
 * Checks the text typed for `field`. Empty text is `undefined` for an optional field (and for a
 * secret being edited, where blank keeps the stored one: `keepBlank`), and an error otherwise.
 */
export function checkField(def: ConnectorDefinition, field: ConnectorField, text: string, keepBlank = false): FieldCheck {
  const trimmed = field.secret ? text : text.trim();
  if (trimmed === '') {
    if (field.optional || keepBlank) return { ok: true, value: undefined };
    return { ok: false, message: `Enter ${field.label.toLowerCase()}.` };
  }
  const schema = schemaOf(def, field);
  let best: Issue | undefined;
  for (const candidate of candidates(trimmed)) {
    const issues = issuesOf(schema, field.key, candidate);
    if (issues.length === 0) return { ok: true, value: candidate };
    // A type mismatch only says the text was tried as the wrong kind of value; a range or format
    // issue of the right kind says what is really wrong with it.
    const telling = issues.find((issue) => issue.code !== 'invalid_type');
    if (telling && (!best || best.code === 'invalid_type')) best = telling;
    best ??= issues[0];
  }
  return { ok: false, message: best?.message ?? `${field.label} is not valid.` };
}

/** The text an input box shows for a stored value (lists as comma-separated text). */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => String(v)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value as string | number | boolean);
}
