import { z } from 'zod';
import type { Column, Diagnostic, Entity, Facts, ModelEdgeKind, TransformKind } from '../model/entities';
import { emptyFacts } from '../model/entities';
import { columnId } from '../model/ids';
import type { FileSource } from '../pipeline/contracts';
import { DIALECTS } from '../pipeline/contracts';
import { globRegExp } from '../pipeline/targetRules';
import type { ConnectorField, ConnectorInput, ConnectorPorts, DiscoveredItem, TestResult } from './connector';
import { ConnectorError } from './connector';

/**
 * What the three BI file connectors (Tableau, Looker, Power BI) share: their configuration (a folder
 * and globs inside a repository, the default warehouse database/schema for names written without
 * them, and for the cloud the GitHub repository the files are read from), file selection through
 * `ports.files`, "Test connection" and "discover" without any network, and a small builder that
 * keeps the facts they emit deduplicated and well-formed. The connectors never fetch: a workspace
 * run gets the workspace folder as `files`, an org run (`org-extract`) the repository archive.
 */

/** Config of a BI file connector. */
export const BiConfig = z.object({
  /** Catalog project name of the extracted entities (ids are `dashboard.<project>.…`, `dataset.<project>.…`). */
  project: z.string().min(1).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only').optional(),
  /** Repository folder to read (forward slashes, no leading "/"); the whole repository when empty. */
  folder: z.string().default(''),
  /** Globs relative to `folder`; by default every file with the connector's extensions. */
  include: z.array(z.string().min(1)).optional(),
  /** Warehouse database for table names written without one (when the file names no database either). */
  database: z.string().min(1).optional(),
  /** Warehouse schema for table names written without one. */
  schema: z.string().min(1).optional(),
  /** SQL dialect for embedded SQL when the file does not say (custom SQL, derived tables, native queries). */
  dialect: z.enum(DIALECTS).optional(),
  /**
   * The GitHub repository (`owner/name`) holding the files, for org-scoped connectors: the cloud has
   * no workspace folder, so `org-extract` reads the repository archive (the GitHub connector's
   * source and token handling). A workspace run ignores it and reads the workspace folder.
   */
  // Its form (owner/name) is checked where it is used (the cloud's `repositoryFiles`), since a workspace run ignores it.
  repository: z.string().trim().min(1).optional(),
  /** Branch, tag or sha of `repository`; its default branch when absent. */
  branch: z.string().trim().min(1).optional(),
  /** GitHub Enterprise Server's API (`https://ghe.example.com/api/v3`); github.com when absent. */
  apiUrl: z.url().optional(),
});
export type BiConfig = z.output<typeof BiConfig>;
/** Secrets of a BI file connector: a GitHub token, only for an org-scoped connector reading a private repository. */
export const BiSecrets = z.object({ token: z.string().min(1).optional() });
export type BiSecrets = z.output<typeof BiSecrets>;

/** The flow's inputs for a BI file connector. */
export const BI_FIELDS: readonly ConnectorField[] = [
  { key: 'project', label: 'Project name', prompt: 'Catalog project of the dashboards and datasets (letters, digits, "_" and "-"); the tool\'s name when empty.', placeholder: 'bi', secret: false, optional: true },
  { key: 'folder', label: 'Folder', prompt: 'Folder of the repository holding the files (empty for the whole repository).', placeholder: 'bi/', secret: false, optional: true },
  { key: 'database', label: 'Default database', prompt: 'Warehouse database for tables the files name without one.', secret: false, optional: true },
  { key: 'schema', label: 'Default schema', prompt: 'Warehouse schema for tables the files name without one.', secret: false, optional: true },
  { key: 'include', label: 'Files', prompt: 'Globs of the files to read, relative to the folder, comma-separated; every file of the tool when empty.', placeholder: '**/*.lkml', secret: false, optional: true },
  { key: 'dialect', label: 'SQL dialect', prompt: 'Dialect of SQL embedded in the files (custom SQL, derived tables) when a file does not say.', secret: false, optional: true, choices: DIALECTS },
  // The cloud has no workspace folder: an organization's connector names the repository the files are in.
  { key: 'repository', label: 'GitHub repository', prompt: 'The GitHub repository holding the files, as owner/name (the cloud reads its archive; the folder above is inside it).', placeholder: 'acme/bi', secret: false, optional: false, scope: 'org' },
  { key: 'branch', label: 'Branch', prompt: 'Branch, tag or commit of the repository (its default branch when empty).', placeholder: 'main', secret: false, optional: true, scope: 'org' },
  { key: 'apiUrl', label: 'GitHub API URL', prompt: 'Only for GitHub Enterprise Server: its API URL (https://HOST/api/v3); github.com when empty.', placeholder: 'https://api.github.com', secret: false, optional: true, scope: 'org' },
  { key: 'token', label: 'GitHub token', prompt: 'A token that can read the repository (contents: read); empty for a public repository.', secret: true, optional: true, scope: 'org' },
];

/** A FileSource that can also return raw bytes (zip containers: `.twbx`, `.tdsx`, `.pbit`). */
export interface BinaryFileSource extends FileSource {
  readBytes(path: string): Uint8Array | undefined;
}

/** True when the host's file source can read bytes. */
export function canReadBytes(files: FileSource): files is BinaryFileSource {
  return typeof (files as Partial<BinaryFileSource>).readBytes === 'function';
}

/** The file port, or a `bad-host` error. */
export function filesPort(ports: ConnectorPorts, label: string): FileSource {
  if (ports.files === undefined) throw new ConnectorError('bad-host', `The ${label} connector reads files from a repository, but the host gave it no file source.`);
  return ports.files;
}

/** Files under `config.folder` matching `config.include` (or ending with one of `extensions`), sorted. */
export function selectFiles(files: FileSource, config: BiConfig, extensions: readonly string[]): string[] {
  const folder = config.folder.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  const prefix = folder === '' ? '' : `${folder}/`;
  const globs = (config.include ?? []).map((g) => globRegExp(g));
  return files
    .list()
    .filter((path) => {
      if (!path.startsWith(prefix)) return false;
      const rel = path.slice(prefix.length);
      return globs.length > 0 ? globs.some((re) => re.test(rel)) && extensions.some((e) => rel.toLowerCase().endsWith(e)) : extensions.some((e) => rel.toLowerCase().endsWith(e));
    })
    .sort();
}

/** "Test connection": the folder has at least one matching file. */
export async function testFiles(label: string, extensions: readonly string[], input: ConnectorInput<BiConfig, BiSecrets>, ports: ConnectorPorts): Promise<TestResult> {
  if (ports.files === undefined) return { ok: false, reason: 'bad-host', message: `The ${label} connector reads files from a repository, but the host gave it no file source.` };
  const found = selectFiles(ports.files, input.config, extensions);
  const where = input.config.folder === '' ? 'the repository' : `folder "${input.config.folder}"`;
  if (found.length === 0) return { ok: false, reason: 'not-found', message: `No ${extensions.join(', ')} files in ${where}.` };
  return { ok: true, detail: `${found.length} ${label} file${found.length === 1 ? '' : 's'} in ${where}.` };
}

/** "Discover": the matching files. */
export async function discoverFiles(label: string, extensions: readonly string[], input: ConnectorInput<BiConfig, BiSecrets>, ports: ConnectorPorts): Promise<DiscoveredItem[]> {
  return selectFiles(filesPort(ports, label), input.config, extensions).map((name) => ({ kind: 'file', name }));
}

/** A position in a file, 1-based. */
export interface FilePos {
  line: number;
  column: number;
}

/** Collects facts with dedupe (entities, columns and edges by id) and uniform provenance. */
export class FactsBuilder {
  readonly facts: Facts = emptyFacts();
  private readonly entityIds = new Set<string>();
  private readonly columnById = new Map<string, Column>();
  private readonly columnCount = new Map<string, number>();
  private readonly entityById = new Map<string, Entity>();
  private readonly edgeKeys = new Set<string>();

  /**
   * Set while extracting a text entry of a zip archive (`.twbx`, `.pbit`): the archive has no lines,
   * so facts and diagnostics point at the archive (line 0) and messages name the entry's line and column.
   */
  zipEntry: string | undefined;

  constructor(readonly extractor: string) {}

  /** Adds an entity unless one with its id exists; true when added. */
  entity(e: Pick<Entity, 'id' | 'kind' | 'name' | 'project' | 'path'> & Partial<Entity>, pos: FilePos): boolean {
    if (this.entityIds.has(e.id)) return false;
    this.entityIds.add(e.id);
    const entity: Entity = { description: '', tags: [], meta: {}, owners: [], tests: [], disabled: false, ...e, provenance: this.prov(e.path, pos) };
    this.facts.entities.push(entity);
    this.entityById.set(e.id, entity);
    return true;
  }

  /** An entity added earlier (to add meta found later in the file). */
  getEntity(id: string): Entity | undefined {
    return this.entityById.get(id);
  }

  /** A column added earlier. */
  getColumn(id: string): Column | undefined {
    return this.columnById.get(id);
  }

  hasEntity(id: string): boolean {
    return this.entityIds.has(id);
  }

  /** Adds a column (position = the entity's next ordinal) unless it exists; returns its id. */
  column(entityId: string, name: string, file: string, pos: FilePos, extra: Partial<Pick<Column, 'type' | 'description' | 'meta'>> = {}): string {
    const id = columnId(entityId, name);
    if (this.columnById.has(id)) return id;
    const position = this.columnCount.get(entityId) ?? 0;
    this.columnCount.set(entityId, position + 1);
    const column: Column = { id, entityId, name, description: '', tags: [], tests: [], meta: {}, ...extra, position, origin: 'declared', provenance: this.prov(file, pos) };
    this.facts.columns.push(column);
    this.columnById.set(id, column);
    return id;
  }

  modelEdge(from: string, to: string, kind: ModelEdgeKind, file: string, pos: FilePos): void {
    const key = `m|${from}|${to}|${kind}`;
    if (from === to || this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.facts.modelEdges.push({ from, to, level: 'model', kind, provenance: this.prov(file, pos) });
  }

  columnEdge(from: string, to: string, transform: TransformKind, file: string, pos: FilePos): void {
    const key = `c|${from}|${to}|${transform}`;
    if (from === to || this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.facts.columnEdges.push({ from, to, level: 'column', transform, provenance: this.prov(file, pos) });
  }

  diagnostic(file: string, pos: FilePos, code: string, message: string, severity: Diagnostic['severity'] = 'error'): void {
    if (this.zipEntry !== undefined) {
      const where = pos.line > 0 ? `In ${this.zipEntry}, line ${pos.line}, column ${pos.column}: ` : `In ${this.zipEntry}: `;
      this.facts.diagnostics.push({ file, line: 0, column: 0, severity, code, message: where + message, extractor: this.extractor });
      return;
    }
    this.facts.diagnostics.push({ file, line: pos.line, column: pos.column, severity, code, message, extractor: this.extractor });
  }

  private prov(file: string, pos: FilePos): Entity['provenance'] {
    const at = this.zipEntry === undefined ? pos : { line: 0, column: 0 };
    return { file, line: at.line, column: at.column, extractor: this.extractor, confidence: 1 };
  }
}

/** Counts for a run's status line. */
export function factStats(facts: Facts, files: number): Record<string, number> {
  const count = (kind: string): number => facts.entities.filter((e) => e.kind === kind).length;
  return { files, dashboards: count('dashboard'), datasets: count('dataset'), columns: facts.columns.length, tableEdges: facts.modelEdges.length, columnEdges: facts.columnEdges.length, diagnostics: facts.diagnostics.length };
}

/** The last path segment without its BI extension(s) (`sales/Orders.twb` → `Orders`). */
export function fileStem(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.(view|model|explore|dashboard)\.(lkml|lookml)$/i, '').replace(/\.[A-Za-z0-9]+$/, '');
}
