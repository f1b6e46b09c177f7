import { evaluateCompliance, type ComplianceRule, type Violation } from '../../core/governance/compliance';
import type { Column, Entity } from '../../core/model/entities';
import { splitColumnId } from '../../core/model/ids';
import type { CatalogStore } from '../catalog/catalogStore';
import { CatalogError } from '../catalog/catalogError';
import { prepared } from '../catalog/sqlUtil';
import { classesOf, columnEdgesOf } from './classificationStore';

/**
 * Compliance of a local catalog (issue 16): the rules of `core/governance/compliance.ts` over the
 * catalog as reads show it (user edits and synced metadata applied, owners from the synced row when
 * it has some), minus the violations resolved or dismissed here (`compliance_resolutions`). Each
 * violation carries where it is defined (the column's or model's YAML/SQL line) for the Problems
 * panel. Node-only; the extension runs it after every catalog change.
 */

/** Where a violation shows in the editor. */
export interface ViolationLocation {
  /** Catalog-root-relative file. */
  file: string;
  /** 1-based; 1 when unknown. */
  line: number;
  column: number;
}

/** A violation with its location and the names the views show. */
export interface LocatedViolation extends Violation {
  location?: ViolationLocation;
  entityId: string;
  entityName: string;
}

/** A violation resolved or dismissed on this machine. */
export interface Resolution {
  ruleId: string;
  targetId: string;
  status: 'resolved' | 'dismissed';
  reason: string;
  resolvedAt: string;
  cloudEventId?: string;
}

/** The entities (with synced owners) and columns reads show. */
function catalogInput(store: CatalogStore): { entities: Entity[]; columns: Column[] } {
  const ids = prepared(store.db, 'SELECT id FROM entities ORDER BY id').pluck().all() as string[];
  const entities: Entity[] = [];
  const columns: Column[] = [];
  for (const id of ids) {
    const entity = store.getEntity(id);
    if (entity === undefined) continue;
    const synced = store.syncedMetadata({ entityId: id });
    const owners = synced?.owners;
    entities.push(Array.isArray(owners) && owners.length > 0 ? { ...entity, owners: owners.filter((o): o is string => typeof o === 'string').map((name) => ({ name, source: 'yaml' as const })) } : entity);
    columns.push(...store.columnsOf(id));
  }
  return { entities, columns };
}

function locate(v: Violation, entities: Map<string, Entity>, columns: Map<string, Column>): { location?: ViolationLocation; entityId: string; entityName: string } {
  const entityId = v.targetKind === 'entity' ? v.targetId : splitColumnId(v.targetId).entityId;
  const entity = entities.get(entityId);
  const prov = (v.targetKind === 'column' ? columns.get(v.targetId)?.provenance : undefined) ?? entity?.provenance;
  const file = prov?.file ?? entity?.path;
  return {
    entityId,
    entityName: entity?.name ?? entityId,
    ...(file !== undefined && file !== '' ? { location: { file, line: Math.max(1, prov?.line ?? 1), column: Math.max(1, prov?.column ?? 1) } } : {}),
  };
}

/** Every open violation of `rules` in the catalog (resolved and dismissed ones left out), located. */
export function evaluateLocal(store: CatalogStore, rules: readonly ComplianceRule[]): LocatedViolation[] {
  const { entities, columns } = catalogInput(store);
  const violations = evaluateCompliance({ entities, columns, columnEdges: columnEdgesOf(store), classes: classesOf(store) }, rules);
  const closed = new Set(listResolutions(store).map((r) => `${r.ruleId}\u0000${r.targetId}`));
  const byEntity = new Map(entities.map((e) => [e.id, e]));
  const byColumn = new Map(columns.map((c) => [c.id, c]));
  return violations.filter((v) => !closed.has(`${v.ruleId}\u0000${v.targetId}`)).map((v) => ({ ...v, ...locate(v, byEntity, byColumn) }));
}

/** Resolves or dismisses a violation with a reason (required: it is what an auditor reads). */
export function resolveViolation(store: CatalogStore, v: Pick<Violation, 'ruleId' | 'targetId'>, status: 'resolved' | 'dismissed', reason: string, now = new Date()): Resolution {
  const text = reason.trim();
  if (text === '') throw new CatalogError('invalid-input', 'A resolution needs a reason.');
  prepared(store.db, `INSERT INTO compliance_resolutions (rule_id, target_id, status, reason, resolved_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(rule_id, target_id) DO UPDATE SET status = excluded.status, reason = excluded.reason, resolved_at = excluded.resolved_at, cloud_event_id = NULL`)
    .run(v.ruleId, v.targetId, status, text, now.toISOString());
  return { ruleId: v.ruleId, targetId: v.targetId, status, reason: text, resolvedAt: now.toISOString() };
}

/** Records the cloud event a local resolution was written to. */
export function markResolutionSynced(store: CatalogStore, v: Pick<Violation, 'ruleId' | 'targetId'>, eventId: string): void {
  prepared(store.db, 'UPDATE compliance_resolutions SET cloud_event_id = ? WHERE rule_id = ? AND target_id = ?').run(eventId, v.ruleId, v.targetId);
}

/** Reopens a violation (drops its local resolution). */
export function reopenViolation(store: CatalogStore, v: Pick<Violation, 'ruleId' | 'targetId'>): void {
  prepared(store.db, 'DELETE FROM compliance_resolutions WHERE rule_id = ? AND target_id = ?').run(v.ruleId, v.targetId);
}

/** Every local resolution, newest first. */
export function listResolutions(store: CatalogStore): Resolution[] {
  const rows = prepared(store.db, 'SELECT * FROM compliance_resolutions ORDER BY resolved_at DESC, rule_id, target_id').all() as { rule_id: string; target_id: string; status: 'resolved' | 'dismissed'; reason: string; resolved_at: string; cloud_event_id: string | null }[];
  return rows.map((r) => ({ ruleId: r.rule_id, targetId: r.target_id, status: r.status, reason: r.reason, resolvedAt: r.resolved_at, ...(r.cloud_event_id !== null ? { cloudEventId: r.cloud_event_id } : {}) }));
}
