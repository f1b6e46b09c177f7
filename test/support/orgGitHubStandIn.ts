import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A local stand-in for GitHub's REST API for org extraction tests, serving one real repository the way GitHub does: the
 * repository (`GET /repos/{owner}/{repo}`: `default_branch`), a branch's commit
 * (`GET /repos/{owner}/{repo}/commits/{ref}`: `sha`, `commit`, `parents` as GitHub answers), and the archive
 * (`GET /repos/{owner}/{repo}/tarball/{ref}` → 302 to a codeload URL serving `git archive
 * --format=tar.gz --prefix={owner}-{repo}-{sha7}/`, the same bytes GitHub's tarballs are: a pax
 * global header carrying the commit id, then the tree under the prefix). The tree is a folder
 * copied into a fresh git repository and committed. A bearer token is required when one is given;
 * faults can be armed per route (`failNext`). Every request is recorded.
 */
export interface OrgGitHubStandIn {
  /** The API base (`apiUrl` of the connector config). */
  apiUrl: string;
  owner: string;
  repo: string;
  sha: string;
  /** Request paths served so far. */
  requests: string[];
  /** The next `times` requests whose path contains `fragment` answer `status`. */
  failNext(fragment: string, status: number, times?: number): void;
  /** Replaces the tree with `folder` as a new commit. */
  commit(folder: string): void;
  /** The committed tree (a checkout): its folder and its files (`git ls-files`). */
  tree(): { root: string; files: string[] };
  stop(): Promise<void>;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1024 * 1024 * 1024 }).trim();
}

/** Serves `folder` as repository `owner/repo` on branch `main`. */
export async function startOrgGitHubStandIn(folder: string, options: { owner?: string; repo?: string; token?: string } = {}): Promise<OrgGitHubStandIn> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'analytics';
  const work = mkdtempSync(path.join(tmpdir(), 'mallard-gh-'));
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'config', 'user.email', 'standin@example.test');
  git(work, 'config', 'user.name', 'GitHub stand-in');
  let sha = '';
  const commit = (from: string): void => {
    for (const entry of git(work, 'ls-files').split('\n').filter(Boolean)) rmSync(path.join(work, entry), { force: true });
    cpSync(from, work, { recursive: true, filter: (src) => !src.split(path.sep).includes('.git') });
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '--allow-empty', '-m', `tree of ${path.basename(from)}`);
    sha = git(work, 'rev-parse', 'HEAD');
  };
  commit(folder);
  const faults: { fragment: string; status: number; times: number }[] = [];
  /** `GET /repos/{o}/{r}/commits/{ref}` as GitHub answers it (the fields a client reads, from the real commit). */
  const commitJson = (host: string): Record<string, unknown> => {
    const [tree, parents, name, email, date, message] = git(work, 'log', '-1', '--format=%T%x00%P%x00%an%x00%ae%x00%aI%x00%s', sha).split('\0');
    const person = { name, email, date };
    const api = `${host}/repos/${owner}/${repo}`;
    return {
      sha, node_id: `C_${sha.slice(0, 20)}`, url: `${api}/commits/${sha}`, html_url: `https://github.com/${owner}/${repo}/commit/${sha}`,
      commit: { author: person, committer: person, message, tree: { sha: tree, url: `${api}/git/trees/${tree}` }, comment_count: 0 },
      author: null, committer: null,
      parents: (parents ?? '').split(' ').filter(Boolean).map((p) => ({ sha: p, url: `${api}/commits/${p}` })),
      stats: { total: 0, additions: 0, deletions: 0 }, files: [],
    };
  };
  const requests: string[] = [];
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-media-type': 'github.v3; format=json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.pathname);
    const fault = faults.find((f) => url.pathname.includes(f.fragment) && f.times > 0);
    if (fault) {
      fault.times--;
      json(res, fault.status, { message: 'Server Error (stand-in fault)' });
      return;
    }
    if (!url.pathname.startsWith('/codeload/') && options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    const base = `/repos/${owner}/${repo}`;
    if (url.pathname === base) return json(res, 200, { id: 1, name: repo, full_name: `${owner}/${repo}`, owner: { login: owner }, default_branch: 'main', private: true, archived: false });
    if (url.pathname === `${base}/commits/main` || url.pathname === `${base}/commits/${sha}`) return json(res, 200, commitJson(`http://${req.headers.host}`));
    if (url.pathname === `${base}/tarball/${sha}` || url.pathname === `${base}/tarball/main`) {
      res.writeHead(302, { location: `http://${req.headers.host}/codeload/${owner}/${repo}/legacy.tar.gz/${sha}` });
      res.end();
      return;
    }
    if (url.pathname === `/codeload/${owner}/${repo}/legacy.tar.gz/${sha}`) {
      const bytes = execFileSync('git', ['archive', '--format=tar.gz', `--prefix=${owner}-${repo}-${sha.slice(0, 7)}/`, sha], { cwd: work, maxBuffer: 1024 * 1024 * 1024 });
      res.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': String(bytes.length), 'content-disposition': `attachment; filename=${owner}-${repo}-${sha.slice(0, 7)}.tar.gz` });
      res.end(bytes);
      return;
    }
    json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    owner,
    repo,
    get sha() {
      return sha;
    },
    requests,
    failNext: (fragment, status, times = 1) => {
      faults.push({ fragment, status, times });
    },
    commit,
    tree: () => ({ root: work, files: git(work, 'ls-files', '-z').split('\0').filter(Boolean) }),
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
