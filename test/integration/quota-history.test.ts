import { afterEach, describe, expect, it } from 'vitest';
import type { QuotaHistorySeries } from '../../src/shared/types';
import { call, FakeClock, makeHarness, type Harness } from '../helpers/harness';
import { addAccount, HOUR, MIN } from '../helpers/usage-fixtures';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const NOW = Date.parse('2026-11-23T12:00:00Z');

function snapshot(hh: Harness, accountId: string, model: string, at: number, fraction: number | null) {
  hh.app.services.db
    .prepare('INSERT INTO quota_snapshots (account_id, model, remaining_fraction, reset_at, fetched_at, source) VALUES (?, ?, ?, ?, ?, ?)')
    .run(accountId, model, fraction, at + 5 * HOUR, at, 'poll');
}

describe('quota:history', () => {
  it('answers each model of an account over the last 7 days by default, oldest first', async () => {
    h = await makeHarness({ clock: new FakeClock(NOW) });
    const a = await addAccount(h, 'Alpha');
    const other = await addAccount(h, 'Other');
    snapshot(h, a, 'gemini-2.5-pro', NOW - 8 * 24 * HOUR, 0.9); // older than the default range
    snapshot(h, a, 'gemini-2.5-pro', NOW - 2 * HOUR, 0.5);
    snapshot(h, a, 'gemini-2.5-pro', NOW - HOUR, 0.25);
    snapshot(h, a, 'claude-sonnet-4-5', NOW - 30 * MIN, null);
    snapshot(h, other, 'gemini-2.5-pro', NOW - HOUR, 0.1);
    const series = await call<QuotaHistorySeries[]>(h.app, 'quota:history', { accountId: a });
    expect(series).toEqual([
      { model: 'claude-sonnet-4-5', points: [{ at: new Date(NOW - 30 * MIN).toISOString(), remainingFraction: null, resetAt: new Date(NOW - 30 * MIN + 5 * HOUR).toISOString() }] },
      {
        model: 'gemini-2.5-pro',
        points: [
          { at: new Date(NOW - 2 * HOUR).toISOString(), remainingFraction: 0.5, resetAt: new Date(NOW + 3 * HOUR).toISOString() },
          { at: new Date(NOW - HOUR).toISOString(), remainingFraction: 0.25, resetAt: new Date(NOW + 4 * HOUR).toISOString() },
        ],
      },
    ]);
    const one = await call<QuotaHistorySeries[]>(h.app, 'quota:history', { accountId: a, model: 'gemini-2.5-pro', from: new Date(NOW - 10 * 24 * HOUR).toISOString() });
    expect(one.map((s) => [s.model, s.points.map((p) => p.remainingFraction)])).toEqual([['gemini-2.5-pro', [0.9, 0.5, 0.25]]]);
  });

  it('thins long histories to maxPoints, keeping every dip and the last reading', async () => {
    h = await makeHarness({ clock: new FakeClock(NOW) });
    const a = await addAccount(h, 'Alpha');
    // 24 h of 5-minute polls (288 readings) sawing between 1 and 0.6, one dip to 0 at hour 13.
    for (let i = 0; i < 288; i++) {
      const at = NOW - 24 * HOUR + i * 5 * MIN;
      snapshot(h, a, 'm', at, i === 156 ? 0 : 1 - (i % 5) * 0.1);
    }
    const [s] = await call<QuotaHistorySeries[]>(h.app, 'quota:history', { accountId: a, from: new Date(NOW - 24 * HOUR).toISOString(), to: new Date(NOW).toISOString(), maxPoints: 49 });
    expect(s!.points.length).toBeLessThanOrEqual(49);
    expect(s!.points.length).toBeGreaterThan(40);
    expect(s!.points.some((p) => p.remainingFraction === 0)).toBe(true);
    expect(s!.points.at(-1)!.at).toBe(new Date(NOW - 24 * HOUR + 287 * 5 * MIN).toISOString());
    const times = s!.points.map((p) => Date.parse(p.at));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });

  it('refuses an unknown account and an inverted range', async () => {
    h = await makeHarness({ clock: new FakeClock(NOW) });
    const a = await addAccount(h, 'Alpha');
    expect(await h.app.api.call('quota:history', { accountId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await h.app.api.call('quota:history', { accountId: a, from: '2026-11-23', to: '2026-11-22' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await h.app.api.call('quota:history', { accountId: a, maxPoints: 1 })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });
});
