/**
 * A small, tolerant XML reader for BI files (Tableau `.twb`/`.tds`). It keeps what connectors need —
 * elements, attributes, text — with the 1-based line and column of every element, attribute and
 * text run, so a diagnostic points at the place to fix. It never throws: a malformed document yields
 * the elements read so far plus errors at the exact position (a stray end tag is reported and
 * skipped, an end tag closing an ancestor closes the elements in between, an unclosed element is
 * reported at its start). DTDs, processing instructions and comments are skipped; entities are the
 * five predefined ones and character references.
 */

/** A 1-based position in the document. */
export interface XmlPos {
  line: number;
  column: number;
}

/** One element with its attributes (decoded), their positions, and its children. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  attrPos: Record<string, XmlPos>;
  children: XmlElement[];
  /** Decoded character data directly inside the element (text and CDATA, concatenated). */
  text: string;
  /** Where the first text run starts (for positions inside embedded SQL). */
  textPos?: XmlPos;
  pos: XmlPos;
}

/** A well-formedness problem. */
export interface XmlError extends XmlPos {
  message: string;
}

/** The parsed document: the root element when one was opened, and the problems found. */
export interface XmlDocument {
  root?: XmlElement;
  errors: XmlError[];
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Parses `text` as XML; never throws. */
export function parseXml(text: string): XmlDocument {
  const errors: XmlError[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const posAt = (offset: number): XmlPos => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (lineStarts[lo] as number) + 1 };
  };
  const fail = (offset: number, message: string): void => {
    errors.push({ ...posAt(offset), message });
  };
  const decode = (raw: string, offset: number): string =>
    raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);|&/g, (m: string, ent: string | undefined, at: number) => {
      if (ent === undefined) {
        fail(offset + at, 'a bare "&" must be written "&amp;"');
        return m;
      }
      if (ent.startsWith('#')) {
        const code = ent[1] === 'x' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      }
      const v = ENTITIES[ent];
      if (v === undefined) fail(offset + at, `unknown entity "&${ent};"`);
      return v ?? m;
    });

  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const addText = (raw: string, offset: number, decodeIt: boolean): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (raw.trim() !== '') fail(offset + raw.search(/\S/), 'text outside the root element');
      return;
    }
    if (top.textPos === undefined && raw.trim() !== '') top.textPos = posAt(offset);
    top.text += decodeIt ? decode(raw, offset) : raw;
  };

  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? text.length : lt;
    if (end > i) addText(text.slice(i, end), i, true);
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const close = text.indexOf('-->', i + 4);
      if (close < 0) {
        fail(i, 'comment "<!--" is never closed');
        break;
      }
      i = close + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const close = text.indexOf(']]>', i + 9);
      if (close < 0) {
        fail(i, 'CDATA section is never closed');
        break;
      }
      addText(text.slice(i + 9, close), i + 9, false);
      i = close + 3;
    } else if (text.startsWith('<?', i) || text.startsWith('<!', i)) {
      const close = text.indexOf('>', i + 2);
      if (close < 0) {
        fail(i, `"${text.slice(i, i + 2)}" is never closed by ">"`);
        break;
      }
      i = close + 1;
    } else if (text.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(text);
      const close = text.indexOf('>', i);
      if (m === null || close < 0) {
        fail(i, 'malformed end tag');
        i = close < 0 ? text.length : close + 1;
        continue;
      }
      const name = m[0];
      const at = stack.map((e) => e.name).lastIndexOf(name);
      if (at < 0) fail(i, `end tag "</${name}>" has no matching start tag`);
      else {
        for (let k = stack.length - 1; k > at; k--) {
          const open = stack[k] as XmlElement;
          fail(i, `element "<${open.name}>" opened at line ${open.pos.line}, column ${open.pos.column} is not closed before "</${name}>"`);
        }
        stack.length = at;
      }
      i = close + 1;
    } else {
      i = startTag(i);
    }
  }
  for (let k = stack.length - 1; k >= 0; k--) {
    const open = stack[k] as XmlElement;
    errors.push({ ...open.pos, message: `element "<${open.name}>" is never closed (the file ends first)` });
  }
  return root === undefined ? { errors } : { root, errors };

  /** Reads a start tag at `start` (the "<"); returns the offset after it. */
  function startTag(start: number): number {
    NAME.lastIndex = start + 1;
    const m = NAME.exec(text);
    if (m === null) {
      fail(start, 'a "<" that starts no tag (write "&lt;" in text)');
      return start + 1;
    }
    const el: XmlElement = { name: m[0], attrs: {}, attrPos: {}, children: [], text: '', pos: posAt(start) };
    let j = NAME.lastIndex;
    for (;;) {
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      if (j >= text.length) {
        fail(start, `start tag "<${el.name}" is never closed by ">"`);
        return j;
      }
      if (text[j] === '>' || text.startsWith('/>', j)) break;
      NAME.lastIndex = j;
      const a = NAME.exec(text);
      if (a === null) {
        fail(j, `unexpected "${text[j] as string}" in start tag "<${el.name}>"`);
        const close = text.indexOf('>', j);
        j = close < 0 ? text.length : close;
        break;
      }
      let k = NAME.lastIndex;
      while (/\s/.test(text[k] ?? '')) k++;
      if (text[k] !== '=') {
        fail(k, `attribute "${a[0]}" of "<${el.name}>" has no value`);
        j = k;
        continue;
      }
      k++;
      while (/\s/.test(text[k] ?? '')) k++;
      const q = text[k];
      if (q !== '"' && q !== "'") {
        fail(k, `value of attribute "${a[0]}" must be quoted`);
        j = k;
        while (j < text.length && !/[\s>]/.test(text[j] as string) && !text.startsWith('/>', j)) j++;
        continue;
      }
      const close = text.indexOf(q, k + 1);
      const lt = text.indexOf('<', k + 1);
      if (close < 0 || (lt >= 0 && lt < close)) {
        fail(k, `value of attribute "${a[0]}" is never closed by ${q}`);
        return close < 0 ? text.length : lt;
      }
      el.attrs[a[0]] = decode(text.slice(k + 1, close), k + 1);
      el.attrPos[a[0]] = posAt(j);
      j = close + 1;
    }
    const selfClosing = text.startsWith('/>', j);
    const parent = stack[stack.length - 1];
    if (parent !== undefined) parent.children.push(el);
    else if (root === undefined) root = el;
    else fail(start, `a second root element "<${el.name}>" (the document already has "<${root.name}>")`);
    if (!selfClosing && (parent !== undefined || root === el)) stack.push(el);
    return j + (selfClosing ? 2 : 1);
  }
}

/** Direct children named `name`. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** All descendants named `name`, in document order. */
export function descendantsNamed(el: XmlElement, name: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    if (c.name === name) out.push(c);
    descendantsNamed(c, name, out);
  }
  return out;
}
