import { ComplianceRequest } from '../../core/governance/complianceProtocol';
import { SyncError } from '../../core/sync/errors';
import { apiHandler, type ApiContext } from '../_shared/apiHandler';
import { withClaims } from '../_shared/db';
import { evaluateOrg, listEvents, resolveEvent } from './events';

/**
 * Edge function `compliance` (contract: `core/governance/complianceProtocol.ts`): evaluates the
 * compliance rules of `core/governance/compliance.ts` — the same code the editor runs — on an
 * organization's catalog and keeps `compliance_events` in step; lists events; resolves or dismisses
 * one with a reason. Members and API tokens call it under their own claims (RLS and the audit
 * trigger apply as to any client write); the service role may call `evaluate` (a schedule).
 */

type Permission = 'compliance.read' | 'compliance.manage';

async function requireOrgPermission<B>(ctx: ApiContext<B>, orgId: string, permission: Permission): Promise<void> {
  if (ctx.principal.kind === 'service') return;
  const ok = await withClaims(ctx.db, ctx.principal.claims, {}, async (tx) => {
    const [row] = await tx<{ ok: boolean }[]>`select private.has_permission(${orgId}, ${permission}, null) as ok`;
    return row?.ok === true;
  });
  if (!ok) throw new SyncError('forbidden', `This needs the ${permission} permission in the organization.`);
}

Deno.serve(
  apiHandler(
    'compliance',
    ComplianceRequest,
    async (ctx) => {
      const body = ctx.body;
      if (ctx.principal.kind === 'service' && body.action !== 'evaluate') throw new SyncError('forbidden', 'The service role may only run evaluate.');
      switch (body.action) {
        case 'evaluate':
          await requireOrgPermission(ctx, body.orgId, 'compliance.manage');
          return await withClaims(ctx.db, ctx.principal.claims, {}, (tx) => evaluateOrg(tx, body.orgId));
        case 'list':
          await requireOrgPermission(ctx, body.orgId, 'compliance.read');
          return { events: await withClaims(ctx.db, ctx.principal.claims, {}, (tx) => listEvents(tx, body.orgId, body.status, body.limit)) };
        case 'resolve':
          await requireOrgPermission(ctx, body.orgId, 'compliance.manage');
          return { event: await withClaims(ctx.db, ctx.principal.claims, {}, (tx) => resolveEvent(tx, body.orgId, body)) };
      }
    },
    { allowService: true },
  ),
);
