import { ConnectorError } from '../../core/connectors/connector';
import { isExtractableFile } from '../../core/connectors/repoFiles';
import type { ConnectorRecord } from '../_shared/connectorRecords';
import { openSecrets } from '../_shared/connectorRecords';
import { downloadTarball, githubOwnerInput, listRepositories, resolveCommit } from '../_shared/githubSource';
import type { GitHubConfig } from '../_shared/githubSource';
import type { ChunkOutput, RunState } from './phases';
import { sourceKey, stagedArchive } from './phases';

/**
 * `fetch` chunks of a GitHub connector naming an owner (every non-archived repository of it), one
 * repository per chunk instead of every archive in one chunk: the first chunk lists the
 * repositories and the commit each one's branch points at (a repository without that branch is
 * skipped, as the Node connector skips it); each following chunk downloads one repository's archive
 * and stages its files under `<repo>/`; after the last one the run goes on to the `parse` chunks of
 * one workspace named after the owner, as the GitHub connector extracts an owner. When every
 * repository is at the commit the last successful run extracted, nothing is downloaded.
 */

/** The owner part of the run's cursor. */
export interface OwnerRunState {
  repos: { name: string; fullName: string; branch: string; sha: string }[];
  /** The next repository to download. */
  next: number;
  /** Repositories left out, with why. */
  skipped: string[];
  /** Files staged so far. */
  files: number;
}

function repoConfig(owner: { apiUrl?: string; keep: (path: string) => boolean }, fullName: string, branch: string): GitHubConfig {
  return { repository: fullName, branch, keep: owner.keep, ...(owner.apiUrl ? { apiUrl: owner.apiUrl } : {}) };
}

/** A `fetch` chunk of an owner-wide run (see the file header). */
export async function ownerFetch(connector: ConnectorRecord, state: RunState, previous?: { key: string; rows: number }): Promise<ChunkOutput> {
  const { config, token } = githubOwnerInput(connector.config, await openSecrets(connector));
  const owner = state.owner;
  if (owner === undefined) {
    const repos: OwnerRunState['repos'] = [];
    const skipped: string[] = [];
    for (const repo of await listRepositories(config, token)) {
      const branch = config.branch ?? repo.defaultBranch;
      try {
        const { sha } = await resolveCommit(repoConfig(config, repo.fullName, branch), token);
        repos.push({ name: repo.name, fullName: repo.fullName, branch, sha });
      } catch (err) {
        if (!(err instanceof ConnectorError) || (err.reason !== 'not-found' && err.reason !== 'source-error')) throw err;
        skipped.push(`${repo.fullName}: ${err.message}`);
      }
    }
    const key = await sourceKey(repos.map((r) => `${r.fullName}@${r.sha}`).join(','), connector);
    if (previous !== undefined && key === previous.key) {
      return { state: { ...state, sourceKey: key, unchanged: true, rows: previous.rows }, phase: 'done', counts: { files: 0, repositories: repos.length, unchanged: 1, rowsWritten: 0, rowsDeleted: 0 } };
    }
    const next: OwnerRunState = { repos, next: 0, skipped, files: 0 };
    return {
      state: { ...state, sourceKey: key, owner: next, workspaceName: config.owner, parsed: 0 },
      phase: repos.length === 0 ? 'parse' : 'fetch',
      counts: { repositories: repos.length, repositoriesSkipped: skipped.length, files: 0 },
    };
  }
  const repo = owner.repos[owner.next];
  if (repo === undefined) return { state, phase: 'parse', counts: {} };
  const files = stagedArchive(await downloadTarball(repoConfig(config, repo.fullName, repo.branch), token, repo.sha), (repoPath) =>
    isExtractableFile(repoPath) && config.keep(repoPath) ? `${repo.name}/${repoPath}` : undefined);
  const after: OwnerRunState = { ...owner, next: owner.next + 1, files: owner.files + files.length };
  return {
    state: { ...state, owner: after },
    phase: after.next >= owner.repos.length ? 'parse' : 'fetch',
    counts: { files: after.files, repositoriesFetched: after.next },
    files,
  };
}
