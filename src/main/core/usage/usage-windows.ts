// The calendar of usage: UTC days (the rollups' key), UTC calendar months and ISO weeks, and the
// rolling hour. Every limit window and analytics range is computed here from a time, never
// kept in a counter that a timer resets.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The last day key computed (every request asks for today's: one string per day, not per call). */
let lastDay = { start: NaN, key: '' };

/** UTC 'YYYY-MM-DD' of an epoch-ms time (the rollups' day key). */
export function utcDay(t: number): string {
  const start = Math.floor(t / DAY_MS) * DAY_MS;
  if (start !== lastDay.start) lastDay = { start, key: new Date(start).toISOString().slice(0, 10) };
  return lastDay.key;
}

/** 00:00 UTC of the day holding `t`. */
export function utcDayStart(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** The current UTC day as a rollup key and the next midnight (when a per-day window frees up). */
export function dayWindow(now: number): { day: string; resetAt: number } {
  return { day: utcDay(now), resetAt: utcDayStart(now) + DAY_MS };
}

/** The UTC calendar month holding `now`: its first day key, the next month's, when it starts and resets (memoized: do not mutate). */
let lastMonth: { from: number; to: number; w: { fromDay: string; toDay: string; resetAt: number; from: number } } | null = null;

export function monthWindow(now: number): { fromDay: string; toDay: string; resetAt: number; from: number } {
  if (lastMonth && now >= lastMonth.from && now < lastMonth.to) return lastMonth.w;
  const d = new Date(now);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  const w = { fromDay: utcDay(start), toDay: utcDay(next), resetAt: next, from: start };
  lastMonth = { from: start, to: next, w };
  return w;
}

/** The ISO week (Monday 00:00 UTC to the next Monday) holding `t`. */
export function weekWindow(t: number): { from: number; to: number } {
  const start = utcDayStart(t);
  const sinceMonday = (new Date(start).getUTCDay() + 6) % 7;
  const from = start - sinceMonday * DAY_MS;
  return { from, to: from + 7 * DAY_MS };
}

/** The rolling hour ending at `now`: requests that started after this time are in it. */
export const hourWindowStart = (now: number): number => now - HOUR_MS;

/** Start times (ascending) of one scope's dispatched requests in the rolling hour. */
export class HourWindow {
  private times: number[] = [];
  private head = 0;
  constructor(
    /** Rows after this were loaded; an earlier window needs a reload. */
    readonly loadedSince: number,
    times: number[],
  ) {
    this.times = times;
  }
  get count(): number {
    return this.times.length - this.head;
  }
  /** The i-th oldest (0-based) in the window. */
  at(i: number): number | null {
    return this.times[this.head + i] ?? null;
  }
  /** Drops the times at or before `since` (they left the window). */
  advance(since: number): void {
    const t = this.times;
    while (this.head < t.length && t[this.head]! <= since) this.head++;
    if (this.head > 1024 && this.head * 2 > t.length) {
      this.times = t.slice(this.head);
      this.head = 0;
    }
  }
  add(at: number): void {
    const t = this.times;
    if (t.length === this.head || t[t.length - 1]! <= at) {
      t.push(at);
      return;
    }
    let i = t.length;
    while (i > this.head && t[i - 1]! > at) i--;
    t.splice(i, 0, at);
  }
  remove(at: number): void {
    const i = this.times.indexOf(at, this.head);
    if (i >= 0) this.times.splice(i, 1);
  }
}
