import { contentHash } from './contentHash';
import { positionOf } from './yamlText';

/**
 * Edits of dbt docs blocks (`{% docs name %}…{% enddocs %}` in Markdown files). A description that
 * is `{{ doc("name") }}` is edited here rather than in YAML, so the reference stays intact.
 */

/** A docs block found in a Markdown file; offsets delimit its body (between the tags). */
export interface DocBlockSpan {
  name: string;
  bodyStart: number;
  bodyEnd: number;
  /** 1-based line of the opening tag. */
  line: number;
}

const OPEN = /\{%-?\s*docs\s+([A-Za-z_][\w]*)\s*-?%\}/g;
const CLOSE = /\{%-?\s*enddocs\s*-?%\}/g;

/** Every docs block of `text`, in order; unterminated blocks are skipped. */
export function findDocBlocks(text: string): DocBlockSpan[] {
  const blocks: DocBlockSpan[] = [];
  OPEN.lastIndex = 0;
  for (let open = OPEN.exec(text); open; open = OPEN.exec(text)) {
    CLOSE.lastIndex = open.index + open[0].length;
    const close = CLOSE.exec(text);
    if (!close) break;
    blocks.push({ name: open[1] ?? '', bodyStart: open.index + open[0].length, bodyEnd: close.index, line: positionOf(text, open.index).line });
    OPEN.lastIndex = close.index + close[0].length;
  }
  return blocks;
}

/** Result of `setDocBlock`. */
export type DocBlockOutcome =
  | { ok: true; text: string; hash: string }
  | { ok: false; reason: 'conflict' | 'not-found'; message: string };

/**
 * Replaces the body of docs block `name`, keeping the tags and the line breaks right inside them
 * (a block written as `{% docs x %}\nbody\n{% enddocs %}` keeps that shape).
 */
export function setDocBlock(text: string, name: string, body: string, options: { expectedHash?: string } = {}): DocBlockOutcome {
  if (options.expectedHash !== undefined && contentHash(text) !== options.expectedHash) {
    return { ok: false, reason: 'conflict', message: 'The file changed on disk since it was opened; reload it and edit again.' };
  }
  const block = findDocBlocks(text).find((b) => b.name === name);
  if (!block) return { ok: false, reason: 'not-found', message: `No docs block named ${name}.` };
  const old = text.slice(block.bodyStart, block.bodyEnd);
  const lead = /^\r?\n/.exec(old)?.[0] ?? '';
  const trail = /\r?\n$/.exec(old.slice(lead.length))?.[0] ?? '';
  const next = text.slice(0, block.bodyStart) + lead + body.replace(/\r?\n$/, '') + trail + text.slice(block.bodyEnd);
  return { ok: true, text: next, hash: contentHash(next) };
}
