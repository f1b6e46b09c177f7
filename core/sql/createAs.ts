import type { RelationName, StatementKind } from '../pipeline/contracts';
import { fallbackScan } from './fallbackScan';
import type { Token } from './lexer';

/** The parts of `CREATE … TABLE|VIEW name [(cols)] [options] AS <query>` around its query. */
export interface CreateAsParts {
  kind: StatementKind;
  target: RelationName;
  /** Token index where the query starts. */
  queryAt: number;
  /** View column list `CREATE VIEW v (a, b) AS …`. */
  cols?: string[];
}

const word = (t: Token | undefined): string => (t && t.type === 'word' ? t.text.toUpperCase() : '');
const isPunct = (t: Token | undefined, p: string): boolean => !!t && t.type === 'punct' && t.text === p;

/**
 * Splits a CREATE … AS statement whose header a grammar rejects (materialized views, table
 * options, a view over a UNION) so the query can be parsed on its own.
 */
export function splitCreateAs(tokens: Token[]): CreateAsParts | undefined {
  if (word(tokens[0]) !== 'CREATE') return undefined;
  let depth = 0;
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
    else if (depth === 0 && word(t) === 'AS') {
      const next = tokens[i + 1];
      if (!(word(next) === 'SELECT' || word(next) === 'WITH' || isPunct(next, '('))) continue;
      const header = fallbackScan(tokens.slice(0, i));
      if (!header.target || (header.kind !== 'create_table' && header.kind !== 'create_view')) return undefined;
      const parts: CreateAsParts = { kind: header.kind, target: header.target, queryAt: i + 1 };
      const cols = header.kind === 'create_view' ? viewColumns(tokens.slice(0, i)) : undefined;
      if (cols) parts.cols = cols;
      return parts;
    }
  }
  return undefined;
}

/** `v (a, b)` right after the view name: the names, when the list holds only names. */
function viewColumns(header: Token[]): string[] | undefined {
  const open = header.findIndex((t) => isPunct(t, '('));
  if (open < 0 || !isPunct(header[header.length - 1], ')')) return undefined;
  const inner = header.slice(open + 1, header.length - 1);
  const names = inner.filter((t) => t.type === 'word' || t.type === 'quoted').map((t) => t.text);
  const commas = inner.filter((t) => isPunct(t, ',')).length;
  return names.length === commas + 1 && names.length + commas === inner.length ? names : undefined;
}
