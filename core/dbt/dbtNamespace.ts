import { Callable, type Kwargs, obj, type Obj, str } from './jinja/values';

/**
 * dbt's built-in cross-database macros (`dbt.type_string()`, `dbt.dateadd(...)`, …). dbt ships them
 * as Jinja macros with per-adapter implementations; rendering them as SQL (instead of an unknown
 * value) keeps compiled SQL parseable for column lineage. Only the forms the SQL parser needs are
 * produced; the exact spelling dbt uses per adapter is approximated.
 */

type Adapter = string;

const TYPES: Record<string, Record<string, string>> = {
  type_string: { default: 'varchar', postgres: 'text', bigquery: 'string', snowflake: 'varchar', spark: 'string', databricks: 'string' },
  type_int: { default: 'integer', bigquery: 'int64', spark: 'int', databricks: 'int' },
  type_bigint: { default: 'bigint', bigquery: 'int64' },
  type_float: { default: 'float', bigquery: 'float64', postgres: 'double precision', redshift: 'double precision' },
  type_numeric: { default: 'numeric(28,6)', bigquery: 'numeric', snowflake: 'number(28,6)' },
  type_boolean: { default: 'boolean', bigquery: 'bool' },
  type_timestamp: { default: 'timestamp', snowflake: 'timestamp_ntz' },
};

function arg(a: unknown[], kw: Kwargs, i: number, name: string): string {
  return str(kw.has(name) ? kw.get(name) : a[i]);
}

/** Builds the `dbt` namespace object for an adapter type. */
export function dbtNamespace(adapter: Adapter): Obj {
  const fns: Record<string, unknown> = {};
  const def = (name: string, f: (a: unknown[], kw: Kwargs) => string): void => {
    fns[name] = new Callable(name, (a, kw) => f(a, kw));
  };
  for (const [name, byAdapter] of Object.entries(TYPES)) def(name, () => byAdapter[adapter] ?? byAdapter.default ?? 'varchar');
  def('current_timestamp', () => 'current_timestamp');
  def('current_timestamp_backcompat', () => 'current_timestamp');
  def('current_timestamp_in_utc_backcompat', () => 'current_timestamp');
  def('date_trunc', (a, kw) => (adapter === 'bigquery' ? `timestamp_trunc(${arg(a, kw, 1, 'date')}, ${arg(a, kw, 0, 'datepart')})` : `date_trunc('${arg(a, kw, 0, 'datepart')}', ${arg(a, kw, 1, 'date')})`));
  def('dateadd', (a, kw) => `dateadd(${arg(a, kw, 0, 'datepart')}, ${arg(a, kw, 1, 'interval')}, ${arg(a, kw, 2, 'from_date_or_timestamp')})`);
  def('datediff', (a, kw) => `datediff(${arg(a, kw, 2, 'datepart')}, ${arg(a, kw, 0, 'first_date')}, ${arg(a, kw, 1, 'second_date')})`);
  def('concat', (a, kw) => {
    const fields = a[0] ?? kw.get('fields');
    return `concat(${(Array.isArray(fields) ? fields : [fields]).map(str).join(', ')})`;
  });
  def('listagg', (a, kw) => `string_agg(${arg(a, kw, 0, 'measure')}, ${arg(a, kw, 1, 'delimiter_text') || "','"})`);
  def('split_part', (a, kw) => `split_part(${arg(a, kw, 0, 'string_text')}, ${arg(a, kw, 1, 'delimiter_text')}, ${arg(a, kw, 2, 'part_number')})`);
  const stringType = TYPES.type_string?.[adapter] ?? 'varchar';
  def('hash', (a, kw) => `md5(cast(${arg(a, kw, 0, 'field')} as ${stringType}))`);
  def('safe_cast', (a, kw) => `cast(${arg(a, kw, 0, 'field')} as ${arg(a, kw, 1, 'type')})`);
  def('cast', (a, kw) => `cast(${arg(a, kw, 0, 'field')} as ${arg(a, kw, 1, 'type')})`);
  def('cast_bool_to_text', (a, kw) => `cast(${arg(a, kw, 0, 'field')} as ${stringType})`);
  def('string_literal', (a, kw) => `'${arg(a, kw, 0, 'value')}'`);
  def('escape_single_quotes', (a, kw) => arg(a, kw, 0, 'expression').replace(/'/g, "''"));
  def('any_value', (a, kw) => `min(${arg(a, kw, 0, 'expression')})`);
  def('bool_or', (a, kw) => `bool_or(${arg(a, kw, 0, 'expression')})`);
  def('last_day', (a, kw) => `last_day(${arg(a, kw, 0, 'date')})`);
  def('length', (a, kw) => `length(${arg(a, kw, 0, 'expression')})`);
  def('position', (a, kw) => (['postgres', 'redshift', 'duckdb'].includes(adapter) ? `strpos(${arg(a, kw, 1, 'string_text')}, ${arg(a, kw, 0, 'substring_text')})` : `position(${arg(a, kw, 0, 'substring_text')} in ${arg(a, kw, 1, 'string_text')})`));
  def('replace', (a, kw) => `replace(${arg(a, kw, 0, 'field')}, ${arg(a, kw, 1, 'old_chars')}, ${arg(a, kw, 2, 'new_chars')})`);
  def('right', (a, kw) => `right(${arg(a, kw, 0, 'string_text')}, ${arg(a, kw, 1, 'length_expression')})`);
  def('except', () => 'except');
  def('intersect', () => 'intersect');
  return obj(fns, 'dbt');
}
