// Claude's usage endpoint punishes frequent polling: the monitor polls a Claude account at most
// once per 5 minutes (even on a manual sync), and after a 429 waits at least 5 minutes whatever
// Retry-After says, while the other providers are polled as usual. Time is a FakeClock; the
// upstreams are real HTTP fakes, so "skipped" is proven by requests that never arrived.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountSyncResult, ImportReport, QuotaView, SyncReport } from '../../src/shared/types';
import { startFakeClaude, type FakeClaude, type FakeClaudeAccount } from '../helpers/fake-claude';
import { startFakeGoogle, type FakeAccountHandle, type FakeGoogle } from '../helpers/fake-google';
import { startFakeOpenRouter, type FakeOpenRouter, type FakeOpenRouterKey } from '../helpers/fake-openrouter';
import { call, FakeClock, makeHarness, type Harness } from '../helpers/harness';

const MIN = 60_000;

let google: FakeGoogle;
let claude: FakeClaude;
let openrouter: FakeOpenRouter;
let h: Harness | undefined;
let clock: FakeClock;

beforeEach(async () => {
  [google, claude, openrouter] = await Promise.all([startFakeGoogle(), startFakeClaude(), startFakeOpenRouter()]);
  clock = new FakeClock();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await Promise.all([google.close(), claude.close(), openrouter.close()]);
});

interface Setup { cl: FakeClaudeAccount; ag: FakeAccountHandle; or: FakeOpenRouterKey; ids: { claude: string; antigravity: string; openrouter: string } }

/** One Claude account beside one Antigravity account and one OpenRouter key. */
async function setup(claudeBehaviour?: Parameters<FakeClaudeAccount['setBehaviour']>[0]): Promise<Setup> {
  h = await makeHarness({
    clock,
    // Every account every interval: the others' poll counts tell the cycles apart (the gate is what is tested).
    pollPlan: 'fixed',
    overrides: {
      baseUrls: { antigravity: google.baseUrl, claude: claude.baseUrl, openrouter: openrouter.baseUrl },
      oauthTokenUrls: { google: google.tokenUrl, claude: claude.tokenUrl },
      googleClientId: 'test-client-id.apps.example',
      googleClientSecret: 'test-client-secret',
      syncIntervalSec: 60,
      syncTimeoutSec: 5,
    },
  });
  const cl = claude.addAccount({ refreshToken: 'claude-rt-etiquette-0001', accessToken: 'claude-at-etiquette-0001', ...(claudeBehaviour ? { behaviour: claudeBehaviour } : {}) });
  const ag = google.addAccount({ refreshToken: '1//google-rt-etiquette-0001', accessToken: 'ya29.google-at-etiquette-0001' });
  const or = openrouter.addKey({ key: 'sk-or-v1-etiquette-0001' });
  const report = await call<ImportReport>(h.app, 'accounts:import', {
    accounts: [
      { provider: 'claude', email: 'claude@example.com', refreshToken: cl.refreshToken(), accessToken: cl.accessToken(), expiresAt: '2099-01-01T00:00:00Z' },
      { provider: 'antigravity', email: 'google@example.com', refreshToken: ag.spec.refreshToken, accessToken: ag.accessToken(), expiresAt: '2099-01-01T00:00:00Z' },
      { provider: 'openrouter', label: 'router', apiKey: or.spec.key },
    ],
  });
  const [claudeId, antigravityId, openrouterId] = report.accounts.map((a) => a.id);
  return { cl, ag, or, ids: { claude: claudeId!, antigravity: antigravityId!, openrouter: openrouterId! } };
}

const resultOf = (r: SyncReport, id: string): AccountSyncResult => r.results.find((x) => x.accountId === id)!;
const syncNow = () => call<SyncReport>(h!.app, 'monitor:syncNow');

/**
 * What reached the fakes so far: Claude usage calls, Claude requests of any kind, and the others' polls.
 * The plan's profile call only follows a usage call that went through (once, then daily: plans.test.ts).
 */
function counts(s: Setup) {
  return {
    claudeUsage: s.cl.callCount(),
    claudeAll: claude.requests.filter((r) => r.path !== '/api/oauth/profile').length,
    antigravity: s.ag.callCount('fetchAvailableModels'),
    openrouter: s.or.callCount('/v1/key'),
  };
}

describe("Claude's poll floor through the monitor", () => {
  it('a second manual sync within 5 minutes skips the Claude account without a request; after 5 minutes it is polled', async () => {
    const s = await setup();
    const r1 = await syncNow();
    expect(r1.results.map((r) => r.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(counts(s)).toEqual({ claudeUsage: 1, claudeAll: 1, antigravity: 1, openrouter: 1 });

    clock.advance(4 * MIN);
    const r2 = await syncNow();
    expect(resultOf(r2, s.ids.claude)).toMatchObject({ outcome: 'skipped', errorCode: 'poll_floor', provider: 'claude' });
    expect(resultOf(r2, s.ids.claude).message).toMatch(/240 s ago.*300 s/);
    expect(resultOf(r2, s.ids.antigravity).outcome).toBe('ok');
    expect(resultOf(r2, s.ids.openrouter).outcome).toBe('ok');
    expect(r2).toMatchObject({ accounts: 3, successes: 2, errors: 0, skipped: 1 });
    expect(counts(s)).toEqual({ claudeUsage: 1, claudeAll: 1, antigravity: 2, openrouter: 2 });

    // A cache miss on a Claude model does not sneak a poll in either (the readings expired at 66 s).
    await call(h!.app, 'quota:check', { accountId: s.ids.claude, model: 'claude-opus-4-5' });
    expect(counts(s).claudeAll).toBe(1);
    // Meanwhile the last known value is shown, with its age.
    const listed = await call<QuotaView[]>(h!.app, 'quota:list', { accountId: s.ids.claude });
    expect(listed).toMatchObject([{ model: '*', stale: true, remainingFraction: 0.7, ageMs: 4 * MIN }]);

    clock.advance(MIN - 1); // 4:59.999 after the poll
    const r3 = await syncNow();
    expect(resultOf(r3, s.ids.claude)).toMatchObject({ outcome: 'skipped', errorCode: 'poll_floor' });
    expect(counts(s)).toEqual({ claudeUsage: 1, claudeAll: 1, antigravity: 3, openrouter: 3 });

    clock.advance(1); // exactly 5 minutes
    const r4 = await syncNow();
    expect(resultOf(r4, s.ids.claude)).toMatchObject({ outcome: 'ok', errorCode: null, models: 1 });
    expect(counts(s)).toEqual({ claudeUsage: 2, claudeAll: 2, antigravity: 4, openrouter: 4 });
  });

  it('after a 429 with retry-after: 0, neither scheduled cycles nor manual syncs poll it for 5 minutes; then it is polled', async () => {
    const s = await setup({ kind: 'status', status: 429, headers: { 'retry-after': '0' } });
    const finished: SyncReport[] = [];
    h!.app.events.on('monitor:syncFinished', (r) => finished.push(r));
    const nextScheduled = async (ms: number) => {
      const n = finished.length;
      clock.advance(ms);
      await expect.poll(() => finished.length, { timeout: 5000 }).toBe(n + 1);
      const r = finished[n]!;
      expect(r.trigger).toBe('schedule');
      return r;
    };

    h!.app.services.monitor.start();
    const c0 = await nextScheduled(0);
    expect(resultOf(c0, s.ids.claude)).toMatchObject({ outcome: 'error', errorKind: 'transient', errorCode: 'rate_limited' });
    expect(counts(s)).toEqual({ claudeUsage: 1, claudeAll: 1, antigravity: 1, openrouter: 1 });
    // It would answer now: only the etiquette keeps the monitor away.
    s.cl.setBehaviour({ kind: 'normal' });

    for (let minute = 1; minute <= 4; minute++) {
      const c = await nextScheduled(MIN);
      expect(resultOf(c, s.ids.claude), `scheduled cycle at ${minute} min`).toMatchObject({ outcome: 'skipped' });
      expect(['poll_floor', 'backoff']).toContain(resultOf(c, s.ids.claude).errorCode);
      expect(resultOf(c, s.ids.antigravity).outcome).toBe('ok');
      expect(resultOf(c, s.ids.openrouter).outcome).toBe('ok');
      expect(counts(s)).toEqual({ claudeUsage: 1, claudeAll: 1, antigravity: 1 + minute, openrouter: 1 + minute });
    }

    clock.advance(MIN - 1_000); // 4:59 after the 429
    const manual = await syncNow();
    expect(manual.trigger).toBe('manual');
    expect(resultOf(manual, s.ids.claude)).toMatchObject({ outcome: 'skipped' });
    expect(counts(s)).toEqual({ claudeUsage: 1, claudeAll: 1, antigravity: 6, openrouter: 6 });

    clock.advance(1_000); // 5:00 after the 429
    const after = await syncNow();
    expect(resultOf(after, s.ids.claude)).toMatchObject({ outcome: 'ok', models: 1 });
    expect(counts(s)).toEqual({ claudeUsage: 2, claudeAll: 2, antigravity: 7, openrouter: 7 });
    await h!.app.services.monitor.stop();
  });

  it('a longer Retry-After is honoured past the 5-minute floor, by manual syncs too', async () => {
    const s = await setup({ kind: 'status', status: 429, headers: { 'retry-after': '600' } });
    const r0 = await syncNow();
    expect(resultOf(r0, s.ids.claude)).toMatchObject({ outcome: 'error', errorCode: 'rate_limited' });
    s.cl.setBehaviour({ kind: 'normal' });

    clock.advance(5 * MIN); // the floor has passed; the upstream's 10 minutes have not
    const r1 = await syncNow();
    expect(resultOf(r1, s.ids.claude)).toMatchObject({ outcome: 'skipped', errorCode: 'backoff' });
    clock.advance(4 * MIN + 58_000); // 9:58
    const r2 = await syncNow();
    expect(resultOf(r2, s.ids.claude)).toMatchObject({ outcome: 'skipped', errorCode: 'backoff' });
    expect(counts(s)).toMatchObject({ claudeUsage: 1, claudeAll: 1, antigravity: 3, openrouter: 3 });

    clock.advance(2_000); // 10:00
    const r3 = await syncNow();
    expect(resultOf(r3, s.ids.claude)).toMatchObject({ outcome: 'ok' });
    expect(counts(s)).toMatchObject({ claudeUsage: 2, claudeAll: 2 });
  });
});
