import { COMPLIANCE_FUNCTION, ComplianceEvent, EvaluateAnswer } from '../../core/governance/complianceProtocol';
import type { SyncCredentials } from '../../sync/ports';

/**
 * The organization's compliance events through the `compliance` edge function, under the signed-in
 * user's session: resolve or dismiss with a reason (the server records and audits it; `compliance.manage`
 * is checked there) and evaluate the org catalog on demand. Errors carry the server's code.
 */

/** A failed call: the server's code (`forbidden`, `bad-request`, …) or `offline` / `unauthenticated`. */
export class OrgComplianceError extends Error {
  override readonly name = 'OrgComplianceError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export class OrgCompliance {
  constructor(
    private readonly orgId: string,
    private readonly credentials: () => Promise<SyncCredentials | undefined>,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Records the resolution of a rule and target in the cloud; returns the event. */
  async resolve(body: { rule: string; entityKey: string; status: 'resolved' | 'dismissed'; reason: string; severity: 'error' | 'warning' | 'info'; message: string }): Promise<ComplianceEvent> {
    const json = await this.call({ action: 'resolve', ...body });
    const parsed = ComplianceEvent.safeParse((json as { event?: unknown }).event);
    if (!parsed.success) throw new OrgComplianceError('internal', 'The compliance function answered resolve with an invalid body.');
    return parsed.data;
  }

  /** Evaluates the org catalog now (admins). */
  async evaluate(): Promise<EvaluateAnswer> {
    const parsed = EvaluateAnswer.safeParse(await this.call({ action: 'evaluate' }));
    if (!parsed.success) throw new OrgComplianceError('internal', 'The compliance function answered evaluate with an invalid body.');
    return parsed.data;
  }

  private async call(body: Record<string, unknown>): Promise<unknown> {
    const credentials = await this.credentials();
    if (!credentials) throw new OrgComplianceError('unauthenticated', 'Sign in to Mallard sync to record compliance events in the organization.');
    let response: Response;
    try {
      response = await this.fetchImpl(`${credentials.url}/functions/v1/${COMPLIANCE_FUNCTION}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', apikey: credentials.apiKey, authorization: `Bearer ${credentials.accessToken}` },
        body: JSON.stringify({ orgId: this.orgId, ...body }),
      });
    } catch (err) {
      throw new OrgComplianceError('offline', `Cannot reach the compliance function: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new OrgComplianceError('internal', `The compliance function answered ${response.status} with a body that is not JSON.`);
    }
    if (!response.ok) {
      const { code, message } = (json ?? {}) as { code?: unknown; message?: unknown };
      throw new OrgComplianceError(typeof code === 'string' ? code : 'internal', typeof message === 'string' ? message : `The compliance function answered ${response.status}.`);
    }
    return json;
  }
}
