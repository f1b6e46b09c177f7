import { ConnectorError, validateInput } from '../../core/connectors/connector';
import { orgCatalogRows } from '../../core/connectors/orgCatalogRows';
import { connectorDefinition } from '../../core/connectors/registry';
import type { FileSource } from '../../core/pipeline/contracts';
import type { ConnectorRecord } from '../_shared/connectorRecords';
import { denoPorts, openSecrets } from '../_shared/connectorRecords';
import { bytesSource, repositoryBytes } from '../_shared/repositoryFiles';
import type { ChunkOutput, RunState } from './phases';

/**
 * A BI file connector's run (Tableau, Looker, Power BI) in two chunks instead of one: `fetch`
 * resolves the commit, downloads the repository archive and stages its BI files (`bi/<path>`, the
 * bytes base64-encoded, since `.twbx`, `.tdsx` and `.pbit` are zip containers and
 * `private.connector_run_files.content` is text); `assemble` runs the connector's own `extract`
 * over the staged files (the `files` port a workspace run gets from its folder) and stages the
 * rows. So the download and the parse are retried separately, and a failed parse does not download
 * again. The parse is not split per file: the connectors build their facts with one `FactsBuilder`
 * across files (first definition wins, later files add meta to earlier entities, Looker's explores
 * resolve views of other files), so per-file results would not merge into the same facts.
 */

/** The BI part of the run's cursor. */
export interface BiRunState {
  /** The commit the files were read at, and how many were staged. */
  sha: string;
  files: number;
}

const PREFIX = 'bi/';

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
  if (def === undefined) throw new ConnectorError('bad-host', `Org extraction of ${connector.type} connectors is not available on this server yet.`);
  return def;
}

/** The `fetch` chunk: the repository's BI files, staged. */
export async function biFetch(connector: ConnectorRecord, state: RunState): Promise<ChunkOutput> {
  const def = definitionOf(connector);
  const input = validateInput(def, connector.config, await openSecrets(connector));
  const { bytes, sha } = await repositoryBytes(def.label, input.config, input.secrets);
  const files = [...bytes].map(([path, b]) => ({ path: `${PREFIX}${path}`, content: toBase64(b) }));
  return { state: { ...state, sha, bi: { sha, files: files.length } }, phase: 'assemble', counts: { files: files.length }, files };
}

/** The `assemble` chunk: the connector's `extract` over the staged files. */
export async function biAssemble(connector: ConnectorRecord, staged: FileSource, state: RunState): Promise<ChunkOutput> {
  if (state.bi === undefined) return { state, phase: 'fetch', counts: {} };
  const def = definitionOf(connector);
  const input = validateInput(def, connector.config, await openSecrets(connector));
  const bytes = new Map<string, Uint8Array>();
  for (const path of staged.list()) {
    const content = staged.read(path);
    if (path.startsWith(PREFIX) && content !== undefined) bytes.set(path.slice(PREFIX.length), fromBase64(content));
  }
  const result = await def.extract(input, { ...denoPorts(connector.type), files: bytesSource(bytes) });
  const { facts } = result;
  const { rows } = orgCatalogRows(facts);
  return {
    state: { ...state, rows: rows.length, written: 0 },
    phase: 'write',
    counts: { files: bytes.size, entities: facts.entities.length, columns: facts.columns.length, modelEdges: facts.modelEdges.length, columnEdges: facts.columnEdges.length, diagnostics: facts.diagnostics.length, ...result.stats },
    rows,
  };
}
