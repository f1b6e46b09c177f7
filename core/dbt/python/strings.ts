/**
 * Python string literal details: which prefixes CPython accepts and how escape sequences decode,
 * so `dbt.ref("orders")`, `dbt.ref('orders')`, `dbt.ref("""orders""")` and `dbt.ref("ord" "ers")`
 * all name the same model.
 */

/** What a string prefix means. */
export interface StringPrefix {
  raw: boolean;
  bytes: boolean;
  /** f-strings and (Python 3.14) t-strings: not constants, their fields are expressions. */
  format: boolean;
}

/** The meaning of a string prefix (case-insensitive), or undefined when CPython rejects it. */
export function parseStringPrefix(prefix: string): StringPrefix | undefined {
  const p = prefix.toLowerCase();
  if (p.length > 2) return undefined;
  const letters = new Set(p);
  if (letters.size !== p.length) return undefined;
  if (p.length === 2 && !letters.has('r')) return undefined;
  if (letters.has('u') && p.length > 1) return undefined;
  return { raw: letters.has('r'), bytes: letters.has('b'), format: letters.has('f') || letters.has('t') };
}

const SIMPLE: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * Decodes the escape sequences of a non-raw string body. Unknown escapes stay as written (CPython
 * keeps them too, with a warning); `\N{name}` stays as written, since naming every Unicode
 * character would need its database.
 */
export function decodeString(body: string): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body[i + 1] ?? '';
    if (next === '\n') {
      i++;
    } else if (next === '\r') {
      i += body[i + 2] === '\n' ? 2 : 1;
    } else if (SIMPLE[next] !== undefined) {
      out += SIMPLE[next];
      i++;
    } else if (/[0-7]/.test(next)) {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i + 1))?.[0] ?? next;
      out += String.fromCodePoint(parseInt(digits, 8));
      i += digits.length;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const len = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + len);
      const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === len ? parseInt(hex, 16) : NaN;
      if (Number.isNaN(code) || code > 0x10ffff) {
        out += c;
        continue;
      }
      out += String.fromCodePoint(code);
      i += 1 + len;
    } else out += c;
  }
  return out;
}
