import { ids } from '../../support/orgFixture';
import type { ActorName } from '../../support/orgFixture';
import type { TableCase } from './matrixSpec';

/**
 * Isolation matrix cases of the sync tables (issue 13). Nobody writes them through the Data API —
 * only the sync edge functions, in a transaction that sets `mallard.sync_writer` — so every insert,
 * update and delete here is denied. Reads: synced rows by catalog.read (members and the scoped
 * token); conflicts and losers by their author (the editor) and catalog.write holders; rejections by
 * their author and audit.view holders; replicas by their owner and members.manage holders.
 */

const A = ids.orgA;
const none: readonly ActorName[] = [];
const denyWrites = { insert: none, update: none, delete: none };

/** One case per sync table. */
export function syncCases(): TableCase[] {
  const row = ids.syncRowId;
  return [
    {
      table: 'sync_rows',
      run: {
        select: (tx) => tx`select row_id from public.sync_rows where org_id = ${A} and kind = 'entity' and row_id = ${row}`,
        insert: (tx) => tx`insert into public.sync_rows (org_id, kind, row_id, fields) values (${A}, 'entity', 'model.x.forged', '{"description":"x"}') returning row_id`,
        update: (tx) => tx`update public.sync_rows set fields = '{"owners":["mallory"]}' where org_id = ${A} and row_id = ${row} returning row_id`,
        delete: (tx) => tx`delete from public.sync_rows where org_id = ${A} and row_id = ${row} returning row_id`,
      },
      allow: { select: ['viewer', 'editor', 'admin', 'owner', 'tokenScoped'], ...denyWrites },
    },
    {
      table: 'sync_conflicts',
      run: {
        select: (tx) => tx`select id from public.sync_conflicts where id = ${ids.syncConflict}`,
        insert: (tx) => tx`insert into public.sync_conflicts (org_id, kind, row_id, field, replica_id, op_number)
          values (${A}, 'entity', ${row}, 'owners', ${ids.syncReplica}, 9) returning id`,
        update: (tx) => tx`update public.sync_conflicts set status = 'resolved' where id = ${ids.syncConflict} returning id`,
        delete: (tx) => tx`delete from public.sync_conflicts where id = ${ids.syncConflict} returning id`,
      },
      allow: { select: ['editor', 'admin', 'owner', 'tokenScoped'], ...denyWrites },
    },
    {
      table: 'sync_losers',
      run: {
        select: (tx) => tx`select id from public.sync_losers where id = ${ids.syncLoser}`,
        insert: (tx) => tx`insert into public.sync_losers (org_id, kind, row_id, field, reason, replica_id, op_number)
          values (${A}, 'entity', ${row}, 'description', 'overwritten', ${ids.syncReplica}, 9) returning id`,
        update: (tx) => tx`update public.sync_losers set value = '"x"' where id = ${ids.syncLoser} returning id`,
        delete: (tx) => tx`delete from public.sync_losers where id = ${ids.syncLoser} returning id`,
      },
      allow: { select: ['editor', 'admin', 'owner', 'tokenScoped'], ...denyWrites },
    },
    {
      table: 'sync_rejections',
      run: {
        select: (tx) => tx`select id from public.sync_rejections where id = ${ids.syncRejection}`,
        insert: (tx) => tx`insert into public.sync_rejections (org_id, kind, row_id, replica_id, op_number, code, message)
          values (${A}, 'entity', ${row}, ${ids.syncReplica}, 9, 'forbidden', 'x') returning id`,
        update: (tx) => tx`update public.sync_rejections set message = 'edited' where id = ${ids.syncRejection} returning id`,
        delete: (tx) => tx`delete from public.sync_rejections where id = ${ids.syncRejection} returning id`,
      },
      allow: { select: ['editor', 'admin', 'owner'], ...denyWrites },
    },
    {
      // Doc versions (issue 16): readers of the row's scope; written only by the trigger and the review functions.
      table: 'doc_versions',
      run: {
        select: (tx) => tx`select id from public.doc_versions where id = ${ids.docVersion}`,
        insert: (tx) => tx`insert into public.doc_versions (org_id, kind, row_id, version, status, body_after)
          values (${A}, 'entity', ${row}, 7, 'published', 'forged') returning id`,
        update: (tx) => tx`update public.doc_versions set body_after = 'forged' where id = ${ids.docVersion} returning id`,
        delete: (tx) => tx`delete from public.doc_versions where id = ${ids.docVersion} returning id`,
      },
      allow: { select: ['viewer', 'editor', 'admin', 'owner', 'tokenScoped'], ...denyWrites },
    },
    {
      table: 'sync_replicas',
      run: {
        select: (tx) => tx`select replica_id from public.sync_replicas where replica_id = ${ids.syncReplica}`,
        insert: (tx) => tx`insert into public.sync_replicas (replica_id, org_id) values (gen_random_uuid(), ${A}) returning replica_id`,
        update: (tx) => tx`update public.sync_replicas set last_op = 0 where replica_id = ${ids.syncReplica} returning replica_id`,
        delete: (tx) => tx`delete from public.sync_replicas where replica_id = ${ids.syncReplica} returning replica_id`,
      },
      allow: { select: ['editor', 'admin', 'owner'], ...denyWrites },
    },
  ];
}
