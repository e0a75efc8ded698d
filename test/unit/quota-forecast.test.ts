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

describe('QuotaForecaster keeps series flat (issue 11: memory)', () => {
  /** The series as the forecaster kept it before it stored points flat: an object per point. */
  class ReferenceSeries {
    points: ForecastPoint[] = [];
    seen: ForecastPoint | null = null;
    add(p: ForecastPoint): void {
      const last = this.points[this.points.length - 1];
      if (last && p.at < last.at) return;
      if (last && (p.fraction > last.fraction + 0.02 || (last.resetAt !== null && p.at >= last.resetAt))) {
        this.points = [p];
        this.seen = null;
        return;
      }
      const moved = !last || Math.abs(last.fraction - p.fraction) >= 0.001 || last.resetAt !== p.resetAt || p.at - last.at >= HOUR;
      if (!moved) {
        this.seen = p;
        return;
      }
      this.points.push(p);
      this.seen = null;
      if (this.points.length > 48) this.points.splice(0, this.points.length - 48);
    }
    forecast() {
      return forecastFrom(this.seen ? [...this.points, this.seen] : this.points);
    }
  }

  it('answers what a series of point objects answers, through repeats, resets, late readings and more than 48 points', { timeout: 60_000 }, () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const fc = new QuotaForecaster();
    const refs = new Map<string, ReferenceSeries>();
    for (const model of ['m0', 'm1', 'm2', 'm3']) refs.set(model, new ReferenceSeries());
    const fractions = new Map<string, number>();
    let at = T0;
    let reset: number | null = T0 + 5 * HOUR;
    let forecasts = 0;
    for (let k = 0; k < 2000; k++) {
      at += Math.floor(rand() * 20) * MIN;
      if (rand() < 0.01) reset = rand() < 0.3 ? null : at + Math.floor(1 + rand() * 8) * HOUR;
      for (const [model, ref] of refs) {
        let f = fractions.get(model) ?? 1;
        const r = rand();
        if (r < 0.4) f = Math.max(0, Math.round((f - rand() * 0.05) * 1e4) / 1e4);
        else if (r < 0.42) f = 1;
        fractions.set(model, f);
        const late = rand() < 0.03 ? at - 30 * MIN : at;
        fc.observe({ accountId: 'a', model, displayName: null, remainingFraction: f, resetAt: reset, fetchedAt: late, source: 'poll', window: null, limit: null, remaining: null });
        ref.add({ at: late, fraction: f, resetAt: reset });
        const expected = ref.forecast();
        expect(fc.forecast('a', model)).toEqual(expected);
        if (expected?.exhaustsAt) forecasts++;
      }
    }
    // The comparison saw real forecasts, not only "too little known".
    expect(forecasts).toBeGreaterThan(1000);
  });
});
