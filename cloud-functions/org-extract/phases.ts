import type { Sql } from 'postgres';
import { ConnectorError, validateInput } from '../../core/connectors/connector';
import { orgCatalogRows } from '../../core/connectors/orgCatalogRows';
import type { OrgCatalogRow } from '../../core/connectors/orgCatalogRows';
import { connectorDefinition } from '../../core/connectors/registry';
import { isExtractableFile, MAX_STAGED_FILE_BYTES, underRoot } from '../../core/connectors/repoFiles';
import type { Facts } from '../../core/model/entities';
import type { FileSource } from '../../core/pipeline/contracts';
import { assembleWorkspace, mergeFacts } from '../../core/pipeline/extractWorkspace';
import { extractDbtFile, extractSqlFile } from '../../core/pipeline/fileStep';
import type { FileStepResult } from '../../core/pipeline/fileStep';
import { planWorkspace } from '../../core/pipeline/workspacePlan';
import type { WorkspacePlan } from '../../core/pipeline/workspacePlan';
import type { ConnectorRecord } from '../_shared/connectorRecords';
import { openSecrets, portsFor } from '../_shared/connectorRecords';
import { downloadTarball, githubInput, namesOneRepository, resolveCommit } from '../_shared/githubSource';
import type { OwnerRunState } from './ownerPhases';
import type { PostgresRunState } from './postgresPhases';
import type { WarehouseRunState } from './warehousePhases';
import type { BiRunState } from './biPhases';
import { ownerFetch } from './ownerPhases';
import { readTar } from './tar';

/**
 * The work of each chunk, by phase. GitHub (one repository): `fetch` downloads the repository archive at the branch's
 * commit and stages its extractable files; `parse` plans the workspace from the staged files and
 * runs the per-file steps of the next `filesPerChunk` files, storing their results; `assemble`
 * plans again, assembles every project from the stored results and stages the org catalog rows.
 * Other connector types run their definition's `extract` in the `fetch` chunk (bounded by the
 * source's size) and stage its rows. Each function returns what the chunk's commit must write;
 * nothing here writes, so a crashed chunk leaves no trace and is simply run again.
 */

/** The run's chunk cursor (`connector_runs.state`). */
export interface RunState {
  sha?: string;
  /** What the run extracted: commit, configuration, team and extractor generation (see `sourceKey`). */
  sourceKey?: string;
  /** The source was the one the last successful run extracted: nothing was downloaded. */
  unchanged?: boolean;
  ref?: string;
  workspaceName?: string;
  /** Per-file steps planned, and done so far. */
  steps?: number;
  parsed?: number;
  /** Rows staged, and written so far. */
  rows?: number;
  written?: number;
  /** A Postgres run's schemas, fingerprint and page cursor (`postgresPhases.ts`). */
  postgres?: PostgresRunState;
  /** An owner-wide GitHub run's repositories and download cursor (`ownerPhases.ts`). */
  owner?: OwnerRunState;
  /** A Snowflake or BigQuery run's listing and page cursor (`warehousePhases.ts`). */
  warehouse?: WarehouseRunState;
  /** A BI file connector's staged files (`biPhases.ts`). */
  bi?: BiRunState;
}

/** What a chunk's commit writes. */
export interface ChunkOutput {
  state: RunState;
  phase: 'fetch' | 'parse' | 'assemble' | 'write' | 'done';
  counts: Record<string, number>;
  files?: { path: string; content: string | null }[];
  results?: { path: string; result: FileStepResult }[];
  rows?: OrgCatalogRow[];
}

const fatal = new TextDecoder('utf-8', { fatal: true });

/** Facts counts for the run's status. */
function factCounts(facts: Facts): Record<string, number> {
  return { entities: facts.entities.length, columns: facts.columns.length, modelEdges: facts.modelEdges.length, columnEdges: facts.columnEdges.length, diagnostics: facts.diagnostics.length };
}

/**
 * The files of a repository archive to stage: `place` maps a repository-relative path to its staged
 * path (undefined: not staged). Text only; a file too large or not UTF-8 is staged without text.
 */
export function stagedArchive(gunzipped: Uint8Array, place: (repoPath: string) => string | undefined): { path: string; content: string | null }[] {
  const files: { path: string; content: string | null }[] = [];
  for (const entry of readTar(gunzipped)) {
    const path = place(entry.path);
    if (path === undefined) continue;
    let content: string | null = null;
    if (entry.bytes.length <= MAX_STAGED_FILE_BYTES) {
      try {
        content = fatal.decode(entry.bytes).replaceAll('\u0000', '');
      } catch {
        content = null;
      }
    }
    files.push({ path, content });
  }
  return files;
}

/**
 * Bumped whenever the extractors' output for the same files changes, so the first run after such a
 * release extracts an unchanged repository again instead of skipping it.
 */
export const EXTRACTOR_GENERATION = 1;

/** Identifies what a GitHub run extracts: the commit, the connector's configuration and team, the extractors. */
export async function sourceKey(sha: string, connector: Pick<ConnectorRecord, 'config' | 'team_id'>): Promise<string> {
  const text = JSON.stringify([EXTRACTOR_GENERATION, sha, connector.team_id, connector.config]);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return `${sha.slice(0, 40)}:${Array.from(digest.subarray(0, 12), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The `fetch` chunk. `previous` is what the connector's last successful run extracted (while the
 * org catalog still holds it): when the branch still points at the same commit (and nothing else in
 * the key changed), the run ends here without downloading the archive.
 */
export async function fetchPhase(connector: ConnectorRecord, state: RunState, previous?: { key: string; rows: number }): Promise<ChunkOutput> {
  const secrets = await openSecrets(connector);
  // One repository (and, in ownerPhases.ts, an owner's repositories) is extracted in chunks; other
  // types without a chunked form run their definition's `extract` within this chunk.
  if (connector.type === 'github' && !namesOneRepository(connector.config)) return await ownerFetch(connector, state, previous);
  if (connector.type !== 'github') {
    const def = connectorDefinition(connector.type);
    if (def === undefined) throw new ConnectorError('bad-host', `Org extraction of ${connector.type} connectors is not available on this server yet.`);
    const input = validateInput(def, connector.config, secrets);
    const result = await def.extract(input, await portsFor(connector.type, def.label, input.config, input.secrets));
    const { rows } = orgCatalogRows(result.facts);
    return { state: { ...state, rows: rows.length, written: 0 }, phase: 'write', counts: { files: 0, ...factCounts(result.facts), ...result.stats }, rows };
  }
  const { config, token } = githubInput(connector.config, secrets);
  const { sha, ref } = await resolveCommit(config, token);
  const key = await sourceKey(sha, connector);
  if (previous !== undefined && key === previous.key) {
    return { state: { ...state, sha, ref, sourceKey: key, unchanged: true, rows: previous.rows }, phase: 'done', counts: { files: 0, unchanged: 1, rowsWritten: 0, rowsDeleted: 0 } };
  }
  const files = stagedArchive(await downloadTarball(config, token, sha), (repoPath) => {
    const path = underRoot(repoPath, config.path ?? '');
    return path !== undefined && isExtractableFile(path) && config.keep(repoPath) ? path : undefined;
  });
  const folder = (config.path ?? '').replace(/\/+$/, '');
  const workspaceName = folder === '' ? (config.repository.split('/')[1] ?? config.repository) : (folder.split('/').pop() ?? folder);
  return { state: { ...state, sha, ref, sourceKey: key, workspaceName, parsed: 0 }, phase: 'parse', counts: { files: files.length }, files };
}

/** The per-file steps in the order chunks run them. */
function stepPaths(plan: WorkspacePlan): { path: string; run: (text: string) => FileStepResult }[] {
  const out: { path: string; run: (text: string) => FileStepResult }[] = [];
  for (const project of plan.dbt) {
    for (const path of project.nodePaths) out.push({ path, run: (text) => extractDbtFile(project.ctx, path, text, project.dialect) });
  }
  for (const f of plan.sql) out.push({ path: f.path, run: (text) => extractSqlFile(f.path, text, f.dialect) });
  return out;
}

/** A `parse` chunk: the next `limit` per-file steps. */
export function parsePhase(fs: FileSource, state: RunState, limit: number): ChunkOutput {
  const plan = planWorkspace(fs, { workspaceName: state.workspaceName ?? 'repository' });
  const steps = stepPaths(plan);
  const from = state.parsed ?? 0;
  const to = Math.min(steps.length, from + limit);
  const results: { path: string; result: FileStepResult }[] = [];
  for (const step of steps.slice(from, to)) {
    const text = fs.read(step.path);
    if (text !== undefined) results.push({ path: step.path, result: step.run(text) });
  }
  return { state: { ...state, steps: steps.length, parsed: to }, phase: to >= steps.length ? 'assemble' : 'parse', counts: { filesParsed: to }, results };
}

/** The `assemble` chunk: facts of every project from the stored results, as org catalog rows. */
export function assemblePhase(fs: FileSource, results: ReadonlyMap<string, FileStepResult>, state: RunState): ChunkOutput {
  const plan = planWorkspace(fs, { workspaceName: state.workspaceName ?? 'repository' });
  const facts = mergeFacts(assembleWorkspace(plan, results, new Map()).map((u) => u.facts));
  const { rows, orphanColumnEdges, droppedEdges } = orgCatalogRows(facts);
  return { state: { ...state, rows: rows.length, written: 0 }, phase: 'write', counts: { ...factCounts(facts), orphanColumnEdges, droppedEdges }, rows };
}
