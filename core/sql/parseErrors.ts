import { lineColumnAt, type Token } from './lexer';
import { readEngineError, type EngineError } from './sqlEngine';

/**
 * Parse failures as users read them: the position in the statement as written and the token there
 * (never text of a pre-processed rewrite), with what the parser expected.
 */

/** A parse failure relative to one statement's text. */
export interface StatementError {
  line: number;
  column: number;
  message: string;
  /**
   * True when the text is invalid SQL in every dialect (unbalanced parentheses): an error. Otherwise
   * only our parser rejects it, and it has gaps, so it is a warning.
   */
  invalid?: boolean;
}

/** Said of every statement the parser rejects: what the user loses. */
export const NO_LINEAGE = 'no column lineage for this statement';

/**
 * Turns sqlparser-rs's error text into a positioned message quoting the statement as written.
 * `shift`: the error's positions are relative to the part of `written` starting there.
 */
export function describeEngineError(errorText: string, written: string, tokens: Token[], shift = 0): StatementError {
  const e = readEngineError(errorText);
  const offset = errorOffset(e, written, shift);
  if (offset === 'end') {
    const end = lineColumnAt(written, tokens[tokens.length - 1]?.end ?? written.length);
    const expected = e.expected ? ` (expected ${expectation(e.expected)})` : '';
    return { ...end, message: `Could not parse: the statement ends unexpectedly${expected}; ${NO_LINEAGE}` };
  }
  if (offset === undefined) return { line: 1, column: 1, message: `Could not parse: ${lowerFirst(e.message)}; ${NO_LINEAGE}` };
  const at = lineColumnAt(written, offset);
  const near = quoteAt(written, offset, e.found);
  const why = e.expected !== undefined ? `expected ${expectation(e.expected)}` : lowerFirst(e.message);
  const message = near === '' ? `Could not parse here; ${why}; ${NO_LINEAGE}` : `Could not parse near "${near}"; ${why}; ${NO_LINEAGE}`;
  return { ...at, message };
}

/** Where an engine error points in `text` (its positions relative to `text.slice(shift)`), `end` at the end. */
export function engineErrorOffset(errorText: string, text: string, shift = 0): number | 'end' | undefined {
  return errorOffset(readEngineError(errorText), text, shift);
}

function errorOffset(e: EngineError, text: string, shift: number): number | 'end' | undefined {
  if (e.found === 'EOF' || (e.line === undefined && /\bEOF\b/.test(e.message))) return 'end';
  if (e.line === undefined || e.column === undefined) return undefined;
  return shift + offsetOf(text.slice(shift), e.line, e.column);
}

/** 0-based offset of a 1-based line and a column counted in characters (sqlparser-rs's positions). */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  for (let c = 1; c < column && offset < text.length; c++) offset += (text.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
  return Math.min(offset, text.length);
}

/** The token the parser found when the text has it there, else the word the user sees there. */
function quoteAt(text: string, offset: number, found: string | undefined): string {
  if (found && found !== 'EOF' && text.startsWith(found, offset)) return found;
  return /^[\p{L}\p{N}_$@#]+|^\S/u.exec(text.slice(offset, offset + 200))?.[0] ?? '';
}

/** `)` → `")"`; phrases (`an expression`, `SELECT, VALUES, or a subquery`) as they are. */
function expectation(expected: string): string {
  return /^[^\s\w]+$|^[A-Z_]+$/.test(expected) ? `"${expected}"` : expected;
}

function lowerFirst(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0]?.toLowerCase() + s.slice(1) : s;
}
