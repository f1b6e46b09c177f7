import type { AiUsageLine, AiUsageResponse } from '../../core/ai/aiFunction';
import type { ApiContext } from '../_shared/apiHandler';
import { budgetOf, requireAnywhere } from './access';

/**
 * The `usage` action: this calendar month's AI usage of one organization per member and model
 * (calls, tokens, estimated cost) beside its budget, for members holding `usage.view`.
 */

interface LineRow { user_id: string | null; model: string | null; calls: number; tokens_in: string; tokens_out: string; cost: string }

export async function usage(ctx: ApiContext<{ orgId: string }>): Promise<AiUsageResponse> {
  const orgId = ctx.body.orgId;
  await requireAnywhere(ctx, orgId, 'usage.view');
  const budget = await budgetOf(ctx, orgId);
  const rows = await ctx.db<LineRow[]>`
    select user_id::text, model, count(*)::int as calls, sum(tokens_in)::text as tokens_in, sum(tokens_out)::text as tokens_out, sum(cost_usd)::text as cost
    from public.usage_logs
    where org_id = ${orgId}::uuid and kind = 'ai' and created_at >= ${budget.periodStart}::timestamptz
    group by user_id, model order by sum(cost_usd) desc, user_id, model`;
  const lines: AiUsageLine[] = rows.map((r) => ({
    userId: r.user_id, model: r.model, calls: r.calls, tokensIn: Number(r.tokens_in), tokensOut: Number(r.tokens_out), costUsd: Number(r.cost),
  }));
  return { periodStart: budget.periodStart, lines, totalCostUsd: budget.spentUsd, budgetUsd: budget.monthlyUsd };
}
