import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import type { TestDatabase } from '../../support/pgHarness';
import { sqlState, withClaims } from '../../support/claims';
import type { Claims } from '../../support/claims';

/**
 * Small, isolated worlds for the lifecycle tests: each scenario gets its own organization and
 * people (fresh ids), written as a superuser, then acts through the API like real requests, each
 * committed, so a sequence of steps (remove, then re-invite, then accept) behaves as in production.
 */

/** Built-in role ids. */
export const builtin = {
  viewer: '00000000-0000-4000-8000-000000000001',
  editor: '00000000-0000-4000-8000-000000000002',
  admin: '00000000-0000-4000-8000-000000000003',
  owner: '00000000-0000-4000-8000-000000000004',
} as const;

/** One isolated organization and the helpers to act in it. */
export interface Scenario {
  org: string;
  /** A user (auth.users + profile), e-mail `<name>-<org>@world.test`, confirmed unless told otherwise. */
  user(name: string, options?: { confirmed?: boolean }): Promise<string>;
  /** A member holding `role` (org-wide unless `team`), optionally expiring at `expires`. */
  member(name: string, role: string, options?: { expires?: string; team?: string }): Promise<string>;
  email(name: string): string;
  claims(user: string): Claims;
  /** Runs `fn` as `user` (authenticated) in one committed transaction. */
  as<T>(user: string, fn: (tx: TransactionSql) => Promise<T>): Promise<T>;
  /** Asserts that `fn` as `user` fails with SQLSTATE `code` (and leaves nothing behind). */
  refused(user: string, code: string, fn: (tx: TransactionSql) => Promise<unknown>, note?: string): Promise<void>;
  /** The role keys a user holds in the organization (active grants only). */
  roleKeys(user: string): Promise<string[]>;
}

/** Creates an organization `name` with a permanent owner `owner` (returned by `member` as usual). */
export async function scenario(db: TestDatabase, name: string): Promise<Scenario & { owner: string }> {
  const org = randomUUID();
  const tag = org.slice(0, 8);
  const email = (person: string) => `${person}-${tag}@world.test`;
  const claims = (user: string): Claims => ({ role: 'authenticated', sub: user });
  await db.admin`insert into public.organizations (id, name, display_name, max_users) values (${org}, ${`${name}-${tag}`}, ${name}, 50)`;
  const self: Scenario = {
    org,
    email,
    claims,
    user: async (person, options = {}) => {
      const id = randomUUID();
      await db.admin`insert into auth.users (id, email, email_confirmed_at)
        values (${id}, ${email(person)}, ${options.confirmed === false ? null : new Date().toISOString()})`;
      await db.admin`insert into public.profiles (id, display_name) values (${id}, ${person})`;
      return id;
    },
    member: async (person, role, options = {}) => {
      const id = await self.user(person);
      await db.admin`insert into public.organization_members (org_id, user_id) values (${org}, ${id})`;
      await db.admin`insert into public.role_assignments (org_id, user_id, role_id, team_id, expires_at)
        values (${org}, ${id}, ${role}, ${options.team ?? null}, ${options.expires ?? null})`;
      return id;
    },
    as: (user, fn) => withClaims(db.api, claims(user), fn),
    refused: async (user, code, fn, note) => {
      await assert.rejects(withClaims(db.api, claims(user), fn), (err: unknown) => {
        assert.equal(sqlState(err), code, `${note ?? ''} ${String(err)}`);
        return true;
      });
    },
    roleKeys: async (user) => {
      const rows = await db.admin<{ key: string }[]>`select r.key from public.role_assignments ra
        join public.roles r on r.id = ra.role_id
        join public.organization_members m on m.org_id = ra.org_id and m.user_id = ra.user_id and m.status = 'active'
        where ra.org_id = ${org} and ra.user_id = ${user} and (ra.expires_at is null or ra.expires_at > now()) order by 1`;
      return rows.map((r) => r.key);
    },
  };
  const owner = await self.member('owner', builtin.owner);
  return { ...self, owner };
}

/** Creates an invitation as `inviter` and returns its token. */
export async function invite(s: Scenario, inviter: string, person: string, role: string, team: string | null = null): Promise<string> {
  return s.as(inviter, async (tx) =>
    (await tx`select public.create_invitation(${s.org}, ${s.email(person)}, ${role}, ${team}) as t`)[0]?.t as string);
}
