import { emptyFacts, type Diagnostic } from '../../core/model/entities';
import type { UnitFacts } from '../../core/pipeline/extractWorkspace';

/**
 * Files that exist but cannot be read as text the normal way: unreadable, binary, too large,
 * symbolic links that are not followed, and text that is not UTF-8. The walker and the reader
 * attach an issue to the file's snapshot entry; `fileIssueUnit` turns them into diagnostics owned by
 * the file's path, so a rescan replaces them like any other fact of that file.
 */

/** Why a file could not be read normally. */
export type FileIssueCode = 'file-unreadable' | 'file-binary' | 'file-too-large' | 'file-not-utf8' | 'symlink-outside-workspace' | 'symlink-loop' | 'symlink-broken';

/** One file's problem, located in the file. */
export interface FileIssue {
  code: FileIssueCode;
  message: string;
  line: number;
  column: number;
  /**
   * True when the content was not read at all. A skipped file stays in the workspace's file list
   * (a model that exists still defines its node, so refs to it resolve), reads as absent through
   * the `FileSource`, and its per-file step runs on empty text.
   */
  skipped: boolean;
}

/** Default limit of one file's size (`maxFileBytes` in `.mallard.json`); `target/manifest.json` has none. */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

/** Key of the unit that holds file issue diagnostics (see `UnitFacts`). */
export const FILE_ISSUES_UNIT = 'files:';

/** Bytes as a short human size ("6.2 MB", "900 KB"). */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${n} bytes`;
}

/** A skipped file's issue at line 1, column 1. */
export function skippedIssue(code: FileIssueCode, message: string): FileIssue {
  return { code, message, line: 1, column: 1, skipped: true };
}

/** The issue of a file that could not be read (`code` is the system error code, e.g. EACCES). */
export function unreadableIssue(code: string | undefined): FileIssue {
  const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `${code ?? 'unknown error'}`;
  return skippedIssue('file-unreadable', `cannot read: ${reason}. Its content is missing from the catalog (a model still counts as defined, so refs to it resolve); give this user read access and rescan.`);
}

/** Anything that may carry a file issue (snapshot entries). */
interface WithIssue {
  issue?: FileIssue;
}

/** Diagnostics of the file issues of a snapshot, as a unit of facts owned by the files' paths. */
export function fileIssueUnit(files: ReadonlyMap<string, WithIssue>): UnitFacts {
  const facts = emptyFacts();
  for (const [file, f] of files) {
    if (!f.issue) continue;
    const d: Diagnostic = { file, line: f.issue.line, column: f.issue.column, severity: 'warning', code: f.issue.code, message: f.issue.message, extractor: 'scanner' };
    facts.diagnostics.push(d);
  }
  return { key: FILE_ISSUES_UNIT, facts, recomputed: new Set() };
}
