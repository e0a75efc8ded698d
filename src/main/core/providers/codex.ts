// OpenAI Codex / ChatGPT subscription (OAuth): GET /backend-api/wham/usage for the 5-hour
// (primary) and weekly (secondary) windows, per-feature additional limits and credits; the
// refresh at auth.openai.com. The ChatGPT account id travels in ChatGPT-Account-Id; when the
// account has none stored it is read from the id_token's "https://api.openai.com/auth" claim
// and handed back so the core keeps it.
import { z } from 'zod';
import { safeUpstreamText } from '../log/redact';
import type { Credentials, QuotaInfo } from '../model';
import { bindingWindow, classifyRefreshFailure, oauthNeedsRefresh, remainingFromUsedPercent, windowParts, type WindowReading } from './claude';
import { badResponse, httpRequest, parseRetryAfter } from './http';
import { USER_AGENT, type DetailValue, type ProviderAdapter, type ProviderContext, type QuotaResult } from './provider-adapter';
import { ProviderError } from './provider-error';
import { codexPlan } from './subscription-plans';

export const CODEX_TOKEN_URL = 'https://auth.openai.com/oauth/token';
/** The Codex CLI's public OAuth client id. */
export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
export const OPENAI_AUTH_CLAIM = 'https://api.openai.com/auth';

// ---- JWT (read only: the claims are trusted as much as the token endpoint that issued them) ----

/** The payload of a JWT (header.payload.signature, base64url), or null when it is not one. */
export function decodeJwtPayload(token: string | undefined): Record<string, unknown> | null {
  if (!token) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The ChatGPT account id carried by an OpenAI id_token (or access token). */
export function chatgptAccountIdFromJwt(token: string | undefined): string | null {
  const claim = decodeJwtPayload(token)?.[OPENAI_AUTH_CLAIM] as { chatgpt_account_id?: unknown } | undefined;
  const id = claim?.chatgpt_account_id;
  return typeof id === 'string' && id.length > 0 ? id : null;
}

/** The ChatGPT plan an OpenAI id_token carries ("plus", "pro", "team", …), or null. */
export function chatgptPlanFromJwt(token: string | undefined): string | null {
  const claim = decodeJwtPayload(token)?.[OPENAI_AUTH_CLAIM] as { chatgpt_plan_type?: unknown } | undefined;
  const plan = claim?.chatgpt_plan_type;
  return typeof plan === 'string' && plan.length > 0 ? plan : null;
}

/** A JWT's exp claim as epoch ms, or null. */
export function jwtExpiresAt(token: string | undefined): number | null {
  const exp = decodeJwtPayload(token)?.['exp'];
  return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 ? exp * 1000 : null;
}

// ---- answer shapes ------------------------------------------------------------------------

const num = z.number().nullable().optional();
const windowSchema = z
  .object({ used_percent: num, limit_window_seconds: num, reset_after_seconds: num, reset_at: num })
  .passthrough()
  .nullable()
  .optional();
const rateLimitSchema = z
  .object({
    allowed: z.boolean().nullable().optional(),
    limit_reached: z.boolean().nullable().optional(),
    primary_window: windowSchema,
    secondary_window: windowSchema,
  })
  .passthrough()
  .nullable()
  .optional();
const usageAnswer = z
  .object({
    plan_type: z.string().nullable().optional(),
    rate_limit: rateLimitSchema,
    credits: z
      .object({
        has_credits: z.boolean().nullable().optional(),
        unlimited: z.boolean().nullable().optional(),
        balance: z.union([z.number(), z.string()]).nullable().optional(),
      })
      .passthrough()
      .nullable()
      .optional(),
    additional_rate_limits: z
      .array(z.object({ limit_name: z.string().nullable().optional(), rate_limit: rateLimitSchema }).passthrough())
      .nullable()
      .optional(),
  })
  .passthrough();

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  id_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional(),
});

type CodexWindow = z.infer<typeof windowSchema>;
type CodexRateLimit = z.infer<typeof rateLimitSchema>;

/** "5h", "weekly", "daily", "30d" from the window length; the fallback when it is not given. */
export function windowLabel(seconds: number | null | undefined, fallback: string): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return fallback;
  if (seconds === 7 * 86_400) return 'weekly';
  if (seconds === 86_400) return 'daily';
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600}h`;
  return `${Math.round(seconds / 60)}m`;
}

function toReading(w: CodexWindow, fallback: string, now: number): WindowReading | null {
  if (!w) return null;
  const resetAt =
    typeof w.reset_at === 'number' && w.reset_at > 0 ? w.reset_at * 1000
    : typeof w.reset_after_seconds === 'number' && w.reset_after_seconds >= 0 ? now + w.reset_after_seconds * 1000
    : null;
  return { remainingFraction: remainingFromUsedPercent(w.used_percent), resetAt, window: windowLabel(w.limit_window_seconds, fallback) };
}

/**
 * The binding reading of one rate limit: the tighter of its primary and secondary windows; when
 * the service says the limit is reached (or use is not allowed) remaining is 0, reset and window
 * from the window that is spent (the later one if both are), else from the tighter one.
 */
/** Both windows of one rate limit, for display (a spent limit reads 0 in the window that is spent). */
function rateLimitParts(rl: CodexRateLimit, now: number): (WindowReading | null)[] {
  if (!rl) return [];
  return [toReading(rl.primary_window, '5h', now), toReading(rl.secondary_window, 'weekly', now)];
}

function rateLimitReading(rl: CodexRateLimit, now: number): WindowReading | null {
  if (!rl) return null;
  const windows = [toReading(rl.primary_window, '5h', now), toReading(rl.secondary_window, 'weekly', now)];
  const binding = bindingWindow(windows);
  if (rl.limit_reached !== true && rl.allowed !== false) return binding;
  const spent = windows
    .filter((w): w is WindowReading => w !== null && w.remainingFraction === 0)
    .sort((a, b) => (b.resetAt ?? 0) - (a.resetAt ?? 0))[0];
  const w = spent ?? binding;
  return { remainingFraction: 0, resetAt: w?.resetAt ?? null, window: w?.window ?? null };
}

/** "GPT-5-Codex-Mini" → "*gpt-5-codex-mini*"; null for an empty name. */
export function limitNameGlob(name: string | null | undefined): string | null {
  const slug = (name ?? '').trim().toLowerCase().replace(/\*/g, '').replace(/\s+/g, '-');
  return slug ? `*${slug}*` : null;
}

function balanceDetail(v: number | string | null | undefined): DetailValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : v.slice(0, 64);
}

function classifyUsageFailure(ctx: ProviderContext, status: number, json: unknown, headers: Headers): ProviderError {
  const what = 'Codex usage';
  const now = ctx.now();
  const body = json as { detail?: unknown; error?: { message?: unknown; code?: unknown } } | undefined;
  const detail = body?.detail as { code?: unknown; message?: unknown } | string | undefined;
  const raw = typeof detail === 'string' ? detail : detail?.message ?? detail?.code ?? body?.error?.message ?? body?.error?.code;
  const text = safeUpstreamText(raw, [ctx.credentials.accessToken, ctx.credentials.refreshToken, ctx.credentials.idToken]);
  if (status === 401) {
    return new ProviderError({ kind: 'auth', code: 'unauthorized', status, message: `${what}: access token rejected (401)` });
  }
  if (status === 403) {
    // chatgpt.com sits behind a bot wall whose 403 is an HTML page: not the account's fault.
    if (json === undefined) return new ProviderError({ kind: 'transient', code: 'blocked', status, message: `${what}: request blocked (HTTP 403, not from the API)` });
    return new ProviderError({
      kind: 'permanent',
      code: 'forbidden',
      status,
      accountStatus: 'suspended',
      message: `ChatGPT refused access (403${text ? `: ${text}` : ''}); the account or workspace may be deactivated, or the account id does not match`,
    });
  }
  if (status === 429) {
    return new ProviderError({ kind: 'transient', code: 'rate_limited', status, retryAt: parseRetryAfter(headers.get('retry-after'), now), message: `${what}: rate limited (429)` });
  }
  if (status >= 500) {
    return new ProviderError({ kind: 'transient', code: 'upstream_unavailable', status, retryAt: parseRetryAfter(headers.get('retry-after'), now), message: `${what}: upstream error ${status}` });
  }
  return new ProviderError({ kind: 'transient', code: `http_${status}`, status, message: `${what}: HTTP ${status}${text ? `: ${text}` : ''}` });
}

export const codexAdapter: ProviderAdapter = {
  id: 'codex',
  displayName: 'Codex (ChatGPT subscription)',
  auth: 'oauth',
  defaultBaseUrl: 'https://chatgpt.com',
  oauthFamily: 'codex',
  pollable: true,
  defaultModels: ['gpt-*', 'codex-*', 'o3*', 'o4*'],

  // Imports from ~/.codex/auth.json carry no expiry: the access token's own exp says it.
  needsRefresh: (c, now) => oauthNeedsRefresh(c.accessTokenExpiresAt ?? jwtExpiresAt(c.accessToken) ?? undefined, c.accessToken, now),

  async refreshCredentials(ctx): Promise<Credentials> {
    const c = ctx.credentials;
    if (!c.refreshToken) {
      throw new ProviderError({ kind: 'permanent', code: 'no_refresh_token', accountStatus: 'invalid_credentials', message: 'No refresh token stored for this Codex account' });
    }
    const res = await httpRequest(ctx.fetch, ctx.oauthTokenUrl ?? CODEX_TOKEN_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': USER_AGENT },
      body: JSON.stringify({ client_id: c.clientId ?? CODEX_CLIENT_ID, grant_type: 'refresh_token', refresh_token: c.refreshToken, scope: 'openid profile email' }),
      signal: ctx.signal,
    });
    if (res.status !== 200) throw classifyRefreshFailure('OpenAI', res.status, res.json, res.headers, ctx.now());
    const ok = tokenAnswer.safeParse(res.json);
    if (!ok.success) throw badResponse('the OpenAI OAuth token endpoint', res.status);
    const next: Credentials = { ...c, accessToken: ok.data.access_token };
    // OpenAI rotates refresh tokens: reusing the old one answers refresh_token_reused.
    if (ok.data.refresh_token) next.refreshToken = ok.data.refresh_token;
    if (ok.data.id_token) next.idToken = ok.data.id_token;
    const accountId = c.accountId ?? chatgptAccountIdFromJwt(next.idToken) ?? chatgptAccountIdFromJwt(next.accessToken);
    if (accountId) next.accountId = accountId;
    const expiresAt = ok.data.expires_in ? ctx.now() + ok.data.expires_in * 1000 : jwtExpiresAt(next.accessToken);
    if (expiresAt !== null) next.accessTokenExpiresAt = expiresAt;
    else delete next.accessTokenExpiresAt;
    return next;
  },

  async fetchQuota(ctx): Promise<QuotaResult> {
    const c = ctx.credentials;
    const decoded = c.accountId ? null : (chatgptAccountIdFromJwt(c.idToken) ?? chatgptAccountIdFromJwt(c.accessToken));
    const accountId = c.accountId ?? decoded;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${c.accessToken ?? ''}`,
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
    };
    if (accountId) headers['ChatGPT-Account-Id'] = accountId;
    const res = await httpRequest(ctx.fetch, `${ctx.baseUrl.replace(/\/+$/, '')}/backend-api/wham/usage`, { method: 'GET', headers, signal: ctx.signal });
    if (res.status !== 200) throw classifyUsageFailure(ctx, res.status, res.json, res.headers);
    if (res.json === null || typeof res.json !== 'object' || Array.isArray(res.json)) throw badResponse('Codex usage', res.status);
    const parsed = usageAnswer.safeParse(res.json);
    if (!parsed.success) throw badResponse('Codex usage', res.status);
    const u = parsed.data;
    const now = ctx.now();

    const quotas: QuotaInfo[] = [];
    const push = (model: string, displayName: string, w: WindowReading | null, parts: (WindowReading | null)[]): void => {
      if (!w) return;
      quotas.push({
        accountId: ctx.account.id, model, displayName, remainingFraction: w.remainingFraction, resetAt: w.resetAt,
        fetchedAt: now, source: 'poll', window: w.window, limit: null, remaining: null, windows: windowParts(parts),
      });
    };
    push('*', 'All Codex models', rateLimitReading(u.rate_limit, now), rateLimitParts(u.rate_limit, now));
    // Additional limits are separate buckets for one model family (e.g. GPT-5-Codex-Mini).
    const extra = new Map<string, { name: string; reading: WindowReading | null; parts: (WindowReading | null)[] }>();
    for (const l of u.additional_rate_limits ?? []) {
      const glob = limitNameGlob(l.limit_name);
      if (!glob) continue;
      const reading = rateLimitReading(l.rate_limit, now);
      const prev = extra.get(glob);
      const parts = [...(prev?.parts ?? []), ...rateLimitParts(l.rate_limit, now)];
      extra.set(glob, { name: l.limit_name!.trim(), reading: prev ? bindingWindow([prev.reading, reading]) : reading, parts });
    }
    for (const [glob, { name, reading, parts }] of extra) push(glob, name, reading, parts);

    // Details are merged into the account's: a fact that went away is written as null, not left stale.
    const rl = u.rate_limit;
    const details: Record<string, DetailValue> = {
      limitReached: rl?.limit_reached ?? null,
      primaryUsedPercent: rl?.primary_window?.used_percent ?? null,
      secondaryUsedPercent: rl?.secondary_window?.used_percent ?? null,
      creditsHasCredits: u.credits?.has_credits ?? null,
      creditsUnlimited: u.credits?.unlimited ?? null,
      creditsBalance: balanceDetail(u.credits?.balance),
    };
    // The plan: the usage answer's plan_type, else the id_token's chatgpt_plan_type claim.
    const planType = u.plan_type ?? chatgptPlanFromJwt(c.idToken) ?? chatgptPlanFromJwt(c.accessToken);
    if (planType) details['planType'] = planType;

    const result: QuotaResult = { quotas, details };
    const plan = codexPlan(planType);
    if (plan) {
      result.tier = plan.tier;
      result.tierLabel = plan.label;
    } else if (planType) result.tierLabel = planType;
    if (decoded) result.credentials = { ...c, accountId: decoded };
    return result;
  },
};
