import type { AdminOp } from '../../core/admin/protocol';
import { ADMIN_OP_PERMISSIONS } from '../../core/admin/protocol';
import type { AdminResponseOf } from '../../core/admin/responses';
import type { TeamLike } from './teamTree';

/**
 * What the signed-in caller may do, from `whoami`: the view hides tabs and actions whose permission
 * the caller lacks (the edge function checks again; this only keeps the UI honest). A permission
 * held for a team counts for that team and its sub-teams, as the server counts it.
 */

/** The answer of `whoami`. */
export type WhoAmI = AdminResponseOf<'whoami'>;

/** The tabs of the view, in order. */
export const TABS = ['members', 'teams', 'roles', 'tokens', 'llmKeys', 'flags', 'audit'] as const;
export type TabId = (typeof TABS)[number];

/** Tab titles. */
export const TAB_TITLES: Record<TabId, string> = {
  members: 'Members',
  teams: 'Teams',
  roles: 'Roles',
  tokens: 'API tokens',
  llmKeys: 'LLM keys',
  flags: 'Feature flags',
  audit: 'Audit log',
};

/** The operation that loads each tab; a tab is shown when the caller may run it. */
const TAB_LOADS: Record<TabId, AdminOp> = {
  members: 'members.list',
  teams: 'teams.list',
  roles: 'roles.list',
  tokens: 'tokens.list',
  llmKeys: 'llmKeys.list',
  flags: 'flags.list',
  audit: 'audit.query',
};

/** The caller's permissions, asked by operation (never by a hard-coded key elsewhere in the view). */
export class Capabilities {
  private readonly orgWide: Set<string>;
  private readonly byTeam = new Map<string, Set<string>>();

  constructor(
    readonly who: WhoAmI,
    private readonly teams: readonly TeamLike[] = [],
  ) {
    this.orgWide = new Set(who.permissions);
    for (const { teamId, permission } of who.teamPermissions) {
      const set = this.byTeam.get(teamId) ?? new Set<string>();
      set.add(permission);
      this.byTeam.set(teamId, set);
    }
  }

  /** The same caller with the team tree known (team-scoped permissions then reach sub-teams). */
  withTeams(teams: readonly TeamLike[]): Capabilities {
    return new Capabilities(this.who, teams);
  }

  /** Whether the caller holds `permission` organization-wide. */
  holds(permission: string): boolean {
    return this.orgWide.has(permission);
  }

  /**
   * Whether the caller may run `op`: organization-wide, or for `teamId` (held for it or one of its
   * ancestors) when the operation acts on a team.
   */
  can(op: AdminOp, teamId?: string | null): boolean {
    const permission = ADMIN_OP_PERMISSIONS[op];
    if (permission === null || this.orgWide.has(permission)) return true;
    if (teamId === undefined || teamId === null) return false;
    const byId = new Map(this.teams.map((t) => [t.id, t]));
    const seen = new Set<string>();
    for (let id: string | null = teamId; id !== null && !seen.has(id); id = byId.get(id)?.parentId ?? null) {
      seen.add(id);
      if (this.byTeam.get(id)?.has(permission)) return true;
    }
    return false;
  }

  /** Whether the caller may run `op` for at least one team (a team-scoped admin sees the Teams tab). */
  canSomewhere(op: AdminOp): boolean {
    const permission = ADMIN_OP_PERMISSIONS[op];
    if (permission === null || this.orgWide.has(permission)) return true;
    for (const set of this.byTeam.values()) if (set.has(permission)) return true;
    return false;
  }

  /** The tabs this caller sees, in order. */
  tabs(): TabId[] {
    return TABS.filter((tab) => this.canSomewhere(TAB_LOADS[tab]));
  }

  /**
   * Whether a permission may go into a custom role or a token scope: the server refuses anything
   * the caller does not hold organization-wide (no escalation), so the picker disables it.
   */
  mayDelegate(permission: string): boolean {
    return this.orgWide.has(permission);
  }
}
