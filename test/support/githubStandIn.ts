import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * A local stand-in for GitHub's REST API and codeload, for the GitHub connector's tests. It serves
 * REAL repository archives: a folder is committed to a git repository and archived with `git
 * archive --format=tar.gz --prefix=<owner>-<repo>-<sha7>/`, which is how GitHub builds its tarballs
 * (with the pax global header holding the commit sha). The API answers in GitHub's shape (JSON
 * bodies, `x-ratelimit-*` headers, `Bad credentials` / `Not Found` messages), and the tarball
 * endpoint redirects (302) to a second server standing in for codeload.github.com, a different
 * origin, as GitHub does.
 */

/** One repository served by the stand-in. */
export interface StandInRepo {
  owner: string;
  name: string;
  branch: string;
  sha: string;
  /** The `.tar.gz` bytes `git archive` produced. */
  archive: Buffer;
}

/** Commits `dir` (copied) to a fresh git repository under `work` and archives it as GitHub would. */
export function makeRepo(work: string, owner: string, name: string, dir: string): StandInRepo {
  const root = path.join(work, `${owner}-${name}-src`);
  mkdirSync(root, { recursive: true });
  cpSync(dir, root, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
  git('init', '-q', '-b', 'main');
  // Commit every file, whatever the corpus' own .gitignore says, so the archive is the folder.
  git('add', '-A', '-f', '.');
  git('commit', '-q', '-m', 'corpus');
  const sha = git('rev-parse', 'HEAD').trim();
  const file = path.join(work, `${owner}-${name}.tar.gz`);
  git('archive', '--format=tar.gz', `--prefix=${owner}-${name}-${sha.slice(0, 7)}/`, '-o', file, 'HEAD');
  return { owner, name, branch: 'main', sha, archive: readFileSync(file) };
}

/** What the stand-in saw, for assertions on requests (incremental runs download nothing). */
export interface StandIn {
  apiUrl: string;
  requests: string[];
  close(): Promise<void>;
}

const GOOD_TOKEN = 'ghp_standin_good';
/** Tokens that make the stand-in answer as GitHub does when a limit is hit. */
export const TOKENS = { good: GOOD_TOKEN, bad: 'ghp_revoked', primaryLimit: 'ghp_rate_limited', secondaryLimit: 'ghp_secondary_limited' } as const;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** Starts the API and codeload stand-ins serving `repos`. */
export async function startGitHubStandIn(repos: readonly StandInRepo[]): Promise<StandIn> {
  const requests: string[] = [];
  const codeload = createServer((req, res) => {
    requests.push(`codeload ${req.url ?? ''}`);
    const m = /^\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/(.+)$/.exec(req.url ?? '');
    const repo = m ? repos.find((r) => r.owner === m[1] && r.name === m[2] && r.sha === m[3]) : undefined;
    if (!repo) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
    res.writeHead(200, { 'content-type': 'application/x-gzip', 'content-disposition': `attachment; filename=${repo.owner}-${repo.name}-${repo.sha.slice(0, 7)}.tar.gz`, 'content-length': String(repo.archive.length) });
    res.end(repo.archive);
  });
  const codeloadUrl = await listen(codeload);
  const api = createServer((req, res) => handleApi(req, res, repos, codeloadUrl, requests));
  const apiUrl = await listen(api);
  const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));
  return { apiUrl, requests, close: async () => void (await Promise.all([close(api), close(codeload)])) };
}

function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}, remaining = 4999): void {
  const reset = String(Math.floor(Date.now() / 1000) + 3600);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-api-version-selected': '2022-11-28', 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': reset, 'x-ratelimit-resource': 'core', 'x-github-request-id': 'F00D:1:2:3', ...extra });
  res.end(JSON.stringify(body));
}

function handleApi(req: IncomingMessage, res: ServerResponse, repos: readonly StandInRepo[], codeloadUrl: string, requests: string[]): void {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  requests.push(`api ${url.pathname}${url.search}`);
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const token = auth.replace(/^(Bearer|token) /, '');
    if (token === TOKENS.primaryLimit) return send(res, 403, { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' }, {}, 0);
    if (token === TOKENS.secondaryLimit) return send(res, 429, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '60' });
    if (token !== GOOD_TOKEN) return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
  }
  const notFound = () => send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  const repoJson = (r: StandInRepo) => ({ id: 1, node_id: 'R_1', name: r.name, full_name: `${r.owner}/${r.name}`, private: false, owner: { login: r.owner, type: 'Organization' }, default_branch: r.branch, archived: false });
  let m = /^\/orgs\/([^/]+)\/repos$/.exec(url.pathname);
  if (m) {
    const mine = repos.filter((r) => r.owner === m?.[1]);
    if (mine.length === 0) return notFound();
    const page = Number(url.searchParams.get('page') ?? '1');
    return send(res, 200, page === 1 ? mine.map(repoJson) : []);
  }
  m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
  const repo = m ? repos.find((r) => r.owner === m?.[1] && r.name === m?.[2]) : undefined;
  if (!m || !repo) return notFound();
  const rest = m[3] ?? '';
  if (rest === '') return send(res, 200, repoJson(repo));
  if (rest === '/branches') return send(res, 200, [{ name: repo.branch, commit: { sha: repo.sha }, protected: false }]);
  const commit = /^\/commits\/(.+)$/.exec(rest);
  if (commit) {
    const ref = decodeURIComponent(commit[1] ?? '');
    if (ref !== repo.branch && ref !== repo.sha) return send(res, 422, { message: `No commit found for SHA: ${ref}`, status: '422' });
    return send(res, 200, { sha: repo.sha, commit: { message: 'corpus' }, parents: [] });
  }
  const tarball = /^\/tarball\/(.+)$/.exec(rest);
  if (tarball) {
    const ref = decodeURIComponent(tarball[1] ?? '');
    if (ref !== repo.branch && ref !== repo.sha) return notFound();
    res.writeHead(302, { location: `${codeloadUrl}/${repo.owner}/${repo.name}/legacy.tar.gz/${repo.sha}`, 'content-length': '0' });
    return void res.end();
  }
  notFound();
}
