import type { Dialect } from '../pipeline/contracts';
import type { Token } from './lexer';

/**
 * Reading helpers over sqlparser-rs's AST as serde serializes it to JSON: a struct is an object,
 * an enum is `{ Variant: payload }` (or the string `"Variant"` for a unit variant), a tuple is an
 * array, and identifiers carry `span: { start: { line, column }, end }` (1-based, columns counted
 * in characters). Only what lineage needs is read; everything is `unknown` until narrowed here.
 */

/** One AST object. */
export type RsNode = Record<string, unknown>;

/** Narrows to an AST object (not an array). */
export function obj(value: unknown): RsNode | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as RsNode) : undefined;
}

/** Narrows to an array (null and absent are empty). */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The variant of an externally tagged enum value: `{ Tag: payload }` → [Tag, payload], `"Tag"` → [Tag, undefined]. */
export function variant(value: unknown): [string, unknown] | undefined {
  if (typeof value === 'string') return [value, undefined];
  const node = obj(value);
  if (!node) return undefined;
  const keys = Object.keys(node);
  return keys.length === 1 ? [keys[0] as string, node[keys[0] as string]] : undefined;
}

/** The text of an `Ident` (`{ value, quote_style, span }`). */
export function identValue(value: unknown): string | undefined {
  const v = obj(value)?.value;
  return typeof v === 'string' ? v : undefined;
}

/** The parts of an `ObjectName` (`[{ Identifier: Ident }]`), or of a plain `Ident` list. */
export function nameParts(value: unknown): string[] {
  return identParts(value).map((i) => i.text);
}

/**
 * The parts of a relation's `ObjectName`. A quoted part with dots (`"db.schema.table"`) names
 * several parts, as dbt and sqllineage read it (sqlparser-rs already splits BigQuery's backquoted
 * `project.dataset.table`).
 */
export function relationParts(value: unknown): string[] {
  return identParts(value).flatMap((i) => (i.quoted && i.text.includes('.') ? i.text.split('.').filter((p) => p.length > 0) : [i.text]));
}

function identParts(value: unknown): { text: string; quoted: boolean }[] {
  const parts: { text: string; quoted: boolean }[] = [];
  for (const part of arr(value)) {
    const tagged = variant(part);
    const ident = tagged?.[0] === 'Identifier' ? tagged[1] : part;
    const text = identValue(ident);
    if (text !== undefined) parts.push({ text, quoted: !!obj(ident)?.quote_style });
  }
  return parts;
}

/** True for a `Query` struct (a subquery wherever it appears). */
export function isQuery(value: unknown): value is RsNode {
  const node = obj(value);
  return !!node && 'body' in node && 'with' in node;
}

/** State of one statement's conversion. */
export interface RsContext {
  /** The statement as written: unaliased expressions are named after their text. */
  text: string;
  /** Offsets where each line of `text` starts. */
  lines: number[];
  /** True when `text` has characters outside the BMP (then a column is not a UTF-16 offset). */
  wide: boolean;
  /** Tokens of `text`, computed on first use. */
  tokens?: Token[];
  dialect: Dialect;
  /** Named windows (`WINDOW w AS (…)`) of the SELECTs being converted, innermost last. */
  windows: Map<string, unknown>[];
}

/** A context for one statement's text. */
export function rsContext(text: string, dialect: Dialect): RsContext {
  const lines = [0];
  let wide = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) lines.push(i + 1);
    else if (c >= 0xd800 && c <= 0xdbff) wide = true;
  }
  return { text, lines, wide, dialect, windows: [] };
}

/** 0-based offset in the statement of a 1-based line and a column counted in characters. */
export function offsetAt(ctx: RsContext, line: number, column: number): number {
  const start = ctx.lines[Math.min(Math.max(line, 1), ctx.lines.length) - 1] as number;
  if (!ctx.wide) return start + column - 1;
  let offset = start;
  for (let c = 1; c < column && offset < ctx.text.length; c++) offset += ctx.text.codePointAt(offset)! > 0xffff ? 2 : 1;
  return offset;
}

/** The start offset of a `span` value, when it is a real position (sqlparser-rs uses 0:0 for none). */
export function spanStart(ctx: RsContext, span: unknown): number | undefined {
  const start = obj(obj(span)?.start);
  const line = start?.line;
  const column = start?.column;
  if (typeof line !== 'number' || typeof column !== 'number' || line < 1 || column < 1) return undefined;
  return offsetAt(ctx, line, column);
}

/** The smallest start offset of any span inside an expression, not looking into subqueries. */
export function firstOffset(ctx: RsContext, value: unknown): number | undefined {
  let best: number | undefined;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    const node = obj(v);
    if (!node || isQuery(node)) return;
    for (const [key, child] of Object.entries(node)) {
      if (key === 'span') {
        const at = spanStart(ctx, child);
        if (at !== undefined && (best === undefined || at < best)) best = at;
      } else if (child !== null && typeof child === 'object') {
        visit(child);
      }
    }
  };
  visit(value);
  return best;
}
