import type { Invocation } from './cliArgs';
import { table, testText } from './cliFormat';
import { type CliIo, openCatalog } from './cliIo';
import { displayName, resolveEntity, versionsOf } from './entityResolver';

/**
 * `mallard show <entity>`: an entity's description, fields, columns, data tests (the entity's and
 * each column's, with their arguments) and unresolved names, as text or `--json`.
 */

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** `show <entity>`. */
export function showCommand(inv: Invocation, io: CliIo): string {
  const store = openCatalog(inv, io);
  try {
    const { entity } = resolveEntity(store, inv.positionals[0] ?? '');
    const columns = store.columnsOf(entity.id);
    const near = store.modelLineage(entity.id, { direction: 'both', maxDepth: 1 });
    const upstream = near.nodes.filter((n) => n.depth < 0).map((n) => n.id);
    const downstream = near.nodes.filter((n) => n.depth > 0).map((n) => n.id);
    const unresolved = store.unresolved(entity.id);
    const versions = versionsOf(store, entity);
    if (inv.json) return json({ entity, columns, upstream, downstream, unresolved, ...(entity.version !== undefined ? { versions } : {}) });
    const version = entity.version === undefined
      ? []
      : [['version', `${entity.version} (${versions.latest === entity.version ? 'latest of' : 'versions'} ${versions.versions.join(', ')}${versions.latest !== undefined && versions.latest !== entity.version ? `; latest ${versions.latest}` : ''})`] as [string, string]];
    const tests = [...entity.tests.map((t) => [displayName(entity), testText(t)]), ...columns.flatMap((c) => c.tests.map((t) => [c.name, testText(t)]))];
    const rows: [string, string][] = [
      ['id', entity.id], ['kind', entity.kind], ...version, ['project', entity.project], ['path', `${entity.path}:${entity.provenance.line}`],
      ...(entity.materialized ? [['materialized', entity.materialized] as [string, string]] : []),
      ['tags', entity.tags.join(', ')], ['owners', entity.owners.map((o) => `${o.name} (${o.source})`).join(', ')],
      ['tests', String(tests.length)], ['upstream', String(upstream.length)], ['downstream', String(downstream.length)],
    ];
    const description = entity.description.trim();
    // A one-line description reads well beside the name; a longer one (markdown) keeps its lines.
    const title = description === '' ? displayName(entity) : description.includes('\n') ? `${displayName(entity)}\n\n${description.split('\n').map((l) => (l.trim() === '' ? '' : `  ${l}`)).join('\n')}\n` : `${displayName(entity)} — ${description}`;
    const parts = [title, table(['field', 'value'], rows)];
    if (columns.length > 0) parts.push('', table(['#', 'column', 'type', 'origin', 'description'], columns.map((c) => [String(c.position), c.name, c.type ?? '', c.origin, c.description])));
    if (tests.length > 0) parts.push('', table(['tested', 'test'], tests));
    if (unresolved.length > 0) parts.push('', table(['unresolved', 'reason', 'detail'], unresolved.map((u) => [u.name, u.reason, u.detail])));
    return parts.join('\n');
  } finally {
    store.close();
  }
}
