import type { TransactionSql } from 'postgres';
import { evaluateCompliance } from '../../core/governance/compliance';
import { complianceConfig } from '../../core/governance/complianceConfig';
import { AUTO_RESOLUTION, CLOUD_SEVERITY, type ComplianceEvent, type EvaluateAnswer } from '../../core/governance/complianceProtocol';
import { loadOrgCatalog } from './orgCatalog';

/**
 * `compliance_events` of the `compliance` function, always inside the caller's `withClaims`
 * transaction (RLS: `compliance.read` to see, `compliance.manage` to record and resolve; the
 * resolver and time are stamped by the table's trigger, the audit trigger records every change).
 */

interface EventRow {
  id: string;
  rule: string;
  entity_key: string | null;
  severity: string;
  status: 'open' | 'resolved' | 'dismissed';
  resolution: string | null;
  details: Record<string, unknown>;
  created_at: Date;
  resolved_at: Date | null;
}

/** The wire form of an event row. */
export function eventOf(r: EventRow): ComplianceEvent {
  return {
    id: r.id, rule: r.rule, entityKey: r.entity_key, severity: r.severity, status: r.status, resolution: r.resolution,
    details: r.details as ComplianceEvent['details'], createdAt: r.created_at.toISOString(), resolvedAt: r.resolved_at?.toISOString() ?? null,
  };
}

/**
 * Evaluates the org catalog with the organization's rule settings (`organizations.settings.compliance`,
 * the `.mallard.json` shape) and brings the events in step: a new violation opens an event unless a
 * person resolved or dismissed that rule and target before (the latest closed event says so); an
 * open event of an evaluated rule whose violation is gone is resolved with `AUTO_RESOLUTION`.
 */
export async function evaluateOrg(tx: TransactionSql, orgId: string): Promise<EvaluateAnswer> {
  const [org] = await tx<{ settings: Record<string, unknown> | null }[]>`select settings from public.organizations where id = ${orgId}`;
  const config = complianceConfig(org?.settings?.compliance);
  const { input, skipped } = await loadOrgCatalog(tx, orgId);
  const violations = evaluateCompliance(input, config.rules);
  const ruleIds = config.rules.map((r) => r.id);
  const events = await tx<EventRow[]>`select distinct on (rule, entity_key) id, rule, entity_key, severity, status, resolution, details, created_at, resolved_at
    from public.compliance_events where org_id = ${orgId} and rule = any(${tx.array(ruleIds)}::text[])
    order by rule, entity_key, (status = 'open') desc, created_at desc`;
  const latest = new Map(events.map((e) => [`${e.rule}\u0000${e.entity_key ?? ''}`, e]));
  const now = new Set<string>();
  let opened = 0;
  let suppressed = 0;
  for (const v of violations) {
    const key = `${v.ruleId}\u0000${v.targetId}`;
    if (now.has(key)) continue;
    now.add(key);
    const last = latest.get(key);
    if (last?.status === 'open') continue;
    if (last !== undefined && last.resolution !== AUTO_RESOLUTION) {
      suppressed++;
      continue;
    }
    const details = { origin: 'cloud', targetKind: v.targetKind, message: v.message, ...(v.path !== undefined ? { path: v.path } : {}) };
    const inserted = await tx`insert into public.compliance_events (org_id, entity_key, rule, severity, details)
      values (${orgId}, ${v.targetId}, ${v.ruleId}, ${CLOUD_SEVERITY[v.severity]}, ${tx.json(details)})
      on conflict (org_id, rule, entity_key) where status = 'open' do nothing returning id`;
    opened += inserted.length;
  }
  const gone = events.filter((e) => e.status === 'open' && !now.has(`${e.rule}\u0000${e.entity_key ?? ''}`)).map((e) => e.id);
  if (gone.length > 0) {
    await tx`update public.compliance_events set status = 'resolved', resolution = ${AUTO_RESOLUTION} where id = any(${tx.array(gone)}::uuid[]) and status = 'open'`;
  }
  const problems = [...config.problems, ...(skipped > 0 ? [`${skipped} org catalog row${skipped === 1 ? '' : 's'} could not be read and were left out.`] : [])];
  return { violations: now.size, opened, autoResolved: gone.length, suppressed, problems };
}

/** Events of the organization, newest first. */
export async function listEvents(tx: TransactionSql, orgId: string, status: 'open' | 'resolved' | 'dismissed' | 'all', limit: number): Promise<ComplianceEvent[]> {
  const rows = await tx<EventRow[]>`select id, rule, entity_key, severity, status, resolution, details, created_at, resolved_at
    from public.compliance_events where org_id = ${orgId} and (${status} = 'all' or status = ${status})
    order by created_at desc, id limit ${limit}`;
  return rows.map(eventOf);
}

/** Resolves or dismisses the open event of a rule and target, recording it first when there is none. */
export async function resolveEvent(
  tx: TransactionSql,
  orgId: string,
  body: { rule: string; entityKey: string; status: 'resolved' | 'dismissed'; reason: string; severity: 'error' | 'warning' | 'info'; message: string },
): Promise<ComplianceEvent> {
  await tx`insert into public.compliance_events (org_id, entity_key, rule, severity, details)
    values (${orgId}, ${body.entityKey}, ${body.rule}, ${CLOUD_SEVERITY[body.severity]}, ${tx.json({ origin: 'editor', message: body.message })})
    on conflict (org_id, rule, entity_key) where status = 'open' do nothing`;
  const [row] = await tx<EventRow[]>`update public.compliance_events set status = ${body.status}, resolution = ${body.reason}
    where org_id = ${orgId} and rule = ${body.rule} and entity_key = ${body.entityKey} and status = 'open'
    returning id, rule, entity_key, severity, status, resolution, details, created_at, resolved_at`;
  if (row === undefined) throw new Error('the open compliance event vanished while it was resolved');
  return eventOf(row);
}
