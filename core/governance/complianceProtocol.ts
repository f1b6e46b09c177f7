import { z } from 'zod';
import type { Severity } from './compliance';

/**
 * The contract of the `compliance` edge function (issue 16): evaluate the compliance rules on an
 * organization's catalog and keep `public.compliance_events` in step (new violations open, ones no
 * longer violated auto-resolved), list events, and resolve or dismiss one with a reason. Shared by
 * the function and the extension's client so both sides validate the same shapes.
 */

/** Name of the edge function. */
export const COMPLIANCE_FUNCTION = 'compliance';

/** The resolution text of events the evaluation closes because the rule holds again. */
export const AUTO_RESOLUTION = 'No longer violated (cloud evaluation).';

/** Cloud severities (`compliance_events.severity`) of the rule severities. */
export const CLOUD_SEVERITY: Record<Severity, 'high' | 'medium' | 'info'> = { error: 'high', warning: 'medium', info: 'info' };

const Id = z.uuid();
const Key = z.string().min(1).max(1024);

/** A request (`orgId` first: the shared handler checks API tokens against it). */
export const ComplianceRequest = z.discriminatedUnion('action', [
  /** Evaluates the org catalog; needs `compliance.manage` organization-wide (or the service role, for schedules). */
  z.object({ orgId: Id, action: z.literal('evaluate') }).strict(),
  /** Lists events; needs `compliance.read`. */
  z.object({ orgId: Id, action: z.literal('list'), status: z.enum(['open', 'resolved', 'dismissed', 'all']).default('open'), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
  /**
   * Resolves or dismisses the open event of a rule and target with a reason; when there is none
   * (a violation found in the editor), records it first. Needs `compliance.manage`.
   */
  z.object({
    orgId: Id,
    action: z.literal('resolve'),
    rule: z.string().min(1).max(200),
    entityKey: Key,
    status: z.enum(['resolved', 'dismissed']),
    reason: z.string().trim().min(1, 'a resolution needs a reason').max(2000),
    severity: z.enum(['error', 'warning', 'info']).default('warning'),
    message: z.string().max(2000).default(''),
  }).strict(),
]);
export type ComplianceRequest = z.infer<typeof ComplianceRequest>;

/** One event as the function returns it. */
export const ComplianceEvent = z.object({
  id: Id,
  rule: z.string(),
  entityKey: z.string().nullable(),
  severity: z.string(),
  status: z.enum(['open', 'resolved', 'dismissed']),
  resolution: z.string().nullable(),
  details: z.record(z.string(), z.json()),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
});
export type ComplianceEvent = z.infer<typeof ComplianceEvent>;

/** What `evaluate` answers. */
export const EvaluateAnswer = z.object({
  violations: z.number().int(),
  opened: z.number().int(),
  autoResolved: z.number().int(),
  /** Violations left alone because a person resolved or dismissed them before. */
  suppressed: z.number().int(),
  problems: z.array(z.string()),
});
export type EvaluateAnswer = z.infer<typeof EvaluateAnswer>;
