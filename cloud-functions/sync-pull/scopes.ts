import type { Scope } from '../../core/sync/pullMessages';

/**
 * Scopes of a replica. `{ orgId, teamId: null }` is the whole organization (held through an
 * organization-wide catalog.read grant); `{ orgId, teamId }` is the rows of that team (held through
 * a team grant, which covers descendant teams). A pull reports which the replica gained and lost
 * against the scopes it says it holds (or, when it does not say, the ones it was last told).
 */

const keyOf = (s: Scope): string => `${s.orgId}/${s.teamId ?? '*'}`;

/** `a` without the scopes also in `b`. */
export function scopeDifference(a: readonly Scope[], b: readonly Scope[]): Scope[] {
  const inB = new Set(b.map(keyOf));
  const seen = new Set<string>();
  return a.filter((s) => {
    const k = keyOf(s);
    if (inB.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Plain `{ orgId, teamId }` copies (the stored form). */
export function plainScopes(scopes: readonly Scope[]): Scope[] {
  return scopes.map((s) => ({ orgId: s.orgId, teamId: s.teamId ?? null }));
}
