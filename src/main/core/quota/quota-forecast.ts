// Where a quota is heading: the burn rate within its current reset period and when it runs out.
// `forecastFrom` is pure (a recorded series in, a forecast out); `QuotaForecaster` keeps each
// account+model's current period in memory (warm-started from the SQLite snapshot history, fed
// by every reading the engine applies) and memoizes the forecast until the next reading.
//
// The rate is a recency-weighted average over the period's segments (consumption / time, each
// segment weighted by 2^(-age / half-life), the age measured from the latest reading):
// - a reset in the middle (the fraction rises, or the previous reading's reset passed) starts a
//   new period; only the current one counts;
// - a burst is averaged with the time around it, not extrapolated on its own;
// - an idle gap counts as time without use (the latest reading extends the series even when the
//   value did not move), and a gap with no data at all (the app was closed) spreads what was used
//   over it; either way its weight fades with age.
import type { QuotaForecast } from '../../../shared/types';
import type { QuotaInfo } from '../model';
import { ModelMap } from './model-map';

export interface ForecastPoint {
  at: number;
  fraction: number;
  resetAt: number | null;
}

/** Older segments weigh half as much per this much age. */
export const FORECAST_HALF_LIFE_MS = 2 * 3_600_000;
/** Fewer points than this in the current period (or a shorter span): no forecast. */
export const FORECAST_MIN_POINTS = 3;
export const FORECAST_MIN_SPAN_MS = 10 * 60_000;
/** A rise larger than this is a reset (refill), not noise of a rolling window. */
const RESET_RISE = 0.02;
/** A series keeps at most this many points of its current period (the oldest go first). */
const MAX_POINTS = 48;
/** A point is kept when the value moves, or the last kept one is this old (as the snapshot history does). */
const HEARTBEAT_MS = 3_600_000;
/** Below this rate (fraction per hour) the quota is idle: it never runs out. */
const IDLE_RATE_PER_HOUR = 1e-4;

/** Whether `q` starts a new reset period after `p`. */
export function isPeriodBoundary(p: ForecastPoint, q: ForecastPoint): boolean {
  return q.fraction > p.fraction + RESET_RISE || (p.resetAt !== null && q.at >= p.resetAt);
}

/** The points of the current reset period (after the last boundary), in time order. */
export function currentPeriod(points: readonly ForecastPoint[]): ForecastPoint[] {
  let start = 0;
  for (let i = 1; i < points.length; i++) if (isPeriodBoundary(points[i - 1]!, points[i]!)) start = i;
  return points.slice(start);
}

// Points stored flat: at, fraction, resetAt per point (three numbers; NaN for an unknown reset —
// providers never hand on a NaN reset, they make it null).
const AT = 0;
const FRACTION = 1;
const RESET = 2;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The forecast of a recorded series (time order; only its current period counts), or null when
 * the period holds too few points or spans too little time.
 */
export function forecastFrom(series: readonly ForecastPoint[]): QuotaForecast | null {
  const flat = new Array<number>(series.length * 3);
  series.forEach((p, i) => {
    flat[i * 3 + AT] = p.at;
    flat[i * 3 + FRACTION] = p.fraction;
    flat[i * 3 + RESET] = p.resetAt ?? NaN;
  });
  return forecastOfFlat(flat, series.length);
}

/** isPeriodBoundary on flat points i and j (a NaN reset never passes). */
function boundaryAt(d: ArrayLike<number>, i: number, j: number): boolean {
  return d[j * 3 + FRACTION]! > d[i * 3 + FRACTION]! + RESET_RISE || d[j * 3 + AT]! >= d[i * 3 + RESET]!;
}

/** forecastFrom over the first `count` flat points (no point objects: the forecaster's own path). */
function forecastOfFlat(d: ArrayLike<number>, count: number): QuotaForecast | null {
  let start = 0;
  for (let i = 1; i < count; i++) if (boundaryAt(d, i - 1, i)) start = i;
  if (count - start < FORECAST_MIN_POINTS) return null;
  const lastAt = d[(count - 1) * 3 + AT]!;
  const lastFraction = d[(count - 1) * 3 + FRACTION]!;
  if (lastAt - d[start * 3 + AT]! < FORECAST_MIN_SPAN_MS) return null;
  let used = 0;
  let time = 0;
  for (let i = start + 1; i < count; i++) {
    const pAt = d[(i - 1) * 3 + AT]!;
    const dt = d[i * 3 + AT]! - pAt;
    if (dt <= 0) continue;
    // The segment's weight, by the age of its middle.
    const w = 2 ** (-(lastAt - (pAt + dt / 2)) / FORECAST_HALF_LIFE_MS);
    used += w * (d[(i - 1) * 3 + FRACTION]! - d[i * 3 + FRACTION]!);
    time += w * dt;
  }
  const perMs = time > 0 ? Math.max(0, used / time) : 0;
  const ratePerHour = round(perMs * 3_600_000, 6);
  const reset = d[(count - 1) * 3 + RESET]!;
  const resetAt = Number.isNaN(reset) ? null : reset;
  if (lastFraction <= 0) {
    // Already out: when it got there.
    let i = start;
    while (!(d[i * 3 + FRACTION]! <= 0)) i++;
    const out = d[i * 3 + AT]!;
    return { exhaustsAt: new Date(out).toISOString(), beforeReset: resetAt !== null && out < resetAt, ratePerHour };
  }
  if (ratePerHour < IDLE_RATE_PER_HOUR) return { exhaustsAt: null, beforeReset: false, ratePerHour: 0 };
  // To the second: a forecast is no finer than that.
  const exhaustsAt = Math.round((lastAt + lastFraction / perMs) / 1000) * 1000;
  return { exhaustsAt: new Date(exhaustsAt).toISOString(), beforeReset: resetAt !== null && exhaustsAt < resetAt, ratePerHour };
}

/**
 * One account+model's current period, flat: `points` points in `d` (three numbers each), then
 * the latest reading when it repeated the last point (`seen`: it extends the series through idle
 * time). One object and one array of unboxed numbers per series — 200,000 series at 10,000
 * accounts x 20 models — instead of an object per point and a boxed number per field.
 */
class Series {
  d: number[];
  points = 0;
  seen = false;
  /** The forecast until the next reading (undefined: not computed). */
  memo: QuotaForecast | null | undefined = undefined;

  constructor(capacity: number) {
    this.d = new Array<number>(capacity * 3);
  }

  /** Writes a point at position `i`, growing the array when needed (to 1.5 times, at most a full series and its repeat). */
  put(i: number, at: number, fraction: number, reset: number): void {
    if (i * 3 + 3 > this.d.length) {
      const next = new Array<number>(Math.min(MAX_POINTS + 1, Math.max(i + 1, Math.ceil((this.d.length / 3) * 1.5))) * 3);
      for (let k = 0; k < i * 3; k++) next[k] = this.d[k]!;
      this.d = next;
    }
    this.d[i * 3 + AT] = at;
    this.d[i * 3 + FRACTION] = fraction;
    this.d[i * 3 + RESET] = reset;
  }
}

export class QuotaForecaster {
  private readonly byAccount = new Map<string, ModelMap<Series>>();

  /**
   * A reading of one account and model. Readings made up by a 429 (fraction 0 until its
   * Retry-After) and unknown fractions are not measurements: ignored.
   */
  observe(info: QuotaInfo): void {
    this.record(info.accountId, info.model, info.source, info.remainingFraction, info.resetAt, info.fetchedAt);
  }

  /** Warm start: recorded points (the snapshot history), in time order per account and model. */
  load(rows: Iterable<{ accountId: string; model: string; remainingFraction: number | null; resetAt: number | null; fetchedAt: number; source: string }>): void {
    for (const r of rows) this.record(r.accountId, r.model, r.source, r.remainingFraction, r.resetAt, r.fetchedAt);
  }

  private record(accountId: string, model: string, source: string, fraction: number | null, resetAt: number | null, at: number): void {
    if (fraction === null || !Number.isFinite(fraction) || source === '429') return;
    let models = this.byAccount.get(accountId);
    if (!models) this.byAccount.set(accountId, (models = new ModelMap()));
    let s = models.get(model);
    // Room for one point and its repeat: an idle quota's series.
    if (!s) models.set(model, (s = new Series(2)));
    this.add(s, at, fraction, resetAt ?? NaN);
  }

  private add(s: Series, at: number, fraction: number, reset: number): void {
    const d = s.d;
    const last = s.points - 1;
    if (last >= 0 && at < d[last * 3 + AT]!) return; // out of order (an older reading arriving late)
    s.memo = undefined;
    // A new period (isPeriodBoundary): only this point is kept.
    if (last >= 0 && (fraction > d[last * 3 + FRACTION]! + RESET_RISE || at >= d[last * 3 + RESET]!)) {
      s.seen = false;
      s.points = 1;
      s.put(0, at, fraction, reset);
      return;
    }
    const lastReset = last >= 0 ? d[last * 3 + RESET]! : NaN;
    const moved =
      last < 0 ||
      Math.abs(d[last * 3 + FRACTION]! - fraction) >= 0.001 ||
      !(lastReset === reset || (Number.isNaN(lastReset) && Number.isNaN(reset))) ||
      at - d[last * 3 + AT]! >= HEARTBEAT_MS;
    if (!moved) {
      s.put(s.points, at, fraction, reset);
      s.seen = true;
      return;
    }
    s.seen = false;
    if (s.points === MAX_POINTS) {
      // The oldest goes first.
      s.d.copyWithin(0, 3, MAX_POINTS * 3);
      s.points--;
    }
    s.put(s.points, at, fraction, reset);
    s.points++;
  }

  /** The forecast of one account and model (its reading's key), or null when too little is known. */
  forecast(accountId: string, model: string): QuotaForecast | null {
    const s = this.byAccount.get(accountId)?.get(model);
    if (!s) return null;
    if (s.memo === undefined) s.memo = forecastOfFlat(s.d, s.points + (s.seen ? 1 : 0));
    return s.memo;
  }

  forgetAccount(accountId: string): void {
    this.byAccount.delete(accountId);
  }
}
