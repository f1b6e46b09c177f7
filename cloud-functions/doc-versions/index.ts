import { DocVersionsRequest } from '../../core/docVersions/protocol';
import { apiHandler } from '../_shared/apiHandler';
import { history, pending, review, revert } from './versions';

/**
 * Edge function `doc-versions` (contract: `core/docVersions/protocol.ts`): a description's history,
 * the organization's pending changes, approve / reject (docs.approve) and revert (catalog.write).
 * Every action runs under the caller's claims; members and API tokens call it, not the service role.
 */
Deno.serve(
  apiHandler('doc-versions', DocVersionsRequest, async (ctx) => {
    const body = ctx.body;
    switch (body.action) {
      case 'history':
        return await history(ctx, body.orgId, body.target);
      case 'pending':
        return await pending(ctx, body.orgId);
      case 'approve':
        return await review(ctx, body.versionId, true, null);
      case 'reject':
        return await review(ctx, body.versionId, false, body.reason);
      case 'revert':
        return await revert(ctx, body.versionId);
    }
  }),
);
