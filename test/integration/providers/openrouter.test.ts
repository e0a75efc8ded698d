// The OpenRouter adapter called directly against a real-HTTP fake of /api/v1/key and /credits.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextLimitReset, openrouterAdapter } from '../../../src/main/core/providers/openrouter';
import { ProviderError } from '../../../src/main/core/providers/provider-error';
import { startFakeOpenRouter, type FakeOpenRouter } from '../../helpers/fake-openrouter';
import { providerContext } from '../../helpers/provider-context';

const NOW = Date.parse('2026-11-18T15:30:00Z'); // a Wednesday
const KEY = 'sk-or-v1-0123456789abcdef0123456789abcdef';

let fake: FakeOpenRouter;
beforeEach(async () => { fake = await startFakeOpenRouter(); });
afterEach(async () => { await fake.close(); });

function ctx(o: { key?: string; timeoutMs?: number; signal?: AbortSignal } = {}) {
  return providerContext(openrouterAdapter, {
    credentials: { apiKey: o.key ?? KEY },
    baseUrl: fake.baseUrl,
    now: () => NOW,
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
    ...(o.signal ? { signal: o.signal } : {}),
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

describe('openrouter adapter: shape', () => {
  it('is a pollable API-key adapter serving every model, with no refresh', async () => {
    expect(openrouterAdapter).toMatchObject({ id: 'openrouter', auth: 'api-key', defaultBaseUrl: 'https://openrouter.ai/api', pollable: true, defaultModels: ['*'] });
    expect(openrouterAdapter.needsRefresh({ apiKey: KEY }, NOW)).toBe(false);
    const e = await failure(openrouterAdapter.refreshCredentials(ctx()));
    expect(e).toMatchObject({ kind: 'permanent', accountStatus: 'invalid_credentials' });
  });
});

describe('openrouter adapter: key limits', () => {
  it('a limited key reads limit_remaining/limit with monthly reset and usage in details', async () => {
    fake.addKey({ key: KEY, label: 'team key', limit: 20, limitRemaining: 5, limitReset: 'monthly', usage: 40, usageDaily: 1, usageWeekly: 3, usageMonthly: 15, totalCredits: 100, totalUsage: 40 });
    const r = await openrouterAdapter.fetchQuota(ctx());
    expect(r.quotas).toEqual([{
      accountId: 'acc-1', model: '*', displayName: null, remainingFraction: 0.25,
      resetAt: Date.parse('2026-12-01T00:00:00Z'), fetchedAt: NOW, source: 'poll', window: 'monthly', limit: 20, remaining: 5,
    }]);
    expect(r.details).toMatchObject({
      label: 'team key', usage: 40, usage_daily: 1, usage_weekly: 3, usage_monthly: 15, is_free_tier: false,
      limit: 20, limit_remaining: 5, limit_reset: 'monthly', unlimited: false, total_credits: 100, total_usage: 40, credits_exhausted: false,
    });
    const key = fake.requests.find((q) => q.path === '/api/v1/key');
    expect(key).toMatchObject({ method: 'GET', authorization: `Bearer ${KEY}` });
    expect(fake.requests.map((q) => q.path)).toEqual(['/api/v1/key', '/api/v1/credits']);
  });

  it('daily limit resets at the next UTC midnight', async () => {
    fake.addKey({ key: KEY, limit: 2, limitRemaining: 0, limitReset: 'daily' });
    const [q] = (await openrouterAdapter.fetchQuota(ctx())).quotas;
    expect(q).toMatchObject({ remainingFraction: 0, resetAt: Date.parse('2026-11-19T00:00:00Z'), window: 'daily', remaining: 0, limit: 2 });
  });

  it('weekly limit resets next Monday 00:00 UTC', async () => {
    fake.addKey({ key: KEY, limit: 10, limitRemaining: 12.5, limitReset: 'weekly' });
    const [q] = (await openrouterAdapter.fetchQuota(ctx())).quotas;
    expect(q).toMatchObject({ remainingFraction: 1, resetAt: Date.parse('2026-11-23T00:00:00Z'), window: 'weekly' });
  });

  it('a limit that never resets has no reset time', async () => {
    fake.addKey({ key: KEY, limit: 10, limitRemaining: 7.5, limitReset: null });
    const [q] = (await openrouterAdapter.fetchQuota(ctx())).quotas;
    expect(q).toMatchObject({ remainingFraction: 0.75, resetAt: null, window: 'never', limit: 10, remaining: 7.5 });
  });

  it('an unlimited key stays proceed (1), with usage in details', async () => {
    fake.addKey({ key: KEY, limit: null, usage: 12.34, usageDaily: 0.5, usageWeekly: 2, usageMonthly: 9, totalCredits: 50, totalUsage: 12.34 });
    const r = await openrouterAdapter.fetchQuota(ctx());
    expect(r.quotas).toEqual([{
      accountId: 'acc-1', model: '*', displayName: null, remainingFraction: 1, resetAt: null, fetchedAt: NOW,
      source: 'poll', window: null, limit: null, remaining: null,
    }]);
    expect(r.details).toMatchObject({ unlimited: true, limit: null, limit_remaining: null, usage: 12.34, usage_daily: 0.5, usage_weekly: 2, usage_monthly: 9, total_credits: 50, total_usage: 12.34, credits_exhausted: false });
  });

  it('an unlimited key on an account without credits reads 0', async () => {
    fake.addKey({ key: KEY, limit: null, totalCredits: 10, totalUsage: 10.02 });
    const r = await openrouterAdapter.fetchQuota(ctx());
    expect(r.quotas[0]).toMatchObject({ model: '*', remainingFraction: 0, resetAt: null });
    expect(r.details).toMatchObject({ unlimited: true, credits_exhausted: true });
  });

  it('a free-tier key with no credits is not exhausted', async () => {
    fake.addKey({ key: KEY, limit: null, isFreeTier: true, totalCredits: 0, totalUsage: 0 });
    const r = await openrouterAdapter.fetchQuota(ctx());
    expect(r.quotas[0]?.remainingFraction).toBe(1);
    expect(r.details).toMatchObject({ is_free_tier: true, credits_exhausted: false });
  });

  it('the credits endpoint failing does not fail the sync', async () => {
    for (const b of [{ kind: 'status', status: 500 }, { kind: 'malformed' }, { kind: 'reset' }, { kind: 'status', status: 403 }] as const) {
      const k = `${KEY}-${b.kind}-${'status' in b ? b.status : ''}`;
      fake.addKey({ key: k, limit: 10, limitRemaining: 4, creditsBehaviour: b });
      const r = await openrouterAdapter.fetchQuota(ctx({ key: k }));
      expect(r.quotas[0]?.remainingFraction).toBe(0.4);
      expect(r.details).not.toHaveProperty('total_credits');
    }
  });
});

describe('openrouter adapter: failures', () => {
  it('402 (out of credits) is an exhausted reading, not an error', async () => {
    fake.addKey({ key: KEY, behaviour: { kind: 'outOfCredits' } });
    const r = await openrouterAdapter.fetchQuota(ctx());
    expect(r.quotas).toEqual([{
      accountId: 'acc-1', model: '*', displayName: null, remainingFraction: 0, resetAt: null, fetchedAt: NOW,
      source: 'poll', window: null, limit: null, remaining: 0,
    }]);
    expect(r.details).toMatchObject({ credits_exhausted: true, reason: expect.stringContaining('Insufficient credits') });
  });

  it('a successful sync after a 402 clears its reason (details merge into the account)', async () => {
    fake.addKey({ key: KEY, limit: null, totalCredits: 10, totalUsage: 1 });
    const r = await openrouterAdapter.fetchQuota(ctx());
    expect(r.details).toMatchObject({ reason: null, credits_exhausted: false });
  });

  it('401: the key is dead (invalid_credentials), and the message never holds the key', async () => {
    const e = await failure(openrouterAdapter.fetchQuota(ctx({ key: 'sk-or-v1-unknownunknownunknown' })));
    expect(e).toMatchObject({ kind: 'permanent', code: 'invalid_api_key', status: 401, accountStatus: 'invalid_credentials' });
    expect(e.message).toContain('the API key was rejected');
    expect(e.message).not.toContain('sk-or-v1-unknown');
    expect(fake.requests.map((q) => q.path)).toEqual(['/api/v1/key']);
  });

  it('no stored key: invalid_credentials without a request', async () => {
    const e = await failure(openrouterAdapter.fetchQuota(ctx({ key: '' })));
    expect(e).toMatchObject({ kind: 'permanent', accountStatus: 'invalid_credentials' });
    expect(fake.requests).toHaveLength(0);
  });

  it('403: suspended', async () => {
    fake.addKey({ key: KEY, behaviour: { kind: 'status', status: 403, body: { error: { message: `Key ${KEY} is disabled`, code: 403 } } } });
    const e = await failure(openrouterAdapter.fetchQuota(ctx()));
    expect(e).toMatchObject({ kind: 'permanent', status: 403, accountStatus: 'suspended' });
    expect(e.message).not.toContain(KEY);
  });

  it('429 with X-RateLimit-* headers: rate limited until the reset', async () => {
    fake.addKey({ key: KEY, behaviour: { kind: 'rateLimited', limit: 20, resetAt: NOW + 42_000 } });
    const e = await failure(openrouterAdapter.fetchQuota(ctx()));
    expect(e).toMatchObject({ kind: 'transient', code: 'rate_limited', status: 429, retryAt: NOW + 42_000 });
  });

  it('429 with Retry-After later than the reset: the later time wins', async () => {
    fake.addKey({ key: KEY, behaviour: { kind: 'rateLimited', resetAt: NOW + 5000, retryAfterSec: 60 } });
    const e = await failure(openrouterAdapter.fetchQuota(ctx()));
    expect(e.retryAt).toBe(NOW + 60_000);
  });

  it.each([500, 502, 503])('%d: transient', async (status) => {
    fake.addKey({ key: KEY, behaviour: { kind: 'status', status, headers: { 'Retry-After': '30' } } });
    const e = await failure(openrouterAdapter.fetchQuota(ctx()));
    expect(e).toMatchObject({ kind: 'transient', code: 'upstream_unavailable', status, retryAt: NOW + 30_000 });
  });

  it('garbage JSON: transient bad_response', async () => {
    fake.addKey({ key: KEY, behaviour: { kind: 'malformed' } });
    const e = await failure(openrouterAdapter.fetchQuota(ctx()));
    expect(e).toMatchObject({ kind: 'transient', code: 'bad_response' });
  });

  it('valid JSON of the wrong shape: transient bad_response', async () => {
    fake.addKey({ key: KEY, behaviour: { kind: 'status', status: 200, body: { data: { limit: 'ten' } } } });
    expect(await failure(openrouterAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'bad_response' });
  });

  it('a hung upstream is cut off by the signal: transient timeout', async () => {
    fake.addKey({ key: KEY, behaviour: { kind: 'hang' } });
    const e = await failure(openrouterAdapter.fetchQuota(ctx({ timeoutMs: 150 })));
    expect(e).toMatchObject({ kind: 'transient', code: 'timeout' });
  });

  it('stopped by the caller: aborted', async () => {
    fake.addKey({ key: KEY, behaviour: { kind: 'hang' } });
    const ac = new AbortController();
    const p = openrouterAdapter.fetchQuota(ctx({ signal: ac.signal }));
    const waitForRequest = async (): Promise<void> => { while (fake.requests.length === 0) await new Promise((r) => setImmediate(r)); };
    await waitForRequest();
    ac.abort();
    expect(await failure(p)).toMatchObject({ kind: 'aborted' });
  });

  it('a dropped connection: transient network error', async () => {
    fake.addKey({ key: KEY, behaviour: { kind: 'reset' } });
    expect(await failure(openrouterAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'network' });
  });
});

describe('nextLimitReset', () => {
  it.each([
    ['daily', '2026-11-18T15:30:00Z', '2026-11-19T00:00:00Z'],
    ['daily', '2026-12-31T23:59:59Z', '2027-01-01T00:00:00Z'],
    ['weekly', '2026-11-18T15:30:00Z', '2026-11-23T00:00:00Z'],
    ['weekly', '2026-11-22T23:00:00Z', '2026-11-23T00:00:00Z'],
    ['weekly', '2026-11-23T00:00:00Z', '2026-11-30T00:00:00Z'],
    ['monthly', '2026-11-18T15:30:00Z', '2026-12-01T00:00:00Z'],
    ['monthly', '2026-12-31T12:00:00Z', '2027-01-01T00:00:00Z'],
    ['monthly', '2028-02-29T00:00:00Z', '2028-03-01T00:00:00Z'],
  ])('%s from %s → %s', (period, from, to) => {
    expect(nextLimitReset(period, Date.parse(from))).toBe(Date.parse(to));
  });

  it('never / unknown → null', () => {
    expect(nextLimitReset('never', NOW)).toBeNull();
    expect(nextLimitReset(null, NOW)).toBeNull();
    expect(nextLimitReset('fortnightly', NOW)).toBeNull();
  });
});
