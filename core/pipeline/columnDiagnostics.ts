import { sourcePosition } from '../dbt/renderMap';
import type { Diagnostic, UnresolvedRef } from '../model/entities';
import { didYouMean } from '../text/didYouMean';
import type { RenderedNode, ResolvedStatement } from './contracts';

/**
 * Unknown columns of a dbt model that are clear enough to be diagnostics, not only `unresolved`
 * facts: a qualified `o.amountt` whose relation's columns are all known (inferred from upstream SQL
 * or a seed's header, never a YAML list that may document only some columns). Unqualified names
 * and relations without a known schema stay silent: there the name may well exist.
 */

/** Escapes a name for a regular expression. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Offset of `qualifier.column` in SQL (any quoting, case, spacing around the dot), or -1. */
export function findQualifiedReference(sql: string, qualifier: string, column: string): number {
  const part = (s: string): string => `["\`[]?${escape(s)}["\`\\]]?`;
  const path = [...qualifier.split('.'), column].map(part).join('\\s*\\.\\s*');
  const hit = new RegExp(`(?<![\\w$"\`\\]])${path}(?![\\w$])`, 'i').exec(sql);
  return hit ? hit.index : -1;
}

/** Offset of a whole-word `name` in SQL (any quoting and case), or -1. */
function findName(sql: string, name: string): number {
  const hit = new RegExp(`(?<![\\w$."\`\\]])["\`[]?${escape(name)}["\`\\]]?(?![\\w$])`, 'i').exec(sql);
  return hit ? hit.index : -1;
}

/**
 * Unresolved names of a model placed where its compiled SQL first mentions them (mapped to the
 * source file), instead of at the statement's start. Stars and parse errors keep their place.
 */
export function locateUnresolved(unresolved: UnresolvedRef[], rendered: RenderedNode): UnresolvedRef[] {
  const map = rendered.compiledMap;
  if (!map) return unresolved;
  return unresolved.map((u) => {
    if (u.reason === 'parse-error' || u.reason === 'star-without-schema' || u.name.endsWith('*')) return u;
    const dot = u.name.lastIndexOf('.');
    const at = dot > 0 ? findQualifiedReference(rendered.compiledSql, u.name.slice(0, dot), u.name.slice(dot + 1)) : findName(rendered.compiledSql, u.name);
    if (at < 0) return u;
    const pos = sourcePosition(rendered.compiledSql, map, at);
    return { ...u, provenance: { ...u.provenance, line: pos.line, column: pos.column } };
  });
}

/**
 * Warnings for the qualified unknown columns of one resolved model statement, located at the first
 * place the compiled SQL mentions them (mapped to the source), else at the statement's line.
 * `rename` turns placeholders into the names of the relations they stand for.
 */
export function unknownColumnDiagnostics(file: string, resolved: ResolvedStatement, rendered: RenderedNode, statementLine: number, rename: (text: string) => string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const u of resolved.unresolved) {
    if (u.reason !== 'unknown-column' || u.known === undefined) continue;
    const dot = u.name.lastIndexOf('.');
    if (dot <= 0) continue;
    // A placeholder qualifier (`{{ ref('x') }}.col`) is said as the relation it stands for.
    const qualifier = rename(u.name.slice(0, dot));
    const column = u.name.slice(dot + 1);
    const key = u.name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const at = findQualifiedReference(rendered.compiledSql, qualifier, column);
    const pos = at >= 0 && rendered.compiledMap ? sourcePosition(rendered.compiledSql, rendered.compiledMap, at) : { line: statementLine, column: 1 };
    const guess = didYouMean(column, u.known);
    const hint = guess === undefined ? '' : `; did you mean \`${guess}\`?`;
    out.push({ file, line: pos.line, column: pos.column, severity: 'warning', code: 'unknown-column', message: `\`${qualifier}\` has no column \`${column}\`${hint}`, extractor: 'sql-lineage' });
  }
  return out;
}
