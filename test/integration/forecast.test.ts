// Forecasts through real parts: readings polled from the fake Cloud Code upstream on loopback
// (a fake clock moves between polls), history in SQLite; the forecast on quota:list and
// quota:getDecisions, after a restart too (warm-started from the snapshot history); one
// notification per period when a quota will run out before its reset; and the reset-aware
// selector not spending first an account that runs out before its reset anyway.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DecisionRow, QuotaView } from '../../src/shared/types';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google';
import { call, FakeClock, googleSettings, makeHarness, type Harness } from '../helpers/harness';
import { seedGoogleAccounts, type Seeded } from '../helpers/seed';

const MODEL = 'gemini-3-pro-high';
const MIN = 60_000;
const HOUR = 60 * MIN;

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

const at = (t: number) => new Date(t).toISOString();
const setFraction = (s: Seeded, fraction: number, resetAt: number) => s.handle.setModels({ [MODEL]: { displayName: 'Gemini 3 Pro (High)', remainingFraction: fraction, resetTime: at(resetAt) } });
const forecastOf = async (app: Harness['app'], id: string) => (await call<QuotaView[]>(app, 'quota:list', { accountId: id })).find((v) => v.model === MODEL)!.forecast;

describe('forecast', () => {
  it('burn rate and run-out time on quota:list and quota:getDecisions; alerted once per period, a restart included; survives a restart', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    h = await makeHarness({ clock, overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { cacheTtlSec: 86_400 }) });
    const [burner, idle, steady] = await seedGoogleAccounts(h.app, fake, 3);
    const resets = { burner: t0 + 4 * HOUR, idle: t0 + 5 * HOUR, steady: t0 + 4.5 * HOUR };
    const poll = async (k: number) => {
      // 30 % an hour on the burner (runs out ~1 h 20 min after the last poll, its reset is 2 h later); the others do not move.
      setFraction(burner!, Math.round((1 - 0.05 * k) * 1000) / 1000, resets.burner);
      setFraction(idle!, 0.9, resets.idle);
      setFraction(steady!, 0.5, resets.steady);
      for (const s of [burner!, idle!, steady!]) await call(h!.app, 'monitor:syncAccount', { id: s.id });
    };
    await poll(0);
    // Too few points yet.
    expect(await forecastOf(h.app, burner!.id)).toBeNull();
    for (let k = 1; k <= 12; k++) {
      clock.advance(10 * MIN);
      await poll(k);
    }
    // Last poll at t0 + 2 h: 0.4 left, 0.3 an hour → out at t0 + 3 h 20 min, before the reset at t0 + 4 h.
    const f = (await forecastOf(h.app, burner!.id))!;
    expect(f.ratePerHour).toBeCloseTo(0.3, 6);
    expect(f.exhaustsAt).toBe(at(t0 + 2 * HOUR + 80 * MIN));
    expect(f.beforeReset).toBe(true);
    expect(await forecastOf(h.app, idle!.id)).toEqual({ exhaustsAt: null, beforeReset: false, ratePerHour: 0 });
    const rows = await call<DecisionRow[]>(h.app, 'quota:getDecisions', { model: MODEL });
    expect(rows.find((r) => r.accountId === burner!.id)!.forecast).toEqual(f);
    expect(rows.find((r) => r.accountId === idle!.id)!.forecast).toMatchObject({ exhaustsAt: null, ratePerHour: 0 });

    // One notification for the burner's period, however many polls confirm it.
    const alerts = () => h!.notifications.filter((n) => n.kind === 'forecast');
    expect(alerts()).toHaveLength(1);
    expect(alerts()[0]).toMatchObject({ accountId: burner!.id, title: expect.stringContaining('will run out before it resets') });
    clock.advance(10 * MIN);
    await poll(13);
    expect(alerts()).toHaveLength(1);

    // Reset-aware: the burner's reset is the soonest, but it runs out before it anyway — the
    // quotas that would expire unused go first.
    expect(h.app.services.selector.candidates(MODEL).map((c) => c.account.id)).toEqual([steady!.id, idle!.id, burner!.id]);

    // A restart rebuilds the series from SQLite: the same forecast.
    const before = await forecastOf(h.app, burner!.id);
    h = await h.reopen();
    expect(await forecastOf(h.app, burner!.id)).toEqual(before);
    expect(h.app.services.selector.candidates(MODEL).map((c) => c.account.id)).toEqual([steady!.id, idle!.id, burner!.id]);

    // Still the same period after the restart: the alert sent before it is remembered (SQLite,
    // forecast_alerts), so polls that confirm the forecast again do not notify again.
    for (const k of [13, 14]) {
      clock.advance(10 * MIN);
      await poll(k);
    }
    expect((await forecastOf(h.app, burner!.id))!.beforeReset).toBe(true);
    expect(h.notifications.filter((n) => n.kind === 'forecast')).toHaveLength(0);

    // The next period (after the reset) may alert again.
    clock.advance(resets.burner - clock.now() + MIN);
    resets.burner = clock.now() + 4 * HOUR;
    for (let k = 0; k <= 12; k++) {
      setFraction(burner!, Math.round((1 - 0.05 * k) * 1000) / 1000, resets.burner);
      await call(h.app, 'monitor:syncAccount', { id: burner!.id });
      clock.advance(10 * MIN);
    }
    expect(h.notifications.filter((n) => n.kind === 'forecast')).toHaveLength(1); // the reopened app's own list
  });
});
