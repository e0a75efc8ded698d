// Plain API keys (OpenAI-compatible services, the Anthropic API): no quota endpoint exists, so
// these adapters are not pollable. What they know comes from rate-limit headers: passively from
// proxy traffic, or from probe(), one minimal real request (max 1 output token) on demand.
// Also home of the failure classification shared by every API-key adapter (OpenRouter too).
import type { ProviderId } from '../../../shared/types';
import { safeUpstreamText } from '../log/redact';
import type { QuotaInfo } from '../model';
import { badResponse, httpRequest, parseRetryAfter, type HttpResult } from './http';
import { USER_AGENT, type DetailValue, type ProviderAdapter, type ProviderContext, type QuotaResult } from './provider-adapter';
import { ProviderError } from './provider-error';
import { parseRateLimitWindows, readingsFromHeaders, retryAtFromHeaders, windowsToDetails } from './rate-limit-headers';

/**
 * A failed request that still taught something: a 429 says the key (or model) is exhausted
 * until `retryAt`, and `result` holds that reading (remaining 0) with the windows found.
 */
export class ProviderErrorWithResult extends ProviderError {
  readonly result: QuotaResult;
  constructor(init: ConstructorParameters<typeof ProviderError>[0], result: QuotaResult) {
    super(init);
    this.name = 'ProviderErrorWithResult';
    this.result = result;
  }
}

/** The readings a failed probe carries (a 429 teaches "exhausted until"), else null. */
export function resultOfError(err: unknown): QuotaResult | null {
  return err instanceof ProviderErrorWithResult ? err.result : null;
}

/** The upstream's own error text (`{error:{message}}`): the key and token shapes scrubbed out, then cut short. */
export function upstreamMessage(res: Pick<HttpResult, 'json'>, apiKey?: string): string {
  const err = (res.json as { error?: unknown } | undefined)?.error;
  let msg = '';
  if (typeof err === 'string') msg = err;
  else if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
    msg = (err as { message: string }).message;
  }
  // Secrets out first, then the cut (issue 14): a key echoed near the cut never survives in part.
  return safeUpstreamText(msg, [apiKey]);
}

function upstreamErrorCode(res: Pick<HttpResult, 'json'>): string | null {
  const err = (res.json as { error?: { code?: unknown; type?: unknown } } | undefined)?.error;
  if (!err || typeof err !== 'object') return null;
  const c = typeof err.code === 'string' ? err.code : typeof err.type === 'string' ? err.type : null;
  return c;
}

/** OpenAI answers an exhausted billing quota with 429 `insufficient_quota`: that is no rate limit. */
export function isInsufficientQuota(res: Pick<HttpResult, 'status' | 'json'>): boolean {
  return res.status === 429 && upstreamErrorCode(res) === 'insufficient_quota';
}

/**
 * Classifies a failed API-key request. 401: the key is dead (keys cannot be refreshed);
 * 403: refused; 429: rate limited until the headers say; 5xx and anything else: transient.
 * 402 is not handled here: callers turn it into an exhausted reading.
 */
export function classifyKeyFailure(res: HttpResult, now: number, what: string, apiKey?: string): ProviderError {
  const status = res.status;
  const detail = upstreamMessage(res, apiKey);
  const suffix = detail ? `: ${detail}` : '';
  if (status === 401) {
    return new ProviderError({
      kind: 'permanent',
      code: 'invalid_api_key',
      status,
      accountStatus: 'invalid_credentials',
      message: `${what}: the API key was rejected (401)`,
    });
  }
  if (status === 403) {
    return new ProviderError({ kind: 'permanent', code: 'forbidden', status, accountStatus: 'suspended', message: `${what}: access refused (403)${suffix}` });
  }
  if (status === 429) {
    return new ProviderError({
      kind: 'transient',
      code: 'rate_limited',
      status,
      retryAt: retryAtFromHeaders(res.headers, now),
      message: `${what}: rate limited (429)${suffix}`,
    });
  }
  if (status >= 500) {
    return new ProviderError({
      kind: 'transient',
      code: 'upstream_unavailable',
      status,
      retryAt: parseRetryAfter(res.headers.get('retry-after'), now),
      message: `${what}: upstream error ${status}${suffix}`,
    });
  }
  return new ProviderError({ kind: 'transient', code: `http_${status}`, status, message: `${what}: HTTP ${status}${suffix}` });
}

export function requireApiKey(ctx: ProviderContext, what: string): string {
  const key = ctx.credentials.apiKey?.trim();
  if (!key) {
    throw new ProviderError({ kind: 'permanent', code: 'no_api_key', accountStatus: 'invalid_credentials', message: `${what}: no API key is stored for this account` });
  }
  return key;
}

/** API keys cannot be refreshed: a key the upstream rejects stays rejected. */
export async function refuseRefresh(): Promise<never> {
  throw new ProviderError({
    kind: 'permanent',
    code: 'invalid_api_key',
    accountStatus: 'invalid_credentials',
    message: 'the API key was rejected; API keys cannot be refreshed',
  });
}

/** An exhausted reading (402, out of credits): no reset time is known. */
export function exhaustedReading(accountId: string, model: string, now: number, resetAt: number | null = null, window: string | null = null): QuotaInfo {
  return { accountId, model, displayName: null, remainingFraction: 0, resetAt, fetchedAt: now, source: 'poll', window, limit: null, remaining: 0 };
}

interface ProbeFamily {
  id: ProviderId;
  displayName: string;
  defaultBaseUrl: string;
  defaultModels: readonly string[];
  defaultProbeModel: string;
  /** Anthropic's rate limits are per key ("*" too); OpenAI's are per model. */
  keyWide: boolean;
  send(ctx: ProviderContext, key: string, model: string): Promise<HttpResult>;
  validBody(json: unknown): boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const baseOf = (ctx: ProviderContext): string => ctx.baseUrl.replace(/\/+$/, '');

function postJson(ctx: ProviderContext, url: string, headers: Record<string, string>, body: unknown): Promise<HttpResult> {
  return httpRequest(ctx.fetch, url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT, ...headers },
    body: JSON.stringify(body),
    signal: ctx.signal,
  });
}

/** Newer OpenAI models refuse `max_tokens` and want `max_completion_tokens`. */
function wantsMaxCompletionTokens(res: HttpResult): boolean {
  if (res.status !== 400) return false;
  const err = (res.json as { error?: { param?: unknown; message?: unknown } } | undefined)?.error;
  return err?.param === 'max_tokens' || (typeof err?.message === 'string' && err.message.includes('max_completion_tokens'));
}

const OPENAI: ProbeFamily = {
  id: 'openai',
  displayName: 'OpenAI-compatible API',
  defaultBaseUrl: 'https://api.openai.com/v1',
  defaultModels: ['*'],
  defaultProbeModel: 'gpt-4o-mini',
  keyWide: false,
  async send(ctx, key, model) {
    const url = `${baseOf(ctx)}/chat/completions`;
    const auth = { Authorization: `Bearer ${key}` };
    const messages = [{ role: 'user', content: 'hi' }];
    const res = await postJson(ctx, url, auth, { model, messages, max_tokens: 1 });
    if (!wantsMaxCompletionTokens(res)) return res;
    return postJson(ctx, url, auth, { model, messages, max_completion_tokens: 1 });
  },
  validBody: (json) => isObject(json) && (Array.isArray(json['choices']) || typeof json['id'] === 'string'),
};

const ANTHROPIC: ProbeFamily = {
  id: 'anthropic',
  displayName: 'Anthropic API',
  defaultBaseUrl: 'https://api.anthropic.com',
  defaultModels: ['claude-*'],
  defaultProbeModel: 'claude-3-5-haiku-latest',
  keyWide: true,
  send(ctx, key, model) {
    return postJson(ctx, `${baseOf(ctx)}/v1/messages`, { 'x-api-key': key, 'anthropic-version': '2023-06-01' }, {
      model,
      max_tokens: 1,
      messages: [{ role: 'user', content: 'hi' }],
    });
  },
  validBody: (json) => isObject(json) && (json['type'] === 'message' || Array.isArray(json['content'])),
};

/** The model a probe asks for: the given exact id, else the account's first exact id, else the setting's, else the default. */
export function probeModel(ctx: ProviderContext, family: { id: ProviderId; defaultProbeModel: string }, model: string | null): string {
  const exact = (m: string | null | undefined): m is string => typeof m === 'string' && m.trim() !== '' && !m.includes('*');
  if (exact(model)) return model.trim();
  const fromAccount = (ctx.account.models ?? []).find(exact);
  if (fromAccount) return fromAccount;
  const fromSettings = (ctx.settings.providerModels?.[family.id] ?? []).find(exact);
  return fromSettings ?? family.defaultProbeModel;
}

async function runProbe(f: ProbeFamily, ctx: ProviderContext, requested: string | null): Promise<QuotaResult> {
  const what = `${f.displayName} probe`;
  const key = requireApiKey(ctx, what);
  const model = probeModel(ctx, { id: f.id, defaultProbeModel: f.defaultProbeModel }, requested);
  const res = await f.send(ctx, key, model);
  const now = ctx.now();
  const windows = parseRateLimitWindows(res.headers, now);
  const details: Record<string, DetailValue> = { probed_model: model, probe_status: res.status, ...windowsToDetails(windows) };
  const accountId = ctx.account.id;
  const keyed = (status?: number): QuotaInfo[] => {
    const opts = { accountId, source: 'poll' as const, ...(status === undefined ? {} : { status }) };
    const readings = readingsFromHeaders(res.headers, now, { ...opts, model });
    if (f.keyWide) readings.push(...readingsFromHeaders(res.headers, now, { ...opts, model: '*' }));
    return readings;
  };

  // Out of credits (402, or OpenAI's 429 insufficient_quota): the whole key is exhausted, with
  // no known reset. Not an error: that is exactly what the probe was asked to find out.
  if (res.status === 402 || isInsufficientQuota(res)) {
    details['credits_exhausted'] = true;
    const reason = upstreamMessage(res, key);
    if (reason) details['reason'] = reason;
    return { quotas: [exhaustedReading(accountId, model, now), exhaustedReading(accountId, '*', now)], details };
  }
  if (res.status === 429) {
    const err = classifyKeyFailure(res, now, what, key);
    throw new ProviderErrorWithResult(
      { kind: err.kind, code: err.code, status: err.status, retryAt: err.retryAt, message: err.message },
      { quotas: keyed(429), details },
    );
  }
  if (res.status < 200 || res.status >= 300) throw classifyKeyFailure(res, now, what, key);
  if (!f.validBody(res.json)) throw badResponse(what, res.status);
  // It answered, so there are credits; details merge into the account's, so clear a past 402.
  return { quotas: keyed(), details: { ...details, credits_exhausted: false, reason: null } };
}

function probeAdapter(f: ProbeFamily): ProviderAdapter {
  return {
    id: f.id,
    displayName: f.displayName,
    auth: 'api-key',
    defaultBaseUrl: f.defaultBaseUrl,
    pollable: false,
    defaultModels: f.defaultModels,
    needsRefresh: () => false,
    refreshCredentials: refuseRefresh,
    async fetchQuota(): Promise<QuotaResult> {
      throw new ProviderError({
        kind: 'transient',
        code: 'not_pollable',
        message: `${f.displayName} has no quota endpoint: its limits come from response headers (probe or proxy traffic)`,
      });
    },
    probe: (ctx, model) => runProbe(f, ctx, model),
  };
}

/** OpenAI and any OpenAI-compatible service (the account's own base URL arrives as ctx.baseUrl). */
export const openaiAdapter: ProviderAdapter = probeAdapter(OPENAI);

/** The Anthropic API with an `sk-ant-` key (not the Claude subscription). */
export const anthropicApiAdapter: ProviderAdapter = probeAdapter(ANTHROPIC);
