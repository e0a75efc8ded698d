// Anthropic Claude subscription (OAuth): GET /api/oauth/usage for the 5-hour and 7-day windows
// (overall, Opus, Sonnet) and the refresh at platform.claude.com. The usage endpoint rate-limits
// hard (429 with retry-after: 0 that lasts hours when polled often), so polls are spaced 5 min
// and a 429 backs off at least 5 min whatever Retry-After says.
// Also owns the small pieces the Codex adapter shares: the OAuth refresh-failure classification,
// the binding-window choice and the used-percent conversion.
import { z } from 'zod';
import { safeUpstreamText } from '../log/redact';
import type { Credentials, QuotaInfo, QuotaWindowPart } from '../model';
import { badResponse, httpRequest, parseRetryAfter } from './http';
import { USER_AGENT, type DetailValue, type ProviderAdapter, type ProviderContext, type QuotaResult } from './provider-adapter';
import { ProviderError } from './provider-error';
import { claudePlan, type Plan } from './subscription-plans';

export const CLAUDE_TOKEN_URL = 'https://platform.claude.com/v1/oauth/token';
/** Claude Code's public OAuth client id. */
export const CLAUDE_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
export const CLAUDE_OAUTH_BETA = 'oauth-2025-04-20';
export const CLAUDE_MIN_POLL_MS = 5 * 60_000;
/** Least back-off after a 429 from the usage endpoint, whatever Retry-After says. */
export const CLAUDE_429_BACKOFF_MS = 5 * 60_000;
/** How often the plan (GET /api/oauth/profile) is asked again once known: upgrades are rare. */
export const CLAUDE_PLAN_RECHECK_MS = 24 * 3_600_000;
/** Refresh this long before expiry. */
export const OAUTH_REFRESH_SKEW_MS = 5 * 60_000;

// ---- shared with codex.ts -------------------------------------------------------------------

/** One window's reading before it is keyed: remaining 0..1 (null: unknown), reset, label. */
export interface WindowReading {
  remainingFraction: number | null;
  resetAt: number | null;
  window: string | null;
}

/** Percent USED (0–100, may overshoot) to a remaining fraction clamped to 0..1; missing → null. */
export function remainingFromUsedPercent(used: unknown): number | null {
  if (typeof used !== 'number' || !Number.isFinite(used)) return null;
  // (100 − used) / 100 rather than 1 − used / 100: 70 % used reads 0.3, not 0.30000000000000004.
  return Math.min(1, Math.max(0, (100 - used) / 100));
}

/**
 * The binding window among those present: the least known remaining fraction (on a tie the one
 * resetting later, since it binds longer). A window with an unknown fraction only wins when no
 * window is known. Null when every window is absent.
 */
export function bindingWindow(windows: readonly (WindowReading | null)[]): WindowReading | null {
  let best: WindowReading | null = null;
  for (const w of windows) {
    if (!w) continue;
    if (!best) { best = w; continue; }
    if (w.remainingFraction === null) continue;
    if (
      best.remainingFraction === null ||
      w.remainingFraction < best.remainingFraction ||
      (w.remainingFraction === best.remainingFraction && (w.resetAt ?? 0) > (best.resetAt ?? 0))
    ) best = w;
  }
  return best;
}

/** The windows present, for display beside the binding reading. */
export function windowParts(parts: readonly (WindowReading | null)[]): QuotaWindowPart[] {
  return parts.filter((w): w is WindowReading => w !== null).map((w) => ({ window: w.window, remainingFraction: w.remainingFraction, resetAt: w.resetAt }));
}

export function oauthNeedsRefresh(expiresAt: number | undefined, accessToken: string | undefined, now: number): boolean {
  if (!accessToken) return true;
  return expiresAt !== undefined && expiresAt - OAUTH_REFRESH_SKEW_MS <= now;
}

/** Codes meaning the refresh token itself is dead (OAuth's invalid_grant, OpenAI's own codes). */
const DEAD_REFRESH_CODES = new Set(['invalid_grant', 'refresh_token_expired', 'refresh_token_reused', 'refresh_token_invalidated']);
const SAFE_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/** The error code and description of an OAuth error body: `{error, error_description}` or `{error: {code|type, message}}`. */
function oauthError(body: unknown): { code: string | null; description: string } {
  const b = body as { error?: unknown; error_description?: unknown } | undefined;
  if (typeof b?.error === 'string') return { code: b.error, description: typeof b.error_description === 'string' ? b.error_description : '' };
  const e = b?.error as { code?: unknown; type?: unknown; message?: unknown } | undefined;
  if (e && typeof e === 'object') {
    const code = typeof e.code === 'string' ? e.code : typeof e.type === 'string' ? e.type : null;
    return { code, description: typeof e.message === 'string' ? e.message : '' };
  }
  return { code: null, description: '' };
}

/** Classifies a failed refresh_token grant. Never puts the upstream's free text in the message. */
export function classifyRefreshFailure(service: string, status: number, body: unknown, headers: Headers, now: number): ProviderError {
  const { code, description } = oauthError(body);
  const shown = code && SAFE_CODE.test(code) ? code : null;
  const dead =
    (code !== null && DEAD_REFRESH_CODES.has(code)) ||
    (code === 'invalid_request' && (status === 400 || status === 401) && /refresh.?token/i.test(description));
  if (dead) {
    return new ProviderError({
      kind: 'permanent',
      code: 'invalid_grant',
      status,
      accountStatus: 'invalid_credentials',
      message: `${service} refused the refresh token (${shown ?? 'invalid_grant'}): it expired, was revoked or was already used; sign in again and re-import this account`,
    });
  }
  const retryAt = parseRetryAfter(headers.get('retry-after'), now);
  if (status === 429) {
    return new ProviderError({ kind: 'transient', code: 'rate_limited', status, retryAt, message: `${service} OAuth token endpoint rate limited (429)` });
  }
  if (status >= 500) {
    return new ProviderError({ kind: 'transient', code: 'oauth_unavailable', status, retryAt, message: `${service} OAuth token endpoint error ${status}` });
  }
  return new ProviderError({ kind: 'transient', code: shown ?? `oauth_http_${status}`, status, message: `${service} token refresh failed (${shown ?? `HTTP ${status}`})` });
}

// ---- Claude -----------------------------------------------------------------------------------

const windowSchema = z
  .object({ utilization: z.number().nullable().optional(), resets_at: z.string().nullable().optional() })
  .passthrough()
  .nullable()
  .optional();

const usageAnswer = z
  .object({
    five_hour: windowSchema,
    seven_day: windowSchema,
    seven_day_opus: windowSchema,
    seven_day_sonnet: windowSchema,
    extra_usage: z.record(z.string(), z.unknown()).nullable().optional(),
    subscription_type: z.string().nullable().optional(),
    subscriptionType: z.string().nullable().optional(),
  })
  .passthrough();

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional(),
});

type ClaudeWindow = z.infer<typeof windowSchema>;

const profileAnswer = z
  .object({
    account: z
      .object({ has_claude_max: z.boolean().nullable().optional(), has_claude_pro: z.boolean().nullable().optional() })
      .passthrough()
      .nullable()
      .optional(),
    organization: z
      .object({ organization_type: z.string().nullable().optional(), rate_limit_tier: z.string().nullable().optional() })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();

/**
 * The account's plan from GET /api/oauth/profile (organization.organization_type and
 * rate_limit_tier, account.has_claude_max/pro). Best effort: a failure leaves the plan as it was
 * and never fails the sync.
 */
async function fetchProfilePlan(ctx: ProviderContext): Promise<{ plan: Plan | null; rateLimitTier: string | null } | null> {
  try {
    const res = await httpRequest(ctx.fetch, `${ctx.baseUrl.replace(/\/+$/, '')}/api/oauth/profile`, {
      method: 'GET',
      headers: { Authorization: `Bearer ${ctx.credentials.accessToken ?? ''}`, 'anthropic-beta': CLAUDE_OAUTH_BETA, Accept: 'application/json', 'User-Agent': USER_AGENT },
      signal: ctx.signal,
    });
    if (res.status !== 200) return null;
    const p = profileAnswer.safeParse(res.json);
    if (!p.success) return null;
    const org = p.data.organization;
    const acct = p.data.account;
    return {
      plan: claudePlan({ organizationType: org?.organization_type, rateLimitTier: org?.rate_limit_tier, hasClaudeMax: acct?.has_claude_max, hasClaudePro: acct?.has_claude_pro }),
      rateLimitTier: org?.rate_limit_tier ?? null,
    };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return null;
  }
}

function planDue(ctx: ProviderContext): boolean {
  const checked = ctx.account.details?.['planCheckedAt'];
  return !ctx.account.tierLabel || typeof checked !== 'number' || ctx.now() - checked >= CLAUDE_PLAN_RECHECK_MS;
}

const WINDOWS = [
  { key: 'five_hour', window: '5h', detail: 'fiveHourUtilization' },
  { key: 'seven_day', window: 'weekly', detail: 'sevenDayUtilization' },
  { key: 'seven_day_opus', window: 'weekly-opus', detail: 'sevenDayOpusUtilization' },
  { key: 'seven_day_sonnet', window: 'weekly-sonnet', detail: 'sevenDaySonnetUtilization' },
] as const;

const EXTRA_USAGE_DETAILS: Record<string, string> = {
  is_enabled: 'extraUsageEnabled',
  monthly_limit: 'extraUsageMonthlyLimit',
  used_credits: 'extraUsageUsedCredits',
  utilization: 'extraUsageUtilization',
};

function parseTime(s: string | null | undefined): number | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

function toReading(w: ClaudeWindow, window: string): WindowReading | null {
  if (!w) return null;
  return { remainingFraction: remainingFromUsedPercent(w.utilization), resetAt: parseTime(w.resets_at), window };
}

function isDetail(v: unknown): v is DetailValue {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function classifyUsageFailure(ctx: ProviderContext, status: number, json: unknown, headers: Headers): ProviderError {
  const what = 'Claude usage';
  const now = ctx.now();
  const err = (json as { error?: { type?: unknown; message?: unknown } } | undefined)?.error;
  const text = safeUpstreamText(err?.message, [ctx.credentials.accessToken, ctx.credentials.refreshToken]);
  if (status === 401) {
    return new ProviderError({ kind: 'auth', code: 'unauthorized', status, message: `${what}: access token rejected (401)` });
  }
  if (status === 403) {
    // A proxy or bot wall answers HTML: not the account's fault, so not a reason to mark it.
    if (json === undefined) return new ProviderError({ kind: 'transient', code: 'blocked', status, message: `${what}: request blocked (HTTP 403, not from the API)` });
    if (/scope/i.test(text)) {
      return new ProviderError({
        kind: 'permanent',
        code: 'insufficient_scope',
        status,
        accountStatus: 'invalid_credentials',
        message: `${what}: the token lacks the user:profile scope (long-lived setup tokens cannot read usage); sign in with Claude Code and re-import`,
      });
    }
    return new ProviderError({
      kind: 'permanent',
      code: 'forbidden',
      status,
      accountStatus: 'suspended',
      message: `Claude refused access (403${text ? `: ${text}` : ''}); the account may be suspended or its subscription ended`,
    });
  }
  if (status === 429) {
    const hinted = parseRetryAfter(headers.get('retry-after'), now);
    return new ProviderError({
      kind: 'transient',
      code: 'rate_limited',
      status,
      retryAt: Math.max(now + CLAUDE_429_BACKOFF_MS, hinted ?? 0),
      message: `${what}: rate limited (429); backing off at least 5 minutes`,
    });
  }
  if (status >= 500) {
    return new ProviderError({ kind: 'transient', code: 'upstream_unavailable', status, retryAt: parseRetryAfter(headers.get('retry-after'), now), message: `${what}: upstream error ${status}` });
  }
  return new ProviderError({ kind: 'transient', code: `http_${status}`, status, message: `${what}: HTTP ${status}${text ? `: ${text}` : ''}` });
}

export const claudeAdapter: ProviderAdapter = {
  id: 'claude',
  displayName: 'Claude (subscription)',
  auth: 'oauth',
  defaultBaseUrl: 'https://api.anthropic.com',
  oauthFamily: 'claude',
  pollable: true,
  minPollIntervalMs: CLAUDE_MIN_POLL_MS,
  defaultModels: ['claude-*'],

  needsRefresh: (c, now) => oauthNeedsRefresh(c.accessTokenExpiresAt, c.accessToken, now),

  async refreshCredentials(ctx): Promise<Credentials> {
    const c = ctx.credentials;
    if (!c.refreshToken) {
      throw new ProviderError({ kind: 'permanent', code: 'no_refresh_token', accountStatus: 'invalid_credentials', message: 'No refresh token stored for this Claude account' });
    }
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.refreshToken, client_id: c.clientId ?? CLAUDE_CLIENT_ID });
    const res = await httpRequest(ctx.fetch, ctx.oauthTokenUrl ?? CLAUDE_TOKEN_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', 'User-Agent': USER_AGENT },
      body: form.toString(),
      signal: ctx.signal,
    });
    if (res.status !== 200) throw classifyRefreshFailure('Claude', res.status, res.json, res.headers, ctx.now());
    const ok = tokenAnswer.safeParse(res.json);
    if (!ok.success) throw badResponse('the Claude OAuth token endpoint', res.status);
    const next: Credentials = { ...c, accessToken: ok.data.access_token };
    // Anthropic rotates refresh tokens: the old one stops working once a new one is issued.
    if (ok.data.refresh_token) next.refreshToken = ok.data.refresh_token;
    if (ok.data.expires_in) next.accessTokenExpiresAt = ctx.now() + ok.data.expires_in * 1000;
    else delete next.accessTokenExpiresAt;
    return next;
  },

  async fetchQuota(ctx): Promise<QuotaResult> {
    const res = await httpRequest(ctx.fetch, `${ctx.baseUrl.replace(/\/+$/, '')}/api/oauth/usage`, {
      method: 'GET',
      headers: {
        Authorization: `Bearer ${ctx.credentials.accessToken ?? ''}`,
        'anthropic-beta': CLAUDE_OAUTH_BETA,
        Accept: 'application/json',
        'User-Agent': USER_AGENT,
      },
      signal: ctx.signal,
    });
    if (res.status !== 200) throw classifyUsageFailure(ctx, res.status, res.json, res.headers);
    if (res.json === null || typeof res.json !== 'object' || Array.isArray(res.json)) throw badResponse('Claude usage', res.status);
    const parsed = usageAnswer.safeParse(res.json);
    if (!parsed.success) throw badResponse('Claude usage', res.status);
    const u = parsed.data;

    const fiveHour = toReading(u.five_hour, '5h');
    const sevenDay = toReading(u.seven_day, 'weekly');
    const opus = toReading(u.seven_day_opus, 'weekly-opus');
    const sonnet = toReading(u.seven_day_sonnet, 'weekly-sonnet');
    const fetchedAt = ctx.now();
    const quotas: QuotaInfo[] = [];
    const push = (model: string, displayName: string, w: WindowReading | null, parts: (WindowReading | null)[]): void => {
      if (!w) return;
      quotas.push({
        accountId: ctx.account.id, model, displayName, remainingFraction: w.remainingFraction, resetAt: w.resetAt,
        fetchedAt, source: 'poll', window: w.window, limit: null, remaining: null, windows: windowParts(parts),
      });
    };
    // Family readings already include the shared windows, so the most specific reading decides alone.
    // Each shows its own window(s): the shared 5 h and weekly on "*", the family's weekly on its own.
    push('*', 'All Claude models', bindingWindow([fiveHour, sevenDay]), [fiveHour, sevenDay]);
    if (opus) push('*opus*', 'Claude Opus', bindingWindow([fiveHour, sevenDay, opus]), [opus]);
    if (sonnet) push('*sonnet*', 'Claude Sonnet', bindingWindow([fiveHour, sevenDay, sonnet]), [sonnet]);

    // Details are merged into the account's: a fact that went away is written as null, not left stale.
    const details: Record<string, DetailValue> = {};
    const plan = u.subscription_type ?? u.subscriptionType;
    if (plan) details['subscriptionType'] = plan;
    for (const w of WINDOWS) {
      const v = u[w.key]?.utilization;
      details[w.detail] = typeof v === 'number' ? v : null;
    }
    for (const [k, name] of Object.entries(EXTRA_USAGE_DETAILS)) {
      const v = u.extra_usage?.[k];
      details[name] = isDetail(v) ? v : null;
    }
    const result: QuotaResult = { quotas, details };
    // The plan: what the usage answer says if anything, else the profile (asked once a day).
    let known = plan ? claudePlan({ subscriptionType: plan }) : null;
    if (!known && planDue(ctx)) {
      const profile = await fetchProfilePlan(ctx);
      if (profile) {
        details['planCheckedAt'] = fetchedAt;
        if (profile.rateLimitTier) details['rateLimitTier'] = profile.rateLimitTier;
        known = profile.plan;
      }
    }
    if (known) {
      result.tier = known.tier;
      result.tierLabel = known.label;
    } else if (plan) result.tierLabel = plan;
    return result;
  },
};
