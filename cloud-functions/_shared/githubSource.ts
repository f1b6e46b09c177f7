import { z } from 'zod';
import { ConnectorError } from '../../core/connectors/connector';
import type { TestResult } from '../../core/connectors/connector';

/**
 * GitHub's REST API as org extraction reads it: the repository (its default branch), the commit a
 * branch points at, and the repository archive (`GET /repos/{owner}/{repo}/tarball/{sha}`, which
 * redirects to codeload and serves a gzip'd tar). `apiUrl` points at GitHub Enterprise Server
 * (`https://ghe.example.com/api/v3`) or a test's stand-in. Failures are typed `ConnectorError`s;
 * the token never appears in a message.
 */

const NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * The part of a GitHub connector's config org extraction needs (other keys are kept and ignored):
 * the GitHub connector's `owner` + `repo` (`core/connectors/github.ts`), or `repository: owner/name`.
 */
const RawGitHubConfig = z.looseObject({
  owner: z.string().trim().regex(NAME).optional(),
  repo: z.string().trim().optional(),
  repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'a repository is owner/name').optional(),
  /** Branch, tag or sha; the repository's default branch when absent or empty. */
  branch: z.string().trim().optional(),
  /** Only files under this folder are extracted (a dbt project in a monorepo). */
  path: z.string().optional(),
  apiUrl: z.url().optional(),
});

/** What org extraction reads of a GitHub connector's config. */
export interface GitHubConfig {
  /** `owner/name`. */
  repository: string;
  branch?: string;
  path?: string;
  apiUrl?: string;
}

/** The config, or why it does not name one repository. */
function readConfig(config: unknown): GitHubConfig {
  const c = RawGitHubConfig.safeParse(config);
  if (!c.success) throw new ConnectorError('bad-config', `The GitHub connector's settings are invalid: ${c.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  const { owner, repo, repository, branch, path, apiUrl } = c.data;
  const full = repository ?? (owner !== undefined && repo !== undefined && NAME.test(repo) ? `${owner}/${repo}` : undefined);
  if (full === undefined) {
    throw new ConnectorError('bad-config', owner !== undefined ? `Org extraction reads one repository at a time: name a repository of ${owner}.` : 'The GitHub connector needs an owner and a repository.');
  }
  return { repository: full, ...(branch ? { branch } : {}), ...(path ? { path } : {}), ...(apiUrl ? { apiUrl } : {}) };
}

/** Secrets: a token (fine-grained or classic, contents:read); public repositories need none. */
export const GitHubSecrets = z.looseObject({ token: z.string().optional() });

/** Validated config and secrets, or a `bad-config` error. */
export function githubInput(config: unknown, secrets: unknown): { config: GitHubConfig; token: string | undefined } {
  const s = GitHubSecrets.safeParse(secrets ?? {});
  const token = s.success && s.data.token !== undefined && s.data.token !== '' ? s.data.token : undefined;
  return { config: readConfig(config), token };
}

function apiBase(config: GitHubConfig): string {
  return (config.apiUrl ?? 'https://api.github.com').replace(/\/$/, '');
}

function headers(token: string | undefined): Record<string, string> {
  return {
    Accept: 'application/vnd.github+json',
    'X-GitHub-Api-Version': '2022-11-28',
    'User-Agent': 'mallard-org-extract',
    ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
  };
}

function failure(status: number, what: string, res: Response): ConnectorError {
  if (status === 401) return new ConnectorError('auth-failed', `GitHub refused the token (401) reading ${what}.`);
  if (status === 403 && res.headers.get('x-ratelimit-remaining') === '0') return new ConnectorError('rate-limited', `GitHub's rate limit is exhausted reading ${what}; retry later.`);
  if (status === 429) return new ConnectorError('rate-limited', `GitHub asked to slow down (429) reading ${what}.`);
  if (status === 403) return new ConnectorError('forbidden', `The token may not read ${what} (403).`);
  if (status === 404) return new ConnectorError('not-found', `GitHub has no ${what} (404), or the token cannot see it.`);
  return new ConnectorError('source-error', `GitHub answered ${status} reading ${what}.`);
}

async function get(url: string, token: string | undefined, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { headers: headers(token), redirect: 'follow' });
  } catch (err) {
    throw new ConnectorError('unreachable', `GitHub is unreachable (${(err as Error).name}) reading ${what}.`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw failure(res.status, what, res);
  }
  return res;
}

async function json(url: string, token: string | undefined, what: string): Promise<Record<string, unknown>> {
  const res = await get(url, token, what);
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (typeof body !== 'object' || body === null) throw new ConnectorError('source-error', `GitHub's answer for ${what} is not a JSON object.`);
  return body as Record<string, unknown>;
}

/** The commit the configured branch (or the default branch) points at. */
export async function resolveCommit(config: GitHubConfig, token: string | undefined): Promise<{ sha: string; ref: string }> {
  const repo = `${apiBase(config)}/repos/${config.repository}`;
  let ref = config.branch;
  if (ref === undefined) {
    const info = await json(repo, token, `repository ${config.repository}`);
    ref = typeof info.default_branch === 'string' ? info.default_branch : 'main';
  }
  const commit = await json(`${repo}/commits/${encodeURIComponent(ref)}`, token, `branch ${ref} of ${config.repository}`);
  if (typeof commit.sha !== 'string') throw new ConnectorError('source-error', `GitHub's commit answer for ${ref} has no sha.`);
  return { sha: commit.sha, ref };
}

/** The repository archive at `sha`, gunzipped (a tar). */
export async function downloadTarball(config: GitHubConfig, token: string | undefined, sha: string): Promise<Uint8Array> {
  const res = await get(`${apiBase(config)}/repos/${config.repository}/tarball/${sha}`, token, `the archive of ${config.repository}@${sha.slice(0, 12)}`);
  if (res.body === null) throw new ConnectorError('source-error', 'GitHub sent an empty archive.');
  try {
    return new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  } catch (err) {
    throw new ConnectorError('source-error', `The archive of ${config.repository} is not a gzip'd tar (${(err as Error).name}).`);
  }
}

/** "Test connection" for GitHub: the repository and the branch are readable with the token. */
export async function testGitHub(config: unknown, secrets: unknown): Promise<TestResult> {
  try {
    const input = githubInput(config, secrets);
    const { sha, ref } = await resolveCommit(input.config, input.token);
    return { ok: true, detail: `${input.config.repository}: ${ref} is at ${sha.slice(0, 12)}.` };
  } catch (err) {
    if (err instanceof ConnectorError) return { ok: false, reason: err.reason, message: err.message };
    throw err;
  }
}
