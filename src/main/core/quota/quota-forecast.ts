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
  return forecastOfFlat(flat, 0, series.length);
}

/** isPeriodBoundary on flat points i and j from `base` (a NaN reset never passes). */
function boundaryAt(d: ArrayLike<number>, base: number, i: number, j: number): boolean {
  return d[base + j * 3 + FRACTION]! > d[base + i * 3 + FRACTION]! + RESET_RISE || d[base + j * 3 + AT]! >= d[base + i * 3 + RESET]!;
}

/** forecastFrom over `count` flat points from `base` (no point objects: the forecaster's own path). */
function forecastOfFlat(d: ArrayLike<number>, base: number, count: number): QuotaForecast | null {
  let start = 0;
  for (let i = 1; i < count; i++) if (boundaryAt(d, base, i - 1, i)) start = i;
  if (count - start < FORECAST_MIN_POINTS) return null;
  const last = base + (count - 1) * 3;
  const lastAt = d[last + AT]!;
  const lastFraction = d[last + FRACTION]!;
  if (lastAt - d[base + start * 3 + AT]! < FORECAST_MIN_SPAN_MS) return null;
  let used = 0;
  let time = 0;
  for (let i = start + 1; i < count; i++) {
    const p = base + (i - 1) * 3;
    const q = p + 3;
    const dt = d[q + AT]! - d[p + AT]!;
    if (dt <= 0) continue;
    // The segment's weight, by the age of its middle.
    const w = 2 ** (-(lastAt - (d[p + AT]! + dt / 2)) / FORECAST_HALF_LIFE_MS);
    used += w * (d[p + FRACTION]! - d[q + FRACTION]!);
    time += w * dt;
  }
  const perMs = time > 0 ? Math.max(0, used / time) : 0;
  const ratePerHour = round(perMs * 3_600_000, 6);
  const reset = d[last + RESET]!;
  const resetAt = Number.isNaN(reset) ? null : reset;
  if (lastFraction <= 0) {
    // Already out: when it got there.
    let i = base + start * 3;
    while (!(d[i + FRACTION]! <= 0)) i += 3;
    const out = d[i + AT]!;
    return { exhaustsAt: new Date(out).toISOString(), beforeReset: resetAt !== null && out < resetAt, ratePerHour };
  }
  if (ratePerHour < IDLE_RATE_PER_HOUR) return { exhaustsAt: null, beforeReset: false, ratePerHour: 0 };
  // To the second: a forecast is no finer than that.
  const exhaustsAt = Math.round((lastAt + lastFraction / perMs) / 1000) * 1000;
  return { exhaustsAt: new Date(exhaustsAt).toISOString(), beforeReset: resetAt !== null && exhaustsAt < resetAt, ratePerHour };
}

// One account+model's current period is one array of numbers (no object per series or per
// point: 200,000 series at 10,000 accounts x 20 models): a header, then the points, three numbers
// each, then the latest reading when it repeated the last point (it extends the series through
// idle time). The forecast is memoized until the next reading: its state is in the header, the
// forecast itself (when not null) in a per-account map beside.
/** The header, one number: points in the period × 8 + 4 when the repeated reading follows them + the memo's state. */
const HEADER = 1;
/** The memo's state: not computed, null, or in the memos map. */
const MEMO_NONE = 0;
const MEMO_NULL = 1;
const MEMO_SET = 2;
const pointsOf = (s: number[]) => s[0]! >> 3;
const seenOf = (s: number[]) => (s[0]! >> 2) & 1;
const memoOf = (s: number[]) => s[0]! & 3;
const header = (points: number, seen: number, memo: number) => (points << 3) | (seen << 2) | memo;

/** A series with room for `points` points (one point and its repeat: an idle quota's series). */
function newSeries(points: number): number[] {
  const d = new Array<number>(HEADER + points * 3);
  d[0] = header(0, 0, MEMO_NONE);
  return d;
}

/** Writes point `i`, growing the series (1.5 times, at most a full period and its repeat) when needed; answers the series. */
function put(d: number[], i: number, at: number, fraction: number, reset: number): number[] {
  let s = d;
  if (HEADER + i * 3 + 3 > s.length) {
    s = new Array<number>(HEADER + Math.min(MAX_POINTS + 1, Math.max(i + 1, Math.ceil(((d.length - HEADER) / 3) * 1.5))) * 3);
    for (let k = 0; k < HEADER + i * 3; k++) s[k] = d[k]!;
  }
  s[HEADER + i * 3 + AT] = at;
  s[HEADER + i * 3 + FRACTION] = fraction;
  s[HEADER + i * 3 + RESET] = reset;
  return s;
}

export class QuotaForecaster {
  private readonly byAccount = new Map<string, ModelMap<number[]>>();
  private readonly memos = new Map<string, ModelMap<QuotaForecast | null>>();

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
    const had = models.get(model);
    const next = add(had ?? newSeries(2), at, fraction, resetAt ?? NaN);
    if (next !== had) models.set(model, next);
  }

  /** The forecast of one account and model (its reading's key), or null when too little is known. */
  forecast(accountId: string, model: string): QuotaForecast | null {
    const s = this.byAccount.get(accountId)?.get(model);
    if (!s) return null;
    const memo = memoOf(s);
    if (memo === MEMO_NULL) return null;
    if (memo === MEMO_SET) return this.memos.get(accountId)!.get(model)!;
    const f = forecastOfFlat(s, HEADER, pointsOf(s) + seenOf(s));
    let memos = this.memos.get(accountId);
    if (f === null) {
      s[0] = header(pointsOf(s), seenOf(s), MEMO_NULL);
      // A forecast memoized before is not kept alive.
      if (memos?.has(model)) memos.set(model, null);
      return null;
    }
    if (!memos) this.memos.set(accountId, (memos = new ModelMap()));
    memos.set(model, f);
    s[0] = header(pointsOf(s), seenOf(s), MEMO_SET);
    return f;
  }

  forgetAccount(accountId: string): void {
    this.byAccount.delete(accountId);
    this.memos.delete(accountId);
  }
}

/** Adds a reading to a series; answers the series (a new array when it grew). */
function add(s: number[], at: number, fraction: number, reset: number): number[] {
  const last = pointsOf(s) - 1;
  const l = HEADER + last * 3;
  if (last >= 0 && at < s[l + AT]!) return s; // out of order (an older reading arriving late)
  s[0] = header(last + 1, seenOf(s), MEMO_NONE);
  // A new period (isPeriodBoundary): only this point is kept.
  if (last >= 0 && (fraction > s[l + FRACTION]! + RESET_RISE || at >= s[l + RESET]!)) {
    s[0] = header(1, 0, MEMO_NONE);
    return put(s, 0, at, fraction, reset);
  }
  const lastReset = last >= 0 ? s[l + RESET]! : NaN;
  const moved =
    last < 0 ||
    Math.abs(s[l + FRACTION]! - fraction) >= 0.001 ||
    !(lastReset === reset || (Number.isNaN(lastReset) && Number.isNaN(reset))) ||
    at - s[l + AT]! >= HEARTBEAT_MS;
  if (!moved) {
    s[0] = header(last + 1, 1, MEMO_NONE);
    return put(s, last + 1, at, fraction, reset);
  }
  let points = last + 1;
  if (points === MAX_POINTS) {
    // The oldest goes first.
    s.copyWithin(HEADER, HEADER + 3, HEADER + MAX_POINTS * 3);
    points--;
  }
  const d = put(s, points, at, fraction, reset);
  d[0] = header(points + 1, 0, MEMO_NONE);
  return d;
}
