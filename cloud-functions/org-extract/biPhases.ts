import type { BiConfig } from '../../core/connectors/biFiles';
import { ConnectorError, validateInput } from '../../core/connectors/connector';
import { orgCatalogRows } from '../../core/connectors/orgCatalogRows';
import { connectorDefinition } from '../../core/connectors/registry';
import type { ConnectorRecord } from '../_shared/connectorRecords';
import { denoPorts, openSecrets } from '../_shared/connectorRecords';
import type { BiSplit } from '../../core/connectors/biSplit';
import { splitPaths } from '../../core/connectors/biSplit';
import { lookerSplit } from '../../core/connectors/looker';
import { powerbiSplit } from '../../core/connectors/powerbi';
import { tableauSplit } from '../../core/connectors/tableau';
import { bytesSource, repositoryBytes } from '../_shared/repositoryFiles';
import type { ChunkOutput, RunState } from './phases';

/**
 * A BI file connector's run (Tableau, Looker, Power BI) in bounded chunks: `fetch` resolves the
 * commit, downloads the repository archive and stages its BI files (`bi/<path>`, the bytes
 * base64-encoded, since `.twbx`, `.tdsx` and `.pbit` are zip containers and
 * `private.connector_run_files.content` is text); each `parse` chunk runs the connector's
 * `parseFile` (unzip, XML/LookML parse: the expensive per-file work) on the next
 * `MALLARD_EXTRACT_FILES_PER_CHUNK` selected files and stages each file's intermediate as JSON
 * (`bi-parsed/<path>`); `assemble` runs the connector's one cross-file `buildFacts` over all
 * intermediates in path order (first definition wins, later files add to earlier entities,
 * Looker's explores resolve views of other files) and stages the rows. A workspace run's `extract`
 * is the same two halves in one call (`biSplit.ts`), so both give the same facts.
 */

/** The BI part of the run's cursor. */
export interface BiRunState {
  /** The commit the files were read at, and how many were staged. */
  sha: string;
  files: number;
  /** How many of the connector's selected files (sorted) have their intermediate staged. */
  parsed?: number;
}

const PREFIX = 'bi/';
const PARSED = 'bi-parsed/';

/** The split halves of each BI connector. */
const SPLITS: Readonly<Record<string, BiSplit<unknown>>> = { tableau: tableauSplit, looker: lookerSplit, powerbi: powerbiSplit };

/** Base64 of `bytes` (in slices: `String.fromCharCode` takes a bounded number of arguments). */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function definitionOf(connector: ConnectorRecord): NonNullable<ReturnType<typeof connectorDefinition>> {
  const def = connectorDefinition(connector.type);
  if (def === undefined || SPLITS[connector.type] === undefined) throw new ConnectorError('bad-host', `Org extraction of ${connector.type} connectors is not available on this server yet.`);
  return def;
}

/** The `fetch` chunk: the repository's BI files, staged. */
export async function biFetch(connector: ConnectorRecord, state: RunState): Promise<ChunkOutput> {
  const def = definitionOf(connector);
  const input = validateInput(def, connector.config, await openSecrets(connector));
  const { bytes, sha } = await repositoryBytes(def.label, input.config, input.secrets);
  const files = [...bytes].map(([path, b]) => ({ path: `${PREFIX}${path}`, content: toBase64(b) }));
  return { state: { ...state, sha, bi: { sha, files: files.length } }, phase: 'parse', counts: { files: files.length }, files };
}

/** Reads the staged files at the given paths (as stored: `bi/…`, `bi-parsed/…`); a missing one is absent. */
export type StagedReader = (paths: string[]) => Promise<Map<string, string>>;

/** The connector's split, its validated config, and its selected files (sorted) among the staged ones. */
async function selected(connector: ConnectorRecord, list: (prefix: string) => Promise<string[]>): Promise<{ split: BiSplit<unknown>; config: BiConfig; paths: string[] }> {
  const def = definitionOf(connector);
  const input = validateInput(def, connector.config, await openSecrets(connector));
  const split = SPLITS[connector.type] as BiSplit<unknown>;
  const staged = (await list(PREFIX)).map((p) => p.slice(PREFIX.length));
  const config = input.config as BiConfig;
  return { split, config, paths: splitPaths(split, { list: () => staged, read: () => undefined }, config) };
}

/** A `parse` chunk: `parseFile` on the next files, their intermediates staged as JSON. */
export async function biParse(connector: ConnectorRecord, list: (prefix: string) => Promise<string[]>, read: StagedReader, state: RunState, limit: number): Promise<ChunkOutput> {
  if (state.bi === undefined) return { state, phase: 'fetch', counts: {} };
  const { split, paths } = await selected(connector, list);
  const from = Math.min(state.bi.parsed ?? 0, paths.length);
  const to = Math.min(from + limit, paths.length);
  const chunk = paths.slice(from, to);
  const contents = await read(chunk.map((p) => `${PREFIX}${p}`));
  const bytes = new Map<string, Uint8Array>();
  for (const p of chunk) {
    const content = contents.get(`${PREFIX}${p}`);
    if (content !== undefined) bytes.set(p, fromBase64(content));
  }
  const source = bytesSource(bytes);
  // A file whose bytes are missing reads as undefined, which `parseFile` reports like an unreadable file in a workspace.
  const files = chunk.map((p) => ({ path: `${PARSED}${p}`, content: JSON.stringify(split.parseFile(source, p)) }));
  return { state: { ...state, bi: { ...state.bi, parsed: to } }, phase: to >= paths.length ? 'assemble' : 'parse', counts: { filesParsed: to }, files };
}

/** The `assemble` chunk: the connector's cross-file `buildFacts` over the staged intermediates, in path order. */
export async function biAssemble(connector: ConnectorRecord, list: (prefix: string) => Promise<string[]>, read: StagedReader, state: RunState): Promise<ChunkOutput> {
  if (state.bi === undefined) return { state, phase: 'fetch', counts: {} };
  const { split, config, paths } = await selected(connector, list);
  const texts = await read(paths.map((p) => `${PARSED}${p}`));
  // A run staged before files were parsed in chunks (or missing an intermediate) parses them again.
  if (paths.some((p) => !texts.has(`${PARSED}${p}`))) return { state: { ...state, bi: { ...state.bi, parsed: 0 } }, phase: 'parse', counts: {} };
  const result = split.buildFacts(paths.map((p) => ({ path: p, parsed: JSON.parse(texts.get(`${PARSED}${p}`) as string) as unknown })), config);
  const { facts } = result;
  const { rows } = orgCatalogRows(facts);
  return {
    state: { ...state, rows: rows.length, written: 0 },
    phase: 'write',
    counts: { files: paths.length, entities: facts.entities.length, columns: facts.columns.length, modelEdges: facts.modelEdges.length, columnEdges: facts.columnEdges.length, diagnostics: facts.diagnostics.length, ...result.stats },
    rows,
  };
}
