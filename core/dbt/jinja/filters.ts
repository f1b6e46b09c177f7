import { checkStringSize } from './budget';
import { getAttr, joinChecked, pyFormat, replaceChecked } from './methods';
import { Callable, compare, equals, iterate, type Kwargs, Obj, str, toPlain, truthy, Undef, Unknown } from './values';

/** Jinja's builtin filters and tests (the subset dbt projects use, plus dbt's `as_*` filters). */

type Filter = (v: unknown, args: unknown[], kw: Kwargs, pos: number) => unknown;

function attrPath(v: unknown, path: string, pos: number): unknown {
  return path.split('.').reduce((o, p) => getAttr(o, p, pos), v);
}

function toJson(v: unknown): string {
  return JSON.stringify(toPlain(v)) ?? 'null';
}

export const FILTERS: Record<string, Filter> = {
  lower: (v) => str(v).toLowerCase(),
  upper: (v) => str(v).toUpperCase(),
  trim: (v) => str(v).trim(),
  title: (v) => str(v).replace(/\w\S*/g, (w) => (w[0] ?? '').toUpperCase() + w.slice(1).toLowerCase()),
  capitalize: (v) => (str(v)[0] ?? '').toUpperCase() + str(v).slice(1).toLowerCase(),
  string: (v) => str(v),
  safe: (v) => v,
  e: (v) => v,
  escape: (v) => v,
  as_text: (v) => str(v),
  as_bool: (v) => (typeof v === 'string' ? (/^true$/i.test(v.trim()) ? true : /^false$/i.test(v.trim()) ? false : v) : v),
  as_number: (v) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v),
  as_native: (v) => v,
  int: (v, a) => {
    const n = typeof v === 'number' ? v : parseInt(str(v), 10);
    return Number.isNaN(n) ? (a[0] ?? 0) : Math.trunc(n);
  },
  float: (v, a) => {
    const n = typeof v === 'number' ? v : parseFloat(str(v));
    return Number.isNaN(n) ? (a[0] ?? 0) : n;
  },
  abs: (v) => Math.abs(Number(v)),
  round: (v, a) => {
    const p = 10 ** Number(a[0] ?? 0);
    return Math.round(Number(v) * p) / p;
  },
  default: (v, a) => (v instanceof Undef || v instanceof Unknown || (a[1] === true && !truthy(v)) ? (a[0] ?? '') : v),
  join: (v, a, kw, pos) => {
    const attr = kw.get('attribute');
    return joinChecked(iterate(v, pos).map((x) => str(typeof attr === 'string' ? attrPath(x, attr, pos) : x)), a[0] === undefined ? '' : str(a[0]), pos);
  },
  replace: (v, a, _kw, pos) => replaceChecked(str(v), str(a[0]), str(a[1]), pos),
  length: (v) => (typeof v === 'string' ? v.length : v instanceof Map ? v.size : iterate(v, 0).length),
  list: (v) => [...iterate(v, 0)],
  first: (v) => iterate(v, 0)[0] ?? new Undef('first'),
  last: (v) => iterate(v, 0).at(-1) ?? new Undef('last'),
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...iterate(v, 0)].reverse()),
  unique: (v) => iterate(v, 0).filter((x, i, arr) => arr.findIndex((y) => equals(x, y)) === i),
  sort: (v, a, kw, pos) => {
    const attr = kw.get('attribute');
    const key = (x: unknown): unknown => (typeof attr === 'string' ? attrPath(x, attr, pos) : x);
    const out = [...iterate(v, pos)].sort((x, y) => compare(key(x), key(y), pos));
    return truthy(a[0] ?? kw.get('reverse')) ? out.reverse() : out;
  },
  sum: (v, _a, kw, pos) => {
    const attr = kw.get('attribute');
    return iterate(v, pos).reduce((acc: number, x) => acc + Number(typeof attr === 'string' ? attrPath(x, attr, pos) : x), 0);
  },
  min: (v, _a, _kw, pos) => [...iterate(v, pos)].sort((x, y) => compare(x, y, pos))[0] ?? new Undef('min'),
  max: (v, _a, _kw, pos) => [...iterate(v, pos)].sort((x, y) => compare(x, y, pos)).at(-1) ?? new Undef('max'),
  items: (v) => (v instanceof Map ? [...v].map(([k, x]) => [k, x]) : []),
  dictsort: (v, _a, _kw, pos) => (v instanceof Map ? [...v].map(([k, x]) => [k, x]).sort((x, y) => compare(x[0], y[0], pos)) : []),
  tojson: (v) => toJson(v),
  indent: (v, a, _kw, pos) => {
    const s = str(v);
    const width = Number(a[0] ?? 4);
    checkStringSize(s.length + width * (s.split('\n').length - 1), pos);
    return s.replace(/\n/g, `\n${' '.repeat(width)}`);
  },
  format: (v, a, kw, pos) => pyFormat(str(v).replace(/%s/g, '{}'), a, kw, pos),
  wordcount: (v) => str(v).split(/\s+/).filter(Boolean).length,
  batch: (v, a) => {
    const size = Math.max(1, Number(a[0] ?? 1));
    const items = iterate(v, 0);
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
  },
};

/** Filters that take a filter/test name (`map`, `select`, …) need the registry, so they live here. */
export function applyHigherOrder(name: string, v: unknown, args: unknown[], kw: Kwargs, pos: number, call: (f: unknown, a: unknown[]) => unknown): unknown | undefined {
  const items = iterate(v, pos);
  switch (name) {
    case 'map': {
      const attr = kw.get('attribute');
      if (typeof attr === 'string') return items.map((x) => attrPath(x, attr, pos));
      const f = FILTERS[str(args[0])];
      return f ? items.map((x) => f(x, args.slice(1), new Map(), pos)) : items;
    }
    case 'select':
    case 'reject': {
      const want = name === 'select';
      const test = args[0] === undefined ? undefined : TESTS[str(args[0])];
      return items.filter((x) => (test ? test(x, args.slice(1)) : truthy(x)) === want);
    }
    case 'selectattr':
    case 'rejectattr': {
      const want = name === 'selectattr';
      const test = args[1] === undefined ? undefined : TESTS[str(args[1])];
      return items.filter((x) => {
        const a = attrPath(x, str(args[0]), pos);
        return (test ? test(a, args.slice(2)) : truthy(a)) === want;
      });
    }
    default:
      void call;
      return undefined;
  }
}

type Test = (v: unknown, args: unknown[]) => boolean;

export const TESTS: Record<string, Test> = {
  defined: (v) => !(v instanceof Undef),
  undefined: (v) => v instanceof Undef,
  none: (v) => v === null,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  true: (v) => v === true,
  false: (v) => v === false,
  mapping: (v) => v instanceof Map || (v instanceof Obj && v.mapping),
  iterable: (v) => Array.isArray(v) || v instanceof Map || typeof v === 'string',
  sequence: (v) => Array.isArray(v) || typeof v === 'string' || v instanceof Map,
  callable: (v) => v instanceof Callable,
  odd: (v) => Number(v) % 2 === 1,
  even: (v) => Number(v) % 2 === 0,
  divisibleby: (v, a) => Number(v) % Number(a[0]) === 0,
  lower: (v) => typeof v === 'string' && v === v.toLowerCase(),
  upper: (v) => typeof v === 'string' && v === v.toUpperCase(),
  in: (v, a) => (Array.isArray(a[0]) ? a[0].some((x) => equals(x, v)) : a[0] instanceof Map ? a[0].has(v) : str(a[0]).includes(str(v))),
  eq: (v, a) => equals(v, a[0]),
  equalto: (v, a) => equals(v, a[0]),
  '==': (v, a) => equals(v, a[0]),
  ne: (v, a) => !equals(v, a[0]),
  '!=': (v, a) => !equals(v, a[0]),
  lt: (v, a) => compare(v, a[0], 0) < 0,
  gt: (v, a) => compare(v, a[0], 0) > 0,
  le: (v, a) => compare(v, a[0], 0) <= 0,
  ge: (v, a) => compare(v, a[0], 0) >= 0,
  sameas: (v, a) => v === a[0],
};
