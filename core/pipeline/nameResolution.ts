import type { Dialect, RelationName } from './contracts';

/**
 * Resolution of the relation names written in plain SQL to the relations the workspace writes.
 * The rules, in order:
 * 1. the name with its file's defaults filled in (database and schema of the statement's scope:
 *    `USE`/`SET search_path` before it, else its target rule's folder, else `defaultSchema`) equals a
 *    relation's name exactly: that relation — the only way a statement reads its own target;
 * 2. else the relations that have every qualifier written in the name (a written qualifier is never
 *    ignored) and, for each defaulted one, the same value or none; the ones agreeing with the most
 *    defaults win; one is the answer, several are ambiguous;
 * 3. else one relation that has every written qualifier (a unique bare match) is the answer, several
 *    are ambiguous;
 * 4. else the name (defaults filled in) is a relation only read here.
 * An ambiguous name is never guessed: the caller reports it with its candidates.
 *
 * Case follows each dialect's documented identifier rules, applied per reference (its file's
 * dialect): BigQuery dataset and table names are case-sensitive (unless a dataset sets
 * `is_case_insensitive`, which SQL here cannot see; project IDs are lower-case only); Snowflake
 * upper-cases and PostgreSQL, Redshift, Trino, Hive and DuckDB lower-case unquoted names, MySQL and
 * T-SQL compare case-insensitively by default, so every other dialect compares without case. The
 * parser's IR does not say which parts were quoted, so a quoted Snowflake/PostgreSQL name is
 * compared like an unquoted one.
 */

/** The default database and schema at one place of a file, with the file's dialect. */
export interface NameScope {
  dialect: Dialect;
  database?: string;
  schema?: string;
}

/** Outcome of `resolve`. */
export type Resolution<R> = { found: R } | { ambiguous: R[] } | { missing: RelationName };

/** Dialects whose relation names compare case-sensitively. */
const CASE_SENSITIVE: ReadonlySet<Dialect> = new Set(['bigquery']);

/** True when two identifiers name the same thing in `dialect`. */
export function sameIdentifier(dialect: Dialect, a: string, b: string): boolean {
  return CASE_SENSITIVE.has(dialect) ? a === b : a.toLowerCase() === b.toLowerCase();
}

/** A name with the scope's defaults filled in: the schema when none is written, then the database. */
export function effectiveName(ref: RelationName, scope: Omit<NameScope, 'dialect'>): RelationName {
  const schema = ref.schema ?? scope.schema;
  // A database without a schema cannot be written (`a.b` is schema.table): it only completes a schema.
  const database = ref.database ?? (schema !== undefined ? scope.database : undefined);
  return { name: ref.name, ...(schema !== undefined ? { schema } : {}), ...(database !== undefined ? { database } : {}) };
}

/** Identity of a relation written in `dialect`: names that dialect treats as equal share a key. */
export function relationKey(rel: RelationName, dialect: Dialect): string {
  const fold = (s: string | undefined): string | null => (s === undefined ? null : CASE_SENSITIVE.has(dialect) ? s : s.toLowerCase());
  return JSON.stringify([fold(rel.database), fold(rel.schema), fold(rel.name)]);
}

/** `db.schema.name` as far as known. */
export function qualifiedText(rel: RelationName): string {
  return [rel.database, rel.schema, rel.name].filter((p) => p !== undefined && p !== '').join('.');
}

type Part = 'database' | 'schema';
const PARTS: readonly Part[] = ['database', 'schema'];

/** The relations a workspace writes, indexed for `resolve`. */
export class RelationNames<R extends RelationName> {
  private readonly byName = new Map<string, R[]>();

  /** Adds a relation (its name as it is known: written qualifiers plus its file's defaults). */
  add(relation: R): void {
    const key = relation.name.toLowerCase();
    const list = this.byName.get(key);
    if (list) list.push(relation);
    else this.byName.set(key, [relation]);
  }

  /**
   * Resolves `ref` as written in a statement with `scope`; `self` is the statement's own target,
   * which it reads only when the names are really equal (rule 1).
   */
  resolve(ref: RelationName, scope: NameScope, self?: R): Resolution<R> {
    const same = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && sameIdentifier(scope.dialect, a, b);
    const samePart = (a: string | undefined, b: string | undefined): boolean => (a === undefined ? b === undefined : same(a, b));
    const named = (this.byName.get(ref.name.toLowerCase()) ?? []).filter((r) => same(r.name, ref.name));
    const full = effectiveName(ref, scope);
    const exact = named.filter((r) => samePart(r.database, full.database) && samePart(r.schema, full.schema));
    if (exact.length === 1) return { found: exact[0] as R };
    if (exact.length > 1) return { ambiguous: exact };
    const written = named.filter((r) => r !== self && PARTS.every((p) => ref[p] === undefined || same(r[p], ref[p])));
    // Defaults are presumptions: a relation may lack the part, but must not contradict it.
    const defaulted = PARTS.filter((p) => ref[p] === undefined && full[p] !== undefined);
    const compatible = written.filter((r) => defaulted.every((p) => r[p] === undefined || same(r[p], full[p])));
    if (compatible.length > 0) {
      const score = (r: R): number => defaulted.filter((p) => same(r[p], full[p])).length;
      const best = Math.max(...compatible.map(score));
      const top = compatible.filter((r) => score(r) === best);
      return top.length === 1 ? { found: top[0] as R } : { ambiguous: top };
    }
    if (written.length === 1) return { found: written[0] as R };
    if (written.length > 1) return { ambiguous: written };
    return { missing: full };
  }
}
