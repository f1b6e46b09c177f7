import { SyncError } from '../../core/sync/errors';
import { requestErrorOf, sqlState } from '../_shared/db';

/**
 * Database refusals of admin operations as request errors with a status the UI can show: the
 * schema's guards (the last owner, team cycles, seats, quotas: P0001) are conflicts, a missing or
 * foreign reference (a team, member or role of another organization) is not-found, invalid values
 * are bad-request, RLS and privilege refusals are forbidden. Everything else goes through the
 * shared mapping (busy database → unavailable, unknown → internal).
 */
export function adminErrorOf(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  const state = sqlState(err);
  const message = err instanceof Error ? err.message : String(err);
  const hint = typeof err === 'object' && err !== null && 'hint' in err && typeof err.hint === 'string' ? ` ${err.hint}` : '';
  switch (state) {
    case 'P0001':
      return new SyncError('conflict', `${message}.${hint}`, { cause: err });
    case 'P0002':
      return new SyncError('not-found', `${message}.`, { cause: err });
    case '23503':
      return new SyncError('not-found', 'A team, member or role named in the request does not exist in this organization.', { cause: err });
    case '23505':
      return new SyncError('conflict', 'That name is already taken in this organization.', { cause: err });
    case '22023':
    case '22P02':
    case '22001':
    case '22007':
    case '22008':
    case '23502':
    case '23514':
      return new SyncError('bad-request', `The request has an invalid value: ${message}.`, { cause: err });
    case '42501':
      return new SyncError('forbidden', `Not allowed: ${message}.`, { cause: err });
    default:
      return requestErrorOf(err);
  }
}
