import type { SyncOp } from '../../../core/sync/ops';
import { PushRequest } from '../../../core/sync/pushMessages';

/**
 * Faults on the wire for the randomized convergence run: a `fetch` handed to the production
 * supabase-js transport (`createSupabaseTransport({ fetch })`) of one replica. The engine never
 * knows; it only sees what a real network would show it: no connection, an answer lost after the
 * server committed, a request delivered twice, a request held in the network and delivered after
 * newer ones (reordered), and a replica killed while its push is in flight. Every push body the
 * server receives and every push answer the client receives is recorded for the invariants.
 */

/** What can happen to one request. */
export type WireFault = 'offline' | 'lose' | 'duplicate' | 'delay' | 'kill';

/** Counts of faults injected, per kind. */
export type FaultCounts = Record<WireFault, number>;

/** A push answer as the client received it. */
export interface DeliveredPush {
  replicaId: string;
  lastApplied: number;
}

/** The run-wide wire log shared by every replica's fetch. */
export class WireLog {
  /** Every op the server received, by `replicaId/opNumber` (a resend carries the same op). */
  readonly ops = new Map<string, SyncOp>();
  /** Per replica id, the highest `lastApplied` of a push answer the client received. */
  readonly acked = new Map<string, number>();
  readonly faults: FaultCounts = { offline: 0, lose: 0, duplicate: 0, delay: 0, kill: 0 };
  requests = 0;

  recordRequest(body: string): void {
    const raw = JSON.parse(body) as { ops?: SyncOp[] };
    if (raw.ops === undefined) return;
    // Pushes travel compact (ops without their replica id, vectors against a dictionary): read them
    // as the server does, through the contract's schema.
    const decoded = PushRequest.safeParse(raw);
    for (const op of decoded.success ? decoded.data.ops : raw.ops) this.ops.set(`${op.replicaId}/${op.opNumber}`, op);
  }

  recordDelivered(requestBody: string, responseText: string): void {
    const request = JSON.parse(requestBody) as { replicaId?: string; ops?: unknown };
    if (request.ops === undefined || request.replicaId === undefined) return;
    let answer: { lastApplied?: number };
    try {
      answer = JSON.parse(responseText) as { lastApplied?: number };
    } catch {
      return;
    }
    if (typeof answer.lastApplied !== 'number') return;
    this.acked.set(request.replicaId, Math.max(this.acked.get(request.replicaId) ?? 0, answer.lastApplied));
  }
}

/** The per-replica switchboard the run drives. */
export interface FaultControl {
  /** The replica has no network at all (an offline period). */
  offline: boolean;
  /** Faults are drawn only while this is true (off during quiescence). */
  faultsOn: boolean;
  /** Draws a fault (or none) for the next request to `fn`. */
  draw(fn: string): WireFault | undefined;
  /** Set when a push was in flight as the replica was killed; the run reopens the replica. */
  killed: boolean;
}

/** Thrown the way undici throws when the connection fails, so supabase-js reports `FunctionsFetchError`. */
function networkError(what: string): TypeError {
  return new TypeError(`fetch failed (${what})`);
}

/**
 * A fetch for one replica. Requests held back (`delay`) are delivered, and their answers dropped,
 * after the replica's next request completes, or by `flush()`.
 */
export function faultyFetch(log: WireLog, control: FaultControl, real: typeof fetch = fetch): { fetch: typeof fetch; flush(): Promise<void> } {
  const held: { url: string; init: RequestInit; body: string }[] = [];
  const deliver = async (url: string, init: RequestInit, body: string): Promise<Response> => {
    log.requests += 1;
    log.recordRequest(body);
    return await real(url, { ...init, body });
  };
  const releaseHeld = async (): Promise<void> => {
    while (held.length > 0) {
      const next = held.shift()!;
      // The answer to a request the client gave up on goes nowhere.
      await (await deliver(next.url, next.init, next.body)).text().catch(() => undefined);
    }
  };
  const wrapped = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const fn = /\/functions\/v1\/([^/?]+)/.exec(url)?.[1] ?? '';
    const body = typeof init.body === 'string' ? init.body : '';
    if (control.offline) {
      log.faults.offline += 1;
      throw networkError('offline');
    }
    const fault = control.faultsOn ? control.draw(fn) : undefined;
    if (fault === 'offline') {
      log.faults.offline += 1;
      throw networkError('connection refused');
    }
    if (fault === 'delay') {
      log.faults.delay += 1;
      held.push({ url, init, body });
      throw networkError('timed out');
    }
    try {
      if (fault === 'lose' || (fault === 'kill' && fn === 'sync-push')) {
        log.faults[fault] += 1;
        await (await deliver(url, init, body)).text();
        if (fault === 'kill') control.killed = true;
        throw networkError(fault === 'kill' ? 'replica killed' : 'answer lost');
      }
      let response = await deliver(url, init, body);
      if (fault === 'duplicate') {
        log.faults.duplicate += 1;
        const first = response;
        const second = await deliver(url, init, body);
        // Either copy may be the one that reaches the client; the other is dropped.
        const [kept, dropped] = body.length % 2 === 0 ? [first, second] : [second, first];
        await dropped.text();
        response = kept;
      }
      const text = await response.text();
      if (response.ok) log.recordDelivered(body, text);
      return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
      await releaseHeld();
    }
  };
  return { fetch: wrapped as typeof fetch, flush: releaseHeld };
}
