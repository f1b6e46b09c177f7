import { PullRequest } from '../../core/sync/pullMessages';
import { syncHandler } from '../_shared/serve';
import { servePull } from './servePull';

/** Edge function `sync-pull` (POST): one page of changes after the replica's cursor (core/sync/pullMessages.ts). */
Deno.serve(syncHandler('sync-pull', PullRequest, servePull));
