import { AdminRequest } from '../../core/admin/protocol';
import { apiHandler } from '../_shared/apiHandler';
import { handleAdmin } from './dispatch';

/**
 * Edge function `admin` (POST): the "Manage Team" operations of `core/admin/protocol.ts` — members,
 * invitations, grants, teams, roles, API tokens, LLM keys, feature flags and the audit log — each
 * under the caller's claims (a signed-in member or a service token of the organization).
 */
Deno.serve(apiHandler('admin', AdminRequest, handleAdmin));
