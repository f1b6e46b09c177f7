import type { AdminOp, AuditFilter } from '../../core/admin/protocol';
import type { AdminResponseOf, ApiToken, AuditEntry, FeatureFlag, Invitation, LlmKey, Member, Permission, Role, Team } from '../../core/admin/responses';
import { Capabilities, type TabId } from './capabilities';
import type { AdminParams } from './protocol';

/**
 * The admin view's state and its actions, without the DOM: the data each tab shows (loaded when
 * the tab is first opened, reloaded after a change), the caller's capabilities, form values, and
 * per-action busy flags, errors and confirmations. An action's server error is kept under the
 * action's key, so the view shows it next to the button that caused it; nothing else changes.
 */

/** Calls one admin operation through the host; rejects with the server's message. */
export type AdminCaller = <O extends AdminOp>(op: O, params: AdminParams<O>) => Promise<AdminResponseOf<O>>;

/** Everything loaded from the server (undefined: not loaded yet). */
export interface AdminData {
  members?: Member[];
  invitations?: Invitation[];
  teams?: Team[];
  roles?: Role[];
  permissions?: Permission[];
  tokens?: ApiToken[];
  llmKeys?: LlmKey[];
  flags?: FeatureFlag[];
  audit?: { entries: AuditEntry[]; nextBefore: number | null; filter: AuditFilter };
}

/** A dataset of `AdminData` and the operation that loads it. */
type Dataset = Exclude<keyof AdminData, 'audit'>;
const LOADERS: { [K in Dataset]: { op: AdminOp; pick: (r: never) => NonNullable<AdminData[K]> } } = {
  members: { op: 'members.list', pick: (r: AdminResponseOf<'members.list'>) => r.members },
  invitations: { op: 'invitations.list', pick: (r: AdminResponseOf<'invitations.list'>) => r.invitations },
  teams: { op: 'teams.list', pick: (r: AdminResponseOf<'teams.list'>) => r.teams },
  roles: { op: 'roles.list', pick: (r: AdminResponseOf<'roles.list'>) => r.roles },
  permissions: { op: 'permissions.list', pick: (r: AdminResponseOf<'permissions.list'>) => r.permissions },
  tokens: { op: 'tokens.list', pick: (r: AdminResponseOf<'tokens.list'>) => r.tokens },
  llmKeys: { op: 'llmKeys.list', pick: (r: AdminResponseOf<'llmKeys.list'>) => r.keys },
  flags: { op: 'flags.list', pick: (r: AdminResponseOf<'flags.list'>) => r.flags },
};

/** The datasets each tab shows (the first is its own; the others fill names and pickers). */
export const TAB_DATA: Record<TabId, Dataset[]> = {
  members: ['members', 'invitations', 'roles', 'teams'],
  teams: ['teams', 'members'],
  roles: ['roles', 'permissions'],
  tokens: ['tokens', 'permissions'],
  llmKeys: ['llmKeys'],
  flags: ['flags'],
  audit: ['members'],
};

/** A secret shown once (a new API token, an invitation link token); never persisted. */
export interface ShownSecret {
  key: string;
  title: string;
  text: string;
}

export class AdminSession {
  data: AdminData = {};
  caps: Capabilities | undefined;
  /** Why the session could not start (whoami failed). */
  startError: string | undefined;
  readonly errors = new Map<string, string>();
  readonly notices = new Map<string, string>();
  readonly busy = new Set<string>();
  /** Text typed into forms, by field key; kept across re-renders. */
  readonly forms = new Map<string, string>();
  /** Checked items of pickers (permissions of a role, scopes of a token), by picker key. */
  readonly picks = new Map<string, Set<string>>();
  secret: ShownSecret | undefined;
  /** The row whose inline editor is open (a role being edited, a team being renamed). */
  editing: string | undefined;
  /** Bumped by `reset`, so answers to an earlier session's requests are dropped. */
  private generation = 0;

  constructor(
    private readonly call: AdminCaller,
    private readonly changed: () => void,
  ) {}

  /** Forgets everything (another organization or user) and asks who the caller is. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    this.data = {};
    this.caps = undefined;
    this.startError = undefined;
    for (const m of [this.errors, this.notices, this.forms, this.picks]) m.clear();
    this.busy.clear();
    this.secret = undefined;
    this.editing = undefined;
    this.changed();
    try {
      const who = await this.call('whoami', {});
      if (generation !== this.generation) return;
      this.caps = new Capabilities(who);
    } catch (err) {
      if (generation !== this.generation) return;
      this.startError = messageOf(err);
    }
    this.changed();
  }

  /** A form field's text. */
  form(key: string): string {
    return this.forms.get(key) ?? '';
  }

  /** A picker's checked items (created empty). */
  pick(key: string): Set<string> {
    let set = this.picks.get(key);
    if (set === undefined) this.picks.set(key, (set = new Set()));
    return set;
  }

  /** Loads what `tab` shows that is not loaded yet (every dataset when `refresh`). */
  async open(tab: TabId, refresh = false): Promise<void> {
    const caps = this.caps;
    if (caps === undefined) return;
    const wanted = TAB_DATA[tab].filter((d) => (refresh || this.data[d] === undefined) && caps.canSomewhere(LOADERS[d].op));
    await Promise.all(wanted.map((d) => this.reload(d)));
    if (tab === 'audit' && (refresh || this.data.audit === undefined) && caps.canSomewhere('audit.query')) await this.queryAudit(this.data.audit?.filter ?? {});
  }

  /** Loads one dataset again; a failure is shown at the top of the tab (`load:<dataset>`). */
  async reload(dataset: Dataset): Promise<void> {
    const generation = this.generation;
    const loader = LOADERS[dataset];
    try {
      const result = await this.call(loader.op, {} as never);
      if (generation !== this.generation) return;
      (this.data as Record<string, unknown>)[dataset] = loader.pick(result as never);
      this.errors.delete(`load:${dataset}`);
      if (dataset === 'teams' && this.caps !== undefined) this.caps = this.caps.withTeams(this.data.teams ?? []);
    } catch (err) {
      if (generation !== this.generation) return;
      this.errors.set(`load:${dataset}`, messageOf(err));
    }
    this.changed();
  }

  /** Runs the audit query from its first page. */
  async queryAudit(filter: AuditFilter): Promise<void> {
    await this.act('audit:query', 'audit.query', { filter, limit: 50 }, (r) => {
      this.data.audit = { entries: r.entries, nextBefore: r.nextBefore, filter };
    });
  }

  /** Appends the next (older) page of the audit log. */
  async moreAudit(): Promise<void> {
    const audit = this.data.audit;
    if (audit?.nextBefore == null) return;
    await this.act('audit:more', 'audit.query', { filter: audit.filter, limit: 50, before: audit.nextBefore }, (r) => {
      this.data.audit = { entries: [...audit.entries, ...r.entries], nextBefore: r.nextBefore, filter: audit.filter };
    });
  }

  /**
   * Runs one action: `key` names it (the button and the place of its error), `apply` folds the
   * answer into the data, `reload` lists the datasets to read again afterwards. True on success.
   */
  async act<O extends AdminOp>(key: string, op: O, params: AdminParams<O>, apply?: (result: AdminResponseOf<O>) => void, reload: Dataset[] = [], notice?: string): Promise<boolean> {
    if (this.busy.has(key)) return false;
    const generation = this.generation;
    this.busy.add(key);
    this.errors.delete(key);
    this.notices.delete(key);
    this.changed();
    try {
      const result = await this.call(op, params);
      if (generation !== this.generation) return false;
      apply?.(result);
      if (notice !== undefined) this.notices.set(key, notice);
      this.busy.delete(key);
      await Promise.all(reload.map((d) => this.reload(d)));
      return true;
    } catch (err) {
      if (generation !== this.generation) return false;
      this.errors.set(key, messageOf(err));
      return false;
    } finally {
      this.busy.delete(key);
      this.changed();
    }
  }

  /** Opens the inline editor `key` (undefined closes it) and clears the outcome of that action. */
  edit(key: string | undefined, action = key): void {
    this.editing = key;
    if (action !== undefined) {
      this.errors.delete(action);
      this.notices.delete(action);
    }
    this.changed();
  }

  /** Shows a form check's message under `key` without sending anything. */
  refuse(key: string, message: string): void {
    this.errors.set(key, message);
    this.notices.delete(key);
    this.changed();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
