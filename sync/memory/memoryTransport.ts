import type { PullRequest, PullResponse } from '../../core/sync/pullMessages';
import type { PushRequest, PushRequestWire, PushResponse } from '../../core/sync/pushMessages';
import { PullResponse as PullResponseSchema } from '../../core/sync/pullMessages';
import { PushResponse as PushResponseSchema, encodePushRequest } from '../../core/sync/pushMessages';
import { SyncError } from '../../core/sync/errors';
import type { SyncCredentials, SyncTransport } from '../ports';
import { OfflineError } from '../ports';
import type { MemoryServer } from './memoryServer';

/**
 * `SyncTransport` to a `MemoryServer`, with the wire in between: requests and answers go through
 * JSON and the contract's schemas, non-2xx answers become `SyncError.fromResponse`, and faults can be
 * injected — the network down (nothing reaches the server), an answer lost after the server
 * committed (the client must retry and the server see duplicates), or answers delivered twice.
 */
export class MemoryTransport implements SyncTransport {
  /** Next calls fail with `OfflineError` before reaching the server. */
  offline = 0;
  /** Next calls reach the server, which commits, but the answer is lost (`OfflineError`). */
  loseAnswers = 0;
  /** Called before each request reaches the server (tests make edits "during" a pull with it). */
  beforeCall: ((fn: 'sync-push' | 'sync-pull') => void) | undefined;
  /** Every request sent (after JSON; a push in its compact wire form), for assertions. */
  readonly sent: { fn: 'sync-push' | 'sync-pull'; body: PushRequestWire | PullRequest }[] = [];

  constructor(private readonly server: MemoryServer) {}

  async push(request: PushRequest, credentials: SyncCredentials): Promise<PushResponse> {
    const body = await this.call('sync-push', encodePushRequest(request), credentials);
    return PushResponseSchema.parse(body);
  }

  async pull(request: PullRequest, credentials: SyncCredentials): Promise<PullResponse> {
    const body = await this.call('sync-pull', request, credentials);
    return PullResponseSchema.parse(body);
  }

  private async call(fn: 'sync-push' | 'sync-pull', request: PushRequestWire | PullRequest, credentials: SyncCredentials): Promise<unknown> {
    await Promise.resolve();
    if (this.offline > 0) {
      this.offline--;
      throw new OfflineError(`fetch failed: ${credentials.url} is unreachable`);
    }
    this.beforeCall?.(fn);
    const wire = JSON.parse(JSON.stringify(request)) as PushRequestWire | PullRequest;
    this.sent.push({ fn, body: wire });
    const answer = this.server.handle(fn, wire, credentials.accessToken);
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      throw new OfflineError('the connection dropped before the answer arrived');
    }
    const body: unknown = JSON.parse(JSON.stringify(answer.body));
    if (answer.status !== 200) throw SyncError.fromResponse(answer.status, body);
    return body;
  }
}
