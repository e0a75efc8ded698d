// The Claude adapter against a real HTTP fake of /api/oauth/usage and the OAuth token endpoint.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Credentials } from '../../../src/main/core/model';
import { claudeAdapter } from '../../../src/main/core/providers/claude';
import { ProviderError } from '../../../src/main/core/providers/provider-error';
import { startFakeClaude, type FakeClaude, type FakeClaudeAccount } from '../../helpers/fake-claude';
import { providerContext } from '../../helpers/provider-context';

const NOW = Date.parse('2026-11-23T12:00:00.000Z');
const MIN = 60_000;
const T5H = '2026-11-23T16:59:59.943648+00:00';
const T7D = '2026-11-28T08:00:00.000000+00:00';
const TOPUS = '2026-11-27T08:00:00+00:00';
const TSONNET = '2026-11-29T08:00:00+00:00';

let fake: FakeClaude;
let acc: FakeClaudeAccount;
beforeEach(async () => {
  fake = await startFakeClaude();
  acc = fake.addAccount({
    refreshToken: 'sk-ant-ort01-initial-refresh',
    windows: {
      five_hour: { utilization: 20, resets_at: T5H },
      seven_day: { utilization: 50, resets_at: T7D },
      seven_day_opus: { utilization: 70, resets_at: TOPUS },
      seven_day_sonnet: { utilization: 10, resets_at: TSONNET },
    },
    extraUsage: { is_enabled: true, monthly_limit: 5000, used_credits: 1234, utilization: 24.68 },
    subscriptionType: 'max',
  });
});
afterEach(async () => { await fake.close(); });

function creds(patch: Partial<Credentials> = {}): Credentials {
  return { refreshToken: acc.refreshToken(), accessToken: acc.accessToken(), accessTokenExpiresAt: NOW + 3_600_000, ...patch };
}
function ctx(patch: Partial<Credentials> = {}, o: { timeoutMs?: number } = {}) {
  return providerContext(claudeAdapter, { credentials: creds(patch), baseUrl: fake.baseUrl, oauthTokenUrl: fake.tokenUrl, now: () => NOW, ...o });
}
async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}
function noSecrets(e: ProviderError): void {
  for (const s of [acc.accessToken(), acc.refreshToken(), 'sk-ant-ort01-initial-refresh']) expect(e.message).not.toContain(s);
}
const reading = (model: string, remainingFraction: number | null, resetAt: number | null, window: string, displayName: string, windows: unknown = expect.any(Array)) => ({
  accountId: 'acc-1', model, displayName, remainingFraction, resetAt, fetchedAt: NOW, source: 'poll', window, limit: null, remaining: null, windows,
});

describe('claude adapter: declaration', () => {
  it('declares an OAuth, pollable adapter with a 5-minute poll floor', () => {
    expect(claudeAdapter).toMatchObject({
      id: 'claude', auth: 'oauth', oauthFamily: 'claude', pollable: true, defaultBaseUrl: 'https://api.anthropic.com',
      minPollIntervalMs: 5 * MIN, defaultModels: ['claude-*'],
    });
  });

  it('refreshes 5 minutes before expiry, and when the access token is missing', () => {
    expect(claudeAdapter.needsRefresh({ refreshToken: 'r' }, NOW)).toBe(true);
    expect(claudeAdapter.needsRefresh({ accessToken: 'a' }, NOW)).toBe(false);
    expect(claudeAdapter.needsRefresh({ accessToken: 'a', accessTokenExpiresAt: NOW + 5 * MIN + 1 }, NOW)).toBe(false);
    expect(claudeAdapter.needsRefresh({ accessToken: 'a', accessTokenExpiresAt: NOW + 5 * MIN }, NOW)).toBe(true);
    expect(claudeAdapter.needsRefresh({ accessToken: 'a', accessTokenExpiresAt: NOW - 1 }, NOW)).toBe(true);
  });
});

describe('claude adapter: plans', () => {
  function planCtx(account: Parameters<typeof providerContext>[1]['account'] = {}) {
    return providerContext(claudeAdapter, { credentials: creds(), baseUrl: fake.baseUrl, oauthTokenUrl: fake.tokenUrl, now: () => NOW, account });
  }
  beforeEach(() => { delete acc.spec.subscriptionType; });

  it.each([
    [{ organizationType: 'claude_pro', rateLimitTier: 'default_claude_ai' }, 'pro', 'Claude Pro'],
    [{ organizationType: 'claude_max', rateLimitTier: 'default_claude_max_5x' }, 'ultra', 'Claude Max 5×'],
    [{ organizationType: 'claude_max', rateLimitTier: 'default_claude_max_20x' }, 'ultra', 'Claude Max 20×'],
    [{ organizationType: 'claude_team', rateLimitTier: 'default_claude_max_5x' }, 'pro', 'Claude Team'],
    [{ organizationType: 'claude_enterprise', rateLimitTier: null }, 'pro', 'Claude Enterprise'],
  ] as const)('reads the plan from GET /api/oauth/profile: %o → %s "%s"', async (profile, tier, label) => {
    acc.setProfile(profile);
    const r = await claudeAdapter.fetchQuota(planCtx());
    expect(r).toMatchObject({ tier, tierLabel: label, details: { planCheckedAt: NOW } });
    const asked = fake.requests.find((q) => q.path === '/api/oauth/profile');
    expect(asked).toMatchObject({ method: 'GET', authorization: `Bearer ${acc.accessToken()}`, beta: 'oauth-2025-04-20' });
  });

  it('asks the profile once a day once the plan is known, and at once while it is not', async () => {
    acc.setProfile({ organizationType: 'claude_max', rateLimitTier: 'default_claude_max_20x' });
    await claudeAdapter.fetchQuota(planCtx({ tierLabel: 'Claude Max 20×', details: { planCheckedAt: NOW - 60 * MIN } }));
    expect(acc.callCount('/api/oauth/profile')).toBe(0);
    await claudeAdapter.fetchQuota(planCtx({ tierLabel: 'Claude Max 20×', details: { planCheckedAt: NOW - 25 * 60 * MIN } }));
    expect(acc.callCount('/api/oauth/profile')).toBe(1);
    await claudeAdapter.fetchQuota(planCtx({ tierLabel: null, details: { planCheckedAt: NOW - MIN } }));
    expect(acc.callCount('/api/oauth/profile')).toBe(2);
  });

  it('a failing profile leaves the plan as it was and the sync succeeds', async () => {
    acc.setProfile({ organizationType: 'claude_max', behaviour: { kind: 'status', status: 503 } });
    const r = await claudeAdapter.fetchQuota(planCtx());
    expect(r.quotas.length).toBeGreaterThan(0);
    expect(r.tier).toBeUndefined();
    expect(r.tierLabel).toBeUndefined();
    expect(r.details?.['planCheckedAt']).toBeUndefined();
  });
});

describe('claude adapter: usage readings', () => {
  it('keys the tighter windows by "*", "*opus*" and "*sonnet*", with details', async () => {
    const r = await claudeAdapter.fetchQuota(ctx());
    // Each reading also carries the windows it shows: the shared 5 h and weekly on "*", the family's own weekly.
    expect(r.quotas).toEqual([
      reading('*', 0.5, Date.parse(T7D), 'weekly', 'All Claude models', [
        { window: '5h', remainingFraction: 0.8, resetAt: Date.parse(T5H) },
        { window: 'weekly', remainingFraction: 0.5, resetAt: Date.parse(T7D) },
      ]),
      reading('*opus*', 0.3, Date.parse(TOPUS), 'weekly-opus', 'Claude Opus', [{ window: 'weekly-opus', remainingFraction: 0.3, resetAt: Date.parse(TOPUS) }]),
      // Sonnet's own window (90 % left) is looser than the shared 7-day one.
      reading('*sonnet*', 0.5, Date.parse(T7D), 'weekly', 'Claude Sonnet', [{ window: 'weekly-sonnet', remainingFraction: 0.9, resetAt: Date.parse(TSONNET) }]),
    ]);
    expect(r.details).toEqual({
      subscriptionType: 'max',
      fiveHourUtilization: 20, sevenDayUtilization: 50, sevenDayOpusUtilization: 70, sevenDaySonnetUtilization: 10,
      extraUsageEnabled: true, extraUsageMonthlyLimit: 5000, extraUsageUsedCredits: 1234, extraUsageUtilization: 24.68,
    });
    expect(r).toMatchObject({ tier: 'ultra', tierLabel: 'Claude Max' });
    expect(r.credentials).toBeUndefined();
  });

  it('sends the bearer token and the OAuth beta header to GET /api/oauth/usage', async () => {
    await claudeAdapter.fetchQuota(ctx());
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/api/oauth/usage', authorization: `Bearer ${acc.accessToken()}`, beta: 'oauth-2025-04-20' });
  });

  it('lets the 5-hour window bind when it is the tighter one', async () => {
    acc.setWindow('five_hour', { utilization: 80, resets_at: T5H });
    const r = await claudeAdapter.fetchQuota(ctx());
    const star = r.quotas.find((q) => q.model === '*');
    expect(star).toMatchObject({ remainingFraction: expect.closeTo(0.2, 10), resetAt: Date.parse(T5H), window: '5h' });
    expect(r.quotas.find((q) => q.model === '*opus*')).toMatchObject({ remainingFraction: expect.closeTo(0.2, 10), window: '5h' });
  });

  it('skips null windows and keeps an unknown utilisation unknown, never 0', async () => {
    acc.setWindows({ five_hour: null, seven_day: { utilization: null, resets_at: null }, seven_day_opus: null, seven_day_sonnet: null });
    acc.spec.extraUsage = null;
    delete acc.spec.subscriptionType;
    const r = await claudeAdapter.fetchQuota(ctx());
    expect(r.quotas).toEqual([reading('*', null, null, 'weekly', 'All Claude models')]);
    // Written as null so the values of an earlier sync do not linger in the account's details.
    expect(r.details).toEqual({
      fiveHourUtilization: null, sevenDayUtilization: null, sevenDayOpusUtilization: null, sevenDaySonnetUtilization: null,
      extraUsageEnabled: null, extraUsageMonthlyLimit: null, extraUsageUsedCredits: null, extraUsageUtilization: null,
    });
    expect(r.tierLabel).toBeUndefined();
  });

  it('answers only the family reading when the shared windows are null', async () => {
    acc.setWindows({ seven_day_opus: { utilization: 40, resets_at: TOPUS } });
    const r = await claudeAdapter.fetchQuota(ctx());
    expect(r.quotas).toEqual([reading('*opus*', 0.6, Date.parse(TOPUS), 'weekly-opus', 'Claude Opus')]);
  });

  it('clamps utilisation above 100 to 0 remaining (and below 0 to 1)', async () => {
    acc.setWindows({ five_hour: { utilization: 130, resets_at: T5H }, seven_day: { utilization: -5, resets_at: T7D } });
    const r = await claudeAdapter.fetchQuota(ctx());
    expect(r.quotas).toEqual([reading('*', 0, Date.parse(T5H), '5h', 'All Claude models')]);
    expect(r.details).toMatchObject({ fiveHourUtilization: 130 });
  });

  it('reads no windows at all as no readings', async () => {
    acc.setWindows({});
    const r = await claudeAdapter.fetchQuota(ctx());
    expect(r.quotas).toEqual([]);
  });
});

describe('claude adapter: refresh', () => {
  it('posts the refresh_token grant as a form and stores the rotated tokens and expiry', async () => {
    const before = acc.accessToken();
    const next = await claudeAdapter.refreshCredentials(ctx({ accessTokenExpiresAt: NOW - 1 }));
    expect(next.accessToken).toBe(acc.accessToken());
    expect(next.accessToken).not.toBe(before);
    expect(next.refreshToken).toBe(acc.refreshToken());
    expect(next.refreshToken).not.toBe('sk-ant-ort01-initial-refresh');
    expect(next.accessTokenExpiresAt).toBe(NOW + 28_800_000);
    const tokenReq = fake.requests.find((r) => r.path === '/v1/oauth/token')!;
    expect(tokenReq.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokenReq.body))).toEqual({
      grant_type: 'refresh_token', refresh_token: 'sk-ant-ort01-initial-refresh', client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
    });
    // The new token works; the old one no longer does.
    const r = await claudeAdapter.fetchQuota(providerContext(claudeAdapter, { credentials: next, baseUrl: fake.baseUrl, now: () => NOW }));
    expect(r.quotas.length).toBeGreaterThan(0);
    expect((await failure(claudeAdapter.fetchQuota(ctx({ accessToken: before })))).kind).toBe('auth');
  });

  it('keeps the refresh token when the endpoint does not rotate it', async () => {
    acc.spec.rotateRefreshToken = false;
    const next = await claudeAdapter.refreshCredentials(ctx());
    expect(next.refreshToken).toBe('sk-ant-ort01-initial-refresh');
  });

  it('marks a revoked refresh token permanent invalid_credentials', async () => {
    acc.revokeRefreshToken();
    const e = await failure(claudeAdapter.refreshCredentials(ctx()));
    expect(e).toMatchObject({ kind: 'permanent', code: 'invalid_grant', accountStatus: 'invalid_credentials', status: 400 });
    noSecrets(e);
  });

  it('marks a reused (already rotated) refresh token permanent invalid_credentials', async () => {
    await claudeAdapter.refreshCredentials(ctx());
    const e = await failure(claudeAdapter.refreshCredentials(ctx({ refreshToken: 'sk-ant-ort01-initial-refresh' })));
    expect(e).toMatchObject({ kind: 'permanent', code: 'invalid_grant', accountStatus: 'invalid_credentials' });
  });

  it('treats invalid_request about the refresh token as dead, other OAuth failures as transient', async () => {
    acc.setTokenBehaviour({ kind: 'status', status: 400, body: { error: 'invalid_request', error_description: 'Invalid refresh_token' } });
    expect(await failure(claudeAdapter.refreshCredentials(ctx()))).toMatchObject({ kind: 'permanent', code: 'invalid_grant' });
    acc.setTokenBehaviour({ kind: 'status', status: 503 });
    expect(await failure(claudeAdapter.refreshCredentials(ctx()))).toMatchObject({ kind: 'transient', code: 'oauth_unavailable', status: 503 });
    acc.setTokenBehaviour({ kind: 'status', status: 429, headers: { 'retry-after': '30' } });
    expect(await failure(claudeAdapter.refreshCredentials(ctx()))).toMatchObject({ kind: 'transient', code: 'rate_limited', retryAt: NOW + 30_000 });
    acc.setTokenBehaviour({ kind: 'malformed' });
    expect(await failure(claudeAdapter.refreshCredentials(ctx()))).toMatchObject({ kind: 'transient', code: 'bad_response' });
  });

  it('without a refresh token fails permanently without calling out', async () => {
    const e = await failure(claudeAdapter.refreshCredentials(ctx({ refreshToken: undefined })));
    expect(e).toMatchObject({ kind: 'permanent', code: 'no_refresh_token', accountStatus: 'invalid_credentials' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('claude adapter: failures', () => {
  it('401 is an auth error (the core refreshes once and retries)', async () => {
    acc.revokeAccessToken();
    const e = await failure(claudeAdapter.fetchQuota(ctx()));
    expect(e).toMatchObject({ kind: 'auth', code: 'unauthorized', status: 401 });
    noSecrets(e);
  });

  it('403 marks the account suspended with a clear message', async () => {
    acc.setBehaviour({ kind: 'status', status: 403 });
    const e = await failure(claudeAdapter.fetchQuota(ctx()));
    expect(e).toMatchObject({ kind: 'permanent', code: 'forbidden', accountStatus: 'suspended', status: 403 });
    expect(e.message).toMatch(/Claude refused access \(403: Your account does not have access to Claude/);
  });

  it('403 for a token without the user:profile scope asks for a new sign-in', async () => {
    acc.spec.scopes = ['user:inference'];
    const e = await failure(claudeAdapter.fetchQuota(ctx()));
    expect(e).toMatchObject({ kind: 'permanent', code: 'insufficient_scope', accountStatus: 'invalid_credentials' });
    expect(e.message).toContain('user:profile');
  });

  it('a 403 that is not from the API (HTML bot wall) stays transient', async () => {
    acc.setBehaviour({ kind: 'status', status: 403, body: '<html><body>Access denied</body></html>', headers: { 'content-type': 'text/html' } });
    expect(await failure(claudeAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'blocked' });
  });

  it('429 with retry-after: 0 backs off at least 5 minutes', async () => {
    acc.setBehaviour({ kind: 'status', status: 429, headers: { 'retry-after': '0' } });
    const e = await failure(claudeAdapter.fetchQuota(ctx()));
    expect(e).toMatchObject({ kind: 'transient', code: 'rate_limited', status: 429 });
    expect(e.retryAt).toBe(NOW + 5 * MIN);
  });

  it('429 without retry-after also backs off 5 minutes', async () => {
    acc.setBehaviour({ kind: 'status', status: 429 });
    expect((await failure(claudeAdapter.fetchQuota(ctx()))).retryAt).toBe(NOW + 5 * MIN);
  });

  it('429 honours a longer retry-after (seconds or HTTP date)', async () => {
    acc.setBehaviour({ kind: 'status', status: 429, headers: { 'retry-after': '3600' } });
    expect((await failure(claudeAdapter.fetchQuota(ctx()))).retryAt).toBe(NOW + 3_600_000);
    const at = new Date(NOW + 2 * 3_600_000).toUTCString();
    acc.setBehaviour({ kind: 'status', status: 429, headers: { 'retry-after': at } });
    expect((await failure(claudeAdapter.fetchQuota(ctx()))).retryAt).toBe(Date.parse(at));
  });

  it('5xx is transient', async () => {
    acc.setBehaviour({ kind: 'status', status: 529 });
    expect(await failure(claudeAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'upstream_unavailable', status: 529 });
  });

  it('garbage JSON is a transient bad_response', async () => {
    acc.setBehaviour({ kind: 'malformed' });
    expect(await failure(claudeAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'bad_response' });
  });

  it('a well-formed answer of the wrong shape is a transient bad_response', async () => {
    acc.setBehaviour({ kind: 'status', status: 200, body: { five_hour: { utilization: 'lots' } } });
    expect(await failure(claudeAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'bad_response' });
    acc.setBehaviour({ kind: 'status', status: 200, body: [1, 2] });
    expect(await failure(claudeAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'bad_response' });
  });

  it('a connection reset is a transient network error', async () => {
    acc.setBehaviour({ kind: 'reset' });
    expect(await failure(claudeAdapter.fetchQuota(ctx()))).toMatchObject({ kind: 'transient', code: 'network' });
  });

  it('a hung upstream is cut by the signal within the timeout', async () => {
    acc.setBehaviour({ kind: 'hang' });
    const started = Date.now();
    const e = await failure(claudeAdapter.fetchQuota(ctx({}, { timeoutMs: 200 })));
    expect(e).toMatchObject({ kind: 'transient', code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a hung token endpoint is cut by the signal too', async () => {
    acc.setTokenBehaviour({ kind: 'hang' });
    expect(await failure(claudeAdapter.refreshCredentials(ctx({}, { timeoutMs: 200 })))).toMatchObject({ kind: 'transient', code: 'timeout' });
  });
});
