// The plain-API-key adapters (OpenAI-compatible, Anthropic API) probed directly against a
// real-HTTP fake that answers with each family's rate-limit headers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ProviderErrorWithResult,
  anthropicApiAdapter,
  openaiAdapter,
  resultOfError,
} from '../../../src/main/core/providers/api-key-probe';
import { resolveBaseUrl, type ProviderAdapter, type QuotaResult } from '../../../src/main/core/providers/provider-adapter';
import { ProviderError } from '../../../src/main/core/providers/provider-error';
import { DEFAULT_SETTINGS } from '../../../src/main/core/settings-store';
import type { AccountRecord } from '../../../src/main/core/model';
import { startFakeLlmApi, type FakeLlmApi } from '../../helpers/fake-llm-api';
import { providerContext, testAccount } from '../../helpers/provider-context';

// Whole seconds so Anthropic's RFC 3339 resets (no milliseconds) compare exactly.
const NOW = Date.parse('2026-11-23T10:00:00Z');
const OPENAI_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';
const ANTHROPIC_KEY = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345';

let fake: FakeLlmApi;
beforeEach(async () => { fake = await startFakeLlmApi({ now: () => NOW }); });
afterEach(async () => { await fake.close(); });

interface Opts { key?: string; baseUrl?: string; account?: Partial<AccountRecord>; timeoutMs?: number }
function ctx(adapter: ProviderAdapter, o: Opts = {}) {
  const family = adapter.id === 'openai';
  return providerContext(adapter, {
    credentials: { apiKey: o.key ?? (family ? OPENAI_KEY : ANTHROPIC_KEY) },
    baseUrl: o.baseUrl ?? (family ? fake.openaiBaseUrl : fake.anthropicBaseUrl),
    now: () => NOW,
    ...(o.account ? { account: o.account } : {}),
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
  });
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ProviderError);
    return e as ProviderError;
  }
  throw new Error('expected a ProviderError');
}

const probe = (adapter: ProviderAdapter, c: ReturnType<typeof ctx>, model: string | null = null): Promise<QuotaResult> => adapter.probe!(c, model);

describe('shape', () => {
  it.each([
    [openaiAdapter, 'openai', 'https://api.openai.com/v1', ['*']],
    [anthropicApiAdapter, 'anthropic', 'https://api.anthropic.com', ['claude-*']],
  ] as const)('%#: %s is a non-pollable API-key adapter with a probe', async (adapter, id, base, models) => {
    expect(adapter).toMatchObject({ id, auth: 'api-key', defaultBaseUrl: base, pollable: false, defaultModels: models });
    expect(typeof adapter.probe).toBe('function');
    expect(adapter.needsRefresh({ apiKey: 'k' }, NOW)).toBe(false);
    expect(await failure(adapter.fetchQuota(ctx(adapter)))).toMatchObject({ kind: 'transient', code: 'not_pollable' });
    expect(await failure(adapter.refreshCredentials(ctx(adapter)))).toMatchObject({ kind: 'permanent', accountStatus: 'invalid_credentials' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('OpenAI probe', () => {
  it('one minimal request; the headers become a per-model reading and details', async () => {
    fake.addKey({ key: OPENAI_KEY, limits: {
      requests: { limit: 500, remaining: 500, resetMs: 120 },
      tokens: { limit: 200_000, remaining: 20_009, resetMs: 360_000 },
    } });
    const r = await probe(openaiAdapter, ctx(openaiAdapter), 'gpt-4o');
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req).toMatchObject({ path: '/v1/chat/completions', method: 'POST', status: 200 });
    expect(req.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(req.body).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 });
    // After the probe: 499 requests, 20 000 tokens (10 %) left; tokens is the tightest.
    expect(r.quotas).toEqual([{
      accountId: 'acc-1', model: 'gpt-4o', displayName: null, remainingFraction: 0.1, resetAt: NOW + 360_000,
      fetchedAt: NOW, source: 'poll', window: 'tokens', limit: 200_000, remaining: 20_000,
    }]);
    expect(r.details).toEqual({
      probed_model: 'gpt-4o', probe_status: 200, credits_exhausted: false, reason: null,
      requests_limit: 500, requests_remaining: 499, requests_reset: new Date(NOW + 120).toISOString(),
      tokens_limit: 200_000, tokens_remaining: 20_000, tokens_reset: new Date(NOW + 360_000).toISOString(),
    });
  });

  it('without a model: the first exact id the account lists, skipping globs', async () => {
    fake.addKey({ key: OPENAI_KEY, limits: { requests: { limit: 10, remaining: 10, resetMs: 6000 } } });
    const r = await probe(openaiAdapter, ctx(openaiAdapter, { account: { models: ['gpt-4.1*', 'gpt-4.1-mini', 'gpt-4o'] } }));
    expect((fake.requests[0]?.body as { model: string }).model).toBe('gpt-4.1-mini');
    expect(r.quotas[0]).toMatchObject({ model: 'gpt-4.1-mini', remainingFraction: 0.9, window: 'requests', resetAt: NOW + 6000 });
  });

  it('without any model: gpt-4o-mini (a glob given as the model counts as none)', async () => {
    fake.addKey({ key: OPENAI_KEY });
    const r = await probe(openaiAdapter, ctx(openaiAdapter), 'gpt-*');
    expect((fake.requests[0]?.body as { model: string }).model).toBe('gpt-4o-mini');
    // No rate-limit headers: nothing to read, but the probe itself succeeded.
    expect(r.quotas).toEqual([]);
    expect(r.details).toEqual({ probed_model: 'gpt-4o-mini', probe_status: 200, credits_exhausted: false, reason: null });
  });

  it('an OpenAI-compatible service at the base URL set on the account', async () => {
    fake.addKey({ key: OPENAI_KEY, limits: { requests: { limit: 30, remaining: 16, resetMs: 2000 }, tokens: { limit: 6000, remaining: 5991, resetMs: 90 } } });
    const own = `${fake.baseUrl}/groq/openai/v1/`;
    const account = testAccount(openaiAdapter, { baseUrl: own });
    const baseUrl = resolveBaseUrl(openaiAdapter, { ...DEFAULT_SETTINGS, baseUrls: { openai: 'https://elsewhere.invalid/v1' } }, account);
    expect(baseUrl).toBe(`${fake.baseUrl}/groq/openai/v1`);
    const r = await probe(openaiAdapter, ctx(openaiAdapter, { baseUrl, account: { baseUrl: own } }), 'llama-3.3-70b-versatile');
    expect(fake.requests[0]?.path).toBe('/groq/openai/v1/chat/completions');
    expect(r.quotas).toEqual([expect.objectContaining({ model: 'llama-3.3-70b-versatile', remainingFraction: 0.5, window: 'requests', limit: 30, remaining: 15, resetAt: NOW + 2000 })]);
  });

  it('a model that refuses max_tokens is asked again with max_completion_tokens', async () => {
    fake.addKey({ key: OPENAI_KEY, limits: { requests: { limit: 100, remaining: 100, resetMs: 1000 } } });
    const r = await probe(openaiAdapter, ctx(openaiAdapter), 'gpt-5-mini');
    expect(fake.requests.map((q) => q.status)).toEqual([400, 200]);
    expect(fake.requests[1]?.body).toEqual({ model: 'gpt-5-mini', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 1 });
    expect(r.quotas[0]).toMatchObject({ model: 'gpt-5-mini', remainingFraction: 0.99 });
  });

  it('429 with retry-after: rate_limited until then, carrying a 0 reading for the model', async () => {
    fake.addKey({ key: OPENAI_KEY, limits: { requests: { limit: 3, remaining: 0, resetMs: 20_000 } } });
    const e = await failure(probe(openaiAdapter, ctx(openaiAdapter), 'gpt-4o-mini'));
    expect(e).toBeInstanceOf(ProviderErrorWithResult);
    expect(e).toMatchObject({ kind: 'transient', code: 'rate_limited', status: 429, retryAt: NOW + 20_000 });
    expect(e.message).not.toContain(OPENAI_KEY);
    expect(resultOfError(e)?.quotas).toEqual([{
      accountId: 'acc-1', model: 'gpt-4o-mini', displayName: null, remainingFraction: 0, resetAt: NOW + 20_000,
      fetchedAt: NOW, source: 'poll', window: 'requests', limit: 3, remaining: 0,
    }]);
    expect(resultOfError(e)?.details).toMatchObject({ probed_model: 'gpt-4o-mini', probe_status: 429, requests_remaining: 0 });
    expect(resultOfError(new Error('x'))).toBeNull();
  });

  it('insufficient_quota (billing, 429) is a key-wide exhausted reading, not a rate limit', async () => {
    fake.addKey({ key: OPENAI_KEY, behaviour: { kind: 'insufficientQuota' } });
    const r = await probe(openaiAdapter, ctx(openaiAdapter), 'gpt-4o-mini');
    expect(r.quotas.map((q) => [q.model, q.remainingFraction, q.resetAt])).toEqual([['gpt-4o-mini', 0, null], ['*', 0, null]]);
    expect(r.details).toMatchObject({ credits_exhausted: true });
  });

  it('402 from a relay: exhausted readings, not an error', async () => {
    fake.addKey({ key: OPENAI_KEY, behaviour: { kind: 'outOfCredits' } });
    const r = await probe(openaiAdapter, ctx(openaiAdapter), 'gpt-4o-mini');
    expect(r.quotas.map((q) => [q.model, q.remainingFraction])).toEqual([['gpt-4o-mini', 0], ['*', 0]]);
    expect(r.details).toMatchObject({ credits_exhausted: true, probe_status: 402 });
  });

  it('401 (unknown key): invalid_credentials; the message holds no key', async () => {
    const e = await failure(probe(openaiAdapter, ctx(openaiAdapter, { key: 'sk-proj-nobodyknowsthiskey000000' })));
    expect(e).toMatchObject({ kind: 'permanent', code: 'invalid_api_key', status: 401, accountStatus: 'invalid_credentials' });
    expect(e.message).toContain('the API key was rejected');
    expect(e.message).not.toMatch(/nobodyknows|sk-/);
  });

  it('403: suspended', async () => {
    fake.addKey({ key: OPENAI_KEY, behaviour: { kind: 'status', status: 403, body: { error: { message: 'Country, region, or territory not supported', type: 'request_forbidden', code: 'unsupported_country_region_territory' } } } });
    expect(await failure(probe(openaiAdapter, ctx(openaiAdapter)))).toMatchObject({ kind: 'permanent', accountStatus: 'suspended', status: 403 });
  });

  it('unknown model (404): transient with the upstream reason', async () => {
    fake.addKey({ key: OPENAI_KEY, models: ['gpt-4o-mini'] });
    const e = await failure(probe(openaiAdapter, ctx(openaiAdapter), 'gpt-9'));
    expect(e).toMatchObject({ kind: 'transient', code: 'http_404', status: 404 });
    expect(e.message).toContain('gpt-9');
  });

  it.each([500, 503])('%d: transient', async (status) => {
    fake.addKey({ key: OPENAI_KEY, behaviour: { kind: 'status', status } });
    expect(await failure(probe(openaiAdapter, ctx(openaiAdapter)))).toMatchObject({ kind: 'transient', code: 'upstream_unavailable', status });
  });

  it('garbage body: transient bad_response', async () => {
    fake.addKey({ key: OPENAI_KEY, behaviour: { kind: 'malformed' } });
    expect(await failure(probe(openaiAdapter, ctx(openaiAdapter)))).toMatchObject({ kind: 'transient', code: 'bad_response' });
  });

  it('a hung upstream is cut off by the signal: transient timeout', async () => {
    fake.addKey({ key: OPENAI_KEY, behaviour: { kind: 'hang' } });
    expect(await failure(probe(openaiAdapter, ctx(openaiAdapter, { timeoutMs: 150 })))).toMatchObject({ kind: 'transient', code: 'timeout' });
  });

  it('no stored key: invalid_credentials without a request', async () => {
    expect(await failure(probe(openaiAdapter, ctx(openaiAdapter, { key: ' ' })))).toMatchObject({ kind: 'permanent', accountStatus: 'invalid_credentials' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('Anthropic probe', () => {
  const limits = {
    requests: { limit: 50, remaining: 50, resetMs: 1000 },
    tokens: { limit: 90_000, remaining: 80_009, resetMs: 7000 },
    inputTokens: { limit: 50_000, remaining: 5008, resetMs: 54_000 },
    outputTokens: { limit: 10_000, remaining: 9000, resetMs: 2000 },
  };

  it('one minimal request; key-wide headers give a reading for the model and for "*"', async () => {
    fake.addKey({ key: ANTHROPIC_KEY, limits });
    const r = await probe(anthropicApiAdapter, ctx(anthropicApiAdapter), 'claude-sonnet-4-5');
    const req = fake.requests[0]!;
    expect(req).toMatchObject({ path: '/v1/messages', method: 'POST', status: 200 });
    expect(req.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(req.headers['anthropic-version']).toBe('2023-06-01');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] });
    const reading = { accountId: 'acc-1', displayName: null, remainingFraction: 0.1, resetAt: NOW + 54_000, fetchedAt: NOW, source: 'poll', window: 'input-tokens', limit: 50_000, remaining: 5000 };
    expect(r.quotas).toEqual([{ ...reading, model: 'claude-sonnet-4-5' }, { ...reading, model: '*' }]);
    expect(r.details).toMatchObject({
      probed_model: 'claude-sonnet-4-5', probe_status: 200,
      requests_limit: 50, requests_remaining: 49, tokens_remaining: 80_000, input_tokens_remaining: 5000, output_tokens_remaining: 8999,
      input_tokens_reset: new Date(NOW + 54_000).toISOString(),
    });
  });

  it('without a model: claude-3-5-haiku-latest (defaultModels are globs)', async () => {
    fake.addKey({ key: ANTHROPIC_KEY, limits });
    await probe(anthropicApiAdapter, ctx(anthropicApiAdapter));
    expect((fake.requests[0]?.body as { model: string }).model).toBe('claude-3-5-haiku-latest');
  });

  it('a base URL with a trailing slash still reaches /v1/messages', async () => {
    fake.addKey({ key: ANTHROPIC_KEY, limits });
    await probe(anthropicApiAdapter, ctx(anthropicApiAdapter, { baseUrl: `${fake.anthropicBaseUrl}/` }), 'claude-opus-4-1');
    expect(fake.requests[0]?.path).toBe('/v1/messages');
  });

  it('429 with retry-after: rate_limited, 0 for the model and for "*" until then', async () => {
    fake.addKey({ key: ANTHROPIC_KEY, limits, behaviour: { kind: 'rateLimited', retryAfterSec: 33 } });
    const e = await failure(probe(anthropicApiAdapter, ctx(anthropicApiAdapter), 'claude-sonnet-4-5'));
    expect(e).toMatchObject({ kind: 'transient', code: 'rate_limited', retryAt: NOW + 33_000 });
    const quotas = resultOfError(e)?.quotas ?? [];
    // No window says it is empty, so the reading names none: the 429 and its Retry-After rule.
    expect(quotas.map((q) => [q.model, q.remainingFraction, q.resetAt, q.window])).toEqual([
      ['claude-sonnet-4-5', 0, NOW + 33_000, null], ['*', 0, NOW + 33_000, null],
    ]);
  });

  it('429 once the requests run out: retry-after from the fake, exhausted requests window', async () => {
    fake.addKey({ key: ANTHROPIC_KEY, limits: { requests: { limit: 5, remaining: 0, resetMs: 12_000 } } });
    const e = await failure(probe(anthropicApiAdapter, ctx(anthropicApiAdapter), 'claude-sonnet-4-5'));
    expect(e.retryAt).toBe(NOW + 12_000);
    expect(resultOfError(e)?.quotas[0]).toMatchObject({ remainingFraction: 0, window: 'requests', limit: 5, resetAt: NOW + 12_000 });
  });

  it('402 (credit balance too low): exhausted readings, not an error', async () => {
    fake.addKey({ key: ANTHROPIC_KEY, behaviour: { kind: 'outOfCredits' } });
    const r = await probe(anthropicApiAdapter, ctx(anthropicApiAdapter), 'claude-sonnet-4-5');
    expect(r.quotas.map((q) => [q.model, q.remainingFraction])).toEqual([['claude-sonnet-4-5', 0], ['*', 0]]);
    expect(r.details).toMatchObject({ credits_exhausted: true, reason: expect.stringContaining('credit balance') });
  });

  it('401: invalid_credentials; the message holds no key', async () => {
    const e = await failure(probe(anthropicApiAdapter, ctx(anthropicApiAdapter, { key: 'sk-ant-api03-unknownunknownunknown' })));
    expect(e).toMatchObject({ kind: 'permanent', status: 401, accountStatus: 'invalid_credentials' });
    expect(e.message).not.toContain('unknownunknown');
  });

  it('529 overloaded: transient', async () => {
    fake.addKey({ key: ANTHROPIC_KEY, behaviour: { kind: 'status', status: 529 } });
    expect(await failure(probe(anthropicApiAdapter, ctx(anthropicApiAdapter)))).toMatchObject({ kind: 'transient', status: 529 });
  });

  it('garbage body: transient bad_response', async () => {
    fake.addKey({ key: ANTHROPIC_KEY, behaviour: { kind: 'malformed' } });
    expect(await failure(probe(anthropicApiAdapter, ctx(anthropicApiAdapter)))).toMatchObject({ kind: 'transient', code: 'bad_response' });
  });

  it('garbage rate-limit headers are ignored: the good windows still read', async () => {
    fake.addKey({ key: ANTHROPIC_KEY, limits: { tokens: { limit: 1000, remaining: 509, resetMs: 3000 } }, extraHeaders: {
      'anthropic-ratelimit-requests-limit': 'many', 'anthropic-ratelimit-requests-remaining': '??', 'anthropic-ratelimit-requests-reset': 'later',
    } });
    const r = await probe(anthropicApiAdapter, ctx(anthropicApiAdapter));
    expect(r.quotas[0]).toMatchObject({ remainingFraction: 0.5, window: 'tokens', resetAt: NOW + 3000 });
  });

  it('a hung upstream is cut off by the signal: transient timeout', async () => {
    fake.addKey({ key: ANTHROPIC_KEY, behaviour: { kind: 'hang' } });
    expect(await failure(probe(anthropicApiAdapter, ctx(anthropicApiAdapter, { timeoutMs: 150 })))).toMatchObject({ kind: 'transient', code: 'timeout' });
  });
});
