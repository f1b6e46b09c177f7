import { AI_BUDGET_FLAG, AiBudgetPayload } from '../../core/ai/aiFunction';
import type { ModelPrice } from '../../core/ai/aiFunction';
import { SyncError } from '../../core/sync/errors';
import type { ApiContext } from '../_shared/apiHandler';
import { withClaims } from '../_shared/db';
import { openSecret } from '../_shared/secretBox';

/**
 * What the `ai` function checks and reads before it calls a provider: the caller's permission
 * (under their claims, so grants, teams, expiry and token scopes count exactly as RLS counts them),
 * the organization's budget and spend this month, and the org key record. The key's ciphertext is
 * read with the function's own login (clients cannot read it) and opened here only; the plaintext
 * goes into the provider request and nowhere else (no answer, error or log line).
 */

/** Providers the function speaks to: the chat-completions wire format (Azure with its own URL and header). */
const COMPATIBLE = ['openai', 'azure_openai', 'other', 'ollama', 'mistral'];

/** Throws `forbidden` unless the caller holds `permission` in the organization (org-wide or for one of its teams). */
export async function requireAnywhere<B>(ctx: ApiContext<B>, orgId: string, permission: 'docs.generate' | 'usage.view'): Promise<void> {
  const ok = await withClaims(ctx.db, ctx.principal.claims, {}, async (tx) => {
    const [row] = await tx<{ ok: boolean }[]>`select private.has_permission(${orgId}, ${permission}, null)
        or exists (select 1 from private.team_scopes_with(${permission}) s where s.org_id = ${orgId}) as ok`;
    return row?.ok === true;
  });
  if (!ok) throw new SyncError('forbidden', `This needs the ${permission} permission in the organization.`);
}

/** The member a usage row is attributed to: the caller, or an API token's creator. */
export async function actingUserId<B>(ctx: ApiContext<B>): Promise<string | null> {
  if (ctx.principal.kind === 'user') return ctx.principal.userId;
  if (ctx.principal.kind !== 'token') return null;
  const [row] = await ctx.db<{ created_by: string }[]>`select created_by::text from public.api_tokens where id = ${ctx.principal.tokenId}::uuid`;
  return row?.created_by ?? null;
}

/** The organization's budget settings (`ai.budget` flag) and this calendar month's AI spend. */
export interface Budget {
  monthlyUsd: number | null;
  prices: Record<string, ModelPrice>;
  spentUsd: number;
  periodStart: string;
}

export async function budgetOf<B>(ctx: ApiContext<B>, orgId: string): Promise<Budget> {
  const [flag] = await ctx.db<{ enabled: boolean; payload: unknown }[]>`
    select enabled, payload from public.feature_flags where org_id = ${orgId}::uuid and key = ${AI_BUDGET_FLAG}`;
  const parsed = AiBudgetPayload.safeParse(flag?.payload ?? {});
  const payload = parsed.success ? parsed.data : {};
  const [spend] = await ctx.db<{ spent: string; period_start: Date }[]>`
    select coalesce(sum(cost_usd), 0)::text as spent, date_trunc('month', now() at time zone 'utc') at time zone 'utc' as period_start
    from public.usage_logs
    where org_id = ${orgId}::uuid and kind = 'ai' and created_at >= date_trunc('month', now() at time zone 'utc') at time zone 'utc'`;
  return {
    monthlyUsd: flag?.enabled === true && payload.monthlyUsd !== undefined ? payload.monthlyUsd : null,
    prices: payload.prices ?? {},
    spentUsd: Number(spend?.spent ?? 0),
    periodStart: (spend?.period_start ?? new Date()).toISOString(),
  };
}

/** Refuses with `budget-exceeded` when this month's spend reached the budget. */
export function requireBudget(budget: Budget): void {
  if (budget.monthlyUsd !== null && budget.spentUsd >= budget.monthlyUsd) {
    throw new SyncError(
      'budget-exceeded',
      `The organization's AI budget for this month is spent ($${budget.spentUsd.toFixed(2)} of $${budget.monthlyUsd.toFixed(2)}); an admin can raise it (feature flag ${AI_BUDGET_FLAG}), or use a personal key.`,
    );
  }
}

/** An opened org key and where to send it. */
export interface OrgKey {
  id: string;
  provider: string;
  baseUrl: string | null;
  apiVersion: string | null;
  model: string;
  secret: string;
}

interface KeyRow { id: string; provider: string; base_url: string | null; api_version: string | null; models: string[]; ciphertext: Uint8Array; key_version: number }

/**
 * The key that serves `model` (or the default key and its first model): active, OpenAI-compatible,
 * with a model allow-list. `bad-request` for a model no key allows; `not-found` when the
 * organization has no usable key.
 */
export async function orgKeyFor<B>(ctx: ApiContext<B>, orgId: string, model: string | undefined): Promise<OrgKey> {
  const wanted = model === undefined || model === '' ? null : model;
  const rows = await ctx.db<KeyRow[]>`
    select id::text, provider, base_url, api_version, models, ciphertext, key_version from public.org_llm_keys
    where org_id = ${orgId}::uuid and status = 'active' and provider in ${ctx.db(COMPATIBLE)} and cardinality(models) > 0
    order by is_default desc, updated_at desc, id`;
  if (rows.length === 0) {
    throw new SyncError('not-found', 'The organization has no active OpenAI-compatible LLM key with an allowed model; an admin adds one under Manage Team → LLM keys.');
  }
  const row = wanted === null ? rows[0] : rows.find((r) => r.models.includes(wanted));
  if (row === undefined) {
    const allowed = [...new Set(rows.flatMap((r) => r.models))].join(', ');
    throw new SyncError('bad-request', `The model '${wanted}' is not allowed by the organization's LLM keys (allowed: ${allowed}).`);
  }
  const secret = await openSecret(new Uint8Array(row.ciphertext), row.key_version, orgId);
  return { id: row.id, provider: row.provider, baseUrl: row.base_url, apiVersion: row.api_version, model: wanted ?? (row.models[0] as string), secret };
}
