import { PushRequest } from '../../core/sync/pushMessages';
import { syncHandler } from '../_shared/serve';
import { applyPush } from './applyPush';

/** Edge function `sync-push` (POST): applies a replica's pending ops (core/sync/pushMessages.ts). */
Deno.serve(syncHandler('sync-push', PushRequest, applyPush));
