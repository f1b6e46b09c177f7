import { z } from 'zod';
import { SYNC_LIMITS } from './limits';

/**
 * The one registry of what syncs: each row kind, whether clients may push it, and each of its fields
 * with the value it holds and the merge policy applied when two replicas change it concurrently.
 * The server validates pushed values and merges with it (`mergePatch`); the client uses the same
 * table to apply pulled rows over pending local edits. Adding a field is adding a line here (and a
 * column or jsonb key on the server); a field this code does not know is still kept and round-
 * tripped with `last-writer-wins`, so an older client never erases it.
 */

/**
 * What happens when the same field was changed concurrently (the incoming op had not seen the
 * server's value):
 * - `last-writer-wins`: the op that reaches the server last wins; the overwritten value is kept as
 *   a loser record so it can be restored with one click (docs text, descriptions, meta values).
 * - `keep-server`: the server value stays and a conflict record holds both values until someone
 *   resolves it (identity-bearing fields: owners, classification).
 * - `set-union`: the result is the union of both sets (tags, glossary links); elements the op
 *   removed but the server still has stay, and the op's intent is kept as a loser record.
 */
export type MergePolicy = 'last-writer-wins' | 'keep-server' | 'set-union';

/** One synced field. */
export interface FieldSpec {
  policy: MergePolicy;
  /** Valid values (`null`, meaning "unset", is always valid and not part of this schema). */
  value: z.ZodType;
  /** What the field holds, for docs and error messages. */
  doc: string;
}

/** One synced row kind. */
export interface RowKindSpec {
  /** True when clients may push ops on it; other kinds are pulled read-only (pushes are `read-only` rejections). */
  writable: boolean;
  /** What the row is and what its id is. */
  doc: string;
  /** Fields with a fixed path. */
  fields: Readonly<Record<string, FieldSpec>>;
  /** Map fields: each key `k` of map `m` is its own field with path `m.k` (merged key by key). */
  maps: Readonly<Record<string, FieldSpec>>;
}

const SET_ITEM = z.string().min(1).max(200);
/** A set of strings; stored sorted and without duplicates so equal sets are equal JSON. */
const stringSet = (max: number): z.ZodType => z.array(SET_ITEM).max(max);

/** Fields of user-authored metadata, the same for entities and columns. */
const METADATA_FIELDS: Readonly<Record<string, FieldSpec>> = {
  description: { policy: 'last-writer-wins', value: z.string().max(100_000), doc: 'Markdown description.' },
  tags: { policy: 'set-union', value: stringSet(500), doc: 'Tags (a set).' },
  owners: { policy: 'keep-server', value: z.array(SET_ITEM).max(50), doc: 'Owners: handles or e-mails, first is primary.' },
  classification: {
    policy: 'keep-server',
    value: z.string().regex(/^[a-z][a-z0-9_.-]{0,60}$/, 'a classification is a lower-case key like pii.email'),
    doc: 'Data classification key (e.g. `pii.email`).',
  },
  glossaryTerms: { policy: 'set-union', value: stringSet(200), doc: 'Keys of linked glossary terms (a set).' },
};

const METADATA_MAPS: Readonly<Record<string, FieldSpec>> = {
  meta: { policy: 'last-writer-wins', value: z.json(), doc: 'Free-form `meta` values, one field per key.' },
};

/** Every row kind that syncs. */
export const ROW_KINDS = {
  entity: {
    writable: true,
    doc: 'User-authored metadata of a catalog entity; id = entity id (`model.<project>.<name>`, …).',
    fields: METADATA_FIELDS,
    maps: METADATA_MAPS,
  },
  column: {
    writable: true,
    doc: 'User-authored metadata of a column; id = `<entity id>#<lower-cased column name>`.',
    fields: METADATA_FIELDS,
    maps: METADATA_MAPS,
  },
  catalogEntity: {
    writable: false,
    doc: 'An entity of the org catalog, extracted in the cloud; id = entity id.',
    fields: { payload: { policy: 'last-writer-wins', value: z.json(), doc: 'The entity as `core/model` `Entity` JSON.' } },
    maps: {},
  },
  catalogColumn: {
    writable: false,
    doc: 'A column of the org catalog; id = column id.',
    fields: { payload: { policy: 'last-writer-wins', value: z.json(), doc: 'The column as `core/model` `Column` JSON.' } },
    maps: {},
  },
} as const satisfies Record<string, RowKindSpec>;

/** A row kind this code knows. */
export type RowKind = keyof typeof ROW_KINDS;

/** Policy and value schema of a field this code does not know (a newer client's): kept, last writer wins. */
export const UNKNOWN_FIELD: FieldSpec = { policy: 'last-writer-wins', value: z.json(), doc: 'A field this version does not know.' };

/** Field paths: a name, optionally `.` and a map key (`meta.owner team`). */
export const FieldPath = z
  .string()
  .max(SYNC_LIMITS.maxFieldPathLength)
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}(\.[\s\S]+)?$/, 'a field path is a name, optionally followed by . and a key');

/** True when `kind` is a row kind of this code's registry. */
export function isKnownKind(kind: string): kind is RowKind {
  return Object.prototype.hasOwnProperty.call(ROW_KINDS, kind);
}

/** The path of key `key` of map field `map` (`meta` + `owner` → `meta.owner`). */
export function mapFieldPath(map: string, key: string): string {
  return `${map}.${key}`;
}

/** Splits a path into its field and, for map fields, the key. */
export function splitFieldPath(path: string): { field: string; key?: string } {
  const dot = path.indexOf('.');
  return dot < 0 ? { field: path } : { field: path.slice(0, dot), key: path.slice(dot + 1) };
}

/** The spec of a field path of `kind`; `UNKNOWN_FIELD` for paths (or kinds) this code does not know. */
export function fieldSpec(kind: string, path: string): FieldSpec {
  if (!isKnownKind(kind)) return UNKNOWN_FIELD;
  const spec: RowKindSpec = ROW_KINDS[kind];
  const { field, key } = splitFieldPath(path);
  const found = key === undefined ? spec.fields[field] : spec.maps[field];
  return found ?? UNKNOWN_FIELD;
}

/**
 * Checks a pushed value against its field; `undefined` when valid, else a message naming the field.
 * `null` (unset) is always valid. Unknown fields accept any JSON.
 */
export function fieldValueProblem(kind: string, path: string, value: unknown): string | undefined {
  if (value === null) return undefined;
  const result = fieldSpec(kind, path).value.safeParse(value);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  return `${kind} field ${path}: ${issue?.message ?? 'invalid value'}`;
}

/** The stored form of a value: sets sorted without duplicates, anything else unchanged. */
export function normalizeFieldValue(kind: string, path: string, value: unknown): unknown {
  if (fieldSpec(kind, path).policy !== 'set-union' || !Array.isArray(value)) return value;
  return [...new Set(value.filter((v): v is string => typeof v === 'string'))].sort();
}
