-- Issue 16: what the `ai` edge function (cloud-functions/ai) needs to call an organization's own LLM
-- with its stored key. A key record now says where to send requests and which models members may
-- ask for; the plaintext key still never reaches Postgres (sealed by the function, see secretBox.ts).
--   * base_url: the OpenAI-compatible base URL (`https://api.openai.com/v1`, a gateway, vLLM…), or
--     the Azure OpenAI resource endpoint for provider `azure_openai`; null means the provider's
--     public default (OpenAI only).
--   * models: the allow-list; the first is the default when a request names none. Empty means the
--     key cannot be used by the `ai` function until an admin names at least one model.
--   * api_version: Azure OpenAI's `api-version` (null: the function's default).
-- The monthly budget and the price table are the feature flag `ai.budget` (payload
-- `{ "monthlyUsd": 50, "prices": { "<model>": { "inPerMTok": 2.5, "outPerMTok": 10 } } }`), set by
-- admins holding flags.manage through the admin function's `flags.set`; no new table is needed.
-- Usage rows are written by the function's own login (clients lost insert on usage_logs in issue 12).

alter table public.org_llm_keys
  add column base_url text check (base_url is null or (length(base_url) <= 500 and base_url ~ '^https?://')),
  add column models text[] not null default '{}' check (cardinality(models) <= 50 and array_position(models, null) is null),
  add column api_version text check (api_version is null or length(api_version) <= 40);

-- The admin function writes these under the caller's claims (keys.manage is checked by RLS), and
-- lists them (keys.read), like the other non-secret columns.
grant insert (base_url, models, api_version), update (base_url, models, api_version) on public.org_llm_keys to authenticated;
grant select (base_url, models, api_version) on public.org_llm_keys to authenticated;

-- The budget check sums this month's AI cost of one organization on every call.
create index usage_logs_org_kind_created_idx on public.usage_logs (org_id, kind, created_at);
