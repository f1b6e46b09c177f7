import { tokenize, type Token } from './lexer';

const ITEM_END = new Set(['FROM', 'INTO', 'WHERE', 'GROUP', 'ORDER', 'UNION', 'LIMIT', 'HAVING', 'QUALIFY', 'WINDOW', 'EXCEPT', 'INTERSECT', 'AS']);
const ITEM_START = new Set(['SELECT', 'DISTINCT', 'ALL']);

/**
 * The text of the select-list item that contains `offset`, as written (whitespace collapsed):
 * unaliased expressions are named after their text, as sqllineage and most engines' UIs show them.
 * Walks out from the offset to the enclosing depth-0 comma / SELECT on the left and comma /
 * clause keyword / closing parenthesis on the right.
 */
export function selectItemText(text: string, tokens: Token[], offset: number): string | undefined {
  let at = firstTokenAtOrAfter(tokens, offset);
  if (at < 0) return undefined;
  let depth = 0;
  let start = at;
  // Parentheses opened left of the offset (`(a + b)`) are part of the item; the right walk closes them.
  let opened = 0;
  for (let i = at - 1; i >= 0; i--) {
    const t = tokens[i] as Token;
    if (t.type === 'punct' && t.text === ')') depth++;
    else if (t.type === 'punct' && t.text === '(') {
      if (depth === 0) opened++;
      else depth--;
    } else if (depth === 0 && ((t.type === 'punct' && t.text === ',') || (t.type === 'word' && ITEM_START.has(t.text.toUpperCase())))) break;
    start = i;
  }
  depth = opened;
  let end = at;
  for (let i = at; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.type === 'punct' && t.text === '(') depth++;
    else if (t.type === 'punct' && t.text === ')') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && ((t.type === 'punct' && (t.text === ',' || t.text === ';')) || (t.type === 'word' && ITEM_END.has(t.text.toUpperCase())))) break;
    end = i;
  }
  at = start;
  const first = tokens[at];
  const last = tokens[end];
  if (!first || !last) return undefined;
  return text.slice(first.offset, last.end).replace(/\s+/g, ' ').trim();
}

/** Index of the first token starting at or after `offset` (-1 when none), by binary search: a select list may hold thousands of items. */
export function firstTokenAtOrAfter(tokens: readonly Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tokens[mid] as Token).offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo < tokens.length ? lo : -1;
}

/** Tokenizes once per statement text. */
export function tokensOf(text: string, cache: { tokens?: Token[] }): Token[] {
  cache.tokens ??= tokenize(text);
  return cache.tokens;
}
