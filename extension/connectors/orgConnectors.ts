import type { z } from 'zod';
import type { TestResult, ConnectorErrorReason } from '../../core/connectors/connector';
import { CONNECTORS_FUNCTION, CONNECTORS_RESPONSES, type ConnectorsAction, type ConnectorsRequest, type ConnectorSummary, type RunSummary } from '../../core/connectors/orgProtocol';
import type { SyncCredentials } from '../../sync/ports';

/**
 * The organization's connectors, through the `connectors` edge function (`orgProtocol.ts`) under
 * the signed-in user's session. The server checks every permission and keeps secrets encrypted:
 * they are sent on save or test and never come back (lists show a masked form). Errors carry the
 * server's `{ code, message }`, which the UI shows as they are.
 */

/** A failed call: the server's code (`forbidden`, `conflict`, …) or `offline`. */
export class OrgConnectorsError extends Error {
  override readonly name = 'OrgConnectorsError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

type Body<A extends ConnectorsAction> = Omit<Extract<ConnectorsRequest, { action: A }>, 'orgId' | 'action'>;
type Answer<A extends ConnectorsAction> = z.infer<(typeof CONNECTORS_RESPONSES)[A]>;

export class OrgConnectors {
  constructor(
    private readonly orgId: string,
    private readonly credentials: () => Promise<SyncCredentials | undefined>,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async list(): Promise<ConnectorSummary[]> {
    return (await this.call('list', {})).connectors;
  }

  async save(body: Body<'save'>): Promise<ConnectorSummary> {
    return (await this.call('save', body)).connector;
  }

  async test(body: Body<'test'>): Promise<TestResult> {
    const answer = await this.call('test', body);
    return answer.ok ? { ok: true, detail: answer.detail } : { ok: false, reason: answer.reason as ConnectorErrorReason, message: answer.message };
  }

  async setStatus(connectorId: string, status: 'active' | 'paused'): Promise<ConnectorSummary> {
    return (await this.call('setStatus', { connectorId, status })).connector;
  }

  async delete(connectorId: string): Promise<void> {
    await this.call('delete', { connectorId });
  }

  async run(connectorId: string): Promise<RunSummary> {
    return (await this.call('run', { connectorId })).run;
  }

  async runs(connectorId: string, runId?: string): Promise<RunSummary[]> {
    return (await this.call('runs', { connectorId, ...(runId !== undefined ? { runId } : {}), limit: 5 })).runs;
  }

  private async call<A extends ConnectorsAction>(action: A, body: Body<A>): Promise<Answer<A>> {
    const credentials = await this.credentials();
    if (!credentials) throw new OrgConnectorsError('unauthenticated', 'Sign in to Mallard sync to manage the organization’s connectors.');
    let response: Response;
    try {
      response = await this.fetchImpl(`${credentials.url}/functions/v1/${CONNECTORS_FUNCTION}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', apikey: credentials.apiKey, authorization: `Bearer ${credentials.accessToken}` },
        body: JSON.stringify({ ...body, orgId: this.orgId, action }),
      });
    } catch (err) {
      throw new OrgConnectorsError('offline', `Cannot reach the connectors function: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new OrgConnectorsError('internal', `The connectors function answered ${response.status} with a body that is not JSON.`);
    }
    if (!response.ok) {
      const { code, message } = (json ?? {}) as { code?: unknown; message?: unknown };
      throw new OrgConnectorsError(typeof code === 'string' ? code : 'internal', typeof message === 'string' ? message : `The connectors function answered ${response.status}.`);
    }
    const parsed = CONNECTORS_RESPONSES[action].safeParse(json);
    if (!parsed.success) throw new OrgConnectorsError('internal', `The connectors function answered ${action} with an invalid body.`);
    return parsed.data as Answer<A>;
  }
}
