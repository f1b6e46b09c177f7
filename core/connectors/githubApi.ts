import type { ConnectorPorts, HttpFetch, HttpResponse } from './connector';
import { ConnectorError } from './connector';

/**
 * The few GitHub REST calls the GitHub connector makes, and how GitHub's answers map to
 * `ConnectorError` reasons: 401 → auth-failed; 403/429 with an exhausted `x-ratelimit-remaining`,
 * a `retry-after` or a "rate limit" message → rate-limited (with the reset time); another 403 →
 * forbidden; 404 → not-found (GitHub also answers 404 for a private repository the token cannot
 * see), and so is 422 "No commit found" (a missing branch); 5xx and malformed bodies →
 * source-error; a network failure → unreachable.
 */

/** A GitHub API client bound to a base URL and token. */
export interface GitHubApi {
  /** GET a JSON document (`path` starts with `/`). */
  json(path: string, what: string): Promise<{ body: unknown; response: HttpResponse }>;
  /** GET bytes (archives); redirects (to codeload) are followed by `fetch`. */
  bytes(path: string, what: string): Promise<Uint8Array>;
}

/** A client for `apiUrl` with `token` (empty: unauthenticated, public repositories only). */
export function gitHubApi(ports: ConnectorPorts, apiUrl: string, token: string): GitHubApi {
  const fetch: HttpFetch | undefined = ports.fetch;
  if (!fetch) throw new ConnectorError('bad-host', 'This host cannot make HTTP requests, which the GitHub connector needs.');
  const base = apiUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'mallard-catalog' };
  if (token !== '') headers.authorization = `Bearer ${token}`;
  const get = async (path: string, what: string): Promise<HttpResponse> => {
    if (ports.signal?.aborted) throw new ConnectorError('cancelled', 'The GitHub extraction was cancelled.');
    let response: HttpResponse;
    try {
      response = await fetch(`${base}${path}`, { method: 'GET', headers });
    } catch (err) {
      throw new ConnectorError('unreachable', `Could not reach GitHub at ${base}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!response.ok) throw await httpError(response, what, token !== '');
    return response;
  };
  return {
    async json(path, what) {
      const response = await get(path, what);
      const text = await response.text();
      try {
        return { body: JSON.parse(text) as unknown, response };
      } catch {
        throw new ConnectorError('source-error', `GitHub answered ${what} with a body that is not JSON.`);
      }
    },
    async bytes(path, what) {
      const response = await get(path, what);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

/** The `ConnectorError` for a non-2xx answer. */
export async function httpError(response: HttpResponse, what: string, authenticated: boolean): Promise<ConnectorError> {
  const body = await response.text().catch(() => '');
  let message = '';
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    message = body.slice(0, 200);
  }
  const quoted = message ? ` ("${message}")` : '';
  const { status, headers } = response;
  const remaining = headers.get('x-ratelimit-remaining');
  const retryAfter = headers.get('retry-after');
  if (status === 429 || (status === 403 && (remaining === '0' || retryAfter !== null || /rate limit/i.test(message)))) {
    const reset = Number(headers.get('x-ratelimit-reset'));
    const when = retryAfter !== null ? `in ${retryAfter} s` : Number.isFinite(reset) && reset > 0 ? `at ${new Date(reset * 1000).toISOString()}` : 'later';
    return new ConnectorError('rate-limited', `GitHub's API rate limit is exhausted for ${what}${quoted}; retry ${when}.`);
  }
  if (status === 401) return new ConnectorError('auth-failed', `GitHub refused the token for ${what}${quoted}; check that it is valid and not expired.`);
  if (status === 403) return new ConnectorError('forbidden', `GitHub does not allow ${what}${quoted}; the token lacks access.`);
  if (status === 404) {
    const hint = authenticated ? 'or the token cannot see it' : 'or it is private and no token was given';
    return new ConnectorError('not-found', `GitHub found nothing for ${what}${quoted}: it does not exist ${hint}.`);
  }
  // GitHub answers 422 "No commit found for SHA: x" for a branch, tag or sha that does not exist.
  if (status === 422 && /no commit found/i.test(message)) return new ConnectorError('not-found', `GitHub found no ${what}${quoted}.`);
  return new ConnectorError('source-error', `GitHub answered ${what} with HTTP ${status}${quoted}.`);
}
