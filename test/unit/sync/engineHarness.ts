import type { FieldPatch, RowTarget, SyncOp } from '../../../core/sync/ops';
import type { CredentialsProvider, SyncCredentials } from '../../../sync/ports';
import type { ReplicaStore } from '../../../sync/replicaStore';
import type { MemoryTables } from '../../../sync/memory/memoryTables';
import type { SyncEngineOptions } from '../../../sync/syncEngine';
import { SyncEngine } from '../../../sync/syncEngine';
import { ManualClock } from '../../../sync/memory/manualClock';
import { MemoryServer } from '../../../sync/memory/memoryServer';
import { MemoryTransport } from '../../../sync/memory/memoryTransport';
import { memoryReplica } from '../../../sync/memory/memoryTables';

/**
 * A small world for the engine's unit tests: one in-memory server, a manual clock, and replicas
 * (each an in-memory store, a transport with fault switches and a real `SyncEngine`).
 */

export const ORG = '11111111-1111-4111-8111-111111111111';
export const OTHER_ORG = '33333333-3333-4333-8333-333333333333';
export const TEAM_A = '22222222-2222-4222-8222-22222222222a';
export const TEAM_B = '22222222-2222-4222-8222-22222222222b';

/** A replica under test. */
export interface TestReplica {
  name: string;
  store: ReplicaStore;
  tables: MemoryTables;
  transport: MemoryTransport;
  engine: SyncEngine;
  credentials: { current: SyncCredentials | undefined };
  /** A user edit (what `CatalogStore.mutate` does for the SQLite replica). */
  edit(target: RowTarget, patch: FieldPatch): SyncOp;
  /** Fields reads show for a row (`undefined` when the replica holds no copy). */
  shown(target: RowTarget): Record<string, unknown> | undefined;
}

export class World {
  readonly server = new MemoryServer();
  readonly clock = new ManualClock();
  private count = 0;

  /** A replica of a user (created with org-wide write access unless `grant: false`). */
  replica(name: string, options: { user?: string; grant?: boolean; engine?: Partial<SyncEngineOptions> } = {}): TestReplica {
    const index = ++this.count;
    const user = options.user ?? `user-${name}`;
    const token = `token-${user}`;
    this.server.addUser(token, user);
    if (options.grant !== false && this.server.accessOf(user, ORG) === undefined) this.server.grant(user, ORG, { orgWide: true });
    const prefix = `${index.toString(16).padStart(8, '0')}-0000-4000-8000`;
    const { store, tables } = memoryReplica(prefix, () => new Date(this.clock.now()));
    const transport = new MemoryTransport(this.server);
    const credentials: { current: SyncCredentials | undefined } = { current: { url: 'memory://server', apiKey: 'anon', accessToken: token, label: user } };
    const provider: CredentialsProvider = { getCredentials: async () => credentials.current };
    const engine = new SyncEngine({ orgId: ORG, store, transport, credentials: provider, clock: this.clock, random: () => 1, pageSize: 50, ...options.engine });
    return {
      name,
      store,
      tables,
      transport,
      engine,
      credentials,
      edit: (target, patch) => store.appendEdit(target, { action: 'patch', patch }),
      shown: (target) => {
        const row = tables.allRows().find((r) => r.target.kind === target.kind && r.target.id === target.id);
        if (row === undefined) return undefined;
        return row.view ?? (row.deleted !== undefined ? {} : row.fields);
      },
    };
  }
}

/** An entity metadata row target. */
export function entity(id: string): RowTarget {
  return { kind: 'entity', id };
}
