import type { Sql } from 'postgres';
import type { FileSource } from '../../core/pipeline/contracts';
import type { FileStepResult } from '../../core/pipeline/fileStep';

/**
 * The staged files of a run as the pipeline reads them (`FileSource`), loaded from
 * `private.connector_run_files` in one query, and the per-file step results stored so far.
 */

/** Every staged file of `runId` (a file staged without text is listed and reads as undefined). */
export async function stagedSource(db: Sql, runId: string): Promise<FileSource> {
  const rows = await db<{ path: string; content: string | null }[]>`select path, content from private.connector_run_files where run_id = ${runId} order by path`;
  const texts = new Map<string, string | undefined>(rows.map((r) => [r.path, r.content ?? undefined]));
  const paths = [...texts.keys()];
  return { list: () => paths, read: (path) => texts.get(path) };
}

/** The per-file step results stored for `runId`. */
export async function storedResults(db: Sql, runId: string): Promise<Map<string, FileStepResult>> {
  const rows = await db<{ path: string; result: FileStepResult }[]>`select path, result from private.connector_run_files where run_id = ${runId} and result is not null`;
  return new Map(rows.map((r) => [r.path, r.result]));
}

/** Reads the staged files `paths` of `runId` (and only those); a missing or textless file is absent. */
export function stagedReader(db: Sql, runId: string): (paths: string[]) => Promise<Map<string, string>> {
  return async (paths) => {
    if (paths.length === 0) return new Map();
    const rows = await db<{ path: string; content: string | null }[]>`select path, content from private.connector_run_files where run_id = ${runId} and path = any(${paths})`;
    return new Map(rows.flatMap((r) => (r.content === null ? [] : [[r.path, r.content] as [string, string]])));
  };
}

/** The paths of `runId`'s staged files starting with `prefix` (their contents are not read). */
export async function stagedPaths(db: Sql, runId: string, prefix: string): Promise<string[]> {
  const rows = await db<{ path: string }[]>`select path from private.connector_run_files where run_id = ${runId} and starts_with(path, ${prefix})`;
  return rows.map((r) => r.path);
}
