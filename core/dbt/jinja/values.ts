import { checkListSize } from './budget';
import { JinjaError } from './lexer';

/**
 * Runtime values of the interpreter. Python semantics are approximated with plain JS values:
 * str/number/boolean/null (None), arrays (lists and tuples), `Map` (dicts), plus the classes below.
 */

/** An undefined name or attribute; renders as '' and is falsy, like Jinja's default Undefined. */
export class Undef {
  constructor(readonly name: string) {}
}

/**
 * The result of calling something Mallard cannot evaluate (an unknown macro, typically of a package
 * that is not installed). `str()` gives ''; output directly by `{{ … }}` it becomes a placeholder
 * that fits the surrounding SQL (see `core/dbt/unknownSites.ts`), built from the call's arguments.
 */
export class Unknown {
  constructor(
    readonly what: string,
    readonly args: readonly unknown[] = [],
    readonly kwargs: ReadonlyMap<string, unknown> = new Map(),
  ) {}
}

/** Keyword arguments passed to a callable, in call order. */
export type Kwargs = Map<string, unknown>;

/** Something callable from templates: a builtin, a macro, a bound method. */
export class Callable {
  constructor(
    readonly name: string,
    readonly fn: (args: unknown[], kwargs: Kwargs, pos: number) => unknown,
    readonly attrs: Map<string, unknown> = new Map(),
  ) {}
}

/** An object with attributes (`target`, `modules`, `namespace()`); `text` is what it renders as. */
export class Obj {
  constructor(
    readonly attrs: Map<string, unknown> = new Map(),
    readonly text = '',
    readonly mutable = false,
    /** True for objects dbt exposes as mappings (relations): `is mapping` holds and `.get()` works. */
    readonly mapping = false,
  ) {}
}

/** Builds an `Obj` from a record. */
export function obj(record: Record<string, unknown>, text = ''): Obj {
  return new Obj(new Map(Object.entries(record)), text);
}

/** Signal thrown by `return()` inside a macro; caught by the macro call. */
export class ReturnSignal {
  constructor(readonly value: unknown) {}
}

/** Python-style `str()`. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
  if (v instanceof Undef || v instanceof Unknown || v === undefined) return '';
  if (v instanceof Obj) return v.text;
  if (v instanceof Callable) return '';
  if (Array.isArray(v) || v instanceof Map) return repr(v);
  if (typeof v === 'object' && 'toString' in v) return String(v);
  return '';
}

/** Python-style `repr()`. */
export function repr(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${repr(k)}: ${repr(x)}`).join(', ')}}`;
  return str(v);
}

/**
 * Python truthiness. An `Unknown` (result of a macro we cannot evaluate, typically a package's
 * `enabled_vars()`-style gate) counts as true: taking the guarded branch keeps its refs, which is
 * what dbt does with default vars in nearly every real project.
 */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (v instanceof Unknown) return true;
  if (v instanceof Undef) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/** Python `==`. */
export function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equals(x, b[i]));
  if (a instanceof Map && b instanceof Map) return a.size === b.size && [...a].every(([k, x]) => b.has(k) && equals(x, b.get(k)));
  if (a instanceof Undef && b instanceof Undef) return true;
  return false;
}

/** Python ordering for `<` and sorting. */
export function compare(a: unknown, b: unknown, pos: number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i], b[i], pos);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw new JinjaError(`cannot compare ${typeName(a)} with ${typeName(b)}`, pos, 'jinja-runtime');
}

/** Python type name, for error messages. */
export function typeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Map) return 'dict';
  if (v instanceof Undef) return 'Undefined';
  if (v instanceof Unknown) return 'Unknown';
  if (v instanceof Callable) return 'function';
  return 'object';
}

/** Values iterated by `for` and filters: lists, dict keys, string characters. */
export function iterate(v: unknown, pos: number): unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Map) return [...v.keys()];
  if (typeof v === 'string') {
    // A list of characters: within the list size limit (a 10 M character string would be 80 MB of slots).
    checkListSize(v.length, pos);
    return [...v];
  }
  if (v instanceof Undef || v instanceof Unknown || v === null) return [];
  if (v instanceof Obj && v.attrs.has('__iter__')) return iterate(v.attrs.get('__iter__'), pos);
  throw new JinjaError(`'${typeName(v)}' object is not iterable`, pos, 'jinja-runtime');
}

/** Converts parsed JSON/YAML (plain objects) into interpreter values (Maps). */
export function fromPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromPlain);
  if (v !== null && typeof v === 'object' && !(v instanceof Map) && Object.getPrototypeOf(v) === Object.prototype) {
    return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromPlain(x)]));
  }
  return v === undefined ? null : v;
}

/** Converts interpreter values back into plain JSON-safe values. */
export function toPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [str(k), toPlain(x)]));
  if (v instanceof Undef || v instanceof Unknown || v === undefined || v instanceof Callable) return null;
  if (v instanceof Obj) return v.text;
  if (typeof v === 'object' && v !== null) return str(v);
  return v;
}
