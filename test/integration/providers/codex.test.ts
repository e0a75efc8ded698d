// The Codex adapter against a real HTTP fake of /backend-api/wham/usage and OpenAI's token endpoint.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Credentials } from '../../../src/main/core/model';
import { chatgptAccountIdFromJwt, codexAdapter, decodeJwtPayload, jwtExpiresAt } from '../../../src/main/core/providers/codex';
import { ProviderError } from '../../../src/main/core/providers/provider-error';
import { fakeJwt, startFakeCodex, type FakeCodex, type FakeCodexAccount } from '../../helpers/fake-codex';
import { providerContext } from '../../helpers/provider-context';

const NOW = Date.parse('2026-11-23T12:00:00.000Z');
const NOW_S = NOW / 1000;
const MIN = 60_000;
const ACCOUNT_ID = 'b7c0ffee-1234-4abc-8def-0123456789ab';

let fake: FakeCodex;
let acc: FakeCodexAccount;
beforeEach(async () => {
  fake = await startFakeCodex();
  acc = fake.addAccount({
    refreshToken: 'rt-initial-refresh',
    accountId: ACCOUNT_ID,
    planType: 'pro',
    rateLimit: {
      allowed: true,
      limit_reached: false,
      primary_window: { used_percent: 25, limit_window_seconds: 18_000, reset_after_seconds: 9_000, reset_at: NOW_S + 9_000 },
      // No reset_at: the adapter falls back to now + reset_after_seconds.
      secondary_window: { used_percent: 60, limit_window_seconds: 604_800, reset_after_seconds: 3_600 },
    },
    additionalRateLimits: [{
      limit_name: 'GPT-5-Codex-Mini',
      metered_feature: 'codex_bengalfox',
      rate_limit: {
        allowed: true, limit_reached: false,
        primary_window: { used_percent: 90, limit_window_seconds: 18_000, reset_after_seconds: 600, reset_at: NOW_S + 600 },
        secondary_window: null,
      },
    }],
    credits: { has_credits: true, unlimited: false, balance: '5.39' },
  });
});
afterEach(async () => { await fake.close(); });

function creds(patch: Partial<Credentials> = {}): Credentials {
  return { refreshToken: acc.refreshToken(), accessToken: acc.accessToken(), idToken: acc.idToken(), accountId: ACCOUNT_ID, ...patch };
}
function ctx(patch: Partial<Credentials> = {}, o: { timeoutMs?: number } = {}) {
  return providerContext(codexAdapter, { credentials: creds(patch), baseUrl: fake.baseUrl, oauthTokenUrl: fake.tokenUrl, now: () => NOW, ...o });
}
async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}
const reading = (model: string, remainingFraction: number | null, resetAt: number | null, window: string | null, displayName: string, windows: unknown = expect.any(Array)) => ({
  accountId: 'acc-1', model, displayName, remainingFraction, resetAt, fetchedAt: NOW, source: 'poll', window, limit: null, remaining: null, windows,
});
const usageRequests = () => fake.requests.filter((r) => r.path === '/backend-api/wham/usage');

describe('codex adapter: declaration and tokens', () => {
  it('declares an OAuth, pollable adapter', () => {
    expect(codexAdapter).toMatchObject({
      id: 'codex', auth: 'oauth', oauthFamily: 'codex', pollable: true, defaultBaseUrl: 'https://chatgpt.com',
      defaultModels: ['gpt-*', 'codex-*', 'o3*', 'o4*'],
    });
  });

  it('reads the account id and expiry out of real JWTs, and refuses non-JWTs', () => {
    expect(chatgptAccountIdFromJwt(acc.idToken())).toBe(ACCOUNT_ID);
    expect(chatgptAccountIdFromJwt(acc.accessToken())).toBe(ACCOUNT_ID);
    expect(jwtExpiresAt(fakeJwt({ exp: 2_000_000_000 }))).toBe(2_000_000_000_000);
    for (const bad of [undefined, '', 'opaque-token', 'a.b', 'a.%%%.c', `x.${Buffer.from('[1]').toString('base64url')}.y`]) {
      expect(decodeJwtPayload(bad)).toBeNull();
      expect(chatgptAccountIdFromJwt(bad)).toBeNull();
    }
  });

  it('refreshes 5 minutes before expiry, taking the expiry from the access token when none is stored', () => {
    expect(codexAdapter.needsRefresh({ refreshToken: 'r' }, NOW)).toBe(true);
    expect(codexAdapter.needsRefresh({ accessToken: 'opaque' }, NOW)).toBe(false);
    expect(codexAdapter.needsRefresh({ accessToken: 'a', accessTokenExpiresAt: NOW + 5 * MIN + 1 }, NOW)).toBe(false);
    expect(codexAdapter.needsRefresh({ accessToken: 'a', accessTokenExpiresAt: NOW + 5 * MIN }, NOW)).toBe(true);
    expect(codexAdapter.needsRefresh({ accessToken: fakeJwt({ exp: NOW_S + 4 * 60 }) }, NOW)).toBe(true);
    expect(codexAdapter.needsRefresh({ accessToken: fakeJwt({ exp: NOW_S + 3600 }) }, NOW)).toBe(false);
  });
});

describe('codex adapter: plans', () => {
  it.each([
    ['plus', 'pro', 'ChatGPT Plus'],
    ['pro', 'ultra', 'ChatGPT Pro'],
    ['team', 'pro', 'ChatGPT Team'],
    ['business', 'pro', 'ChatGPT Business'],
    ['free', 'free', 'ChatGPT Free'],
  ] as const)('a %s plan in the usage answer is tier %s, shown as "%s"', async (planType, tier, label) => {
    acc.spec.planType = planType;
    const r = await codexAdapter.fetchQuota(ctx());
    expect(r).toMatchObject({ tier, tierLabel: label, details: { planType } });
  });

  it('reads the id_token claim chatgpt_plan_type when the usage answer carries no plan_type', async () => {
    const plus = fake.addAccount({ refreshToken: 'rt-plus', accountId: 'acct-plus', planType: 'business', usageWithoutPlan: true });
    const r = await codexAdapter.fetchQuota(providerContext(codexAdapter, {
      credentials: { refreshToken: plus.refreshToken(), accessToken: plus.accessToken(), idToken: plus.idToken(), accountId: 'acct-plus' },
      baseUrl: fake.baseUrl, oauthTokenUrl: fake.tokenUrl, now: () => NOW,
    }));
    expect(r).toMatchObject({ tier: 'pro', tierLabel: 'ChatGPT Business', details: { planType: 'business' } });
  });

  it('keeps an unknown plan name as the label without changing the tier', async () => {
    acc.spec.planType = 'galactic';
    const r = await codexAdapter.fetchQuota(ctx());
    expect(r.tier).toBeUndefined();
    expect(r.tierLabel).toBe('galactic');
  });
});

describe('codex adapter: usage readings', () => {
  it('keys the tighter of the 5-hour and weekly windows by "*", additional limits by their name', async () => {
    const r = await codexAdapter.fetchQuota(ctx());
    expect(r.quotas).toEqual([
      reading('*', 0.4, NOW + 3_600_000, 'weekly', 'All Codex models'),
      reading('*gpt-5-codex-mini*', 0.1, (NOW_S + 600) * 1000, '5h', 'GPT-5-Codex-Mini'),
    ]);
    expect(r.details).toEqual({
      planType: 'pro', limitReached: false, primaryUsedPercent: 25, secondaryUsedPercent: 60,
      creditsHasCredits: true, creditsUnlimited: false, creditsBalance: 5.39,
    });
    // A ChatGPT Pro plan is the highest tier.
    expect(r).toMatchObject({ tier: 'ultra', tierLabel: 'ChatGPT Pro' });
    // The account id was stored already: nothing to hand back.
    expect(r.credentials).toBeUndefined();
  });

  it('sends the bearer token and ChatGPT-Account-Id to GET /backend-api/wham/usage', async () => {
    await codexAdapter.fetchQuota(ctx());
    expect(usageRequests()).toHaveLength(1);
    expect(usageRequests()[0]).toMatchObject({ method: 'GET', authorization: `Bearer ${acc.accessToken()}`, accountIdHeader: ACCOUNT_ID });
  });

  it('decodes the account id from the id_token when none is stored, sends it and returns it', async () => {
    const r = await codexAdapter.fetchQuota(ctx({ accountId: undefined }));
    expect(usageRequests()[0]!.accountIdHeader).toBe(ACCOUNT_ID);
    expect(r.credentials).toEqual({ ...creds(), accountId: ACCOUNT_ID });
    expect(r.quotas.length).toBe(2);
  });

  it('a stored account id wins over the id_token claim', async () => {
    const e = await failure(codexAdapter.fetchQuota(ctx({ accountId: 'some-other-workspace' })));
    expect(usageRequests()[0]!.accountIdHeader).toBe('some-other-workspace');
    // The fake refuses a mismatched account id, as a deactivated/foreign workspace would be.
    expect(e).toMatchObject({ kind: 'permanent', accountStatus: 'suspended', status: 403 });
  });

  it('a reached limit reads 0 remaining, with the spent window\'s reset', async () => {
    acc.setRateLimit({
      allowed: false, limit_reached: true,
      primary_window: { used_percent: 100, limit_window_seconds: 18_000, reset_after_seconds: 1_200, reset_at: NOW_S + 1_200 },
      secondary_window: { used_percent: 70, limit_window_seconds: 604_800, reset_after_seconds: 86_400, reset_at: NOW_S + 86_400 },
    });
    const r = await codexAdapter.fetchQuota(ctx());
    expect(r.quotas[0]).toEqual(reading('*', 0, (NOW_S + 1_200) * 1000, '5h', 'All Codex models'));
    expect(r.details).toMatchObject({ limitReached: true });
  });

  it('limit_reached wins even when the percentages say otherwise', async () => {
    acc.setRateLimit({
      limit_reached: true,
      primary_window: { used_percent: 40, limit_window_seconds: 18_000, reset_at: NOW_S + 1_200 },
      secondary_window: { used_percent: 80, limit_window_seconds: 604_800, reset_at: NOW_S + 86_400 },
    });
    const r = await codexAdapter.fetchQuota(ctx());
    expect(r.quotas[0]).toEqual(reading('*', 0, (NOW_S + 86_400) * 1000, 'weekly', 'All Codex models'));
  });

  it('skips null windows, null limits and keeps unknown percentages unknown', async () => {
    acc.setRateLimit({ primary_window: { used_percent: null, limit_window_seconds: 18_000 }, secondary_window: null });
    acc.setAdditionalRateLimits(null);
    acc.spec.credits = null;
    const r = await codexAdapter.fetchQuota(ctx());
    expect(r.quotas).toEqual([reading('*', null, null, '5h', 'All Codex models')]);
    expect(r.details).toEqual({
      planType: 'pro', limitReached: false, primaryUsedPercent: null, secondaryUsedPercent: null,
      creditsHasCredits: null, creditsUnlimited: null, creditsBalance: null,
    });
  });

  it('answers no readings when rate_limit is null', async () => {
    acc.setRateLimit(null);
    acc.setAdditionalRateLimits([]);
    const r = await codexAdapter.fetchQuota(ctx());
    expect(r.quotas).toEqual([]);
  });

  it('clamps used_percent above 100 to 0 remaining', async () => {
    acc.setRateLimit({
      primary_window: { used_percent: 150, limit_window_seconds: 18_000, reset_at: NOW_S + 60 },
      secondary_window: { used_percent: 10, limit_window_seconds: 604_800, reset_at: NOW_S + 86_400 },
    });
    const r = await codexAdapter.fetchQuota(ctx());
    expect(r.quotas[0]).toEqual(reading('*', 0, (NOW_S + 60) * 1000, '5h', 'All Codex models'));
  });

  it('labels windows by their length and passes a non-numeric balance through', async () => {
    acc.setRateLimit({ primary_window: { used_percent: 5, limit_window_seconds: 86_400, reset_at: NOW_S + 60 }, secondary_window: null });
    acc.setAdditionalRateLimits([{ limit_name: '  GPT 6  Astra ', rate_limit: { primary_window: null, secondary_window: { used_percent: 12, limit_window_seconds: 2_592_000 } } }]);
    acc.spec.credits = { has_credits: false, unlimited: true, balance: 'unlimited' };
    const r = await codexAdapter.fetchQuota(ctx());
    expect(r.quotas.map((q) => [q.model, q.window, q.remainingFraction])).toEqual([['*', 'daily', 0.95], ['*gpt-6-astra*', '30d', 0.88]]);
    expect(r.details).toMatchObject({ creditsHasCredits: false, creditsUnlimited: true, creditsBalance: 'unlimited' });
  });
});

describe('codex adapter: refresh', () => {
  it('posts JSON and stores the new access, refresh and id tokens, expiry from the JWT exp', async () => {
    const before = acc.accessToken();
    const next = await codexAdapter.refreshCredentials(ctx());
    expect(next).toMatchObject({ accessToken: acc.accessToken(), refreshToken: acc.refreshToken(), idToken: acc.idToken(), accountId: ACCOUNT_ID });
    expect(next.accessToken).not.toBe(before);
    expect(next.refreshToken).not.toBe('rt-initial-refresh');
    expect(next.accessTokenExpiresAt).toBe(jwtExpiresAt(acc.accessToken()));
    expect(next.accessTokenExpiresAt).toBeGreaterThan(Date.now());
    const tokenReq = fake.requests.find((r) => r.path === '/oauth/token')!;
    expect(tokenReq.contentType).toBe('application/json');
    expect(JSON.parse(tokenReq.body)).toEqual({
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann', grant_type: 'refresh_token', refresh_token: 'rt-initial-refresh', scope: 'openid profile email',
    });
    const r = await codexAdapter.fetchQuota(providerContext(codexAdapter, { credentials: next, baseUrl: fake.baseUrl, now: () => NOW }));
    expect(r.quotas.length).toBe(2);
  });

  it('takes the expiry from expires_in when the endpoint gives it', async () => {
    acc.spec.includeExpiresIn = true;
    acc.spec.accessTtlSec = 7_200;
    const next = await codexAdapter.refreshCredentials(ctx());
    expect(next.accessTokenExpiresAt).toBe(NOW + 7_200_000);
  });

  it('leaves the expiry unset when neither expires_in nor a readable exp exists', async () => {
    acc.spec.accessTokenFormat = 'opaque';
    const next = await codexAdapter.refreshCredentials(ctx({ accessTokenExpiresAt: NOW - 1 }));
    expect(next.accessToken).toMatch(/^opaque-/);
    expect(next.accessTokenExpiresAt).toBeUndefined();
    expect('accessTokenExpiresAt' in next).toBe(false);
  });

  it('fills in a missing account id from the new id_token', async () => {
    const next = await codexAdapter.refreshCredentials(ctx({ accountId: undefined, idToken: undefined }));
    expect(next.accountId).toBe(ACCOUNT_ID);
  });

  it('dead refresh tokens (expired, reused, unknown) are permanent invalid_credentials', async () => {
    await codexAdapter.refreshCredentials(ctx());
    const reused = await failure(codexAdapter.refreshCredentials(ctx({ refreshToken: 'rt-initial-refresh' })));
    expect(reused).toMatchObject({ kind: 'permanent', code: 'invalid_grant', accountStatus: 'invalid_credentials', status: 401 });
    expect(reused.message).toContain('refresh_token_reused');

    acc.revokeRefreshToken();
    const expired = await failure(codexAdapter.refreshCredentials(ctx()));
    expect(expired).toMatchObject({ kind: 'permanent', code: 'invalid_grant', accountStatus: 'invalid_credentials' });
    expect(expired.message).toContain('refresh_token_expired');

    const unknown = await failure(codexAdapter.refreshCredentials(ctx({ refreshToken: 'rt-never-issued' })));
    expect(unknown).toMatchObject({ kind: 'permanent', code: 'invalid_grant', accountStatus: 'invalid_credentials', status: 400 });
    for (const e of [reused, expired, unknown]) {
      for (const s of ['rt-initial-refresh', acc.refreshToken(), 'rt-never-issued']) expect(e.message).not.toContain(s);
    }
  });

  it('token endpoint outages are transient', async () => {
    acc.setTokenBehaviour({ kind: 'status', status: 502 });
    expect(await failure(codexAdapter.refreshCredentials(ctx()))).toMatchObject({ kind: 'transient', code: 'oauth_unavailable' });
    acc.setTokenBehaviour({ kind: 'malformed' });
    expect(await failure(codexAdapter.refreshCredentials(ctx()))).toMatchObject({ kind: 'transient', code: 'bad_response' });
  });
});

describe('codex adapter: failures', () => {
  it('401 is an auth error', async () => {
    acc.revokeAccessToken();
    const e = await failure(codexAdapter.fetchQuota(ctx()));
    expect(e).toMatchObject({ kind: 'auth', code: 'unauthorized', status: 401 });
    expect(e.message).not.toContain(acc.accessToken());
  });

  it('403 marks the account suspended with a clear message', async () => {
    acc.setBehaviour({ kind: 'status', status: 403 });
    const e = await failure(codexAdapter.fetchQuota(ctx()));
    expect(e).toMatchObject({ kind: 'permanent', code: 'forbidden', accountStatus: 'suspended', status: 403 });
    expect(e.message).toMatch(/ChatGPT refused access \(403: This workspace has been deactivated\./);
  });

  it('a 403 bot-wall page (not JSON) stays transient', async () => {
    acc.setBehaviour({ kind: 'status', status: 403, body: '<!DOCTYPE html><title>Just a moment...</title>', headers: { 'content-type': 'text/html', 'cf-mitigated': 'challenge' } });
    expect(await failure(codexAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'blocked' });
  });

  it('429 is transient rate_limited with retryAt from retry-after', async () => {
    acc.setBehaviour({ kind: 'status', status: 429, headers: { 'retry-after': '120' } });
    expect(await failure(codexAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'rate_limited', status: 429, retryAt: NOW + 120_000 });
  });

  it('5xx is transient', async () => {
    acc.setBehaviour({ kind: 'status', status: 503 });
    expect(await failure(codexAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'upstream_unavailable', status: 503 });
  });

  it('garbage JSON is a transient bad_response', async () => {
    acc.setBehaviour({ kind: 'malformed' });
    expect(await failure(codexAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'bad_response' });
    acc.setBehaviour({ kind: 'status', status: 200, body: { rate_limit: { primary_window: { used_percent: 'half' } } } });
    expect(await failure(codexAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'bad_response' });
  });

  it('a hung upstream is cut by the signal within the timeout', async () => {
    acc.setBehaviour({ kind: 'hang' });
    const started = Date.now();
    const e = await failure(codexAdapter.fetchQuota(ctx({}, { timeoutMs: 200 })));
    expect(e).toMatchObject({ kind: 'transient', code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
