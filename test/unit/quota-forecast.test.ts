// The forecast on recorded series: a steady burn, a burst, a reset in the middle, idle time and
// too few points. Times are fixed epoch ms; no clock, no timers.
import { describe, expect, it } from 'vitest';
import { currentPeriod, forecastFrom, QuotaForecaster, type ForecastPoint } from '../../src/main/core/quota/quota-forecast';
import type { QuotaInfo } from '../../src/main/core/model';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (t: number) => new Date(t).toISOString();

/** Points every `step` from `from` to `to` (inclusive), the fraction given by `f(t)`. */
function series(from: number, to: number, step: number, f: (t: number) => number, resetAt: number | null): ForecastPoint[] {
  const out: ForecastPoint[] = [];
  for (let t = from; t <= to; t += step) out.push({ at: t, fraction: Math.round(f(t) * 1e6) / 1e6, resetAt });
  return out;
}

describe('forecastFrom (recorded series)', () => {
  it('a steady burn: the rate is the burn, it runs out where the line meets zero, before the reset', () => {
    const reset = T0 + 9 * HOUR;
    // 10 % an hour for 4 hours, a poll every 5 minutes: 1.0 → 0.6.
    const s = series(T0, T0 + 4 * HOUR, 5 * MIN, (t) => 1 - (0.1 * (t - T0)) / HOUR, reset);
    const f = forecastFrom(s)!;
    expect(f.ratePerHour).toBeCloseTo(0.1, 6);
    expect(f.exhaustsAt).toBe(iso(T0 + 10 * HOUR));
    expect(f.beforeReset).toBe(false);
    // The same burn against a reset 5 hours after the last reading: it runs out first.
    const f2 = forecastFrom(series(T0, T0 + 4 * HOUR, 5 * MIN, (t) => 1 - (0.1 * (t - T0)) / HOUR, T0 + 11 * HOUR))!;
    expect(f2.exhaustsAt).toBe(iso(T0 + 10 * HOUR));
    expect(f2.beforeReset).toBe(true);
  });

  it('a burst is averaged with the time around it, not extrapolated on its own', () => {
    const reset = T0 + 8 * HOUR;
    const idleBefore = series(T0, T0 + 2 * HOUR, HOUR, () => 1, reset);
    // 30 % in 10 minutes (1.8 an hour while it lasts) …
    const burst = series(T0 + 2 * HOUR + 5 * MIN, T0 + 2 * HOUR + 10 * MIN, 5 * MIN, (t) => 1 - 0.15 * ((t - T0 - 2 * HOUR) / (5 * MIN)), reset);
    // … then two quiet hours (the latest reading extends the series).
    const idleAfter = [{ at: T0 + 4 * HOUR + 10 * MIN, fraction: 0.7, resetAt: reset }];
    const f = forecastFrom([...idleBefore, ...burst, ...idleAfter])!;
    expect(f.ratePerHour).toBeGreaterThan(0.02);
    expect(f.ratePerHour).toBeLessThan(0.15);
    expect(Date.parse(f.exhaustsAt!)).toBeGreaterThan(reset);
    expect(f.beforeReset).toBe(false);
  });

  it('a reset in the middle: only the current period counts', () => {
    const firstReset = T0 + 4 * HOUR;
    const before = series(T0, T0 + 4 * HOUR - 5 * MIN, 5 * MIN, (t) => 1 - (0.2 * (t - T0)) / HOUR, firstReset);
    const nextReset = T0 + 9 * HOUR;
    // After the reset the fraction is back at 1 and burns 5 % an hour.
    const after = series(T0 + 4 * HOUR, T0 + 6 * HOUR, 5 * MIN, (t) => 1 - (0.05 * (t - T0 - 4 * HOUR)) / HOUR, nextReset);
    const all = [...before, ...after];
    expect(currentPeriod(all)).toEqual(after);
    const f = forecastFrom(all)!;
    expect(f.ratePerHour).toBeCloseTo(0.05, 6);
    expect(f.exhaustsAt).toBe(iso(T0 + 6 * HOUR + 18 * HOUR));
    expect(f.beforeReset).toBe(false);
    // A refill without a known reset (the fraction jumps up) is a boundary too.
    const refill = [...series(T0, T0 + HOUR, 10 * MIN, (t) => 0.5 - (0.3 * (t - T0)) / HOUR, null), ...series(T0 + 70 * MIN, T0 + 2 * HOUR, 10 * MIN, () => 1, null)];
    expect(currentPeriod(refill)[0]!.at).toBe(T0 + 70 * MIN);
    expect(forecastFrom(refill)).toEqual({ exhaustsAt: null, beforeReset: false, ratePerHour: 0 });
  });

  it('an idle gap slows the rate down the longer it lasts; an idle quota never runs out', () => {
    const reset = T0 + 48 * HOUR;
    const burn = series(T0, T0 + 2 * HOUR, 10 * MIN, (t) => 1 - (0.1 * (t - T0)) / HOUR, reset);
    const busy = forecastFrom(burn)!;
    const quiet = forecastFrom([...burn, { at: T0 + 8 * HOUR, fraction: 0.8, resetAt: reset }])!;
    expect(quiet.ratePerHour).toBeLessThan(busy.ratePerHour / 2);
    expect(Date.parse(quiet.exhaustsAt!)).toBeGreaterThan(Date.parse(busy.exhaustsAt!));
    expect(forecastFrom(series(T0, T0 + 3 * HOUR, HOUR, () => 1, reset))).toEqual({ exhaustsAt: null, beforeReset: false, ratePerHour: 0 });
  });

  it('too few points, or too short a span, is no forecast (null)', () => {
    expect(forecastFrom([])).toBeNull();
    expect(forecastFrom(series(T0, T0 + HOUR, HOUR, (t) => 1 - (t - T0) / (10 * HOUR), null))).toBeNull(); // 2 points
    expect(forecastFrom(series(T0, T0 + 6 * MIN, 2 * MIN, (t) => 1 - (t - T0) / HOUR, null))).toBeNull(); // 4 points over 6 minutes
    // Plenty before a reset, only two after it.
    const before = series(T0, T0 + 2 * HOUR, 10 * MIN, (t) => 1 - (0.2 * (t - T0)) / HOUR, T0 + 2 * HOUR + 5 * MIN);
    expect(forecastFrom([...before, { at: T0 + 2 * HOUR + 10 * MIN, fraction: 1, resetAt: null }, { at: T0 + 3 * HOUR, fraction: 0.9, resetAt: null }])).toBeNull();
  });

  it('an exhausted quota says when it ran out', () => {
    const reset = T0 + 5 * HOUR;
    const s = series(T0, T0 + 2 * HOUR, 30 * MIN, (t) => Math.max(0, 1 - (t - T0) / HOUR), reset);
    expect(forecastFrom(s)).toMatchObject({ exhaustsAt: iso(T0 + HOUR), beforeReset: true });
  });
});

describe('QuotaForecaster', () => {
  const info = (at: number, fraction: number | null, source: QuotaInfo['source'] = 'poll', resetAt: number | null = T0 + 12 * HOUR): QuotaInfo => ({
    accountId: 'a', model: 'm', displayName: null, remainingFraction: fraction, resetAt, fetchedAt: at, source, window: null, limit: null, remaining: null,
  });

  it('keeps the current period from readings (repeats extend it, 429 readings and unknowns are not measurements)', () => {
    const fc = new QuotaForecaster();
    expect(fc.forecast('a', 'm')).toBeNull();
    for (let k = 0; k <= 12; k++) fc.observe(info(T0 + k * 10 * MIN, 1 - 0.02 * k));
    fc.observe(info(T0 + 125 * MIN, 0, '429', T0 + 20 * HOUR));
    fc.observe(info(T0 + 126 * MIN, null));
    const f = fc.forecast('a', 'm')!;
    expect(f.ratePerHour).toBeCloseTo(0.12, 6);
    // The same value read again an hour later: the rate drops, the memo is renewed.
    fc.observe(info(T0 + 180 * MIN, 0.76));
    expect(fc.forecast('a', 'm')!.ratePerHour).toBeLessThan(f.ratePerHour);
    fc.forgetAccount('a');
    expect(fc.forecast('a', 'm')).toBeNull();
  });
});
