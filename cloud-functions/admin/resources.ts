import type { AdminRequestOf } from '../../core/admin/protocol';
import type { AdminResponseOf, ApiToken, FeatureFlag, LlmKey } from '../../core/admin/responses';
import { SyncError } from '../../core/sync/errors';
import { maskSecret, sealSecret } from '../_shared/secretBox';
import type { AdminCtx } from './context';
import { found, iso, isoNow } from './context';

/**
 * The organization's resources: API tokens of service accounts (the secret leaves the server once,
 * in the create answer; only its hash is stored), LLM provider keys (sealed with the project key
 * by `_shared/secretBox.ts` before they reach Postgres; lists show the masked form stored beside the
 * ciphertext, which clients cannot read), and feature flags.
 */

type Dated = Date | string;
interface TokenRow { id: string; name: string; token_prefix: string; scopes: string[]; expires_at: Dated | null; last_used_at: Dated | null; revoked_at: Dated | null; created_by: string; created_at: Dated }
interface KeyRow { id: string; provider: string; label: string; masked: string; key_version: number; base_url: string | null; models: string[]; api_version: string | null; is_default: boolean; status: LlmKey['status']; last_used_at: Dated | null; created_at: Dated; updated_at: Dated }
interface FlagRow { key: string; enabled: boolean; payload: Record<string, unknown>; updated_by: string | null; updated_at: Dated }

const tokenOf = (r: TokenRow): ApiToken => ({
  id: r.id, name: r.name, prefix: r.token_prefix, scopes: r.scopes, expiresAt: iso(r.expires_at), lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at), createdBy: r.created_by, createdAt: isoNow(r.created_at),
});
const keyOf = (r: KeyRow): LlmKey => ({
  id: r.id, provider: r.provider, label: r.label, masked: r.masked, keyVersion: r.key_version, baseUrl: r.base_url, models: r.models, apiVersion: r.api_version, isDefault: r.is_default,
  status: r.status, lastUsedAt: iso(r.last_used_at), createdAt: isoNow(r.created_at), updatedAt: isoNow(r.updated_at),
});
const flagOf = (r: FlagRow): FeatureFlag => ({
  key: r.key, enabled: r.enabled, payload: r.payload as FeatureFlag['payload'], updatedBy: r.updated_by, updatedAt: isoNow(r.updated_at),
});

async function tokens(ctx: AdminCtx, id?: string): Promise<ApiToken[]> {
  const rows = await ctx.tx<TokenRow[]>`
    select id::text, name, token_prefix, scopes, expires_at, last_used_at, revoked_at, created_by::text, created_at
    from public.api_tokens where org_id = ${ctx.orgId}::uuid ${id === undefined ? ctx.tx`` : ctx.tx`and id = ${id}::uuid`}
    order by created_at desc, id`;
  return rows.map(tokenOf);
}

export async function listTokens(ctx: AdminCtx): Promise<AdminResponseOf<'tokens.list'>> {
  return { tokens: await tokens(ctx) };
}

export async function createToken(ctx: AdminCtx, req: AdminRequestOf<'tokens.create'>): Promise<AdminResponseOf<'tokens.create'>> {
  if (ctx.principal.kind === 'token') throw new SyncError('forbidden', 'A service token cannot create tokens; sign in as a member.');
  const missing = await ctx.tx<{ key: string }[]>`
    select k.key from unnest(${ctx.tx.array(req.scopes)}::text[]) as k(key)
    where not private.has_permission(${ctx.orgId}::uuid, k.key, null::uuid)`;
  if (missing.length > 0) throw new SyncError('forbidden', `A token can carry only permissions you hold organization-wide; you lack ${missing.map((m) => m.key).join(', ')}.`);
  const [made] = await ctx.tx<{ token_id: string; token: string }[]>`
    select token_id::text, token from public.admin_create_api_token(${ctx.orgId}::uuid, ${req.name}, ${ctx.tx.array(req.scopes)}::text[],
      ${req.expiresAt ?? null}::timestamptz)`;
  if (made === undefined) throw new SyncError('internal', 'The token was not created.');
  return { token: found((await tokens(ctx, made.token_id))[0], 'The new token'), secret: made.token };
}

export async function revokeToken(ctx: AdminCtx, req: AdminRequestOf<'tokens.revoke'>): Promise<AdminResponseOf<'tokens.revoke'>> {
  found((await tokens(ctx, req.tokenId))[0], `Token ${req.tokenId}`);
  // Revoking twice is a no-op (a revoked token stays revoked with its first revocation time).
  await ctx.tx`update public.api_tokens set revoked_at = now() where id = ${req.tokenId}::uuid and org_id = ${ctx.orgId}::uuid and revoked_at is null`;
  return { token: found((await tokens(ctx, req.tokenId))[0], `Token ${req.tokenId}`) };
}

async function keys(ctx: AdminCtx, id?: string): Promise<LlmKey[]> {
  const rows = await ctx.tx<KeyRow[]>`
    select id::text, provider, label, masked, key_version, base_url, models, api_version, is_default, status, last_used_at, created_at, updated_at
    from public.org_llm_keys where org_id = ${ctx.orgId}::uuid ${id === undefined ? ctx.tx`` : ctx.tx`and id = ${id}::uuid`}
    order by provider, created_at, id`;
  return rows.map(keyOf);
}

/**
 * The sealed secret as bytes. postgres.js serializes a bytea parameter itself: `\\x…` text would be
 * stored as the bytes of that text, which never decrypt again (found when the `ai` function first
 * opened a key).
 */
async function sealed(secret: string, orgId: string): Promise<{ bytes: Uint8Array; version: number; masked: string }> {
  const { ciphertext, keyVersion } = await sealSecret(secret, orgId);
  return { bytes: ciphertext, version: keyVersion, masked: maskSecret(secret) };
}

export async function listKeys(ctx: AdminCtx): Promise<AdminResponseOf<'llmKeys.list'>> {
  return { keys: await keys(ctx) };
}

export async function addKey(ctx: AdminCtx, req: AdminRequestOf<'llmKeys.add'>): Promise<AdminResponseOf<'llmKeys.add'>> {
  const s = await sealed(req.secret, ctx.orgId);
  if (req.isDefault === true) {
    await ctx.tx`update public.org_llm_keys set is_default = false, updated_at = now()
      where org_id = ${ctx.orgId}::uuid and provider = ${req.provider} and is_default`;
  }
  const [row] = await ctx.tx<{ id: string }[]>`
    insert into public.org_llm_keys (org_id, provider, label, ciphertext, key_version, is_default, masked, base_url, models, api_version)
    values (${ctx.orgId}::uuid, ${req.provider}, ${req.label ?? ''}, ${s.bytes}::bytea, ${s.version}, ${req.isDefault === true}, ${s.masked},
      ${req.baseUrl ?? null}, ${req.models ?? []}::text[], ${req.apiVersion ?? null})
    returning id::text`;
  return { key: found((await keys(ctx, found(row, 'The new key').id))[0], 'The new key') };
}

export async function configureKey(ctx: AdminCtx, req: AdminRequestOf<'llmKeys.configure'>): Promise<AdminResponseOf<'llmKeys.configure'>> {
  const key = found((await keys(ctx, req.keyId))[0], `LLM key ${req.keyId}`);
  // A field left out keeps its value; null clears base URL and api-version.
  await ctx.tx`update public.org_llm_keys set
      base_url = ${req.baseUrl === undefined ? (key.baseUrl ?? null) : req.baseUrl},
      models = ${req.models ?? key.models ?? []}::text[],
      api_version = ${req.apiVersion === undefined ? (key.apiVersion ?? null) : req.apiVersion},
      updated_at = now()
    where id = ${req.keyId}::uuid and org_id = ${ctx.orgId}::uuid`;
  return { key: found((await keys(ctx, req.keyId))[0], `LLM key ${req.keyId}`) };
}

export async function rotateKey(ctx: AdminCtx, req: AdminRequestOf<'llmKeys.rotate'>): Promise<AdminResponseOf<'llmKeys.rotate'>> {
  found((await keys(ctx, req.keyId))[0], `LLM key ${req.keyId}`);
  const s = await sealed(req.secret, ctx.orgId);
  await ctx.tx`update public.org_llm_keys set ciphertext = ${s.bytes}::bytea, key_version = ${s.version}, masked = ${s.masked},
      status = 'active', updated_at = now() where id = ${req.keyId}::uuid and org_id = ${ctx.orgId}::uuid`;
  return { key: found((await keys(ctx, req.keyId))[0], `LLM key ${req.keyId}`) };
}

export async function deleteKey(ctx: AdminCtx, req: AdminRequestOf<'llmKeys.delete'>): Promise<AdminResponseOf<'llmKeys.delete'>> {
  const deleted = await ctx.tx`delete from public.org_llm_keys where id = ${req.keyId}::uuid and org_id = ${ctx.orgId}::uuid returning id`;
  if (deleted.length === 0) throw new SyncError('not-found', `LLM key ${req.keyId} does not exist in this organization.`);
  return { ok: true };
}

export async function listFlags(ctx: AdminCtx): Promise<AdminResponseOf<'flags.list'>> {
  const rows = await ctx.tx<FlagRow[]>`
    select key, enabled, payload, updated_by::text, updated_at from public.feature_flags where org_id = ${ctx.orgId}::uuid order by key`;
  return { flags: rows.map(flagOf) };
}

export async function setFlag(ctx: AdminCtx, req: AdminRequestOf<'flags.set'>): Promise<AdminResponseOf<'flags.set'>> {
  // postgres.js serializes jsonb parameters itself: pass the value, not JSON text (that would store a string).
  const payload = req.payload === undefined ? null : ctx.tx.json(req.payload as Parameters<typeof ctx.tx.json>[0]);
  const [row] = await ctx.tx<FlagRow[]>`
    insert into public.feature_flags (org_id, key, enabled, payload)
    values (${ctx.orgId}::uuid, ${req.key}, ${req.enabled}, coalesce(${payload}::jsonb, '{}'::jsonb))
    on conflict (org_id, key) do update set enabled = excluded.enabled,
      payload = coalesce(${payload}::jsonb, public.feature_flags.payload), updated_at = now()
    returning key, enabled, payload, updated_by::text, updated_at`;
  return { flag: flagOf(found(row, `Flag ${req.key}`)) };
}
