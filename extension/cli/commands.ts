import { existsSync } from 'node:fs';
import path from 'node:path';
import { EntityKind, type Entity } from '../../core/model/entities';
import { columnId } from '../../core/model/ids';
import { CatalogStore } from '../catalog/catalogStore';
import type { Invocation } from './cliArgs';
import { UsageError } from './cliArgs';
import { buildTree, table, tree } from './cliFormat';
import { doctorCommand, type CommandResult } from './doctorCommand';

/**
 * The CLI commands that read a catalog. Each returns the text for stdout; errors are thrown as
 * `CliError` (exit 1) or `UsageError` (exit 2) and printed by the entry point. `scan` lives in
 * `scanCommand.ts`, a bundle of its own: these commands start without loading the scanner.
 */

/** A user-facing failure (exit code 1). */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** The user cancelled the command (Ctrl-C); exit code 130, nothing written. */
export class CliCancelled extends Error {
  override readonly name = 'CliCancelled';
  readonly reason = 'cancelled' as const;
}

/**
 * Whether `err` is a `CliCancelled`, also one thrown by `scan` (a bundle of its own, with its own
 * copy of the class, so `instanceof` cannot tell).
 */
export function isCliCancelled(err: unknown): err is CliCancelled {
  return err instanceof Error && err.name === 'CliCancelled' && (err as { reason?: unknown }).reason === 'cancelled';
}

/** Where the CLI writes. Injected so the commands are testable in-process. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stderr is a terminal (progress redraws in place). */
  errIsTty: boolean;
  cwd: string;
  /** Aborted when the user asks to stop (the entry point's Ctrl-C). */
  signal?: AbortSignal;
  /**
   * Says whether the command can stop gracefully now. Synchronous work (a scan's plan phase) cannot
   * see the abort until it ends, so during it Ctrl-C keeps its default effect: quitting at once,
   * which is safe before anything is written (and SQLite rolls back an interrupted write anyway).
   */
  interruptible?: (graceful: boolean) => void;
}

/** The catalog file an invocation works on: `--db`, else `.mallard/catalog.db` under the scanned folder or the current one. */
export function catalogFileOf(inv: Invocation, cwd: string): string {
  if (inv.db !== undefined) return path.resolve(cwd, inv.db);
  const base = inv.command === 'scan' ? path.resolve(cwd, inv.positionals[0] ?? '.') : cwd;
  return path.join(base, '.mallard', 'catalog.db');
}

/** `doctor`. */
export function doctorCommandOf(inv: Invocation, io: CliIo): CommandResult {
  return doctorCommand(inv, catalogFileOf(inv, io.cwd), (message) => new CliError(message));
}

function openExisting(inv: Invocation, io: CliIo): CatalogStore {
  const file = catalogFileOf(inv, io.cwd);
  if (!existsSync(file)) throw new CliError(`no catalog at ${file}; run "mallard scan <dir>" first or pass --db FILE`);
  return CatalogStore.open(file, { readonly: true });
}

/** Kinds in the order a bare name should resolve to when several entities share it. */
const PREFERRED_KINDS = ['model', 'snapshot', 'seed', 'source', 'table', 'view'] as const;

/** Finds an entity by name; when several share it, the data-bearing kind wins if it is unique (`orders` the model, not the docs block). */
function findPreferred(store: CatalogStore, query: string): { entity?: Entity; result: ReturnType<CatalogStore['findEntity']> } {
  const result = store.findEntity(query);
  if (result.status === 'found') return { entity: result.entity, result };
  if (result.status === 'ambiguous') {
    for (const kind of PREFERRED_KINDS) {
      const same = result.candidates.filter((c) => c.kind === kind);
      if (same.length > 1) break;
      const entity = same.length === 1 ? store.getEntity(same[0]?.id ?? '') : undefined;
      if (entity) return { entity, result };
    }
  }
  return { result };
}

function resolveEntity(store: CatalogStore, query: string): { entity: Entity; column?: string } {
  const first = findPreferred(store, query);
  if (first.entity) return { entity: first.entity };
  const dot = query.lastIndexOf('.');
  if (dot > 0) {
    const owner = findPreferred(store, query.slice(0, dot)).entity;
    const column = query.slice(dot + 1);
    if (owner && store.columnsOf(owner.id).some((c) => c.name.toLowerCase() === column.toLowerCase())) return { entity: owner, column };
  }
  const result = first.result;
  if (result.status === 'ambiguous') throw new CliError(`"${query}" is ambiguous: ${result.candidates.slice(0, 8).map((c) => c.id).join(', ')}`);
  const hint = result.status === 'not-found' && result.suggestions.length > 0 ? `; did you mean ${result.suggestions.slice(0, 5).map((s) => s.name).join(', ')}?` : '';
  throw new CliError(`no entity named "${query}"${hint}`);
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);

function modelLineageText(store: CatalogStore, entity: Entity, inv: Invocation): string {
  const lin = store.modelLineage(entity.id, { direction: inv.direction, ...(inv.depth !== undefined ? { maxDepth: inv.depth } : {}) });
  if (inv.json) return json(lin);
  const names = new Map(lin.nodes.map((n) => [n.id, n.entity ? `${n.entity.name} (${n.entity.kind})` : `${n.id} (missing)`]));
  const label = (id: string): string => names.get(id) ?? id;
  const parts: string[] = [];
  if (inv.direction !== 'downstream') parts.push('Upstream', tree(buildTree(entity.id, label, (id) => lin.edges.filter((e) => e.to === id).map((e) => ({ id: e.from, via: e.kind })))));
  if (inv.direction !== 'upstream') parts.push('Downstream', tree(buildTree(entity.id, label, (id) => lin.edges.filter((e) => e.from === id).map((e) => ({ id: e.to, via: e.kind })))));
  return parts.join('\n');
}

function columnLineageText(store: CatalogStore, entity: Entity, only: string | undefined, inv: Invocation): string {
  const columns = only ? [only] : store.columnsOf(entity.id).map((c) => c.name);
  const results = columns.map((column) => ({ column, lineage: store.columnLineage(columnId(entity.id, column), { direction: inv.direction, ...(inv.depth !== undefined ? { maxDepth: inv.depth } : {}) }) }));
  if (inv.json) return json({ entity: { id: entity.id, kind: entity.kind, name: entity.name, project: entity.project, path: entity.path }, columns: results });
  const entityNames = new Map<string, string>();
  const label = (colId: string): string => {
    const at = colId.lastIndexOf('#');
    const owner = colId.slice(0, at);
    if (!entityNames.has(owner)) entityNames.set(owner, store.getEntity(owner)?.name ?? owner);
    return `${entityNames.get(owner) ?? owner}.${colId.slice(at + 1)}`;
  };
  const blocks = results.map(({ column, lineage }) => {
    const rootId = columnId(entity.id, column);
    const parts: string[] = [];
    if (inv.direction !== 'downstream') parts.push(tree(buildTree(rootId, label, (id) => lineage.edges.filter((e) => e.to === id).map((e) => ({ id: e.from, via: e.transform })))));
    if (inv.direction === 'downstream') parts.push(tree(buildTree(rootId, label, (id) => lineage.edges.filter((e) => e.from === id).map((e) => ({ id: e.to, via: e.transform })))));
    else if (inv.direction === 'both') {
      const down = buildTree(rootId, label, (id) => lineage.edges.filter((e) => e.from === id).map((e) => ({ id: e.to, via: e.transform })));
      if (down.children.length > 0) parts.push(`  downstream:\n${tree(down).replace(/^/gm, '  ')}`);
    }
    return parts.join('\n');
  });
  return blocks.join('\n\n');
}

/** `lineage <entity>`. */
export function lineageCommand(inv: Invocation, io: CliIo): string {
  const store = openExisting(inv, io);
  try {
    const { entity, column } = resolveEntity(store, inv.positionals[0] ?? '');
    return column !== undefined || inv.columns ? columnLineageText(store, entity, column, inv) : modelLineageText(store, entity, inv);
  } finally {
    store.close();
  }
}

/** `search <query>`. */
export function searchCommand(inv: Invocation, io: CliIo): string {
  if (inv.kind !== undefined && !EntityKind.safeParse(inv.kind).success) throw new UsageError(`unknown kind "${inv.kind}" (one of ${EntityKind.options.join(', ')})`);
  const store = openExisting(inv, io);
  try {
    const kind = inv.kind !== undefined ? EntityKind.parse(inv.kind) : undefined;
    const hits = store.search(inv.positionals.join(' '), { limit: inv.limit ?? 20, ...(kind ? { kind } : {}) });
    if (inv.json) return json(hits);
    if (hits.length === 0) return 'no matches';
    return table(['kind', 'name', 'project', 'path'], hits.map((h) => [h.kind, h.name, h.project, h.path]));
  } finally {
    store.close();
  }
}

/** `show <entity>`. */
export function showCommand(inv: Invocation, io: CliIo): string {
  const store = openExisting(inv, io);
  try {
    const { entity } = resolveEntity(store, inv.positionals[0] ?? '');
    const columns = store.columnsOf(entity.id);
    const near = store.modelLineage(entity.id, { direction: 'both', maxDepth: 1 });
    const upstream = near.nodes.filter((n) => n.depth < 0).map((n) => n.id);
    const downstream = near.nodes.filter((n) => n.depth > 0).map((n) => n.id);
    const unresolved = store.unresolved(entity.id);
    if (inv.json) return json({ entity, columns, upstream, downstream, unresolved });
    const rows: [string, string][] = [
      ['id', entity.id], ['kind', entity.kind], ['project', entity.project], ['path', `${entity.path}:${entity.provenance.line}`],
      ...(entity.materialized ? [['materialized', entity.materialized] as [string, string]] : []),
      ['tags', entity.tags.join(', ')], ['owners', entity.owners.map((o) => `${o.name} (${o.source})`).join(', ')],
      ['tests', entity.tests.map((t) => t.name).join(', ')], ['upstream', String(upstream.length)], ['downstream', String(downstream.length)],
    ];
    const parts = [`${entity.name}${entity.description ? ` — ${entity.description}` : ''}`, table(['field', 'value'], rows)];
    if (columns.length > 0) parts.push('', table(['#', 'column', 'type', 'origin', 'description'], columns.map((c) => [String(c.position), c.name, c.type ?? '', c.origin, c.description])));
    if (unresolved.length > 0) parts.push('', table(['unresolved', 'reason', 'detail'], unresolved.map((u) => [u.name, u.reason, u.detail])));
    return parts.join('\n');
  } finally {
    store.close();
  }
}

/** `diagnostics`. */
export function diagnosticsCommand(inv: Invocation, io: CliIo): string {
  const store = openExisting(inv, io);
  try {
    const list = store.diagnostics(inv.file).slice(0, inv.limit ?? Infinity);
    if (inv.json) return json(list);
    if (list.length === 0) return 'no diagnostics';
    return table(['location', 'severity', 'code', 'message'], list.map((d) => [`${d.file}:${d.line}:${d.column}`, d.severity, d.code, d.message.replace(/\s+/g, ' ')]));
  } finally {
    store.close();
  }
}

/** `stats`. */
export function statsCommand(inv: Invocation, io: CliIo): string {
  const store = openExisting(inv, io);
  try {
    const stats = store.stats();
    if (inv.json) return json(stats);
    const rows: string[][] = [['entities', String(stats.entities)]];
    for (const [kind, n] of Object.entries(stats.entitiesByKind)) rows.push([`  ${kind}`, String(n)]);
    rows.push(['columns', String(stats.columns)], ['model edges', String(stats.modelEdges)], ['column edges', String(stats.columnEdges)], ['unresolved', String(stats.unresolved)], ['files', String(stats.files)], ['diagnostics', String(stats.diagnostics)]);
    for (const d of stats.dialects) rows.push([`dialect of ${d.project}`, `${d.dialect} (${d.reason})`]);
    return table(['what', 'count'], rows);
  } finally {
    store.close();
  }
}

/** `export --format json`: streams `{"entities":[…],"edges":[…]}` to stdout. */
export function exportCommand(inv: Invocation, io: CliIo): string {
  const store = openExisting(inv, io);
  try {
    let chunk: string[] = [];
    const flush = (): void => {
      if (chunk.length > 0) io.out(chunk.join(''));
      chunk = [];
    };
    const emit = (s: string): void => {
      chunk.push(s);
      if (chunk.length >= 2000) flush();
    };
    emit('{"entities":[');
    let first = true;
    for (const e of store.exportEntities()) {
      emit(`${first ? '' : ','}\n${JSON.stringify({ id: e.id, kind: e.kind, name: e.name, project: e.project, path: e.path })}`);
      first = false;
    }
    emit('\n],"edges":[');
    first = true;
    for (const e of store.exportEdges()) {
      emit(`${first ? '' : ','}\n${JSON.stringify(e)}`);
      first = false;
    }
    emit('\n]}\n');
    flush();
    return '';
  } finally {
    store.close();
  }
}
