import { createClient } from '@supabase/supabase-js';
import type { SupabaseClient } from '@supabase/supabase-js';
import { COMPACT_CLOCKS_SINCE, SYNC_SCHEMA_VERSION } from '../../core/sync/limits';
import type { Cursor } from '../../core/sync/cursor';
import type { FieldPatch, SyncOp } from '../../core/sync/ops';
import { PullResponse } from '../../core/sync/pullMessages';
import type { Scope } from '../../core/sync/pullMessages';
import { encodePushRequest } from '../../core/sync/pushMessages';
import type { PushResponse } from '../../core/sync/pushMessages';
import type { VersionVector } from '../../core/sync/versionVector';
import { incrementVector } from '../../core/sync/versionVector';

/**
 * A minimal replica for server tests: numbers its ops, keeps each row's vector as the contract's
 * client rule says (the pulled vector, keeping its own entry if higher), and talks to the edge
 * functions through supabase-js `functions.invoke`, unchanged. It is not the engine (`sync/`): it
 * only lets a test say "this replica edits that field having seen this". It speaks the wire as the
 * engine's transports do — pushes in the compact form, pages decoded by the contract's schema — or,
 * with `schemaVersion = 1`, as a client from before compact clocks.
 */

/** The answer of a sync call: 2xx data, or the HTTP status with the error envelope. */
export type Answer<T> = { ok: true; status: number; data: T } | { ok: false; status: number; body: { code?: string; message?: string } & Record<string, unknown> };

/** Calls function `name` through supabase-js as the holder of `token`. */
export async function invoke<T>(client: SupabaseClient, name: string, body: unknown): Promise<Answer<T>> {
  const { data, error } = await client.functions.invoke(name, { body: body as Record<string, unknown> });
  if (error === null) return { ok: true, status: 200, data: data as T };
  const response = (error as { context?: unknown }).context;
  if (response instanceof Response) {
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { text };
    }
    return { ok: false, status: response.status, body: parsed };
  }
  throw error;
}

/** A supabase-js client using an externally minted token (or API token). */
export function clientFor(url: string, anonKey: string, token: () => Promise<string> | string): SupabaseClient {
  return createClient(url, anonKey, { accessToken: async () => await token(), auth: { persistSession: false, autoRefreshToken: false } });
}

/** One test replica of one organization. */
export class TestReplica {
  readonly replicaId = crypto.randomUUID();
  private nextOp = 1;
  readonly vectors = new Map<string, VersionVector>();
  readonly rows = new Map<string, PullResponse['rows'][number]>();
  cursor: Cursor | null = null;
  scopes: Scope[] = [];
  /** The wire version this replica speaks; below `COMPACT_CLOCKS_SINCE` it sends and expects full vectors. */
  schemaVersion = SYNC_SCHEMA_VERSION;
  /** The last page as it came over the wire (before decoding), for tests of the encoding. */
  lastRawPage: unknown;

  constructor(
    readonly client: SupabaseClient,
    readonly orgId: string,
  ) {}

  private key(kind: string, id: string): string {
    return `${kind}\u001f${id}`;
  }

  /** The row's vector as this replica saw it. */
  vectorOf(kind: string, id: string): VersionVector {
    return this.vectors.get(this.key(kind, id)) ?? {};
  }

  /** A patch op on the row, based on what this replica saw; advances its local vector. */
  patch(kind: string, id: string, patch: FieldPatch, extra: Partial<SyncOp> = {}): SyncOp {
    return this.op({ action: 'patch', patch, kind, id, extra });
  }

  /** A delete op on the row. */
  delete(kind: string, id: string): SyncOp {
    return this.op({ action: 'delete', kind, id, extra: {} });
  }

  private op(o: { action: 'patch' | 'delete'; patch?: FieldPatch; kind: string; id: string; extra: Partial<SyncOp> }): SyncOp {
    const key = this.key(o.kind, o.id);
    const vector = this.vectors.get(key) ?? {};
    this.vectors.set(key, incrementVector(vector, this.replicaId));
    const common = { schemaVersion: this.schemaVersion, replicaId: this.replicaId, opNumber: this.nextOp++, target: { kind: o.kind, id: o.id }, vector, createdAt: new Date().toISOString() };
    return (o.action === 'patch' ? { ...common, action: 'patch', patch: o.patch ?? {}, ...o.extra } : { ...common, action: 'delete', ...o.extra }) as SyncOp;
  }

  /** Pushes ops (in order). */
  async push(ops: SyncOp[]): Promise<Answer<PushResponse>> {
    const request = { schemaVersion: this.schemaVersion, orgId: this.orgId, replicaId: this.replicaId, ops };
    return await invoke<PushResponse>(this.client, 'sync-push', this.schemaVersion >= COMPACT_CLOCKS_SINCE ? encodePushRequest(request) : request);
  }

  /** Pulls one page after the stored cursor and applies it (rows, tombstones, cursor, scopes). */
  async pullPage(limit?: number): Promise<Answer<PullResponse>> {
    const body: Record<string, unknown> = { schemaVersion: this.schemaVersion, orgId: this.orgId, replicaId: this.replicaId, cursor: this.cursor, scopes: this.scopes };
    if (limit !== undefined) body.limit = limit;
    const raw = await invoke<unknown>(this.client, 'sync-pull', body);
    if (!raw.ok) return raw;
    this.lastRawPage = raw.data;
    const decoded = PullResponse.safeParse(raw.data);
    if (!decoded.success) throw new Error(`sync-pull answered a page the contract cannot read: ${decoded.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const page = decoded.data;
    const answer: Answer<PullResponse> = { ok: true, status: raw.status, data: page };
    for (const row of page.rows) {
      const key = this.key(row.target.kind, row.target.id);
      this.rows.set(key, row);
      const own = this.vectorOf(row.target.kind, row.target.id)[this.replicaId] ?? 0;
      const theirs = row.vector[this.replicaId] ?? 0;
      this.vectors.set(key, own > theirs ? { ...row.vector, [this.replicaId]: own } : row.vector);
    }
    for (const t of page.tombstones) {
      const key = this.key(t.target.kind, t.target.id);
      this.rows.delete(key);
      this.vectors.set(key, t.vector);
    }
    const removed = new Set(page.scopes.removed.map((s) => `${s.orgId}/${s.teamId}`));
    this.scopes = [...this.scopes.filter((s) => !removed.has(`${s.orgId}/${s.teamId}`)), ...page.scopes.added];
    if (page.scopes.removed.length > 0 && this.scopes.length === 0) this.rows.clear();
    this.cursor = page.cursor;
    return answer;
  }

  /** Pulls until `hasMore` is false; returns the pages. */
  async pullAll(limit?: number): Promise<PullResponse[]> {
    const pages: PullResponse[] = [];
    for (let i = 0; i < 10_000; i++) {
      const answer = await this.pullPage(limit);
      if (!answer.ok) throw new Error(`pull failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      pages.push(answer.data);
      if (!answer.data.hasMore) return pages;
    }
    throw new Error('pullAll did not finish');
  }
}
