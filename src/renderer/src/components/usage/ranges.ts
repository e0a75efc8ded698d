// Usage ranges in whole UTC days (the ledger's rollups are per UTC day): `from` is the first
// day, `to` the day after the last (exclusive), both "YYYY-MM-DD" as the contract accepts.

export type RangePreset = 'today' | '7d' | '30d' | 'custom';

export interface DayRange {
  from: string;
  /** Exclusive. */
  to: string;
}

const DAY_MS = 86_400_000;

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function addDays(day: string, n: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);
}

export function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && utcDay(Date.parse(`${s}T00:00:00Z`)) === s;
}

/** The last `days` UTC days up to and including today's. */
export function lastDays(days: number, now: number): DayRange {
  const today = utcDay(now);
  return { from: addDays(today, -(days - 1)), to: addDays(today, 1) };
}

export function presetRange(preset: Exclude<RangePreset, 'custom'>, now: number): DayRange {
  return lastDays(preset === 'today' ? 1 : preset === '7d' ? 7 : 30, now);
}

/** Custom dates as typed (last day inclusive); null with a reason when they do not make a range. */
export function customRange(first: string, last: string): { range: DayRange; error: null } | { range: null; error: string } {
  if (!isDay(first) || !isDay(last)) return { range: null, error: 'Pick both dates' };
  if (last < first) return { range: null, error: 'The end date is before the start date' };
  const days = (Date.parse(last) - Date.parse(first)) / DAY_MS + 1;
  if (days > 400) return { range: null, error: 'At most 400 days at a time' };
  return { range: { from: first, to: addDays(last, 1) }, error: null };
}

/** Every day of the range, in order. */
export function daysOf(range: DayRange): string[] {
  const out: string[] = [];
  for (let d = range.from; d < range.to && out.length < 400; d = addDays(d, 1)) out.push(d);
  return out;
}
