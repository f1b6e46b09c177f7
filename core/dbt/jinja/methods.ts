import { checkListSize, checkStringSize, MAX_LIST_ITEMS } from './budget';
import { JinjaError } from './lexer';
import { Callable, type Kwargs, Obj, equals, repr, str, typeName, Undef, Unknown } from './values';

/** Python string, list and dict methods reachable as attributes (`x.upper()`, `d.items()`). */

type Method = (self: never, args: unknown[], kw: Kwargs, pos: number) => unknown;

const S = (f: (s: string, a: unknown[], kw: Kwargs, pos: number) => unknown): Method => ((s: string, a: unknown[], kw: Kwargs, pos: number) => f(s, a, kw, pos)) as Method;
const L = (f: (l: unknown[], a: unknown[], kw: Kwargs, pos: number) => unknown): Method => ((l: unknown[], a: unknown[], kw: Kwargs, pos: number) => f(l, a, kw, pos)) as Method;
const D = (f: (d: Map<unknown, unknown>, a: unknown[], kw: Kwargs, pos: number) => unknown): Method =>
  ((d: Map<unknown, unknown>, a: unknown[], kw: Kwargs, pos: number) => f(d, a, kw, pos)) as Method;

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = typeof chars === 'string' ? chars : ' \t\n\r\f\v';
  let a = 0;
  let b = s.length;
  while (left && a < b && set.includes(s[a] ?? '')) a++;
  while (right && b > a && set.includes(s[b - 1] ?? '')) b--;
  return s.slice(a, b);
}

/** Python `str.format` for `{}`, `{0}` and `{name}` fields. */
export function pyFormat(fmt: string, args: unknown[], kw: Kwargs, pos = 0): string {
  let auto = 0;
  // Counted as it goes: `'{0}{0}{0}…'.format(big)` would otherwise build its result before any check.
  let size = fmt.length;
  return fmt.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const name = (field ?? '').split(/[:!]/)[0] ?? '';
    const value = name === '' ? str(args[auto++]) : /^\d+$/.test(name) ? str(args[Number(name)]) : str(kw.get(name));
    size += value.length;
    checkStringSize(size, pos);
    return value;
  });
}

/** Occurrences of `sub` in `s` (non-overlapping, as Python counts them); `''` occurs between every character. */
function occurrences(s: string, sub: string): number {
  if (sub === '') return s.length + 1;
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** Python `str.replace(old, new)`, checking the result's size before building it. */
export function replaceChecked(s: string, from: string, to: string, pos: number): string {
  const n = occurrences(s, from);
  checkStringSize(s.length + n * (to.length - from.length), pos);
  return s.split(from).join(to);
}

/** Python `sep.join(items)`, checking the result's size before building it. */
export function joinChecked(items: readonly string[], sep: string, pos: number): string {
  let size = sep.length * Math.max(0, items.length - 1);
  for (const item of items) size += item.length;
  checkStringSize(size, pos);
  return items.join(sep);
}

/** Counts the parts of splitting a big string before splitting it: each part costs a slot even when empty. */
function checkSplit(s: string, sep: unknown, pos: number): void {
  if (s.length <= MAX_LIST_ITEMS) return;
  if (typeof sep === 'string') {
    checkListSize(occurrences(s, sep) + 1, pos);
    return;
  }
  let parts = 0;
  const space = /\S+/g;
  while (space.exec(s) !== null && parts <= MAX_LIST_ITEMS) parts++;
  checkListSize(parts, pos);
}

/** A padding width (`ljust`, `zfill`) within the string size limit. */
function width(v: unknown, pos: number): number {
  const n = Number(v ?? 0);
  checkStringSize(n, pos);
  return n;
}

const STRING: Record<string, Method> = {
  upper: S((s) => s.toUpperCase()),
  lower: S((s) => s.toLowerCase()),
  strip: S((s, a) => stripChars(s, a[0], true, true)),
  lstrip: S((s, a) => stripChars(s, a[0], true, false)),
  rstrip: S((s, a) => stripChars(s, a[0], false, true)),
  title: S((s) => s.replace(/\w\S*/g, (w) => w[0]?.toUpperCase() + w.slice(1).toLowerCase())),
  capitalize: S((s) => (s[0] ?? '').toUpperCase() + s.slice(1).toLowerCase()),
  split: S((s, a, _kw, pos) => {
    const sep = a[0];
    const max = typeof a[1] === 'number' ? a[1] : -1;
    checkSplit(s, sep, pos);
    if (typeof sep !== 'string') return s.trim() === '' ? [] : s.trim().split(/\s+/);
    const parts = s.split(sep);
    return max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), parts.slice(max).join(sep)];
  }),
  rsplit: S((s, a, _kw, pos) => {
    checkSplit(s, a[0], pos);
    return typeof a[0] === 'string' ? s.split(a[0]) : s.trim().split(/\s+/);
  }),
  replace: S((s, a, _kw, pos) => replaceChecked(s, str(a[0]), str(a[1]), pos)),
  startswith: S((s, a) => (Array.isArray(a[0]) ? a[0].some((p) => s.startsWith(str(p))) : s.startsWith(str(a[0])))),
  endswith: S((s, a) => (Array.isArray(a[0]) ? a[0].some((p) => s.endsWith(str(p))) : s.endsWith(str(a[0])))),
  find: S((s, a) => s.indexOf(str(a[0]))),
  index: S((s, a) => s.indexOf(str(a[0]))),
  count: S((s, a) => s.split(str(a[0])).length - 1),
  join: S((s, a, _kw, pos) => (Array.isArray(a[0]) ? joinChecked(a[0].map(str), s, pos) : '')),
  format: S((s, a, kw, pos) => pyFormat(s, a, kw, pos)),
  isdigit: S((s) => /^\d+$/.test(s)),
  isalpha: S((s) => /^[A-Za-z]+$/.test(s)),
  isupper: S((s) => s !== s.toLowerCase() && s === s.toUpperCase()),
  islower: S((s) => s !== s.toUpperCase() && s === s.toLowerCase()),
  zfill: S((s, a, _kw, pos) => s.padStart(width(a[0], pos), '0')),
  ljust: S((s, a, _kw, pos) => s.padEnd(width(a[0], pos), str(a[1] ?? ' '))),
  rjust: S((s, a, _kw, pos) => s.padStart(width(a[0], pos), str(a[1] ?? ' '))),
  encode: S((s) => s),
  decode: S((s) => s),
};

const LIST: Record<string, Method> = {
  append: L((l, a, _kw, pos) => {
    checkListSize(l.length + 1, pos);
    l.push(a[0]);
    return null;
  }),
  extend: L((l, a, _kw, pos) => {
    const items = a[0];
    if (!Array.isArray(items)) return null;
    checkListSize(l.length + items.length, pos);
    // In chunks (spreading a long list into push() overflows the call stack), up to the length it
    // had: `l.extend(l)` doubles `l` once, as in Python.
    const n = items.length;
    for (let i = 0; i < n; i += 10_000) l.push(...items.slice(i, Math.min(n, i + 10_000)));
    return null;
  }),
  insert: L((l, a, _kw, pos) => {
    checkListSize(l.length + 1, pos);
    l.splice(Number(a[0]), 0, a[1]);
    return null;
  }),
  pop: L((l, a, _kw, pos) => {
    if (l.length === 0) throw new JinjaError('pop from empty list', pos, 'jinja-runtime');
    const i = typeof a[0] === 'number' ? (a[0] < 0 ? l.length + a[0] : a[0]) : l.length - 1;
    return l.splice(i, 1)[0];
  }),
  remove: L((l, a) => {
    const i = l.findIndex((x) => equals(x, a[0]));
    if (i >= 0) l.splice(i, 1);
    return null;
  }),
  index: L((l, a) => l.findIndex((x) => equals(x, a[0]))),
  count: L((l, a) => l.filter((x) => equals(x, a[0])).length),
  reverse: L((l) => {
    l.reverse();
    return null;
  }),
  sort: L((l) => {
    l.sort((x, y) => (str(x) < str(y) ? -1 : str(x) > str(y) ? 1 : 0));
    return null;
  }),
  copy: L((l) => [...l]),
};

const DICT: Record<string, Method> = {
  get: D((d, a) => (d.has(a[0]) ? d.get(a[0]) : (a[1] ?? null))),
  items: D((d) => [...d].map(([k, v]) => [k, v])),
  keys: D((d) => [...d.keys()]),
  values: D((d) => [...d.values()]),
  update: D((d, a, kw) => {
    if (a[0] instanceof Map) for (const [k, v] of a[0]) d.set(k, v);
    for (const [k, v] of kw) d.set(k, v);
    return null;
  }),
  pop: D((d, a) => {
    const v = d.has(a[0]) ? d.get(a[0]) : (a[1] ?? null);
    d.delete(a[0]);
    return v;
  }),
  setdefault: D((d, a) => {
    if (!d.has(a[0])) d.set(a[0], a[1] ?? null);
    return d.get(a[0]);
  }),
  copy: D((d) => new Map(d)),
};

/** Jinja attribute access: methods first, then dict items / object attributes. */
export function getAttr(o: unknown, name: string, pos: number): unknown {
  if (o instanceof Undef) return new Undef(`${o.name}.${name}`);
  if (o instanceof Unknown) return o;
  // Jinja reads `x.0` as `x[0]`.
  if ((typeof o === 'string' || Array.isArray(o)) && /^\d+$/.test(name)) return getItem(o, Number(name), pos);
  if (typeof o === 'string') return bind(STRING[name], o, name) ?? new Undef(name);
  if (Array.isArray(o)) return bind(LIST[name], o, name) ?? new Undef(name);
  if (o instanceof Map) return bind(DICT[name], o, name) ?? (o.has(name) ? o.get(name) : new Undef(name));
  if (o instanceof Obj || o instanceof Callable) return o.attrs.has(name) ? o.attrs.get(name) : new Undef(o instanceof Obj && o.text ? `${o.text}.${name}` : name);
  if (o !== null && typeof o === 'object' && 'getAttr' in o && typeof o.getAttr === 'function') return (o.getAttr as (n: string) => unknown)(name);
  if (o === null) return new Undef(`None.${name}`);
  void pos;
  return new Undef(name);
}

function bind(m: Method | undefined, self: unknown, name: string): Callable | undefined {
  return m ? new Callable(name, (a, kw, pos) => m(self as never, a, kw, pos)) : undefined;
}

/** Jinja subscript: items first, then attributes. */
export function getItem(o: unknown, key: unknown, pos: number): unknown {
  if (Array.isArray(o) || typeof o === 'string') {
    if (typeof key !== 'number') return typeof key === 'string' ? getAttr(o, key, pos) : new Undef(repr(key));
    const i = key < 0 ? o.length + key : key;
    return i >= 0 && i < o.length ? o[i] : new Undef(`[${key}]`);
  }
  if (o instanceof Map) return o.has(key) ? o.get(key) : new Undef(str(key));
  if (typeof key === 'string') return getAttr(o, key, pos);
  if (o instanceof Undef || o instanceof Unknown) return o;
  return new Undef(`${typeName(o)}[${str(key)}]`);
}

/** Python slicing for lists and strings. */
export function slice(o: unknown, start: unknown, stop: unknown, step: unknown, pos = 0): unknown {
  if (!Array.isArray(o) && typeof o !== 'string') return new Undef('slice');
  // A string is sliced by characters (code points), which takes a list of them.
  if (typeof o === 'string') checkListSize(o.length, pos);
  const arr = typeof o === 'string' ? [...o] : o;
  const n = arr.length;
  const st = typeof step === 'number' && step !== 0 ? step : 1;
  const norm = (v: unknown, dflt: number): number => (typeof v === 'number' ? (v < 0 ? Math.max(n + v, st < 0 ? -1 : 0) : Math.min(v, n)) : dflt);
  const a = norm(start, st > 0 ? 0 : n - 1);
  const b = norm(stop, st > 0 ? n : -1);
  const out: unknown[] = [];
  for (let i = a; st > 0 ? i < b : i > b; i += st) out.push(arr[i]);
  return typeof o === 'string' ? out.join('') : out;
}

