import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { contentHash } from './contentHash';
import { renderChain, verifyEdit } from './schemaInsert';
import { describeTarget, pickNamed, targetPath, type DescriptionTarget, type PathSegment } from './schemaTarget';
import { columnOf, eolOf, lineStart, nextLineStart, positionOf, renderBlockValue, renderFlowValue } from './yamlText';

/**
 * Surgical description edits in dbt properties files. The edit splices new text into the original,
 * so comments, key order, quoting, `{{ doc() }}` references and every other entry stay byte-identical;
 * the result is re-parsed and compared with the expected data before it is returned.
 */

/** Why an edit was refused. */
export type EditRefusal =
  /** The file changed since the caller read it (hash mismatch); re-read and retry. */
  | 'conflict'
  /** The file does not parse as YAML; the position says where. */
  | 'yaml-error'
  /** The path leads through something that is not the expected list/mapping. */
  | 'unexpected-shape'
  /** The current description is templated (`{{ doc("…") }}`); edit the docs block instead. */
  | 'templated'
  /** The edited text did not re-parse to exactly the expected data (a bug guard; nothing is written). */
  | 'verify-failed';

/** Result of an edit: the new text, or a refusal with a reason and (when known) a position. */
export type EditOutcome =
  | { ok: true; text: string; hash: string; created: boolean }
  | { ok: false; reason: EditRefusal; message: string; line: number; column: number; docName?: string };

/** Options of `setDescription`. */
export interface EditOptions {
  /** Hash (`contentHash`) of the text the user saw; when it differs from `text`, the edit is refused. */
  expectedHash?: string;
}

const DOC_REF = /\{\{\s*doc\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}/;

function refuse(reason: EditRefusal, message: string, text = '', offset = 0, docName?: string): EditOutcome {
  const { line, column } = text ? positionOf(text, offset) : { line: 0, column: 0 };
  return docName === undefined ? { ok: false, reason, message, line, column } : { ok: false, reason, message, line, column, docName };
}

function done(original: string, text: string, target: DescriptionTarget, description: string, created: boolean): EditOutcome {
  const problem = verifyEdit(original, text, target, description);
  if (problem) return refuse('verify-failed', `Edit of ${describeTarget(target)} was not applied: ${problem}`);
  return { ok: true, text, hash: contentHash(text), created };
}

/** Sets the description of `target` in the properties file `text`, creating missing entries. */
export function setDescription(text: string, target: DescriptionTarget, description: string, options: EditOptions = {}): EditOutcome {
  if (options.expectedHash !== undefined && contentHash(text) !== options.expectedHash) {
    return refuse('conflict', 'The file changed on disk since it was opened; reload it and edit again.');
  }
  const doc = parseDocument(text, { keepSourceTokens: true, uniqueKeys: false });
  const firstError = doc.errors[0];
  if (firstError) return refuse('yaml-error', `The file is not valid YAML: ${firstError.message.split('\n')[0] ?? ''}`, text, firstError.pos[0]);
  const eol = eolOf(text);
  const path = targetPath(target);

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    // An empty file (or only comments): append the whole chain at column 0.
    return done(text, appendAtEnd(text, renderChain(path, description, 0, eol), eol), target, description, true);
  }
  if (!isMap(doc.contents)) return refuse('unexpected-shape', 'The top level of the file is not a mapping.', text, 0);

  let parent: YAMLMap = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    const listPair = findPair(parent, segment.key);
    if (!listPair) return done(text, insertPairAtEnd(text, doc, parent, renderChain(path.slice(i), description, 0, eol), eol), target, description, true);
    const list = listPair.value;
    if (!isSeq(list) || list.flow) return refuse('unexpected-shape', `\`${segment.key}\` is not a block list.`, text, nodeStart(listPair));
    const index = pickNamed(list.items.map(itemName), segment);
    const item = index >= 0 ? list.items[index] : undefined;
    if (!isMap(item)) {
      const rest = path.slice(i);
      return done(text, appendToSeq(text, list, rest, description, eol), target, description, true);
    }
    parent = item;
  }

  const pair = findPair(parent, 'description');
  if (pair && isScalar(pair.value) && pair.value.range) {
    const current = pair.value.value;
    if (typeof current === 'string' && current.includes('{{')) {
      const docName = DOC_REF.exec(current)?.[1];
      return refuse('templated', `The description of ${describeTarget(target)} is templated (${current.trim()}); edit the docs block instead.`, text, pair.value.range[0], docName);
    }
    return done(text, replaceScalar(text, parent, pair as Pair<unknown, Scalar>, description, eol), target, description, false);
  }
  if (pair) return refuse('unexpected-shape', `The description of ${describeTarget(target)} is not a text value.`, text, nodeStart(pair));
  return done(text, insertDescription(text, parent, description, eol), target, description, false);
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p): p is Pair => isPair(p) && isScalar(p.key) && p.key.value === key);
}

function itemName(item: unknown): string | undefined {
  if (!isMap(item)) return undefined;
  const value = item.get('name');
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function nodeStart(pair: Pair): number {
  return (isScalar(pair.key) && pair.key.range?.[0]) || 0;
}

function keyColumn(text: string, map: YAMLMap): number {
  const first = map.items[0];
  const start = first && isScalar(first.key) ? first.key.range?.[0] : map.range?.[0];
  return columnOf(text, start ?? 0);
}

/** Replaces the value of an existing `description:` scalar; a trailing comment stays where it was. */
function replaceScalar(text: string, parent: YAMLMap, pair: Pair<unknown, Scalar>, description: string, eol: string): string {
  const value = pair.value as Scalar;
  const [start, valueEnd] = value.range as [number, number, number];
  const oldIsBlock = value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED';
  const rendered = parent.flow ? renderFlowValue(description) : renderBlockValue(description, columnOf(text, nodeStart(pair)), eol);
  const newIsBlock = rendered.startsWith('|');
  // An empty `description:` has a zero-width value right after the colon.
  const lead = start === valueEnd && text[start - 1] === ':' ? ' ' : '';
  if (oldIsBlock) {
    // A block scalar's range ends after its last line break; keep one line break after the new value.
    const old = text.slice(start, valueEnd);
    const tail = old.endsWith('\n') ? eol : '';
    // A comment on the block header (`|  # note`) belongs to the key; keep it after the new value.
    const comment = /([ \t]+#[^\r\n]*)/.exec(old.split('\n')[0] ?? '')?.[1] ?? '';
    const headerEnd = newIsBlock ? rendered.indexOf(eol) : rendered.length;
    return text.slice(0, start) + rendered.slice(0, headerEnd) + comment + rendered.slice(headerEnd) + tail + text.slice(valueEnd);
  }
  if (!newIsBlock) return text.slice(0, start) + lead + rendered + text.slice(valueEnd);
  // Inline → block: the rest of the line (a comment) moves onto the block header line.
  const lineEnd = nextLineStart(text, valueEnd);
  const restOfLine = text.slice(valueEnd, lineEnd).replace(/\r?\n$/, '');
  const headerEnd = rendered.indexOf(eol);
  const header = rendered.slice(0, headerEnd);
  const body = rendered.slice(headerEnd);
  const newline = lineEnd > valueEnd && text[lineEnd - 1] === '\n' ? eol : '';
  return text.slice(0, start) + lead + header + restOfLine + body + newline + text.slice(lineEnd);
}

/** Inserts `description:` right after the item's `name:` (or as the first key) of an existing mapping. */
function insertDescription(text: string, map: YAMLMap, description: string, eol: string): string {
  const namePair = findPair(map, 'name') ?? map.items[0];
  const nameValue = namePair && (isScalar(namePair.value) ? namePair.value : undefined);
  if (map.flow) {
    const at = nameValue?.range?.[1] ?? (map.range?.[0] ?? 0) + 1;
    return `${text.slice(0, at)}, description: ${renderFlowValue(description)}${text.slice(at)}`;
  }
  const column = keyColumn(text, map);
  const line = `${' '.repeat(column)}description: ${renderBlockValue(description, column, eol)}`;
  const anchor = nameValue?.range?.[1] ?? map.range?.[0] ?? 0;
  return insertLineAfter(text, anchor, line, eol);
}

/** Inserts `line` (without a line break) as a new line after the line that contains `offset`. */
function insertLineAfter(text: string, offset: number, line: string, eol: string): string {
  const at = nextLineStart(text, offset);
  const needsBreak = at === text.length && !text.endsWith('\n');
  return text.slice(0, at) + (needsBreak ? eol : '') + line + eol + text.slice(at);
}

/** Where a block collection's content really ends: after its last non-blank line. */
function blockEnd(text: string, end: number): number {
  let at = text[end - 1] === '\n' || end >= text.length ? end : nextLineStart(text, end);
  while (at > 0) {
    const start = lineStart(text, at - 1);
    if (text.slice(start, at).trim() !== '') break;
    at = start;
  }
  return at;
}

/** Appends lines (each already indented, joined by `eol`) after the end of a block mapping. */
function insertPairAtEnd(text: string, doc: Document, map: YAMLMap, lines: string, eol: string): string {
  const column = map === doc.contents ? 0 : keyColumn(text, map);
  const indented = lines
    .split(eol)
    .map((l) => (l === '' ? l : ' '.repeat(column) + l))
    .join(eol);
  if (map === doc.contents) return appendAtEnd(text, indented, eol);
  const at = blockEnd(text, map.range?.[1] ?? text.length);
  const needsBreak = at > 0 && text[at - 1] !== '\n';
  return text.slice(0, at) + (needsBreak ? eol : '') + indented + eol + text.slice(at);
}

/** Appends a new item (and the rest of the chain below it) to a block sequence. */
function appendToSeq(text: string, seq: YAMLSeq, rest: PathSegment[], description: string, eol: string): string {
  const dashColumn = columnOf(text, seq.range?.[0] ?? 0);
  const chain = renderChain(rest, description, 0, eol).split(eol).slice(1); // drop the `key:` line
  const lines = chain.map((l) => (l === '' ? l : ' '.repeat(dashColumn) + l.slice(2))).join(eol);
  const at = blockEnd(text, seq.range?.[1] ?? text.length);
  const needsBreak = at > 0 && text[at - 1] !== '\n';
  return text.slice(0, at) + (needsBreak ? eol : '') + lines + eol + text.slice(at);
}

/** Appends a top-level block at the end of the file, separated by a blank line. */
function appendAtEnd(text: string, lines: string, eol: string): string {
  const body = text.replace(/\s*$/, '');
  return body === '' ? `${lines}${eol}` : `${body}${eol}${eol}${lines}${eol}`;
}

/** Content of a new properties file that holds only `target` with `description`. */
export function newSchemaFile(target: DescriptionTarget, description: string, eol = '\n'): string {
  return `version: 2${eol}${eol}${renderChain(targetPath(target), description, 0, eol)}${eol}`;
}
