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

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The forecast of a recorded series (time order; only its current period counts), or null when
 * the period holds too few points or spans too little time.
 */
export function forecastFrom(series: readonly ForecastPoint[]): QuotaForecast | null {
  const period = currentPeriod(series);
  if (period.length < FORECAST_MIN_POINTS) return null;
  const first = period[0]!;
  const last = period[period.length - 1]!;
  if (last.at - first.at < FORECAST_MIN_SPAN_MS) return null;
  let used = 0;
  let time = 0;
  for (let i = 1; i < period.length; i++) {
    const p = period[i - 1]!;
    const q = period[i]!;
    const dt = q.at - p.at;
    if (dt <= 0) continue;
    // The segment's weight, by the age of its middle.
    const w = 2 ** (-(last.at - (p.at + dt / 2)) / FORECAST_HALF_LIFE_MS);
    used += w * (p.fraction - q.fraction);
    time += w * dt;
  }
  const perMs = time > 0 ? Math.max(0, used / time) : 0;
  const ratePerHour = round(perMs * 3_600_000, 6);
  const resetAt = last.resetAt;
  if (last.fraction <= 0) {
    // Already out: when it got there.
    const out = period.find((p) => p.fraction <= 0)!.at;
    return { exhaustsAt: new Date(out).toISOString(), beforeReset: resetAt !== null && out < resetAt, ratePerHour };
  }
  if (ratePerHour < IDLE_RATE_PER_HOUR) return { exhaustsAt: null, beforeReset: false, ratePerHour: 0 };
  // To the second: a forecast is no finer than that.
  const exhaustsAt = Math.round((last.at + last.fraction / perMs) / 1000) * 1000;
  return { exhaustsAt: new Date(exhaustsAt).toISOString(), beforeReset: resetAt !== null && exhaustsAt < resetAt, ratePerHour };
}

interface Series {
  /** The current period's points (a boundary drops what came before). */
  points: ForecastPoint[];
  /** The latest reading when it repeated the last point (extends the series through idle time). */
  seen: ForecastPoint | null;
  /** The forecast until the next reading (undefined: not computed). */
  memo: QuotaForecast | null | undefined;
}

export class QuotaForecaster {
  private readonly byAccount = new Map<string, Map<string, Series>>();

  /**
   * A reading of one account and model. Readings made up by a 429 (fraction 0 until its
   * Retry-After) and unknown fractions are not measurements: ignored.
   */
  observe(info: QuotaInfo): void {
    const fraction = info.remainingFraction;
    if (fraction === null || !Number.isFinite(fraction) || info.source === '429') return;
    let models = this.byAccount.get(info.accountId);
    if (!models) this.byAccount.set(info.accountId, (models = new Map()));
    let s = models.get(info.model);
    if (!s) models.set(info.model, (s = { points: [], seen: null, memo: undefined }));
    this.add(s, { at: info.fetchedAt, fraction, resetAt: info.resetAt });
  }

  /** Warm start: recorded points (the snapshot history), in time order per account and model. */
  load(rows: Iterable<{ accountId: string; model: string; remainingFraction: number | null; resetAt: number | null; fetchedAt: number; source: string }>): void {
    for (const r of rows) {
      this.observe({ accountId: r.accountId, model: r.model, displayName: null, remainingFraction: r.remainingFraction, resetAt: r.resetAt, fetchedAt: r.fetchedAt, source: r.source as QuotaInfo['source'], window: null, limit: null, remaining: null });
    }
  }

  private add(s: Series, p: ForecastPoint): void {
    const last = s.points[s.points.length - 1];
    if (last && p.at < last.at) return; // out of order (an older reading arriving late)
    s.memo = undefined;
    if (last && isPeriodBoundary(last, p)) {
      s.points = [p];
      s.seen = null;
      return;
    }
    const moved = !last || Math.abs(last.fraction - p.fraction) >= 0.001 || last.resetAt !== p.resetAt || p.at - last.at >= HEARTBEAT_MS;
    if (!moved) {
      s.seen = p;
      return;
    }
    s.points.push(p);
    s.seen = null;
    if (s.points.length > MAX_POINTS) s.points.splice(0, s.points.length - MAX_POINTS);
  }

  /** The forecast of one account and model (its reading's key), or null when too little is known. */
  forecast(accountId: string, model: string): QuotaForecast | null {
    const s = this.byAccount.get(accountId)?.get(model);
    if (!s) return null;
    if (s.memo === undefined) s.memo = forecastFrom(s.seen ? [...s.points, s.seen] : s.points);
    return s.memo;
  }

  forgetAccount(accountId: string): void {
    this.byAccount.delete(accountId);
  }
}
