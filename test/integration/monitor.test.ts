import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MonitorStats, QuotaView, SyncReport } from '../../src/shared/types';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google';
import { call, FakeClock, googleSettings, makeHarness, type Harness } from '../helpers/harness';
import { seedGoogleAccounts } from '../helpers/seed';

let fake: FakeGoogle;
let h: Harness | undefined;

beforeEach(async () => {
  fake = await startFakeGoogle();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await fake.close();
});

/** Most fetchAvailableModels calls in flight at once (one per account being synced). */
function maxAccountsInFlight(): number {
  return maxInFlight(fake.requests.filter((r) => r.path.includes('fetchAvailableModels')));
}

/** Most requests of any kind in flight at once at the fake (one host). */
function maxRequestsInFlight(): number {
  return maxInFlight(fake.requests);
}

function maxInFlight(calls: Array<{ startedAt: number; endedAt?: number | null }>): number {
  const edges = calls.flatMap((r) => [
    [r.startedAt, 1],
    [r.endedAt ?? Infinity, -1],
  ] as Array<[number, number]>);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (cur += d));
  return max;
}

function settings(extra = {}) {
  return googleSettings(fake.baseUrl, fake.tokenUrl, { syncTimeoutSec: 0.5, concurrency: 8, providerConcurrency: 4, ...extra });
}

describe('QuotaMonitor against a fake Google upstream', () => {
  it('saves what a cycle learned about the accounts (tier, project) in its one transaction: one accounts:changed for all', async () => {
    h = await makeHarness({ overrides: settings() });
    const seeded = await seedGoogleAccounts(h.app, fake, 4, () => ({ paidTierId: 'g1-pro-tier', paidTierName: 'Google AI Pro' }));
    const changed: string[][] = [];
    h.app.events.on('accounts:changed', (e) => changed.push([...e.accountIds].sort()));
    const report = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(report.successes).toBe(4);
    expect(changed).toEqual([seeded.map((s) => s.id).sort()]);
    for (const s of seeded) expect(h.app.services.store.require(s.id).tier).toBe('pro');
  });

  it('isolates a hung account: the cycle ends near one timeout, nine are cached', async () => {
    h = await makeHarness({ overrides: settings() });
    const seeded = await seedGoogleAccounts(h.app, fake, 10, (i) => (i === 3 ? { behaviour: { kind: 'hang' } } : {}));
    const report = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(report.successes).toBe(9);
    expect(report.errors).toBe(1);
    expect(report.durationMs).toBeGreaterThanOrEqual(450);
    expect(report.durationMs).toBeLessThan(1500); // one timeout, not ten
    const failed = report.results.find((r) => r.outcome === 'error')!;
    expect(failed.accountId).toBe(seeded[3]!.id);
    expect(failed.errorCode).toBe('timeout');
    expect(failed.errorKind).toBe('transient');
    const stats = await call<MonitorStats>(h.app, 'monitor:getStats');
    expect(stats).toMatchObject({ totalAccounts: 10, cachedQuotas: 18, lastSyncSuccesses: 9, lastSyncErrors: 1 });
    expect(stats.lastSyncDurationMs).toBe(report.durationMs);
    const quotas = await call<QuotaView[]>(h.app, 'quota:list', { accountId: seeded[0]!.id });
    expect(quotas.map((q) => [q.model, q.remainingFraction])).toEqual([
      ['claude-sonnet-4-5', 0.5],
      ['gemini-3-pro-high', 0.8],
    ]);
  });

  it('refreshes once on 401 and succeeds, storing the new access token', async () => {
    h = await makeHarness({ overrides: settings() });
    const [a] = await seedGoogleAccounts(h.app, fake, 1);
    a!.handle.revokeAccessToken();
    const report = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(report.results[0]).toMatchObject({ outcome: 'ok', models: 2 });
    expect(a!.handle.callCount('/token')).toBe(1);
    expect(h.app.services.store.credentials(a!.id).accessToken).toBe(a!.handle.accessToken());
    // The refreshed token is used next time: no second refresh.
    await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(a!.handle.callCount('/token')).toBe(1);
  });

  it('marks an account whose refresh token is dead and stops polling it', async () => {
    h = await makeHarness({ overrides: settings() });
    const [a, b] = await seedGoogleAccounts(h.app, fake, 2);
    a!.handle.revokeAccessToken();
    a!.handle.revokeRefreshToken();
    const report = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(report.results.find((r) => r.accountId === a!.id)).toMatchObject({ outcome: 'error', errorKind: 'permanent', errorCode: 'invalid_grant' });
    expect(report.results.find((r) => r.accountId === b!.id)?.outcome).toBe('ok');
    expect(h.app.services.store.get(a!.id)?.status).toBe('invalid_credentials');
    const calls = a!.handle.callCount() + a!.handle.callCount('/token');
    const next = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(next.accounts).toBe(1);
    expect(a!.handle.callCount() + a!.handle.callCount('/token')).toBe(calls);
  });

  it('marks a 403 account suspended with the verification link', async () => {
    h = await makeHarness({ overrides: settings() });
    const [a] = await seedGoogleAccounts(h.app, fake, 1, () => ({ behaviour: { kind: 'status', status: 403 } }));
    const report = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(report.results[0]).toMatchObject({ outcome: 'error', errorKind: 'permanent', errorCode: 'permission_denied' });
    const acc = h.app.services.store.get(a!.id)!;
    expect(acc.status).toBe('suspended');
    expect(acc.statusReason).toMatch(/VALIDATION_REQUIRED/);
    expect(acc.statusReason).toMatch(/https?:\/\//);
  });

  it('treats 503 and malformed JSON as transient, backs off per account, keeps the last value', async () => {
    const clock = new FakeClock();
    h = await makeHarness({ overrides: settings({ syncIntervalSec: 60 }), clock });
    const [a, b] = await seedGoogleAccounts(h.app, fake, 2);
    const finished: SyncReport[] = [];
    h.app.events.on('monitor:syncFinished', (r) => finished.push(r));
    const nextCycle = async () => {
      const n = finished.length;
      clock.advance(60_000);
      await expect.poll(() => finished.length, { timeout: 5000 }).toBe(n + 1);
      return finished[n]!;
    };
    h.app.services.monitor.start();
    clock.advance(0);
    await expect.poll(() => finished.length, { timeout: 5000 }).toBe(1);
    expect(finished[0]!.successes).toBe(2);

    a!.handle.setBehaviour({ kind: 'status', status: 503 });
    b!.handle.setBehaviour({ kind: 'malformed' });
    const c2 = await nextCycle();
    expect(c2.results.map((r) => [r.errorKind, r.errorCode])).toEqual([
      ['transient', 'upstream_unavailable'],
      ['transient', 'bad_response'],
    ]);
    expect(h.app.services.store.get(a!.id)?.status).toBe('active');
    const c3 = await nextCycle(); // second failure: backoff doubles
    expect(c3.errors).toBe(2);
    const c4 = await nextCycle(); // waits out its backoff
    expect(c4.skipped).toBe(2);
    expect(c4.results[0]!.errorCode).toBe('backoff');
    a!.handle.setBehaviour({ kind: 'normal' });
    const c5 = await nextCycle();
    expect(c5.results.find((r) => r.accountId === a!.id)?.outcome).toBe('ok');

    // b's last known value survives, shown as stale with its age once the TTL passed.
    const views = await call<QuotaView[]>(h.app, 'quota:list', { accountId: b!.id });
    expect(views).toHaveLength(2);
    expect(views.every((v) => v.stale && v.ageMs >= 4 * 60_000)).toBe(true);
    expect(views.every((v) => v.decision.kind === 'unknown')).toBe(true);
    await h.app.services.monitor.stop();
  });

  it('never overlaps a slow cycle with the next one', async () => {
    h = await makeHarness({ overrides: settings({ syncIntervalSec: 0.05, syncTimeoutSec: 5 }) });
    await seedGoogleAccounts(h.app, fake, 1, () => ({ latencyMs: 150 }));
    const finished: SyncReport[] = [];
    h.app.events.on('monitor:syncFinished', (r) => finished.push(r));
    h.app.services.monitor.start();
    await expect.poll(() => finished.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    await h.app.services.monitor.stop();
    expect(maxAccountsInFlight()).toBe(1);
    for (let i = 1; i < finished.length; i++) {
      expect(Date.parse(finished[i]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(finished[i - 1]!.finishedAt));
    }
  });

  it('stop() during a cycle aborts in-flight requests and leaves no pending work', async () => {
    h = await makeHarness({ overrides: settings({ syncTimeoutSec: 30 }) });
    await seedGoogleAccounts(h.app, fake, 6, () => ({ behaviour: { kind: 'hang' } }));
    const cycle = call<SyncReport>(h.app, 'monitor:syncNow');
    await expect.poll(() => fake.inFlight(), { timeout: 5000 }).toBe(4); // provider cap
    const t0 = Date.now();
    await h.app.services.monitor.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    const report = await cycle;
    expect(report.aborted).toBe(true);
    expect(report.errors).toBe(0);
    expect(h.app.services.monitor.isSyncing()).toBe(false);
    await expect.poll(() => fake.inFlight(), { timeout: 2000 }).toBe(0);
    // Queued accounts never started.
    expect(fake.requests.length).toBe(4);
  });

  it('respects the per-provider and global caps', async () => {
    h = await makeHarness({ overrides: settings({ concurrency: 8, providerConcurrency: 3, syncTimeoutSec: 5 }) });
    await seedGoogleAccounts(h.app, fake, 12, () => ({ latencyMs: 80 }));
    const report = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(report.successes).toBe(12);
    expect(maxAccountsInFlight()).toBe(3);
    // The cap bounds requests to the host, not accounts: never more than 3 in flight.
    expect(maxRequestsInFlight()).toBe(3);
  });

  it('warm-starts the cache from SQLite after a restart, without calling upstream', async () => {
    h = await makeHarness({ overrides: settings() });
    const [a] = await seedGoogleAccounts(h.app, fake, 3);
    await call(h.app, 'monitor:syncNow');
    const before = fake.requests.length;
    h = await h.reopen();
    const stats = await call<MonitorStats>(h.app, 'monitor:getStats');
    expect(stats.cachedQuotas).toBe(6);
    expect(stats.lastSyncSuccesses).toBe(3);
    const q = await call<QuotaView>(h.app, 'quota:check', { accountId: a!.id, model: 'gemini-3-pro-high' });
    expect(q).toMatchObject({ remainingFraction: 0.8, stale: false, decision: { kind: 'proceed' } });
    expect(fake.requests.length).toBe(before);
  });

  it('checkQuota: a cache miss triggers one fetch shared by concurrent callers', async () => {
    h = await makeHarness({ overrides: settings({ syncTimeoutSec: 5 }) });
    const [a] = await seedGoogleAccounts(h.app, fake, 1, () => ({ latencyMs: 100 }));
    const results = await Promise.all(
      Array.from({ length: 8 }, () => call<QuotaView>(h!.app, 'quota:check', { accountId: a!.id, model: 'claude-sonnet-4-5' })),
    );
    expect(results.every((r) => r.remainingFraction === 0.5)).toBe(true);
    expect(a!.handle.callCount('fetchAvailableModels')).toBe(1);
    await call(h.app, 'quota:check', { accountId: a!.id, model: 'claude-sonnet-4-5' });
    expect(a!.handle.callCount('fetchAvailableModels')).toBe(1);
  });

  it('logs and notifies a low crossing once, and the recovery once', async () => {
    h = await makeHarness({ overrides: settings() });
    const [a] = await seedGoogleAccounts(h.app, fake, 1, () => ({ models: { 'gemini-3-pro-high': { remainingFraction: 0.05, resetTime: '2099-01-01T00:00:00Z' } } }));
    await call(h.app, 'monitor:syncNow');
    await call(h.app, 'monitor:syncNow');
    await call(h.app, 'monitor:syncNow');
    expect(h.logger.lines.filter((l) => l.includes('quota low')).length).toBe(1);
    expect(h.notifications.filter((n) => n.title.includes('low')).length).toBe(1);
    a!.handle.setModel('gemini-3-pro-high', { remainingFraction: 0.6 });
    await call(h.app, 'monitor:syncNow');
    await call(h.app, 'monitor:syncNow');
    expect(h.logger.lines.filter((l) => l.includes('quota recovered')).length).toBe(1);
  });

  it('detects project and tier through loadCodeAssist once, then only polls models', async () => {
    h = await makeHarness({ overrides: settings() });
    const [a] = await seedGoogleAccounts(h.app, fake, 1, () => ({ paidTierId: 'g1-ultra-tier', paidTierName: 'Google AI Ultra' }));
    await call(h.app, 'monitor:syncNow');
    await call(h.app, 'monitor:syncNow');
    const acc = h.app.services.store.get(a!.id)!;
    expect(acc).toMatchObject({ tier: 'ultra', tierLabel: 'Google AI Ultra', projectId: a!.handle.spec.projectId });
    expect(a!.handle.callCount('loadCodeAssist')).toBe(1);
    expect(a!.handle.callCount('fetchAvailableModels')).toBe(2);
    const body = JSON.parse(fake.requests.filter((r) => r.path.includes('fetchAvailableModels')).at(-1)!.body);
    expect(body).toEqual({ project: a!.handle.spec.projectId });
  });
});
