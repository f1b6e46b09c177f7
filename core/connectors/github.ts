import { z } from 'zod';
import type { Facts } from '../model/entities';
import { extractWorkspace } from '../pipeline/extractWorkspace';
import type { ConnectorDefinition, ConnectorInput, ConnectorPorts, DiscoveredItem, ExtractResult, TestResult } from './connector';
import { ConnectorError } from './connector';
import { addArchive, archiveFileSource, type ArchiveFiles } from './githubArchive';
import { gitHubApi, type GitHubApi } from './githubApi';
import { patternFilter, patternList } from './patterns';

/**
 * The GitHub connector: a repository (or every repository of an organization or user) at a branch,
 * downloaded as GitHub's tarball through the REST API and extracted by the same extractors as a
 * local workspace (`extractWorkspace` over an in-memory `FileSource`), so the catalog of a
 * repository on GitHub equals the catalog of its checkout. One repository is the workspace itself;
 * an organization's repositories are folders `<repo>/` of one workspace named after the owner.
 *
 * Incremental: the state is each repository's commit sha (`GET /repos/{o}/{r}/commits/{branch}`);
 * when every sha and the settings are unchanged, `extract` answers `unchanged` without downloading.
 */

/** Non-secret settings. Path patterns are globs on repository-relative paths (`models/**`, `*.sql`). */
export const GitHubConfig = z.object({
  /** User or organization. */
  owner: z.string().trim().regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]*)$/, 'a GitHub user or organization name'),
  /** One repository; every repository of `owner` when empty. */
  repo: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]*$/, 'a repository name without the owner')
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  /** The branch (or tag) to read; each repository's default branch when empty. */
  branch: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  includePaths: patternList,
  excludePaths: patternList,
  /** REST API root; GitHub Enterprise Server is `https://<host>/api/v3`. */
  apiUrl: z.string().url().default('https://api.github.com'),
});
export type GitHubConfig = z.infer<typeof GitHubConfig>;

/** A token (fine-grained or classic) with read access to contents; empty for public repositories. */
export const GitHubSecrets = z.object({ token: z.string().trim().default('') });
export type GitHubSecrets = z.infer<typeof GitHubSecrets>;

type Input = ConnectorInput<GitHubConfig, GitHubSecrets>;

const GitHubState = z.object({ settings: z.string(), commits: z.record(z.string(), z.string()) });

const RepoInfo = z.object({ name: z.string(), full_name: z.string(), default_branch: z.string(), private: z.boolean().optional(), archived: z.boolean().optional() });
type RepoInfo = z.infer<typeof RepoInfo>;

const enc = encodeURIComponent;

function api(input: Input, ports: ConnectorPorts): GitHubApi {
  return gitHubApi(ports, input.config.apiUrl, input.secrets.token);
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new ConnectorError('source-error', `GitHub answered ${what} with an unexpected document (${r.error.issues[0]?.message ?? 'invalid'}).`);
  return r.data;
}

/** The repositories to read: the configured one, or every non-archived repository of the owner. */
async function repositories(client: GitHubApi, config: GitHubConfig): Promise<RepoInfo[]> {
  if (config.repo !== undefined) {
    const what = `repository ${config.owner}/${config.repo}`;
    return [parse(RepoInfo, (await client.json(`/repos/${enc(config.owner)}/${enc(config.repo)}`, what)).body, what)];
  }
  const list = async (kind: 'orgs' | 'users'): Promise<RepoInfo[]> => {
    const out: RepoInfo[] = [];
    for (let page = 1; ; page++) {
      const what = `the repositories of ${config.owner}`;
      const { body } = await client.json(`/${kind}/${enc(config.owner)}/repos?per_page=100&page=${page}`, what);
      const repos = parse(z.array(RepoInfo), body, what);
      out.push(...repos.filter((r) => r.archived !== true));
      if (repos.length < 100) return out;
    }
  };
  try {
    return await list('orgs');
  } catch (err) {
    // A user account is not an organization: GitHub answers 404 on /orgs/{user}.
    if (err instanceof ConnectorError && err.reason === 'not-found') return await list('users');
    throw err;
  }
}

/** The commit sha `ref` points at. */
async function commitSha(client: GitHubApi, repo: RepoInfo, ref: string): Promise<string> {
  const what = `branch ${ref} of ${repo.full_name}`;
  const { body } = await client.json(`/repos/${repo.full_name.split('/').map(enc).join('/')}/commits/${enc(ref)}`, what);
  return parse(z.object({ sha: z.string().min(7) }), body, what).sha;
}

async function test(input: Input, ports: ConnectorPorts): Promise<TestResult> {
  try {
    const client = api(input, ports);
    const repos = await repositories(client, input.config);
    const first = repos[0];
    if (input.config.repo !== undefined && first) {
      const sha = await commitSha(client, first, input.config.branch ?? first.default_branch);
      return { ok: true, detail: `${first.full_name} (${first.private ? 'private' : 'public'}), ${input.config.branch ?? first.default_branch} at ${sha.slice(0, 7)}.` };
    }
    return { ok: true, detail: `${input.config.owner}: ${repos.length} repositories.` };
  } catch (err) {
    if (err instanceof ConnectorError) return { ok: false, reason: err.reason, message: err.message };
    throw err;
  }
}

async function discover(input: Input, ports: ConnectorPorts): Promise<DiscoveredItem[]> {
  const client = api(input, ports);
  const repos = await repositories(client, input.config);
  const items: DiscoveredItem[] = repos.map((r) => ({ kind: 'repository', name: r.full_name, detail: `default branch ${r.default_branch}` }));
  const [only] = repos;
  if (input.config.repo !== undefined && only) {
    const what = `the branches of ${only.full_name}`;
    const { body } = await client.json(`/repos/${only.full_name.split('/').map(enc).join('/')}/branches?per_page=100`, what);
    for (const b of parse(z.array(z.object({ name: z.string() })), body, what)) items.push({ kind: 'branch', name: b.name });
  }
  return items;
}

async function extract(input: Input, ports: ConnectorPorts): Promise<ExtractResult> {
  const { config } = input;
  const client = api(input, ports);
  const single = config.repo !== undefined;
  ports.progress?.('Listing repositories');
  const repos = await repositories(client, config);
  const commits: Record<string, string> = {};
  const skipped: string[] = [];
  for (const repo of repos) {
    const ref = config.branch ?? repo.default_branch;
    try {
      commits[repo.full_name] = await commitSha(client, repo, ref);
    } catch (err) {
      // In an organization, a repository without the configured branch (or an empty one) is skipped, not fatal.
      if (single || !(err instanceof ConnectorError) || (err.reason !== 'not-found' && err.reason !== 'source-error')) throw err;
      skipped.push(`${repo.full_name}: ${err.message}`);
    }
  }
  const settings = JSON.stringify([config.apiUrl, config.owner, config.repo ?? null, config.branch ?? null, config.includePaths, config.excludePaths]);
  const state = { settings, commits };
  const previous = GitHubState.safeParse(input.state);
  if (previous.success && previous.data.settings === settings && sameCommits(previous.data.commits, commits)) {
    return { facts: emptyResultFacts(), state, stats: {}, unchanged: true };
  }
  const keep = patternFilter(config.includePaths, config.excludePaths);
  const files: ArchiveFiles = new Map();
  const names = Object.keys(commits);
  for (const [index, fullName] of names.entries()) {
    ports.progress?.(`Downloading ${fullName}`, index, names.length);
    const repo = repos.find((r) => r.full_name === fullName);
    const sha = commits[fullName];
    if (!repo || sha === undefined) continue;
    const gz = await client.bytes(`/repos/${fullName.split('/').map(enc).join('/')}/tarball/${enc(sha)}`, `the archive of ${fullName} at ${sha.slice(0, 7)}`);
    await addArchive(files, gz, single ? '' : `${repo.name}/`, keep, `The archive of ${fullName}`);
  }
  if (ports.signal?.aborted) throw new ConnectorError('cancelled', 'The GitHub extraction was cancelled.');
  ports.progress?.(`Extracting ${files.size} files`, names.length, names.length);
  const { source, diagnostics } = archiveFileSource(files);
  const workspaceName = single ? (repos[0]?.name ?? config.owner) : config.owner;
  const { facts } = extractWorkspace(source, { workspaceName, shouldStop: () => ports.signal?.aborted === true });
  facts.diagnostics.push(...diagnostics());
  for (const message of skipped) facts.diagnostics.push({ file: '', line: 0, column: 0, severity: 'warning', code: 'repository-skipped', message, extractor: 'github' });
  const stats = { repositories: names.length, files: files.size, entities: facts.entities.length, columns: facts.columns.length, modelEdges: facts.modelEdges.length, columnEdges: facts.columnEdges.length };
  return { facts, state, stats };
}

function sameCommits(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function emptyResultFacts(): Facts {
  return { entities: [], columns: [], modelEdges: [], columnEdges: [], unresolved: [], diagnostics: [] };
}

/** The GitHub connector definition (registered in `registry.ts`). */
export const githubConnector: ConnectorDefinition<GitHubConfig, GitHubSecrets> = {
  type: 'github',
  label: 'GitHub',
  description: 'dbt projects and SQL files from a GitHub repository, or from every repository of an organization.',
  config: GitHubConfig,
  secrets: GitHubSecrets,
  fields: [
    { key: 'owner', label: 'Owner', prompt: 'The user or organization that owns the repositories.', placeholder: 'acme', secret: false, optional: false },
    { key: 'repo', label: 'Repository', prompt: 'The repository name; leave empty to catalog every repository of the owner.', placeholder: 'analytics', secret: false, optional: true },
    { key: 'branch', label: 'Branch', prompt: "The branch or tag to read; each repository's default branch when empty.", placeholder: 'main', secret: false, optional: true },
    { key: 'includePaths', label: 'Include paths', prompt: 'Path patterns to read, comma-separated (* within a folder, ** across folders); everything when empty.', placeholder: 'dbt/**, sql/**', secret: false, optional: true },
    { key: 'excludePaths', label: 'Exclude paths', prompt: 'Path patterns to skip, comma-separated.', placeholder: 'legacy/**', secret: false, optional: true },
    { key: 'token', label: 'Token', prompt: 'A GitHub token with read access to the repository contents (Settings → Developer settings → Personal access tokens); empty for public repositories.', secret: true, optional: true },
    { key: 'apiUrl', label: 'API URL', prompt: 'The REST API root; change it only for GitHub Enterprise Server (https://HOST/api/v3).', placeholder: 'https://api.github.com', secret: false, optional: true },
  ],
  incremental: true,
  test,
  discover,
  extract,
};
