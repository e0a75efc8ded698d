// Adaptive polling through the real monitor: a fake clock drives the loop, the fake Cloud Code
// upstream on loopback answers, SQLite on a temp file. Each account's next poll follows its
// state, cycles start on a grid (accounts due close together share one), and quota:list's
// nextPollAt is when it is really polled.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QuotaView, SyncReport } from '../../src/shared/types';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google';
import { call, FakeClock, googleSettings, makeHarness, type Harness } from '../helpers/harness';
import { seedGoogleAccounts, type Seeded } from '../helpers/seed';

const MODEL = 'gemini-3-pro-high';
const I = 60_000; // the interval setting

let fake: FakeGoogle;
let h: Harness | undefined;
beforeEach(async () => {
  fake = await startFakeGoogle();
});
afterEach(async () => {
  await h?.app.services.monitor.stop();
  await h?.close();
  h = undefined;
  await fake.close();
});

const at = (t: number) => new Date(t).toISOString();

describe('adaptive polling', () => {
  it('near the threshold sooner, full and idle later (2×, then 4×), one poll just after a reset, traffic keeps the interval; nextPollAt is true', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    h = await makeHarness({ clock, overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { syncIntervalSec: I / 1000 }) });
    const far = at(t0 + 10 * 3_600_000);
    const spec = (fraction: number, resetTime = far) => ({ models: { [MODEL]: { displayName: 'Gemini 3 Pro (High)', remainingFraction: fraction, resetTime } } });
    const seeded = (await seedGoogleAccounts(h.app, fake, 5, (i) => [spec(1), spec(0.15), spec(0.6), spec(1), spec(0, at(t0 + 150_000))][i]!)) as Seeded[];
    const [full, near, normal, busy, empty] = seeded as [Seeded, Seeded, Seeded, Seeded, Seeded];
    const finished: SyncReport[] = [];
    h.app.events.on('monitor:syncFinished', (r) => finished.push(r));
    const nextPoll = async (s: Seeded) => (await call<QuotaView[]>(h!.app, 'quota:list', { accountId: s.id })).find((v) => v.model === MODEL)!.nextPollAt;
    /** Seconds after t0 at which the account was polled (cycle starts). */
    const polledAt = (s: Seeded) =>
      finished.filter((r) => r.results.some((x) => x.accountId === s.id && x.outcome === 'ok')).map((r) => (Date.parse(r.startedAt) - t0) / 1000);
    // The busy account serves traffic between polls (the proxy reports each answer).
    const serve = () => h!.app.services.engine.report(h!.app.services.store.require(busy.id), MODEL, 'ok');

    h.app.services.monitor.start();
    clock.advance(0);
    await expect.poll(() => finished.length, { timeout: 5000 }).toBe(1);
    expect(finished[0]!.successes).toBe(5);
    serve();

    // Planned from the first poll: near at I/4, the rest at I, the full idle one at 2 I.
    expect(await nextPoll(near)).toBe(at(t0 + I / 4));
    expect(await nextPoll(normal)).toBe(at(t0 + I));
    expect(await nextPoll(busy)).toBe(at(t0 + I));
    expect(await nextPoll(full)).toBe(at(t0 + 2 * I));
    expect(await nextPoll(empty)).toBe(at(t0 + I));

    // Drive 12 intervals, 5 s at a time. Every nextPollAt read names the start of the cycle that polls it.
    const predicted = new Map<string, string>();
    for (let step = 1; step <= 144; step++) {
      for (const s of seeded) {
        if (predicted.has(s.id)) continue;
        const p = await nextPoll(s);
        if (p) predicted.set(s.id, p);
      }
      if (step % 3 === 0) serve();
      clock.advance(5_000);
      await expect.poll(() => h!.app.services.monitor.isSyncing(), { timeout: 5000 }).toBe(false);
      for (const s of seeded) {
        const p = predicted.get(s.id);
        if (p === undefined || Date.parse(p) > clock.now()) continue;
        expect(polledAt(s).map((x) => at(t0 + x * 1000)), `${s.email} polled at its nextPollAt ${p}`).toContain(p);
        predicted.delete(s.id);
      }
      // A full idle account's reading stays fresh (not unknown) between its far-apart polls.
      const fullView = (await call<QuotaView[]>(h.app, 'quota:list', { accountId: full.id })).find((v) => v.model === MODEL)!;
      expect(fullView.stale, `full account fresh at step ${step}`).toBe(false);
    }
    const intervals = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]!);
    // Near the threshold: every quarter interval (a poll may come a few seconds early in a batch).
    expect(polledAt(near).length).toBeGreaterThanOrEqual(49);
    expect(Math.max(...intervals(polledAt(near)))).toBeLessThanOrEqual(15);
    // Normal and busy (full, but serving): every interval.
    expect(polledAt(normal)).toEqual([0, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 660, 720]);
    expect(polledAt(busy)).toEqual(polledAt(normal));
    // Full and idle: 2 I, then 4 I apart.
    expect(polledAt(full)).toEqual([0, 120, 360, 600]);
    // The exhausted one: at I and 2 I, then just after its reset at 150 s (+10 s, on the next
    // grid point: 165 s), then every I.
    expect(polledAt(empty).slice(0, 5)).toEqual([0, 60, 120, 165, 225]);
    // Cycles are coalesced on a grid of max(15 s, I / 10) = 15 s: every cycle starts on it, at
    // most one per grid point (so at most 49 in these 12 intervals, however the due times spread).
    const starts = finished.map((r) => (Date.parse(r.startedAt) - t0) / 1000);
    expect(starts.filter((x) => x % 15 !== 0)).toEqual([]);
    expect(new Set(starts).size).toBe(starts.length);
    expect(starts.length).toBeLessThanOrEqual(49);
  }, 60_000);

  it("'fixed' polls every account every interval (the loop before adaptive plans)", async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    h = await makeHarness({ clock, pollPlan: 'fixed', overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { syncIntervalSec: I / 1000 }) });
    const spec = (fraction: number) => ({ models: { [MODEL]: { displayName: 'Gemini 3 Pro (High)', remainingFraction: fraction, resetTime: at(t0 + 36_000_000) } } });
    const [full, near] = (await seedGoogleAccounts(h.app, fake, 2, (i) => [spec(1), spec(0.15)][i]!)) as Seeded[];
    const finished: SyncReport[] = [];
    h.app.events.on('monitor:syncFinished', (r) => finished.push(r));
    h.app.services.monitor.start();
    clock.advance(0);
    for (let k = 0; k < 4; k++) {
      await expect.poll(() => finished.length, { timeout: 5000 }).toBe(k + 1);
      clock.advance(I);
    }
    expect(finished.map((r) => [(Date.parse(r.startedAt) - t0) / 1000, r.successes])).toEqual([[0, 2], [60, 2], [120, 2], [180, 2]]);
    expect(full!.handle.callCount('fetchAvailableModels')).toBe(4);
    expect(near!.handle.callCount('fetchAvailableModels')).toBe(4);
  });
});
