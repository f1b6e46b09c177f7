import path from 'node:path';
import type { SyncOp } from '../../../core/sync/ops';
import type { VersionVector } from '../../../core/sync/versionVector';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { createSupabaseTransport } from '../../../extension/sync/supabaseTransport';
import { ManualClock } from '../../../sync/memory/manualClock';
import type { SyncCredentials } from '../../../sync/ports';
import type { SyncStatus } from '../../../sync/status';
import { SyncEngine } from '../../../sync/syncEngine';
import { column, entity, facts } from '../../integration/catalog/catalogFixtures';
import type { FaultControl, WireFault, WireLog } from './faultyFetch';
import { faultyFetch } from './faultyFetch';

/**
 * One replica of the convergence run: its own SQLite catalog file (a scanned project with the
 * entities and columns the run edits), the real `SyncEngine` on the file's `SyncStore`, and the
 * production supabase-js transport whose `fetch` injects the run's wire faults. `kill()` drops the
 * engine and the connection without any cleanup and reopens the file, as a crashed editor would.
 */

/** Entities every replica's project defines; each has one column. */
export const ENTITY_IDS = ['model.p.orders', 'model.p.customers', 'model.p.payments'] as const;
/** Every metadata row the run edits. */
export const TARGETS: readonly { kind: 'entity' | 'column'; id: string }[] = [
  ...ENTITY_IDS.map((id) => ({ kind: 'entity' as const, id })),
  ...ENTITY_IDS.map((id) => ({ kind: 'column' as const, id: `${id}#id` })),
];

/** A row of the local replica, as the invariants compare it. */
export interface LocalRow {
  kind: string;
  id: string;
  fields: Record<string, unknown>;
  vector: VersionVector;
  deleted: boolean;
  view: string | null;
}

/** One replica: its catalog file, its engine, the user's edits made on it, and its wire switchboard. */
export class ConvergeReplica {
  store: CatalogStore;
  engine: SyncEngine;
  readonly control: FaultControl;
  private flushHeld: () => Promise<void> = async () => undefined;
  /** Every op this replica's user made, as the catalog returned it. */
  readonly made: SyncOp[] = [];
  kills = 0;

  constructor(
    readonly name: string,
    readonly file: string,
    private readonly credentials: () => Promise<SyncCredentials>,
    private readonly log: WireLog,
    private readonly orgId: string,
    random: () => number,
    faultRate: number,
  ) {
    this.control = {
      offline: false,
      faultsOn: true,
      killed: false,
      draw: (fn) => drawFault(random, faultRate, fn),
    };
    this.store = CatalogStore.open(file);
    this.store.replaceAll(facts({ entities: ENTITY_IDS.map((id) => entity(id)), columns: ENTITY_IDS.map((id) => column(id, 'id', 0)) }));
    this.engine = this.newEngine();
  }

  private newEngine(): SyncEngine {
    const wire = faultyFetch(this.log, this.control);
    this.flushHeld = wire.flush;
    return new SyncEngine({
      orgId: this.orgId,
      store: this.store.syncStore(),
      transport: createSupabaseTransport({ fetch: wire.fetch }),
      credentials: { getCredentials: async () => await this.credentials() },
      clock: new ManualClock(),
      pageSize: 4,
      pushBatch: 3,
    });
  }

  /** One cycle; a replica killed during it is reopened afterwards. */
  async sync(): Promise<SyncStatus> {
    const status = await this.engine.syncNow();
    if (this.control.killed) this.kill();
    return status;
  }

  /** Drops the engine and the connection as a crash would, then reopens the file. */
  kill(): void {
    this.control.killed = false;
    this.kills += 1;
    this.store.close();
    this.store = CatalogStore.open(this.file);
    this.engine = this.newEngine();
  }

  /** Delivers requests still held in the network. */
  async flush(): Promise<void> {
    await this.flushHeld();
  }

  /** A docs edit (description, tags) through the catalog's one mutation API. */
  editDocs(target: { kind: 'entity' | 'column'; id: string }, patch: { description?: string; tags?: string[] }): void {
    const where = target.kind === 'entity' ? { entityId: target.id } : { columnId: target.id };
    this.made.push(this.store.mutate(where, patch));
  }

  /** An owners or classification edit through the replica's store (what the future editors call). */
  editField(target: { kind: 'entity' | 'column'; id: string }, patch: Record<string, string | string[]>): void {
    this.made.push(this.store.syncStore().appendEdit(target, { action: 'patch', patch }));
  }

  /** Deletes a row (a tombstone on the server; delete wins over concurrent edits, which become losers). */
  deleteRow(target: { kind: 'entity' | 'column'; id: string }): void {
    this.made.push(this.store.syncStore().appendEdit(target, { action: 'delete' }));
  }

  /** Resolves one open conflict, if any; returns whether it did. */
  resolveOne(pick: (n: number) => number, keepServer: boolean): boolean {
    const open = this.engine.conflicts().filter((c) => c.status === 'open');
    if (open.length === 0) return false;
    const conflict = open[pick(open.length)]!;
    const op = this.engine.resolveConflict(conflict.id, keepServer ? { keep: 'server' } : { value: conflict.incomingValue });
    if (op !== undefined) this.made.push(op);
    return op !== undefined;
  }

  /** Every synced row of the replica, straight from its SQLite file. */
  rows(): LocalRow[] {
    const raw = this.store.db.prepare('SELECT kind, id, fields, vector, deleted, view FROM sync_rows ORDER BY kind, id').all() as {
      kind: string; id: string; fields: string; vector: string; deleted: string | null; view: string | null;
    }[];
    return raw.map((r) => ({ kind: r.kind, id: r.id, fields: JSON.parse(r.fields) as Record<string, unknown>, vector: JSON.parse(r.vector) as VersionVector, deleted: r.deleted !== null, view: r.view }));
  }

  close(): void {
    this.store.close();
  }
}

/** `faultRate` of requests get a fault; the kind is drawn evenly (a kill only hits pushes). */
function drawFault(random: () => number, rate: number, fn: string): WireFault | undefined {
  if (random() >= rate) return undefined;
  const kinds: WireFault[] = fn === 'sync-push' ? ['offline', 'lose', 'duplicate', 'delay', 'kill'] : ['offline', 'lose', 'duplicate', 'delay'];
  return kinds[Math.floor(random() * kinds.length)];
}

/** The file of replica `name` in `dir`. */
export function replicaFile(dir: string, name: string): string {
  return path.join(dir, `${name}.db`);
}
