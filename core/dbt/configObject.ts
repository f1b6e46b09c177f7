import { JinjaError } from './jinja/lexer';
import { Callable, fromPlain, str, Undef, Unknown } from './jinja/values';

/**
 * dbt's `config` object at parse time (`ParseConfigObject` in dbt-core's context/providers.py):
 * `config(key=value, …)` or `config({'key': value, …})` (and so `config(**{…})`) records one call,
 * `config.set(name, value)` is `config({name: value})`, and `config.get`/`config.require` read
 * back what is known. Each call is kept as its own layer so the renderer can merge them the way
 * dbt does (`addConfigCall` in nodeConfig.ts): later calls override, `tags` and hooks accumulate.
 */

/** Where the config object records calls and reads values. */
export interface ConfigState {
  /** The latest value of every key set by a call, for `config.get` during the render. */
  readonly config: Map<string, unknown>;
  /** One entry per call, in call order: its options as template values. */
  readonly configCalls: Map<string, unknown>[];
  /** Config from dbt_project.yml and YAML, read by `config.get` when no call set the key. */
  readonly baseConfig: Record<string, unknown>;
}

const unknownish = (v: unknown): boolean => v instanceof Unknown || v instanceof Undef;

/** Builds the `config` callable of one render. */
export function configObject(state: ConfigState): Callable {
  const record = (opts: Map<string, unknown>): string => {
    state.configCalls.push(opts);
    for (const [k, v] of opts) state.config.set(k, v);
    return '';
  };
  const get = (a: unknown[]): unknown => {
    const k = str(a[0]);
    if (state.config.has(k)) return state.config.get(k);
    if (k in state.baseConfig) return fromPlain(state.baseConfig[k]);
    return a[1] ?? null;
  };
  return new Callable('config', (args, kwargs, pos) => {
    // dbt takes exactly one dict, or keyword arguments only (else "Invalid inline model config").
    // `config(**x)` whose `x` is unknown arrives empty, so only certain misuse is an error.
    if (args.length === 1 && kwargs.size === 0) {
      const opts = args[0];
      if (opts instanceof Map) return record(new Map([...opts].map(([k, v]) => [str(k), v])));
      if (unknownish(opts)) return '';
      throw new JinjaError(`invalid inline model config: config() takes one dict or keyword arguments, not a ${typeof opts === 'string' ? 'string' : 'value'}`, pos, 'dbt-config-call');
    }
    if (args.length > 0 && (kwargs.size > 0 || !args.some(unknownish))) {
      throw new JinjaError('invalid inline model config: config() takes either one dict or keyword arguments, not both', pos, 'dbt-config-call');
    }
    return args.length === 0 ? record(new Map(kwargs)) : '';
  }, new Map<string, unknown>([
    ['get', new Callable('get', get)],
    ['require', new Callable('require', get)],
    ['set', new Callable('set', (a) => record(new Map([[str(a[0]), a[1]]])))],
    ['meta_get', new Callable('meta_get', (a) => a[1] ?? null)],
  ]));
}
