import { z } from 'zod';
import { ConnectorError } from '../../core/connectors/connector';
import { patternFilter, patternList } from '../../core/connectors/patterns';
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
  /** The GitHub connector's path globs (`models/**`, `*.sql`). */
  includePaths: patternList,
  excludePaths: patternList,
  apiUrl: z.url().optional(),
});

/** What org extraction reads of a GitHub connector's config. */
export interface GitHubConfig {
  /** `owner/name`. */
  repository: string;
  branch?: string;
  path?: string;
  apiUrl?: string;
  /** Keeps a repository-relative path (the include/exclude globs). */
  keep: (path: string) => boolean;
}

/** True when the config names one repository (an owner without `repo` means all of its repositories). */
export function namesOneRepository(config: unknown): boolean {
  const c = RawGitHubConfig.safeParse(config);
  return c.success && (c.data.repository !== undefined || (c.data.repo !== undefined && c.data.repo !== ''));
}

/** The config, or why it does not name one repository. */
function readConfig(config: unknown): GitHubConfig {
  const c = RawGitHubConfig.safeParse(config);
  if (!c.success) throw new ConnectorError('bad-config', `The GitHub connector's settings are invalid: ${c.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  const { owner, repo, repository, branch, path, apiUrl, includePaths, excludePaths } = c.data;
  const full = repository ?? (owner !== undefined && repo !== undefined && NAME.test(repo) ? `${owner}/${repo}` : undefined);
  if (full === undefined) {
    throw new ConnectorError('bad-config', owner !== undefined ? `Org extraction reads one repository at a time: name a repository of ${owner}.` : 'The GitHub connector needs an owner and a repository.');
  }
  return { repository: full, ...(branch ? { branch } : {}), ...(path ? { path } : {}), ...(apiUrl ? { apiUrl } : {}), keep: patternFilter(includePaths, excludePaths) };
}

/** Secrets: a token (fine-grained or classic, contents:read); public repositories need none. */
export const GitHubSecrets = z.looseObject({ token: z.string().optional() });

/** Validated config and secrets, or a `bad-config` error. */
export function githubInput(config: unknown, secrets: unknown): { config: GitHubConfig; token: string | undefined } {
  const s = GitHubSecrets.safeParse(secrets ?? {});
  const token = s.success && s.data.token !== undefined && s.data.token !== '' ? s.data.token : undefined;
  return { config: readConfig(config), token };
}

/** An owner-wide GitHub connector's config: every non-archived repository of `owner`. */
export interface GitHubOwnerConfig {
  owner: string;
  branch?: string;
  apiUrl?: string;
  keep: (path: string) => boolean;
}

/** Validated owner-wide config and the token, or a `bad-config` error. */
export function githubOwnerInput(config: unknown, secrets: unknown): { config: GitHubOwnerConfig; token: string | undefined } {
  const c = RawGitHubConfig.safeParse(config);
  if (!c.success || c.data.owner === undefined) throw new ConnectorError('bad-config', 'The GitHub connector needs an owner.');
  const { owner, branch, apiUrl, includePaths, excludePaths } = c.data;
  const s = GitHubSecrets.safeParse(secrets ?? {});
  const token = s.success && s.data.token !== undefined && s.data.token !== '' ? s.data.token : undefined;
  return { config: { owner, ...(branch ? { branch } : {}), ...(apiUrl ? { apiUrl } : {}), keep: patternFilter(includePaths, excludePaths) }, token };
}

/** One repository of an owner, as `GET /orgs/{owner}/repos` lists it. */
export interface OwnerRepository {
  name: string;
  fullName: string;
  defaultBranch: string;
}

/**
 * The non-archived repositories of `owner` (`GET /orgs/{owner}/repos`, or `/users/{owner}/repos`
 * for a user), 100 a page, in GitHub's order.
 */
export async function listRepositories(config: GitHubOwnerConfig, token: string | undefined): Promise<OwnerRepository[]> {
  const base = apiBase({ repository: '', keep: () => true, ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}) });
  const list = async (kind: 'orgs' | 'users'): Promise<OwnerRepository[]> => {
    const out: OwnerRepository[] = [];
    for (let page = 1; ; page++) {
      const res = await get(`${base}/${kind}/${encodeURIComponent(config.owner)}/repos?per_page=100&page=${page}`, token, `the repositories of ${config.owner}`);
      const body = (await res.json().catch(() => undefined)) as unknown;
      if (!Array.isArray(body)) throw new ConnectorError('source-error', `GitHub's list of the repositories of ${config.owner} is not a JSON array.`);
      for (const r of body as Record<string, unknown>[]) {
        if (r.archived === true || typeof r.name !== 'string' || typeof r.full_name !== 'string') continue;
        out.push({ name: r.name, fullName: r.full_name, defaultBranch: typeof r.default_branch === 'string' ? r.default_branch : 'main' });
      }
      if (body.length < 100) return out;
    }
  };
  try {
    return await list('orgs');
  } catch (err) {
    if (err instanceof ConnectorError && err.reason === 'not-found') return await list('users');
    throw err;
  }
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
