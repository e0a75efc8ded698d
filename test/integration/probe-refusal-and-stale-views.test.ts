// Regression tests for two bugs the mixed-fleet tests found: a refused probe counted as a sync
// attempt (silencing Claude for its poll floor), and quota:check losing glob readings after the TTL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView, ImportReport, SyncReport } from '../../src/shared/types';
import { startFakeClaude, type FakeClaude, type FakeClaudeAccount } from '../helpers/fake-claude';
import { call, FakeClock, makeHarness, type Harness } from '../helpers/harness';

let claude: FakeClaude;
let h: Harness | undefined;
let clock: FakeClock;

beforeEach(async () => {
  claude = await startFakeClaude();
  clock = new FakeClock();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await claude.close();
});

async function claudeAccount(): Promise<{ id: string; cl: FakeClaudeAccount }> {
  h = await makeHarness({
    clock,
    overrides: { baseUrls: { claude: claude.baseUrl }, oauthTokenUrls: { claude: claude.tokenUrl }, syncIntervalSec: 60, syncTimeoutSec: 5 },
  });
  const cl = claude.addAccount({ refreshToken: 'claude-rt-known-bug-0001', accessToken: 'claude-at-known-bug-0001' });
  const r = await call<ImportReport>(h.app, 'accounts:import', {
    accounts: [{ provider: 'claude', email: 'claude@example.com', refreshToken: cl.refreshToken(), accessToken: cl.accessToken(), expiresAt: '2099-01-01T00:00:00Z' }],
  });
  return { id: r.accounts[0]!.id, cl };
}

describe('probe refusals and stale glob views (bugs found by the fleet tests, fixed)', () => {
  // AccountSyncer.probe() raises `no_probe` inside its try block, so the catch records it like a
  // failed poll: lastAttemptAt = now, lastErrorCode 'no_probe', consecutiveFailures + 1. For Claude,
  // lastAttemptAt is what the 5-minute poll floor reads, so the refused probe (no request made)
  // silences the account for 5 minutes.
  it('a refused probe (no_probe) does not count as a sync attempt', async () => {
    const { id, cl } = await claudeAccount();
    const env = await h!.app.api.call('quota:probe', { accountId: id });
    expect(env).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(claude.requests).toHaveLength(0);

    const report = await call<SyncReport>(h!.app, 'monitor:syncNow');
    expect(report.results[0]).toMatchObject({ outcome: 'ok', errorCode: null });
    expect(cl.callCount()).toBe(1);
    const [account] = await call<AccountView[]>(h!.app, 'accounts:list');
    expect(account!.sync).toMatchObject({ lastErrorCode: null, consecutiveFailures: 0 });
  });

  // QuotaEngine.view() falls back to the last known reading by exact model key only. Claude,
  // Codex and OpenRouter key their readings by glob ("*", "*opus*"), so once the cache TTL has
  // passed (e.g. while the poll floor or a backoff keeps the account from being polled),
  // quota:check for a concrete model answers null instead of the stale last value with its age;
  // quota:list still shows it under "*".
  it('quota:check shows the last known glob reading once the TTL passed', async () => {
    const { id } = await claudeAccount();
    await call(h!.app, 'monitor:syncNow');
    expect(await call(h!.app, 'quota:check', { accountId: id, model: 'claude-opus-4-5' })).toMatchObject({ remainingFraction: 0.7, stale: false });
    clock.advance(2 * 60_000); // past the 66 s TTL, inside the 5-minute floor: no new poll
    const view = await call(h!.app, 'quota:check', { accountId: id, model: 'claude-opus-4-5' });
    expect(view).toMatchObject({ remainingFraction: 0.7, stale: true, ageMs: 120_000 });
    expect(claude.requests.filter((r) => r.path === '/api/oauth/usage')).toHaveLength(1);
  });
});
