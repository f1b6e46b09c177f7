import { compareVersions } from '../../core/dbt/project/versions';
import type { Entity } from '../../core/model/entities';
import { didYouMean } from '../../core/text/didYouMean';
import type { CatalogStore } from '../catalog/catalogStore';
import type { EntitySummary } from '../catalog/catalogTypes';
import { CliError } from './cliErrors';

/**
 * What the entity a user typed means: an id, a name (`orders`), a qualified name
 * (`shop.orders`), a version of a dbt versioned model (`customers.v2`), each optionally followed by
 * a column (`customers.v2.email`). A bare name of a versioned model means its latest version, as
 * dbt's `ref('customers')` does (`latest_version`, else the highest version); when several
 * entities share a name, the data-bearing kind wins if it is unique (`orders` the model, not the
 * docs block `orders`).
 */

/** Kinds in the order a bare name should resolve to when several entities share it. */
const PREFERRED_KINDS = ['model', 'snapshot', 'seed', 'source', 'table', 'view'] as const;

/** An entity the user named, with the column when they named one. */
export interface ResolvedEntity {
  entity: Entity;
  column?: string;
}

/** `customers.v2` for a version of a versioned model, else the entity's name. */
export function displayName(e: Pick<EntitySummary, 'id' | 'kind' | 'name' | 'project'>): string {
  const prefix = `model.${e.project}.${e.name}.v`;
  return e.kind === 'model' && e.id.startsWith(prefix) ? `${e.name}.v${e.id.slice(prefix.length)}` : e.name;
}

/** The version a bare name means among the versions of one model: `latest_version`, else the highest. */
function latestOf(versions: Entity[]): Entity | undefined {
  const declared = versions.find((v) => v.latestVersion !== undefined)?.latestVersion;
  const chosen = declared !== undefined ? versions.find((v) => v.version === declared) : undefined;
  return chosen ?? [...versions].sort((a, b) => compareVersions(a.version ?? '', b.version ?? '')).at(-1);
}

const versionsOfOneModel = (list: Entity[]): boolean =>
  list.length > 1 && list.every((e) => e.kind === 'model' && e.version !== undefined && e.project === list[0]?.project && e.name === list[0]?.name);

/** The one entity among same-named candidates a bare name means, if there is one. */
function pick(candidates: Entity[]): Entity | undefined {
  if (candidates.length === 1) return candidates[0];
  if (versionsOfOneModel(candidates)) return latestOf(candidates);
  for (const kind of PREFERRED_KINDS) {
    const same = candidates.filter((c) => c.kind === kind);
    if (same.length === 0) continue;
    if (same.length === 1) return same[0];
    return versionsOfOneModel(same) ? latestOf(same) : undefined;
  }
  return undefined;
}

interface Lookup {
  candidates: Entity[];
  suggestions: EntitySummary[];
}

function lookup(store: CatalogStore, query: string): Lookup {
  const result = store.findEntity(query);
  if (result.status === 'found') return { candidates: [result.entity], suggestions: [] };
  if (result.status === 'ambiguous') {
    const candidates = result.candidates.map((c) => store.getEntity(c.id)).filter((e): e is Entity => e !== undefined);
    return { candidates, suggestions: [] };
  }
  return { candidates: [], suggestions: result.suggestions };
}

/** The entity `query` names without a column: a name, id, or `<name>.v<version>`. */
function resolveOwner(store: CatalogStore, query: string): { entity?: Entity; lookup: Lookup } {
  const direct = lookup(store, query);
  const entity = pick(direct.candidates);
  if (entity !== undefined) return { entity, lookup: direct };
  // `customers.v2` (dbt's selector syntax for a version): the model `customers` at version 2.
  const version = /^(.+)\.v([^.]+)$/i.exec(query);
  if (version !== null && version[1] !== undefined) {
    const wanted = version[2] ?? '';
    const matching = lookup(store, version[1]).candidates.filter((c) => c.kind === 'model' && c.version !== undefined && compareVersions(c.version, wanted) === 0);
    if (matching.length === 1) return { entity: matching[0], lookup: direct };
  }
  return { lookup: direct };
}

/** Resolves what the user typed. Throws `CliError` saying why nothing or too much matched. */
export function resolveEntity(store: CatalogStore, query: string): ResolvedEntity {
  const first = resolveOwner(store, query);
  if (first.entity !== undefined) return { entity: first.entity };
  const dot = query.lastIndexOf('.');
  if (dot > 0) {
    const owner = resolveOwner(store, query.slice(0, dot)).entity;
    const column = query.slice(dot + 1);
    const match = owner === undefined ? undefined : store.columnsOf(owner.id).find((c) => c.name.toLowerCase() === column.toLowerCase());
    if (owner !== undefined && match !== undefined) return { entity: owner, column: match.name };
    if (owner !== undefined && owner.version !== undefined && /^v[^.]+$/i.test(column)) {
      throw new CliError(`${owner.name} has no version ${column.slice(1)} (versions ${versionsOf(store, owner).versions.join(', ')})`);
    }
    if (owner !== undefined) throw new CliError(`${displayName(owner)} has no column "${column}"${columnHint(store, owner, column)}`);
  }
  const { candidates, suggestions } = first.lookup;
  if (candidates.length > 1) {
    throw new CliError(`"${query}" is ambiguous: ${candidates.slice(0, 8).map((c) => `${c.id} (${c.kind})`).join(', ')}; use the id`);
  }
  const names = [...new Set(suggestions.map(displayName))].slice(0, 5);
  throw new CliError(`no entity named "${query}"${names.length > 0 ? `; did you mean ${names.join(', ')}?` : ''}`);
}

function columnHint(store: CatalogStore, owner: Entity, column: string): string {
  const names = store.columnsOf(owner.id).map((c) => c.name);
  const guess = didYouMean(column, names);
  if (guess !== undefined) return `; did you mean ${guess}?`;
  return names.length > 0 ? ` (its columns: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''})` : ' (no columns are known)';
}

/** The versions of the versioned model `e` belongs to, and which one is the latest. */
export function versionsOf(store: CatalogStore, e: Entity): { versions: string[]; latest?: string } {
  if (e.version === undefined) return { versions: [] };
  const all = lookup(store, e.name).candidates.filter((c) => c.kind === 'model' && c.project === e.project && c.name === e.name && c.version !== undefined);
  const latest = latestOf(all)?.version;
  return { versions: all.map((c) => c.version ?? '').sort(compareVersions), ...(latest !== undefined ? { latest } : {}) };
}
