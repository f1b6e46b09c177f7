import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { JinjaError } from './jinja/lexer';
import { Callable, fromPlain, type Kwargs, obj, Obj, ReturnSignal, str, toPlain, Undef } from './jinja/values';

/**
 * Context-free dbt/Jinja builtins: `return`, `namespace`, `range`, `fromjson`, `modules`, `exceptions`…
 * Node-specific builtins (`ref`, `source`, `config`, `var`, `this`) live in `session.ts`.
 */

const fn = (name: string, f: (a: unknown[], kw: Kwargs, pos: number) => unknown): Callable => new Callable(name, f);

function safeJson(text: unknown, dflt: unknown): unknown {
  try {
    return fromPlain(JSON.parse(str(text)));
  } catch {
    return dflt ?? null;
  }
}

function safeYaml(text: unknown, dflt: unknown): unknown {
  try {
    return fromPlain(parseYaml(str(text)));
  } catch {
    return dflt ?? null;
  }
}

/** Stable small hash (FNV-1a) as hex; used for `local_md5`-style helpers and content hashes. */
export function fnv1a(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

const fakeDate = obj({
  strftime: fn('strftime', () => '1970-01-01'),
  isoformat: fn('isoformat', () => '1970-01-01T00:00:00'),
  year: 1970,
  month: 1,
  day: 1,
}, '1970-01-01 00:00:00');

// `datetime.datetime(…)` and `datetime.date(…)` are callable classes with class methods.
const dateClass = (name: string): Callable =>
  new Callable(name, () => fakeDate, new Map<string, unknown>([
    ['now', fn('now', () => fakeDate)],
    ['utcnow', fn('utcnow', () => fakeDate)],
    ['today', fn('today', () => fakeDate)],
    ['strptime', fn('strptime', () => fakeDate)],
    ['fromisoformat', fn('fromisoformat', () => fakeDate)],
  ]));

const datetimeModule = obj({
  datetime: dateClass('datetime'),
  date: dateClass('date'),
  timedelta: fn('timedelta', () => 0),
});

function pyRegex(pattern: unknown, flags = ''): RegExp | undefined {
  try {
    return new RegExp(str(pattern).replace(/\(\?P</g, '(?<'), flags);
  } catch {
    return undefined;
  }
}

const matchObj = (m: RegExpExecArray | null): unknown =>
  m === null ? null : obj({ group: fn('group', (a) => m[Number(a[0] ?? 0)] ?? null), groups: fn('groups', () => m.slice(1)) }, m[0]);

const reModule = obj({
  search: fn('search', (a) => matchObj(pyRegex(a[0])?.exec(str(a[1])) ?? null)),
  match: fn('match', (a) => {
    const m = pyRegex(a[0], 'y')?.exec(str(a[1])) ?? null;
    return matchObj(m);
  }),
  fullmatch: fn('fullmatch', (a) => matchObj(pyRegex(`^(?:${str(a[0])})$`)?.exec(str(a[1])) ?? null)),
  sub: fn('sub', (a) => {
    const re = pyRegex(a[0], 'g');
    return re ? str(a[2]).replace(re, str(a[1]).replace(/\\(\d)/g, '$$$1')) : str(a[2]);
  }),
  findall: fn('findall', (a) => {
    const re = pyRegex(a[0], 'g');
    return re ? [...str(a[1]).matchAll(re)].map((m) => (m.length > 1 ? (m[1] ?? '') : m[0])) : [];
  }),
  split: fn('split', (a) => {
    const re = pyRegex(a[0]);
    return re ? str(a[1]).split(re) : [str(a[1])];
  }),
  compile: fn('compile', (a) => obj({ search: fn('search', (b) => matchObj(pyRegex(a[0])?.exec(str(b[0])) ?? null)), match: fn('match', (b) => matchObj(pyRegex(a[0], 'y')?.exec(str(b[0])) ?? null)) })),
  IGNORECASE: 2,
  I: 2,
});

/** Builds the static builtins; `notice` records warnings (`exceptions.warn`, `log`). */
export function staticBuiltins(): Map<string, unknown> {
  const raise = (code: string) => fn(code, (a, _kw, pos) => {
    throw new JinjaError(`compiler error raised by the template: ${str(a[0])}`, pos, code);
  });
  return new Map<string, unknown>([
    ['return', fn('return', (a) => {
      throw new ReturnSignal(a[0] ?? null);
    })],
    ['namespace', fn('namespace', (a, kw) => new Obj(new Map([...(a[0] instanceof Map ? [...a[0]].map(([k, v]) => [str(k), v] as const) : []), ...kw]), '', true))],
    ['range', fn('range', (a, _kw, pos) => {
      const [start, stop, step] = a.length === 1 ? [0, Number(a[0]), 1] : [Number(a[0]), Number(a[1]), Number(a[2] ?? 1)];
      const out: number[] = [];
      if (step === 0 || Number.isNaN(start + stop + step)) throw new JinjaError('range() arguments must be numbers and the step non-zero', pos, 'jinja-runtime');
      if (Math.abs((stop - start) / step) > 1_000_000) throw new JinjaError('range() of more than 1,000,000 items', pos, 'jinja-runtime');
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
      return out;
    })],
    ['dict', fn('dict', (a, kw) => new Map([...(a[0] instanceof Map ? a[0] : []), ...kw]))],
    ['list', fn('list', (a) => (Array.isArray(a[0]) ? [...a[0]] : a[0] instanceof Map ? [...a[0].keys()] : typeof a[0] === 'string' ? [...a[0]] : []))],
    ['zip', fn('zip', (a) => {
      const lists = a.map((x) => (Array.isArray(x) ? x : []));
      const n = Math.min(...lists.map((l) => l.length));
      return Array.from({ length: Number.isFinite(n) ? n : 0 }, (_, i) => lists.map((l) => l[i]));
    })],
    ['set', fn('set', (a) => (Array.isArray(a[0]) ? [...new Set(a[0])] : []))],
    ['set_strict', fn('set_strict', (a) => (Array.isArray(a[0]) ? [...new Set(a[0])] : []))],
    ['lipsum', fn('lipsum', () => '')],
    ['fromjson', fn('fromjson', (a) => safeJson(a[0], a[1]))],
    ['tojson', fn('tojson', (a) => JSON.stringify(toPlain(a[0])) ?? 'null')],
    ['fromyaml', fn('fromyaml', (a) => safeYaml(a[0], a[1]))],
    ['toyaml', fn('toyaml', (a) => stringifyYaml(toPlain(a[0])))],
    ['local_md5', fn('local_md5', (a) => fnv1a(str(a[0])).padEnd(32, '0'))],
    ['log', fn('log', () => '')],
    ['print', fn('print', () => '')],
    ['modules', obj({ datetime: datetimeModule, re: reModule, pytz: obj({ timezone: fn('timezone', () => null), utc: null }), itertools: obj({}) })],
    ['exceptions', obj({
      raise_compiler_error: raise('compiler-error'),
      raise_not_implemented: raise('not-implemented'),
      warn: fn('warn', () => ''),
      raise_fail_fast_error: raise('compiler-error'),
    })],
    ['execute', false],
    ['flags', obj({ FULL_REFRESH: false, STORE_FAILURES: false, WHICH: 'parse', WARN_ERROR: false })],
    ['invocation_id', '00000000-0000-0000-0000-000000000000'],
    ['run_started_at', fakeDate],
    ['dbt_version', '1.8.0'],
    ['is_incremental', fn('is_incremental', () => false)],
    ['should_full_refresh', fn('should_full_refresh', () => false)],
    ['run_query', fn('run_query', () => null)],
    ['load_result', fn('load_result', () => null)],
    ['store_result', fn('store_result', () => '')],
    ['statement', fn('statement', () => '')],
    ['graph', obj({ nodes: new Map(), sources: new Map(), exposures: new Map(), metrics: new Map(), macros: new Map(), groups: new Map(), semantic_models: new Map(), saved_queries: new Map() })],
    ['selected_resources', []],
    ['none', null],
    ['undefined', new Undef('undefined')],
  ]);
}
