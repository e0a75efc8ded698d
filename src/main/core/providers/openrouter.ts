// OpenRouter (API key): GET /v1/key for the key's own spending limit, usage and reset period,
// then GET /v1/credits (best effort) for the account's credit balance. One "*" reading: every
// model the key reaches shares its limit. Out of credits (402) is an exhausted reading, not an error.
import { z } from 'zod';
import type { QuotaInfo } from '../model';
import { classifyKeyFailure, exhaustedReading, refuseRefresh, requireApiKey, upstreamMessage } from './api-key-probe';
import { badResponse, httpRequest, type HttpResult } from './http';
import { USER_AGENT, type DetailValue, type ProviderAdapter, type ProviderContext, type QuotaResult } from './provider-adapter';

const num = z.number().finite().nullable().optional();

const keyAnswer = z
  .object({
    data: z
      .object({
        label: z.string().nullable().optional(),
        limit: num,
        limit_remaining: num,
        limit_reset: z.string().nullable().optional(),
        usage: num,
        usage_daily: num,
        usage_weekly: num,
        usage_monthly: num,
        is_free_tier: z.boolean().nullable().optional(),
      })
      .passthrough(),
  })
  .passthrough();

const creditsAnswer = z
  .object({ data: z.object({ total_credits: num, total_usage: num }).passthrough() })
  .passthrough();

const DAY = 86_400_000;

/**
 * When a key limit with this reset period next resets (epoch ms, UTC): daily at midnight,
 * weekly on Monday 00:00, monthly on the 1st at 00:00; null for "never" or anything unknown.
 */
export function nextLimitReset(period: string | null | undefined, now: number): number | null {
  const d = new Date(now);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  switch ((period ?? '').toLowerCase()) {
    case 'daily':
      return midnight + DAY;
    case 'weekly': {
      const days = (8 - d.getUTCDay()) % 7 || 7; // Monday is 1
      return midnight + days * DAY;
    }
    case 'monthly':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    default:
      return null;
  }
}

function get(ctx: ProviderContext, key: string, path: string): Promise<HttpResult> {
  return httpRequest(ctx.fetch, `${ctx.baseUrl.replace(/\/+$/, '')}${path}`, {
    method: 'GET',
    headers: { Authorization: `Bearer ${key}`, Accept: 'application/json', 'User-Agent': USER_AGENT },
    signal: ctx.signal,
  });
}

/** Best effort: the account's credits; any failure is just "not known". */
async function fetchCredits(ctx: ProviderContext, key: string): Promise<{ total_credits: number | null; total_usage: number | null } | null> {
  try {
    const res = await get(ctx, key, '/v1/credits');
    if (res.status !== 200) return null;
    const parsed = creditsAnswer.safeParse(res.json);
    if (!parsed.success) return null;
    return { total_credits: parsed.data.data.total_credits ?? null, total_usage: parsed.data.data.total_usage ?? null };
  } catch {
    return null;
  }
}

export const openrouterAdapter: ProviderAdapter = {
  id: 'openrouter',
  displayName: 'OpenRouter',
  auth: 'api-key',
  defaultBaseUrl: 'https://openrouter.ai/api',
  pollable: true,
  defaultModels: ['*'],
  needsRefresh: () => false,
  refreshCredentials: refuseRefresh,

  async fetchQuota(ctx): Promise<QuotaResult> {
    const what = 'OpenRouter /v1/key';
    const key = requireApiKey(ctx, what);
    const res = await get(ctx, key, '/v1/key');
    const accountId = ctx.account.id;

    if (res.status === 402) {
      // Out of credits: exhausted until someone buys more; no reset time.
      const details: Record<string, DetailValue> = { credits_exhausted: true };
      const reason = upstreamMessage(res, key);
      if (reason) details['reason'] = reason;
      return { quotas: [exhaustedReading(accountId, '*', ctx.now())], details };
    }
    if (res.status !== 200) throw classifyKeyFailure(res, ctx.now(), what, key);
    const parsed = keyAnswer.safeParse(res.json);
    if (!parsed.success) throw badResponse(what, res.status);
    const k = parsed.data.data;

    // Details merge into the account's: clear what a 402 left behind.
    const details: Record<string, DetailValue> = { reason: null };
    const put = (name: string, v: DetailValue | undefined): void => {
      if (v !== undefined) details[name] = v;
    };
    put('label', k.label);
    put('usage', k.usage);
    put('usage_daily', k.usage_daily);
    put('usage_weekly', k.usage_weekly);
    put('usage_monthly', k.usage_monthly);
    put('is_free_tier', k.is_free_tier);
    put('limit', k.limit);
    put('limit_remaining', k.limit_remaining);
    put('limit_reset', k.limit_reset);

    const credits = await fetchCredits(ctx, key);
    if (credits) {
      details['total_credits'] = credits.total_credits;
      details['total_usage'] = credits.total_usage;
    }
    const creditsExhausted =
      credits !== null &&
      k.is_free_tier !== true &&
      credits.total_credits !== null &&
      credits.total_usage !== null &&
      credits.total_credits > 0 &&
      credits.total_usage >= credits.total_credits;
    if (credits) details['credits_exhausted'] = creditsExhausted;

    const now = ctx.now();
    const limit = k.limit ?? null;
    let info: QuotaInfo;
    if (limit === null) {
      // No spending limit on the key: it proceeds as long as the account has credits.
      details['unlimited'] = true;
      info = { accountId, model: '*', displayName: null, remainingFraction: creditsExhausted ? 0 : 1, resetAt: null, fetchedAt: now, source: 'poll', window: k.limit_reset ?? null, limit: null, remaining: null };
    } else {
      details['unlimited'] = false;
      const period = k.limit_reset ?? 'never';
      const byPeriod: Record<string, number | null | undefined> = { daily: k.usage_daily, weekly: k.usage_weekly, monthly: k.usage_monthly };
      const periodUsage = byPeriod[period.toLowerCase()] ?? k.usage;
      const remaining = k.limit_remaining ?? (typeof periodUsage === 'number' ? Math.max(0, limit - periodUsage) : null);
      let fraction = remaining === null ? null : limit > 0 ? Math.min(1, Math.max(0, remaining / limit)) : 0;
      if (creditsExhausted) fraction = 0;
      // Out of account credits, the key's own reset brings nothing back.
      const resetAt = creditsExhausted ? null : nextLimitReset(period, now);
      info = { accountId, model: '*', displayName: null, remainingFraction: fraction, resetAt, fetchedAt: now, source: 'poll', window: period, limit, remaining };
    }
    return { quotas: [info], details };
  },
};
