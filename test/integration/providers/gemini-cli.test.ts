// The Gemini CLI adapter called directly against the fake Google upstream.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GEMINI_CLI_METADATA, geminiCliAdapter } from '../../../src/main/core/providers/gemini-cli';
import type { QuotaResult } from '../../../src/main/core/providers/provider-adapter';
import { ProviderError } from '../../../src/main/core/providers/provider-error';
import { startFakeGoogle, type FakeAccountHandle, type FakeAccountSpec, type FakeGoogle } from '../../helpers/fake-google';
import { providerContext, type ContextOptions } from '../../helpers/provider-context';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const R1 = '2026-11-23T13:00:00Z';
const R2 = '2026-11-24T00:00:00Z';

let fake: FakeGoogle;
beforeEach(async () => { fake = await startFakeGoogle(); });
afterEach(async () => { await fake.close(); });

function add(spec: Partial<FakeAccountSpec> = {}): FakeAccountHandle {
  return fake.addAccount({ refreshToken: 'r1', accessToken: 'tok-1', projectId: 'proj-1', ...spec });
}
function ctx(o: Partial<ContextOptions> = {}) {
  return providerContext(geminiCliAdapter, {
    credentials: { accessToken: 'tok-1', refreshToken: 'r1' },
    baseUrl: fake.baseUrl,
    oauthTokenUrl: fake.tokenUrl,
    now: () => NOW,
    ...o,
  });
}
const fetchQuota = (o: Partial<ContextOptions> = {}): Promise<QuotaResult> => geminiCliAdapter.fetchQuota(ctx(o));
async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}
const rows = (r: QuotaResult) => r.quotas.map((q) => [q.model, q.remainingFraction, q.resetAt, q.window]);

describe('gemini-cli adapter', () => {
  it('describes itself', () => {
    expect(geminiCliAdapter).toMatchObject({
      id: 'gemini-cli', displayName: 'Gemini CLI (Code Assist)', auth: 'oauth', oauthFamily: 'google',
      defaultBaseUrl: 'https://cloudcode-pa.googleapis.com', pollable: true, defaultModels: [],
    });
  });

  it('keeps the lowest fraction per model with its reset time', async () => {
    add({ tierId: 'standard-tier', tierName: 'Gemini Code Assist Standard', quotaBuckets: [
      { modelId: 'gemini-2.5-pro', tokenType: 'INPUT_TOKENS', remainingFraction: 0.9, resetTime: R2 },
      { modelId: 'gemini-2.5-pro', tokenType: 'REQUESTS', remainingFraction: 0.3, resetTime: R1 },
      { modelId: 'gemini-2.5-pro', tokenType: 'OUTPUT_TOKENS', remainingFraction: 0.6, resetTime: R2 },
      { modelId: 'gemini-2.5-flash', tokenType: 'REQUESTS', resetTime: R1 }, // unknown never hides a known value
      { modelId: 'gemini-2.5-flash', tokenType: 'INPUT_TOKENS', remainingFraction: 0.7, resetTime: R2 },
      { modelId: 'gemini-2.0-flash', tokenType: 'REQUESTS', remainingFraction: 1.4 },
      { modelId: 'gemini-2.5-flash-lite', tokenType: 'REQUESTS' },
      { tokenType: 'REQUESTS', remainingFraction: 0 }, // no model: ignored
    ] });
    const r = await fetchQuota();
    expect(rows(r)).toEqual([
      ['gemini-2.5-pro', 0.3, Date.parse(R1), null],
      ['gemini-2.5-flash', 0.7, Date.parse(R2), null],
      ['gemini-2.0-flash', 1, null, null],
      ['gemini-2.5-flash-lite', null, null, null],
    ]);
    expect(r).toMatchObject({ projectId: 'proj-1', tier: 'pro', tierLabel: 'Gemini Code Assist Standard' });
    expect(r.quotas.every((q) => q.fetchedAt === NOW && q.source === 'poll')).toBe(true);
    const [load, quota] = fake.requests.map((q) => [q.path, JSON.parse(q.body)]);
    expect(load).toEqual(['/v1internal:loadCodeAssist', { metadata: GEMINI_CLI_METADATA }]);
    expect(quota).toEqual(['/v1internal:retrieveUserQuota', { project: 'proj-1' }]);
  });

  it('reads the fake\'s derived buckets and skips loadCodeAssist once project and tier are known', async () => {
    const acc = add();
    const r = await fetchQuota({ account: { projectId: 'proj-1', tierLabel: 'Free' } });
    expect(r.quotas.map((q) => [q.model, q.remainingFraction]).sort()).toEqual([['claude-sonnet-4-5', 0.5], ['gemini-3-pro-high', 0.8]]);
    expect(acc.callCount('loadCodeAssist')).toBe(0);
    expect(r.projectId).toBeUndefined();
  });

  it('401 is an auth error; the Google refresh gets a token that works', async () => {
    const acc = add();
    acc.revokeAccessToken();
    const e = await failure(fetchQuota());
    expect([e.kind, e.code, e.status]).toEqual(['auth', 'unauthorized', 401]);
    expect(geminiCliAdapter.needsRefresh({ refreshToken: 'r1' }, NOW)).toBe(true);
    const creds = await geminiCliAdapter.refreshCredentials(ctx());
    expect(creds.accessToken).toBe(acc.accessToken());
    expect((await fetchQuota({ credentials: creds })).quotas).toHaveLength(2);
  });

  it('403 marks the account suspended with the verification link', async () => {
    add({ behaviour: { kind: 'status', status: 403 } });
    const e = await failure(fetchQuota());
    expect([e.kind, e.code, e.accountStatus]).toEqual(['permanent', 'permission_denied', 'suspended']);
    expect(e.message).toMatch(/VALIDATION_REQUIRED.*https:\/\/accounts\.google\.com/);
  });

  it('429 with quotaResetDelay becomes a transient error with retryAt', async () => {
    add({ methodBehaviour: { retrieveUserQuota: { kind: 'quota429', resetDelay: '2h1m1s' } } });
    const e = await failure(fetchQuota({ account: { projectId: 'proj-1', tierLabel: 'Free' } }));
    expect([e.kind, e.code, e.retryAt]).toEqual(['transient', 'rate_limited', NOW + 7_261_000]);
  });

  it.each([
    ['malformed JSON', { kind: 'malformed' }],
    ['an unknown shape', { kind: 'status', status: 200, body: { buckets: 'nope' } }],
    ['an empty body', { kind: 'status', status: 200, body: '' }],
  ] as const)('garbage (%s) is a transient bad_response', async (_name, behaviour) => {
    add({ methodBehaviour: { retrieveUserQuota: behaviour } });
    const e = await failure(fetchQuota({ account: { projectId: 'proj-1', tierLabel: 'Free' } }));
    expect([e.kind, e.code]).toEqual(['transient', 'bad_response']);
  });

  it('a hung upstream is abandoned when the signal aborts', async () => {
    add({ behaviour: { kind: 'hang' } });
    const stop = new AbortController();
    const pending = failure(fetchQuota({ signal: stop.signal }));
    await expect.poll(() => fake.inFlight()).toBe(1);
    stop.abort();
    expect((await pending).kind).toBe('aborted');
    await expect.poll(() => fake.inFlight()).toBe(0);
  });
});
