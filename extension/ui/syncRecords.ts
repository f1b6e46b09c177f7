import { jsonEqual } from '../../core/sync/jsonEqual';
import type { JsonValue } from '../../core/sync/ops';
import type { ConflictRecord, LoserRecord, OpRef } from '../../core/sync/records';
import type { EditPatch, EditTarget } from '../catalog/catalogTypes';
import type { ConflictResolution, LocalRejection } from '../../sync/ports';

/**
 * What the Conflicts and Rejected Changes views show, built from a catalog's sync records without
 * `vscode` (so tests check it against a real worker): each open conflict and each overwritten value
 * still worth undoing, with "mine" and "theirs" for the side-by-side diff and the resolutions its
 * actions send; each rejected edit with its reason.
 */

/** One entry of the Conflicts view. */
export interface ConflictEntry {
  /** `conflict`: a keep-server field both sides changed; `overwritten`: a last-write-wins value that lost. */
  kind: 'conflict' | 'overwritten';
  /** The record's id (unique per catalog). */
  id: string;
  target: { kind: string; id: string };
  field: string;
  /** This replica's side: the value it wrote or holds. */
  mine: JsonValue;
  /** The other side. */
  theirs: JsonValue;
  /** Titles of the two diff sides. */
  mineTitle: string;
  theirsTitle: string;
  /** One line for the tree item. */
  summary: string;
  /** What "Keep Mine" sends (conflicts), or the edit that undoes the last write (overwritten values; undefined when the field cannot be edited here). */
  keepMine: ConflictResolution | EditPatch | undefined;
  /** What "Take Theirs" sends (conflicts only: for an overwritten value, theirs is already shown). */
  takeTheirs: ConflictResolution | undefined;
}

/** One entry of the Rejected Changes view. */
export interface RejectedEntry {
  op: OpRef;
  target: { kind: string; id: string };
  code: string;
  message: string;
  /** The fields the refused edit changed (or `delete`). */
  change: string;
  /** True when the op is kept, so "Retry" can queue it again. */
  retryable: boolean;
}

/** The current synced fields of a row as the catalog shows them (undefined: no synced row). */
export type CurrentFields = (target: { kind: string; id: string }) => Readonly<Record<string, JsonValue>> | undefined;

/**
 * Conflicts view entries. A conflict's "mine" is the op's value when this replica made the op, else
 * the value the row keeps. An overwritten value is listed while the row still shows something else
 * (after "Undo" the row shows it again and the entry goes) and while it is not `hidden`.
 */
export function conflictEntries(
  records: { conflicts: readonly ConflictRecord[]; losers: readonly LoserRecord[] },
  replicaId: string | undefined,
  current: CurrentFields,
  hidden: ReadonlySet<string> = new Set(),
): ConflictEntry[] {
  const entries: ConflictEntry[] = [];
  for (const c of records.conflicts) {
    if (c.status !== 'open') continue;
    const mineIsOp = c.op.replicaId === replicaId;
    entries.push({
      kind: 'conflict',
      id: c.id,
      target: c.target,
      field: c.field,
      mine: mineIsOp ? c.incomingValue : c.serverValue,
      theirs: mineIsOp ? c.serverValue : c.incomingValue,
      mineTitle: mineIsOp ? 'Mine (not applied)' : 'Mine (kept)',
      theirsTitle: mineIsOp ? 'Theirs (kept)' : 'Theirs (not applied)',
      summary: `${c.field} changed on both sides`,
      keepMine: mineIsOp ? { value: c.incomingValue } : { keep: 'server' },
      takeTheirs: mineIsOp ? { keep: 'server' } : { value: c.incomingValue },
    });
  }
  for (const l of records.losers) {
    if (l.reason !== 'overwritten' || hidden.has(l.id)) continue;
    const now = current(l.target)?.[l.field] ?? null;
    if (jsonEqual(now, l.value)) continue;
    entries.push({
      kind: 'overwritten',
      id: l.id,
      target: l.target,
      field: l.field,
      mine: l.value,
      theirs: now,
      mineTitle: 'Before the last write',
      theirsTitle: 'Now',
      summary: `${l.field} overwritten by a later edit`,
      keepMine: restorePatch(l.field, l.value),
      takeTheirs: undefined,
    });
  }
  return entries;
}

/** Rejected Changes view entries. */
export function rejectedEntries(rejections: readonly LocalRejection[]): RejectedEntry[] {
  return rejections.map((r) => ({
    op: { replicaId: r.op.replicaId, opNumber: r.op.opNumber },
    target: r.target,
    code: r.code,
    message: r.message,
    change: r.change === undefined ? 'unknown change' : r.change.action === 'delete' ? 'delete' : Object.keys(r.change.patch ?? {}).join(', ') || 'no fields',
    retryable: r.change !== undefined,
  }));
}

/** The edit target of a synced row kind the catalog edits (`entity`, `column`). */
export function editTargetOf(target: { kind: string; id: string }): EditTarget | undefined {
  if (target.kind === 'entity') return { entityId: target.id };
  if (target.kind === 'column') return { columnId: target.id };
  return undefined;
}

/** The mutation that writes `value` back into `field`, for the fields user edits reach. */
export function restorePatch(field: string, value: JsonValue): EditPatch | undefined {
  if (field === 'description') return { description: typeof value === 'string' ? value : '' };
  if (field === 'tags') return { tags: Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [] };
  if (field.startsWith('meta.') && field.length > 'meta.'.length) return { meta: { [field.slice('meta.'.length)]: value } };
  return undefined;
}

/** The text a diff side shows for a value: text as it is, anything else as indented JSON. */
export function diffText(value: JsonValue): string {
  if (value === null) return '(not set)\n';
  if (typeof value === 'string') return value.endsWith('\n') ? value : `${value}\n`;
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** True for a resolution of the conflict protocol (not an edit patch). */
export function isResolution(action: ConflictResolution | EditPatch): action is ConflictResolution {
  return 'keep' in action || 'value' in action;
}
