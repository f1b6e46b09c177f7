import type { SyncOp } from '../../core/sync/ops';
import { columnId } from '../../core/model/ids';
import { findDocBlocks, setDocBlock } from '../../core/yaml/docBlocks';
import { contentHash } from '../../core/yaml/contentHash';
import { newSchemaFile, setDescription } from '../../core/yaml/schemaEdit';
import type { DescriptionTarget } from '../../core/yaml/schemaTarget';
import type { SaveResult } from '../../webviews/docs/protocol';
import type { EditPatch, EditTarget } from '../catalog/catalogTypes';

/**
 * Saving a description edited in the docs panel, below the webview and without `vscode` (the panel
 * passes its workspace; tests pass real files). The order is the catalog's rule for user edits:
 * first everything that can refuse the save is checked and the new file text computed; then the
 * edit goes through the one mutation API (`CatalogStore.mutate` in the catalog worker: overlay and
 * outbox op in one transaction, so it syncs to the team); then the file is written. A file that
 * cannot be written after that keeps the recorded edit (it shows and syncs) and says so.
 */

/** The files the save reads and writes (workspace-relative paths). */
export interface DocsWorkspace {
  /** The file's text, or undefined when it does not exist. */
  read(file: string): Promise<string | undefined>;
  write(file: string, text: string): Promise<void>;
  /** True when an editor holds unsaved changes of the file. */
  isDirty(file: string): boolean;
  /** Markdown files that may hold `{% docs %}` blocks. */
  markdownFiles(): Promise<string[]>;
}

/** Where an entity's description lives (or would go), and the file's hash when it was read. */
export interface DocsLocation {
  target: DescriptionTarget;
  file: string;
  /** Undefined when the file did not exist when the docs were opened. */
  hash?: string;
}

/**
 * The hashes of what the panel itself wrote, per file. A file whose text hashes to the panel's own
 * last write is not an external change: the panel may still hold the hash from when it opened the
 * docs (the rescan that refreshes it comes later), so without this record a second edit within
 * seconds of a save was refused as a conflict with the panel's own write.
 */
export class OwnWrites {
  private readonly hashes = new Map<string, string>();

  /** Records that the panel wrote `text` to `file`. */
  record(file: string, text: string): void {
    this.hashes.set(file, contentHash(text));
  }

  /** True when `text` is exactly what the panel last wrote to `file`. */
  isOwn(file: string, text: string): boolean {
    return this.hashes.get(file) === contentHash(text);
  }
}

/**
 * The panel's save path: one save at a time (two saves started together would both plan from the
 * same text, and the second write would drop the first edit), each remembering what it wrote.
 */
export class DocsSaver {
  private readonly own = new OwnWrites();
  private queue: Promise<unknown> = Promise.resolve();

  /** Queues a save behind the ones already started; see `saveDescription`. */
  save(workspace: DocsWorkspace, mutate: Mutate, located: DocsLocation, edit: DescriptionEdit): Promise<SaveResult> {
    const run = this.queue.then(() => saveDescription(workspace, mutate, located, edit, this.own));
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** What the panel asked to save. */
export interface DescriptionEdit {
  entityId: string;
  /** Column name when a column's description is edited. */
  column?: string;
  description: string;
}

/** The edit the catalog records: the one mutation API (through the worker in VS Code). */
export type Mutate = (target: EditTarget, patch: EditPatch) => Promise<SyncOp>;

/** A file change the save decided on, written after the mutation. */
interface Planned {
  file: string;
  text: string;
  created: boolean;
}

/**
 * Saves a description: checks, mutation (catalog + outbox), then the file. `own` (the panel's
 * record of its writes) lets a file the panel itself changed since `located.hash` pass the
 * external-change check; every write is recorded in it.
 */
export async function saveDescription(workspace: DocsWorkspace, mutate: Mutate, located: DocsLocation, edit: DescriptionEdit, own?: OwnWrites): Promise<SaveResult> {
  const plan = await planSave(workspace, located, edit, own);
  if ('saved' in plan) return plan;
  const target: EditTarget = edit.column === undefined ? { entityId: edit.entityId } : { columnId: columnId(edit.entityId, edit.column) };
  try {
    await mutate(target, { description: edit.description });
  } catch (err) {
    return { saved: false, reason: 'io-error', message: `The catalog did not record the edit, so ${plan.file} was left as it is: ${messageOf(err)}` };
  }
  try {
    await workspace.write(plan.file, plan.text);
    own?.record(plan.file, plan.text);
  } catch (err) {
    return { saved: false, reason: 'io-error', message: `The edit is recorded in the catalog (it shows and syncs), but ${plan.file} could not be written: ${messageOf(err)}` };
  }
  return { saved: true, file: plan.file, created: plan.created };
}

async function planSave(workspace: DocsWorkspace, located: DocsLocation, edit: DescriptionEdit, own?: OwnWrites): Promise<Planned | SaveResult> {
  if (workspace.isDirty(located.file)) return { saved: false, reason: 'conflict', message: `${located.file} has unsaved changes in an editor; save or revert them first.` };
  const target: DescriptionTarget = { ...located.target, column: edit.column };
  const text = await workspace.read(located.file);
  // The panel's own last write is the text it expects, whatever hash it read when it opened.
  const expectedHash = text !== undefined && own?.isOwn(located.file, text) === true ? contentHash(text) : located.hash;
  if (expectedHash === undefined) {
    if (text !== undefined) return { saved: false, reason: 'conflict', message: `${located.file} was created since the docs were opened; reopen them.` };
    return { file: located.file, text: newSchemaFile(target, edit.description), created: true };
  }
  if (text === undefined) return { saved: false, reason: 'conflict', message: `${located.file} was deleted since the docs were opened; reopen them.` };
  const outcome = setDescription(text, target, edit.description, { expectedHash });
  if (outcome.ok) return { file: located.file, text: outcome.text, created: outcome.created };
  if (outcome.reason === 'templated' && outcome.docName) return planDocBlock(workspace, outcome.docName, edit.description);
  return { saved: false, reason: outcome.reason, message: outcome.line ? `${outcome.message} (${located.file}:${outcome.line}:${outcome.column})` : outcome.message };
}

/** A `{{ doc("name") }}` description: the edit goes into the docs block, keeping the reference. */
async function planDocBlock(workspace: DocsWorkspace, name: string, body: string): Promise<Planned | SaveResult> {
  // Docs blocks are read afresh here, so the hash checked is the one just read.
  for (const file of await workspace.markdownFiles()) {
    const text = await workspace.read(file);
    if (text === undefined || !findDocBlocks(text).some((b) => b.name === name)) continue;
    const outcome = setDocBlock(text, name, body, { expectedHash: contentHash(text) });
    if (!outcome.ok) return { saved: false, reason: 'conflict', message: outcome.message };
    return { file, text: outcome.text, created: false };
  }
  return { saved: false, reason: 'templated', message: `The description comes from docs block "${name}", which was not found in any Markdown file.` };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
