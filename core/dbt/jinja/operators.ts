import { checkListSize, checkStringSize } from './budget';
import { JinjaError } from './lexer';
import { pyFormat } from './methods';
import { Callable, compare, equals, Obj, str, typeName, Undef, Unknown } from './values';

/** Python operators, loop variables and line-count helpers used by the evaluator. */

/** Sets `loop.index`, `loop.first`, … for iteration `i`. */
export function setLoopVars(loop: Obj, items: unknown[], i: number): void {
  const n = items.length;
  const a = loop.attrs;
  a.set('index', i + 1);
  a.set('index0', i);
  a.set('revindex', n - i);
  a.set('revindex0', n - i - 1);
  a.set('first', i === 0);
  a.set('last', i === n - 1);
  a.set('length', n);
  a.set('previtem', i > 0 ? items[i - 1] : new Undef('previtem'));
  a.set('nextitem', i < n - 1 ? items[i + 1] : new Undef('nextitem'));
  a.set('cycle', new Callable('cycle', (args) => args[i % Math.max(1, args.length)] ?? null));
}

/** Python binary operators. */
export function binary(op: string, l: unknown, r: unknown, pos: number): unknown {
  // Arithmetic or comparison with an unknown macro result is unknown too (and truthy, see `truthy`).
  if (op !== '~' && (l instanceof Unknown || r instanceof Unknown)) return l instanceof Unknown ? l : r;
  switch (op) {
    case '~':
      return concat(str(l), str(r), pos);
    case '+':
      if (typeof l === 'string' || typeof r === 'string') {
        if (typeof l === 'string' && typeof r === 'string') return concat(l, r, pos);
        if (l instanceof Undef || r instanceof Undef || l instanceof Unknown || r instanceof Unknown) return concat(str(l), str(r), pos);
        throw new JinjaError(`cannot add ${typeName(l)} and ${typeName(r)}`, pos, 'jinja-runtime');
      }
      if (Array.isArray(l) && Array.isArray(r)) {
        checkListSize(l.length + r.length, pos);
        return [...l, ...r];
      }
      return Number(l) + Number(r);
    case '-':
      return Number(l) - Number(r);
    case '*':
      if ((typeof l === 'string' || Array.isArray(l)) && typeof r === 'number') {
        // Guard memory before allocating: a template asking for a gigabyte string is bad input, not a reason to crash.
        const size = l.length * Math.max(0, r);
        if (typeof l === 'string') {
          checkStringSize(size, pos);
          return l.repeat(Math.max(0, r));
        }
        checkListSize(size, pos);
        return Array.from({ length: Math.max(0, r) }, () => l).flat();
      }
      return Number(l) * Number(r);
    case '/':
      return Number(l) / Number(r);
    case '//':
      return Math.floor(Number(l) / Number(r));
    case '%':
      if (typeof l === 'string') return pyFormat(l.replace(/%[sdif]/g, '{}'), Array.isArray(r) ? r : [r], new Map(), pos);
      return ((Number(l) % Number(r)) + Number(r)) % Number(r);
    case '**':
      return Number(l) ** Number(r);
    case '==':
      return equals(l, r);
    case '!=':
      return !equals(l, r);
    case '<':
      return compare(l, r, pos) < 0;
    case '>':
      return compare(l, r, pos) > 0;
    case '<=':
      return compare(l, r, pos) <= 0;
    case '>=':
      return compare(l, r, pos) >= 0;
    case 'in':
    case 'notin': {
      const has = Array.isArray(r) ? r.some((x) => equals(x, l)) : r instanceof Map ? r.has(l) : typeof r === 'string' ? r.includes(str(l)) : false;
      return op === 'in' ? has : !has;
    }
    default:
      throw new JinjaError(`unknown operator '${op}'`, pos, 'jinja-runtime');
  }
}

/** String concatenation within the size limit (V8 concatenates lazily, so length is all it costs). */
function concat(a: string, b: string, pos: number): string {
  checkStringSize(a.length + b.length, pos);
  return a + b;
}

export function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
