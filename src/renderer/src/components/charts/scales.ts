// Pure geometry for the hand-written SVG charts: linear scales, "nice" value ticks and time
// ticks aligned to the viewer's clock (hours, midnights).

export type Scale = (v: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps everything to the range's middle. */
export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
  const span = d1 - d0;
  if (span === 0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/**
 * Value-axis ticks from 0: a step of 1, 2 or 5 × 10^k giving about `target` intervals, the top
 * tick at or above `max`. `integer` keeps steps whole (counts of tokens or requests).
 */
export function valueTicks(max: number, opts: { target?: number; integer?: boolean } = {}): number[] {
  const target = opts.target ?? 5;
  const m = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = m / target;
  const base = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((k) => k * base).find((c) => c >= raw * (1 - 1e-12)) ?? 10 * base;
  if (opts.integer) step = Math.max(1, Math.round(step));
  const n = Math.max(1, Math.ceil(m / step - 1e-9));
  // Multiply rather than add, so 0.1 + 0.2 noise does not reach the labels.
  return Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

export interface TimeTick {
  at: number;
  label: string;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const STEPS = [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY];

/**
 * Ticks inside [from, to], at most `maxTicks`: on whole local hours (multiples of the step) for
 * steps under a day, else on local midnights. Labels are "14:00" (or the date at midnight) and
 * "3 Mar".
 */
export function timeTicks(from: number, to: number, maxTicks: number): TimeTick[] {
  if (!(to > from) || maxTicks < 1) return [];
  const step = STEPS.find((s) => (to - from) / s <= maxTicks) ?? STEPS[STEPS.length - 1]!;
  const ticks: TimeTick[] = [];
  const cursor = new Date(from);
  if (step < DAY) {
    const hours = step / HOUR;
    cursor.setMinutes(0, 0, 0);
    while (cursor.getTime() < from || cursor.getHours() % hours !== 0) cursor.setHours(cursor.getHours() + 1);
    for (; cursor.getTime() <= to; cursor.setHours(cursor.getHours() + hours)) {
      const midnight = cursor.getHours() === 0;
      ticks.push({ at: cursor.getTime(), label: midnight ? dayLabel(cursor) : hourLabel(cursor) });
    }
  } else {
    const days = step / DAY;
    cursor.setHours(0, 0, 0, 0);
    if (cursor.getTime() < from) cursor.setDate(cursor.getDate() + 1);
    // setDate keeps local midnight across daylight-saving changes, unlike adding 24 h.
    for (; cursor.getTime() <= to; cursor.setDate(cursor.getDate() + days)) ticks.push({ at: cursor.getTime(), label: dayLabel(cursor) });
  }
  return ticks.slice(0, maxTicks + 1);
}

const hourLabel = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:00`;
const dayLabel = (d: Date) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });

/** Splits a series at missing values: each run of consecutive known points is one segment. */
export function segments<P>(points: readonly P[], known: (p: P) => boolean): P[][] {
  const out: P[][] = [];
  let run: P[] = [];
  for (const p of points) {
    if (known(p)) run.push(p);
    else if (run.length > 0) {
      out.push(run);
      run = [];
    }
  }
  if (run.length > 0) out.push(run);
  return out;
}

/** Index of the sorted value nearest to `v` (-1 for an empty list). */
export function nearestIndex(sorted: readonly number[], v: number): number {
  if (sorted.length === 0) return -1;
  let lo = 0;
  let hi = sorted.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= v) lo = mid;
    else hi = mid;
  }
  return Math.abs(sorted[hi]! - v) < Math.abs(sorted[lo]! - v) ? hi : lo;
}
