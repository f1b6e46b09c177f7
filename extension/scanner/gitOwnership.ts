import { simpleGit } from 'simple-git';

/**
 * Ownership hints from git history: the last author and commit date of every file, found in one
 * `git log --name-only` pass (never one process per file). Outside a git repository, or without a
 * git binary, the result is empty and nothing is reported: git is a hint, not a requirement.
 */

/** Last commit touching a file. */
export interface GitFileInfo {
  author: string;
  email: string;
  /** ISO-8601 commit date. */
  date: string;
}

const RECORD = '\x1e';
const FIELD = '\x1f';

/** Parses the output of `git log --name-only --format=%x1e%an%x1f%ae%x1f%cI` (newest commit first). */
export function parseGitLog(output: string): Map<string, GitFileInfo> {
  const out = new Map<string, GitFileInfo>();
  for (const record of output.split(RECORD)) {
    const lines = record.split('\n');
    const header = lines[0]?.split(FIELD);
    if (!header || header.length < 3) continue;
    const info: GitFileInfo = { author: header[0] ?? '', email: header[1] ?? '', date: header[2] ?? '' };
    for (const line of lines.slice(1)) {
      const file = line.trim();
      // Newest first: the first commit that names a file is its last change.
      if (file !== '' && !out.has(file)) out.set(file, info);
    }
  }
  return out;
}

/** Last author and date per workspace-relative path; empty outside a git repository. */
export async function readGitOwnership(root: string, signal?: AbortSignal): Promise<Map<string, GitFileInfo>> {
  try {
    const git = simpleGit({ baseDir: root, ...(signal ? { abort: signal } : {}) });
    if (!(await git.checkIsRepo())) return new Map();
    // --relative limits the log to the workspace folder and prints paths relative to it.
    const output = await git.raw(['-c', 'core.quotepath=off', 'log', '--no-renames', '--relative', '--name-only', `--format=${RECORD}%an${FIELD}%ae${FIELD}%cI`]);
    return parseGitLog(output);
  } catch {
    // No git binary, a repository without commits, or an aborted scan: no hints.
    return new Map();
  }
}
