import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { builtinRoles, ids } from '../orgFixture';

/**
 * A fresh organization for one seed of the convergence run, written as a superuser the way the
 * auth service and an operator would: four members (owner, admin, editor, and an editor whose
 * access the run revokes and grants again), so seeds sharing one database never see each other.
 * Also the long open write transaction the run holds on a direct Postgres connection.
 */

/** The organization of one seed. */
export interface ConvergeOrg {
  orgId: string;
  /** User ids: owner, admin, editor, revokee (an editor). */
  users: [string, string, string, string];
  roles: [string, string, string, string];
}

/** Creates the organization and its members. */
export async function createConvergeOrg(admin: Sql, seed: number): Promise<ConvergeOrg> {
  const orgId = randomUUID();
  const users: ConvergeOrg['users'] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const roles: ConvergeOrg['roles'] = [builtinRoles.owner, builtinRoles.admin, builtinRoles.editor, builtinRoles.editor];
  await admin.begin(async (tx) => {
    for (const [i, id] of users.entries()) {
      await tx`insert into auth.users (id, email) values (${id}, ${`converge${seed}-${i}-${id.slice(0, 8)}@example.test`})`;
      await tx`insert into public.profiles (id, display_name) values (${id}, ${`converge ${seed} #${i}`})`;
    }
    await tx`insert into public.organizations (id, name, display_name, max_users) values (${orgId}, ${`converge-${seed}-${orgId.slice(0, 8)}`}, 'Converge', 50)`;
    for (const [i, id] of users.entries()) {
      await tx`insert into public.organization_members (org_id, user_id) values (${orgId}, ${id})`;
      await tx`insert into public.role_assignments (org_id, user_id, role_id, granted_by) values (${orgId}, ${id}, ${roles[i]!}, ${users[0]})`;
    }
  });
  return { orgId, users, roles };
}

/** Removes member `index` (their grants cascade): every replica of theirs loses the organization. */
export async function revokeMember(admin: Sql, org: ConvergeOrg, index: number): Promise<void> {
  await admin`delete from public.organization_members where org_id = ${org.orgId} and user_id = ${org.users[index]!}`;
}

/** Makes member `index` a member again with their role. */
export async function regrantMember(admin: Sql, org: ConvergeOrg, index: number): Promise<void> {
  await admin.begin(async (tx) => {
    await tx`insert into public.organization_members (org_id, user_id) values (${org.orgId}, ${org.users[index]!})`;
    await tx`insert into public.role_assignments (org_id, user_id, role_id, granted_by) values (${org.orgId}, ${org.users[index]!}, ${org.roles[index]!}, ${org.users[0]})`;
  });
}

/** A write transaction held open on its own connection until `release()`. */
export interface HeldTransaction {
  release(): Promise<void>;
}

/**
 * Opens a transaction that takes its id at once (an org-catalog write in the fixture's org B, so it
 * holds no lock the run's organization needs), stays open while others commit, and writes an
 * org-catalog row of the run's organization just before it commits: a row whose stamp is older
 * than rows committed long before it (sync.md pitfall 1).
 */
export async function holdTransaction(owner: Sql, org: ConvergeOrg, n: number): Promise<HeldTransaction> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const begun = new Promise<void>((resolve) => (started = resolve));
  const done = owner.begin(async (tx) => {
    await tx`select private.sync_put_catalog_row(${ids.orgB}, 'catalogEntity', ${`model.hold.${org.orgId}.${n}`}, null, ${tx.json({ n })})`;
    started();
    await released;
    await tx`select private.sync_put_catalog_row(${org.orgId}, 'catalogEntity', ${`model.p.held_${n}`}, null, ${tx.json({ n, name: `held_${n}` })})`;
  });
  done.catch(() => started());
  await begun;
  return {
    release: async () => {
      release();
      await done;
    },
  };
}
