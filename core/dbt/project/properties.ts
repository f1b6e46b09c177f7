import type { Diagnostic, Owner, TestRef } from '../../model/entities';
import { readVersions, type DeclaredVersion } from './versions';
import { asArray, asRecord, asString, type YamlFile } from './yamlFile';

/** A column as declared in a properties YAML file. */
export interface DeclaredColumn {
  name: string;
  description: string;
  type?: string;
  tests: TestRef[];
  meta: Record<string, unknown>;
  tags: string[];
}

/** A model/seed/snapshot/exposure/source table as declared in YAML. */
export interface DeclaredNode {
  resource: 'models' | 'seeds' | 'snapshots' | 'exposures' | 'sources' | 'analyses' | 'macros';
  name: string;
  project: string;
  file: string;
  line: number;
  column: number;
  description: string;
  config: Record<string, unknown>;
  meta: Record<string, unknown>;
  tags: string[];
  owners: Owner[];
  tests: TestRef[];
  columns: DeclaredColumn[];
  /** Versioned models: each version's columns (after include/exclude), config and defining file. */
  versions?: DeclaredVersion[];
  latestVersion?: string;
  /** Problems found reading this declaration (model versions), reported by the loader. */
  diagnostics?: Diagnostic[];
  /** Sources: source name, table identifier, schema, database, loader, freshness. */
  source?: { source: string; table: string; identifier: string; schema: string; database?: string; loader?: string; freshness?: unknown };
  /** Exposures: `depends_on` entries as written (`ref('x')`, `source('a','b')`). */
  dependsOn?: string[];
  /** Exposures: type, url, maturity. */
  extra?: Record<string, unknown>;
  /** YAML-defined snapshots: `relation: ref('x')`. */
  relation?: string;
  /** Path of keys/indices to this entry in its YAML file, to locate its parts (see `declaredDuplicates.ts`). */
  yamlPath?: (string | number)[];
  /** Sources: position of the `- name:` entry of the source the table is declared under. */
  sourceAt?: { line: number; column: number };
}

function tests(v: unknown): TestRef[] {
  return asArray(v).flatMap((t): TestRef[] => {
    if (typeof t === 'string') return [{ name: t, args: {} }];
    const rec = asRecord(t);
    const [name, args] = Object.entries(rec)[0] ?? [];
    if (name === undefined) return [];
    const a = asRecord(args);
    return [{ name: asString(a.test_name) ?? name, args: asRecord(a.arguments ?? a) }];
  });
}

function tags(v: unknown): string[] {
  return typeof v === 'string' ? [v] : asArray(v).map((x) => asString(x) ?? '').filter(Boolean);
}

/** Owners from `meta.owner` / `config.meta.owner` (a string, a list, or `{name, email}`). */
export function ownersFrom(meta: Record<string, unknown>, source: Owner['source'] = 'yaml'): Owner[] {
  const raw = meta.owner ?? meta.owners;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.flatMap((o): Owner[] => {
    if (typeof o === 'string') return [o.includes('@') ? { name: o, email: o, source } : { name: o, source }];
    const r = asRecord(o);
    const name = asString(r.name) ?? asString(r.email);
    if (!name) return [];
    const email = asString(r.email);
    return [{ name, ...(email ? { email } : {}), source }];
  });
}

/**
 * Shared, frozen empty tags, tests and meta of declared columns: most columns have none, and three
 * fresh containers per column were ~9 MB of the warm scanner's heap at 5,000 models. Frozen, a
 * stray in-place mutation throws instead of changing every column.
 */
const NO_TAGS = Object.freeze([]) as unknown as string[];
const NO_TESTS = Object.freeze([]) as unknown as TestRef[];
const NO_META = Object.freeze({}) as Record<string, unknown>;
const orEmpty = <T extends object>(value: T, empty: T): T => (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0) ? empty : value;

function columns(v: unknown): DeclaredColumn[] {
  return asArray(v).flatMap((c): DeclaredColumn[] => {
    const r = asRecord(c);
    const name = asString(r.name);
    if (!name) return [];
    const cfg = asRecord(r.config);
    const type = asString(r.data_type ?? cfg.data_type);
    return [{
      name,
      description: asString(r.description) ?? '',
      ...(type ? { type } : {}),
      tests: orEmpty([...tests(r.tests), ...tests(r.data_tests)], NO_TESTS),
      meta: orEmpty({ ...asRecord(r.meta), ...asRecord(cfg.meta) }, NO_META),
      tags: orEmpty([...tags(r.tags), ...tags(cfg.tags)], NO_TAGS),
    }];
  });
}

function base(resource: DeclaredNode['resource'], r: Record<string, unknown>, project: string, yf: YamlFile, file: string, path: (string | number)[]): DeclaredNode | undefined {
  const name = asString(r.name);
  if (!name) return undefined;
  const config = asRecord(r.config);
  const meta = { ...asRecord(r.meta), ...asRecord(config.meta) };
  const pos = yf.positionOf(path);
  return {
    resource, name, project, file, line: pos.line, column: pos.column,
    description: asString(r.description) ?? '',
    config, meta,
    tags: [...tags(r.tags), ...tags(config.tags)],
    owners: ownersFrom(meta),
    tests: [...tests(r.tests), ...tests(r.data_tests)],
    columns: columns(r.columns),
    yamlPath: path,
  };
}

/** Reads the declarations of one properties YAML file. */
export function readProperties(yf: YamlFile, project: string, file: string): DeclaredNode[] {
  const data = asRecord(yf.data);
  const out: DeclaredNode[] = [];
  for (const resource of ['models', 'seeds', 'snapshots', 'analyses', 'macros'] as const) {
    asArray(data[resource]).forEach((item, i) => {
      const r = asRecord(item);
      const node = base(resource, r, project, yf, file, [resource, i]);
      if (!node) return;
      if (resource === 'models' && Array.isArray(r.versions)) {
        const read = readVersions(r, node, yf, [resource, i], { columns, tests });
        node.versions = read.versions;
        if (read.latestVersion !== undefined) node.latestVersion = read.latestVersion;
        if (read.diagnostics.length > 0) node.diagnostics = read.diagnostics;
      }
      if (resource === 'snapshots' && r.relation !== undefined) node.relation = asString(r.relation) ?? '';
      out.push(node);
    });
  }
  asArray(data.sources).forEach((s, si) => {
    const src = asRecord(s);
    const sourceName = asString(src.name);
    if (!sourceName) return;
    const schema = asString(src.schema) ?? sourceName;
    const database = asString(src.database);
    asArray(src.tables).forEach((t, ti) => {
      const table = asRecord(t);
      const node = base('sources', table, project, yf, file, ['sources', si, 'tables', ti]);
      if (!node) return;
      const loader = asString(src.loader);
      const freshness = table.freshness ?? src.freshness;
      node.source = { source: sourceName, table: node.name, identifier: asString(table.identifier) ?? node.name, schema, ...(database ? { database } : {}), ...(loader ? { loader } : {}), ...(freshness !== undefined ? { freshness } : {}) };
      if (!node.description) node.description = asString(src.description) ?? '';
      node.tags = [...tags(src.tags), ...node.tags];
      node.meta = { ...asRecord(src.meta), ...node.meta };
      if (node.owners.length === 0) node.owners = ownersFrom(node.meta);
      out.push(node);
    });
  });
  asArray(data.exposures).forEach((e, i) => {
    const r = asRecord(e);
    const node = base('exposures', r, project, yf, file, ['exposures', i]);
    if (!node) return;
    node.dependsOn = asArray(r.depends_on).map((d) => asString(d) ?? '').filter(Boolean);
    const owner = asRecord(r.owner);
    const ownerName = asString(owner.name) ?? asString(owner.email);
    if (ownerName) node.owners = [{ name: ownerName, ...(asString(owner.email) ? { email: asString(owner.email) as string } : {}), source: 'exposure' }];
    node.extra = { type: r.type, url: r.url, maturity: r.maturity, label: r.label };
    out.push(node);
  });
  return out;
}
