import { ConnectorsRequest } from '../../core/connectors/orgProtocol';
import { apiHandler } from '../_shared/apiHandler';
import { list, remove, save, setStatus } from './manage';
import { run, runs, test } from './runs';

/**
 * Edge function `connectors` (contract: `core/connectors/orgProtocol.ts`): the org's connectors —
 * list (secrets masked), save (secrets sealed with `secretBox`, never returned), test, pause/resume,
 * delete, run now (queues a run for `org-extract`), and run status. Every action checks its
 * permission under the caller's claims; members and API tokens call it, not the service role.
 */
Deno.serve(
  apiHandler('connectors', ConnectorsRequest, async (ctx) => {
    const body = ctx.body;
    switch (body.action) {
      case 'list':
        return await list({ ...ctx, body });
      case 'save':
        return await save({ ...ctx, body });
      case 'test':
        return await test({ ...ctx, body });
      case 'setStatus':
        return await setStatus({ ...ctx, body });
      case 'delete':
        return await remove({ ...ctx, body });
      case 'run':
        return await run({ ...ctx, body });
      case 'runs':
        return await runs({ ...ctx, body });
    }
  }),
);
