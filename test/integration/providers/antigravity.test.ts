// The Antigravity adapter called directly against fake Google upstreams: per-model readings,
// best-effort 5-hour/weekly windows, AI credits, and host fallback.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  antigravityAdapter,
  createAntigravityAdapter,
  CREDITS_MAX_AGE_MS,
  windowPattern,
} from '../../../src/main/core/providers/antigravity';
import { googleHosts, GOOGLE_CLOUD_CODE_URL } from '../../../src/main/core/providers/google-hosts';
import type { ProviderAdapter, QuotaResult } from '../../../src/main/core/providers/provider-adapter';
import { ProviderError } from '../../../src/main/core/providers/provider-error';
import { startFakeGoogle, type FakeAccountHandle, type FakeAccountSpec, type FakeGoogle } from '../../helpers/fake-google';
import { providerContext, type ContextOptions } from '../../helpers/provider-context';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const RESET = '2026-11-23T17:00:00Z';
const WEEK = '2026-11-30T00:00:00Z';

let fake: FakeGoogle;
let fake2: FakeGoogle | undefined;
beforeEach(async () => { fake = await startFakeGoogle(); });
afterEach(async () => {
  await fake.close();
  await fake2?.close();
  fake2 = undefined;
});

function add(spec: Partial<FakeAccountSpec> = {}, on: FakeGoogle = fake): FakeAccountHandle {
  return on.addAccount({ refreshToken: 'r1', accessToken: 'tok-1', projectId: 'proj-1', ...spec });
}

function fetchQuota(o: Partial<ContextOptions> = {}, adapter: ProviderAdapter = antigravityAdapter): Promise<QuotaResult> {
  return adapter.fetchQuota(providerContext(adapter, {
    credentials: { accessToken: 'tok-1', refreshToken: 'r1' },
    baseUrl: fake.baseUrl,
    now: () => NOW,
    ...o,
  }));
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const known = { projectId: 'proj-1', tierLabel: 'Free', details: { creditsCheckedAt: NOW - 60_000 } };
const rows = (r: QuotaResult) => r.quotas.map((q) => [q.model, q.window, q.remainingFraction, q.resetAt]);

describe('antigravity: per-model readings', () => {
  it('keys fetchAvailableModels by exact id; missing fraction is null, above 1 is clamped', async () => {
    add({ models: {
      'gemini-3-pro-high': { remainingFraction: 0.73, resetTime: RESET },
      'gemini-3-flash': { remainingFraction: 1.6, resetTime: RESET },
      'claude-opus-4-5': { resetTime: RESET },
      'tab-model': { omitQuotaInfo: true },
    } });
    const r = await fetchQuota();
    expect(rows(r)).toEqual([
      ['gemini-3-pro-high', null, 0.73, Date.parse(RESET)],
      ['gemini-3-flash', null, 1, Date.parse(RESET)],
      ['claude-opus-4-5', null, null, Date.parse(RESET)],
      ['tab-model', null, null, null],
    ]);
    expect(r.quotas.every((q) => q.fetchedAt === NOW && q.source === 'poll' && q.accountId === 'acc-1')).toBe(true);
  });

  it('sends the project once known and skips loadCodeAssist while project, tier and credits are fresh', async () => {
    const acc = add();
    await fetchQuota({ account: known });
    expect(acc.callCount('loadCodeAssist')).toBe(0);
    const bodies = fake.requests.filter((q) => q.path.includes('fetchAvailableModels') || q.path.includes('Summary')).map((q) => JSON.parse(q.body));
    expect(bodies).toEqual([{ project: 'proj-1' }, { project: 'proj-1' }]);
  });
});

describe('antigravity: 5-hour and weekly windows (best effort)', () => {
  it('keys windows by the glob of their group and keeps the tighter bucket per key', async () => {
    add({
      models: {
        'gemini-3-pro-high': { remainingFraction: 0.8, resetTime: RESET },
        'claude-sonnet-4-5': { remainingFraction: 0.5, resetTime: RESET },
      },
      summaryGroups: [
        { displayName: 'Gemini Pro', buckets: [
          { bucketId: 'gemini-pro-5h', window: '5h', remainingFraction: 0.6, resetTime: RESET },
          { bucketId: 'gemini-pro-weekly', window: 'weekly', remainingFraction: 0.2, resetTime: WEEK },
        ] },
        // Same family, looser: the tighter bucket above stays.
        { displayName: 'Gemini 2.5 Pro', buckets: [{ window: '5h', remainingFraction: 0.4, resetTime: RESET }] },
        // Named only by its bucket id.
        { buckets: [{ bucketId: 'gemini-flash-weekly', window: 'weekly', remainingFraction: 0.9, resetTime: WEEK }] },
        // Names no family: binds every model.
        { displayName: 'Premium', buckets: [{ bucketId: 'premium-5h', window: '5h', remainingFraction: 0.05, resetTime: RESET }] },
      ],
    });
    const r = await fetchQuota({ account: known });
    expect(rows(r)).toEqual([
      ['gemini-3-pro-high', null, 0.8, Date.parse(RESET)],
      ['claude-sonnet-4-5', null, 0.5, Date.parse(RESET)],
      ['*gemini*pro*', 'weekly', 0.2, Date.parse(WEEK)],
      ['*gemini*flash*', 'weekly', 0.9, Date.parse(WEEK)], // binds no listed model: kept
      ['*', '5h', 0.05, Date.parse(RESET)],
    ]);
    expect(r.quotas.find((q) => q.model === '*gemini*pro*')?.displayName).toBe('Gemini Pro');
  });

  it('drops windows no tighter than the models they bind; clamps, unknown stays null', async () => {
    add({
      models: { 'claude-sonnet-4-5': { remainingFraction: 0.5, resetTime: RESET } },
      summaryGroups: [
        { displayName: 'Claude', buckets: [{ window: '5h', remainingFraction: 0.7 }, { window: 'weekly', remainingFraction: 0.5 }] },
        { displayName: 'Everything', buckets: [{ window: 'weekly', remainingFraction: 1.5 }] },
        { displayName: 'Gemini Flash', buckets: [{ window: '5h', resetTime: RESET }, { window: 'weekly', remainingFraction: 7 }] },
        { displayName: 'Gemini Pro', buckets: [{ bucketId: 'no-window', remainingFraction: 0 }] },
      ],
    });
    const r = await fetchQuota({ account: known });
    expect(rows(r)).toEqual([
      ['claude-sonnet-4-5', null, 0.5, Date.parse(RESET)],
      ['*gemini*flash*', 'weekly', 1, null],
    ]);
  });

  it('the fake\'s derived summary (one group per model, no tighter) adds no readings', async () => {
    add();
    const r = await fetchQuota({ account: known });
    expect(r.quotas.map((q) => q.model).sort()).toEqual(['claude-sonnet-4-5', 'gemini-3-pro-high']);
  });

  it.each([
    ['HTTP 500', { kind: 'status', status: 500 }],
    ['HTTP 429', { kind: 'quota429', resetDelay: '1h' }],
    ['HTTP 403', { kind: 'status', status: 403 }],
    ['HTTP 404', { kind: 'status', status: 404 }],
    ['malformed JSON', { kind: 'malformed' }],
    ['a JSON shape it does not know', { kind: 'status', status: 200, body: { groups: 'nope' } }],
    ['a non-object', { kind: 'status', status: 200, body: '"text"' }],
    ['a reset connection', { kind: 'reset' }],
  ] as const)('a failing summary call (%s) does not fail the sync', async (_name, behaviour) => {
    const acc = add({ methodBehaviour: { retrieveUserQuotaSummary: behaviour } });
    const r = await fetchQuota({ account: known });
    expect(r.quotas.map((q) => q.model).sort()).toEqual(['claude-sonnet-4-5', 'gemini-3-pro-high']);
    expect(acc.callCount('retrieveUserQuotaSummary')).toBe(1);
  });

  it('maps group names to family globs', () => {
    expect(windowPattern('Gemini Pro')).toBe('*gemini*pro*');
    expect(windowPattern('Gemini 3 Pro (High)')).toBe('*gemini*pro*');
    expect(windowPattern('Claude Sonnet 4.5')).toBe('*claude*sonnet*');
    expect(windowPattern('Claude')).toBe('*claude*');
    expect(windowPattern(undefined, ['gemini-2.5-flash-lite-5h'])).toBe('*gemini*flash*lite*');
    expect(windowPattern('Premium', ['bucket-1'])).toBe('*');
    expect(windowPattern(undefined)).toBe('*');
  });
});

describe('antigravity: AI credits', () => {
  it('puts paidTier.availableCredits into flat details with the time of the check', async () => {
    add({ paidTierId: 'g1-pro-tier', paidTierName: 'Google AI Pro', credits: [
      { creditType: 'GOOGLE_ONE_AI', creditAmount: '1000' },
      { creditType: 'ODD', creditAmount: 'lots' },
    ] });
    const r = await fetchQuota();
    expect(r).toMatchObject({ projectId: 'proj-1', tier: 'pro', tierLabel: 'Google AI Pro' });
    expect(r.details).toEqual({
      'credits.GOOGLE_ONE_AI': 1000,
      'credits.ODD': 'lots',
      creditsCheckedAt: NOW,
      apiHost: new URL(fake.baseUrl).host,
    });
  });

  it('checks credits again once the last check is 6 hours old; clears credits that vanished', async () => {
    const acc = add();
    const fresh = { ...known, details: { creditsCheckedAt: NOW - CREDITS_MAX_AGE_MS + 1, 'credits.GOOGLE_ONE_AI': 5 } };
    expect((await fetchQuota({ account: fresh })).details).toEqual({ apiHost: new URL(fake.baseUrl).host });
    expect(acc.callCount('loadCodeAssist')).toBe(0);
    const stale = { ...fresh, details: { ...fresh.details, creditsCheckedAt: NOW - CREDITS_MAX_AGE_MS } };
    const r = await fetchQuota({ account: stale });
    expect(acc.callCount('loadCodeAssist')).toBe(1);
    expect(r.details).toMatchObject({ 'credits.GOOGLE_ONE_AI': null, creditsCheckedAt: NOW });
    await fetchQuota({ account: { projectId: 'proj-1', tierLabel: 'Free' } }); // never checked
    expect(acc.callCount('loadCodeAssist')).toBe(2);
  });

  it('a failed credits-only check does not fail the sync, but a refused account does', async () => {
    const acc = add({ methodBehaviour: { loadCodeAssist: { kind: 'status', status: 503 } } });
    const stale = { projectId: 'proj-1', tierLabel: 'Free' };
    const r = await fetchQuota({ account: stale });
    expect(r.quotas).toHaveLength(2);
    expect(r.details).not.toHaveProperty('creditsCheckedAt');
    acc.setMethodBehaviour('loadCodeAssist', { kind: 'status', status: 403 });
    expect((await failure(fetchQuota({ account: stale }))).code).toBe('permission_denied');
    // Without a project the check is needed: its failure is the sync's.
    acc.setMethodBehaviour('loadCodeAssist', { kind: 'malformed' });
    expect((await failure(fetchQuota())).code).toBe('bad_response');
  });
});

describe('antigravity: host fallback', () => {
  it('lists the daily hosts after the default host only', () => {
    expect(googleHosts(GOOGLE_CLOUD_CODE_URL)).toEqual([
      'https://cloudcode-pa.googleapis.com',
      'https://daily-cloudcode-pa.googleapis.com',
      'https://daily-cloudcode-pa.sandbox.googleapis.com',
    ]);
    expect(googleHosts('https://cloudcode-pa.googleapis.com/')).toHaveLength(3);
    expect(googleHosts('http://relay.local:8080/')).toEqual(['http://relay.local:8080']);
    expect(googleHosts('http://relay.local', ['http://b.local/', 'http://relay.local'])).toEqual(['http://relay.local', 'http://b.local']);
  });

  async function twoHosts(first: FakeAccountSpec['behaviour']) {
    fake2 = await startFakeGoogle();
    const primary = add({ behaviour: first });
    const backup = add({}, fake2);
    const adapter = createAntigravityAdapter({ fallbackBaseUrls: [fake2.baseUrl] });
    return { primary, backup, adapter };
  }

  it.each([
    ['429', { kind: 'quota429', resetDelay: '3h12m5.5s' }],
    ['503', { kind: 'status', status: 503 }],
    ['a reset connection', { kind: 'reset' }],
  ] as const)('falls over to the next host on %s and notes the host used', async (_name, behaviour) => {
    const { primary, backup, adapter } = await twoHosts(behaviour);
    const r = await fetchQuota({}, adapter);
    expect(r.quotas.map((q) => q.model).sort()).toEqual(['claude-sonnet-4-5', 'gemini-3-pro-high']);
    expect(r.details?.['apiHost']).toBe(new URL(fake2!.baseUrl).host);
    // The failing host is not asked again within the same fetch.
    expect(primary.callCount()).toBe(1);
    expect(backup.callCount('loadCodeAssist')).toBe(1);
    expect(backup.callCount('fetchAvailableModels')).toBe(1);
    expect(backup.callCount('retrieveUserQuotaSummary')).toBe(1);
  });

  it.each([
    ['401', { kind: 'status', status: 401 }, 'auth', 'unauthorized'],
    ['403', { kind: 'status', status: 403 }, 'permanent', 'permission_denied'],
    ['garbage', { kind: 'malformed' }, 'transient', 'bad_response'],
  ] as const)('does not fall over on %s', async (_name, behaviour, kind, code) => {
    const { backup, adapter } = await twoHosts(behaviour);
    const e = await failure(fetchQuota({}, adapter));
    expect([e.kind, e.code]).toEqual([kind, code]);
    expect(backup.callCount()).toBe(0);
  });

  it('a rejected access token on the first host is not tried elsewhere', async () => {
    const { primary, backup, adapter } = await twoHosts({ kind: 'normal' });
    primary.revokeAccessToken();
    expect((await failure(fetchQuota({}, adapter))).kind).toBe('auth');
    expect(backup.callCount()).toBe(0);
  });

  it('when every host fails, the 429 and its reset time win', async () => {
    const { backup, adapter } = await twoHosts({ kind: 'quota429', resetDelay: '1h' });
    backup.setBehaviour({ kind: 'status', status: 503 });
    const e = await failure(fetchQuota({}, adapter));
    expect([e.code, e.retryAt]).toEqual(['rate_limited', NOW + 3_600_000]);
  });

  it('a custom base URL has no fallback of its own', async () => {
    const acc = add({ behaviour: { kind: 'status', status: 503 } });
    const e = await failure(fetchQuota());
    expect(e.code).toBe('upstream_unavailable');
    expect(acc.callCount()).toBe(1);
  });
});
