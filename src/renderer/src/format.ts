// Display formatting for fractions, durations, ages and countdowns.

export function formatPercent(fraction: number | null): string {
  if (fraction === null) return '—';
  if (fraction > 0 && fraction < 0.01) return '<1%';
  // Never round a not-quite-full bucket up to 100%, nor a non-empty one down to 0%.
  const pct = fraction < 1 ? Math.min(99, Math.round(fraction * 100)) : 100;
  return `${pct}%`;
}

/** "2d 4h", "3h 05m", "4m 10s", "12s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** Sync durations: milliseconds under a second, else seconds with one decimal. */
export function formatElapsed(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatAge(ms: number): string {
  return ms < 60_000 ? 'just now' : `${formatDuration(ms).split(' ')[0]} ago`;
}

export function msUntil(iso: string | null, now: number): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t - now;
}

const usd2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usd4 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });
const count = new Intl.NumberFormat('en-US');

/** USD: two decimals from a dollar up, up to four below ("$12.30", "$0.0042"), "<$0.0001" for crumbs. */
export function formatCost(usd: number | null): string {
  if (usd === null || !Number.isFinite(usd)) return '—';
  if (usd > 0 && usd < 0.0001) return '<$0.0001';
  return Math.abs(usd) >= 1 ? usd2.format(usd) : usd4.format(usd);
}

/**
 * A cost axis label: as many decimals as the axis step needs and no more, so tiny costs read
 * "$0.00002" rather than "<$0.0001" on every tick; "$0" at the origin.
 */
export function formatCostTick(usd: number, step: number): string {
  if (usd === 0) return '$0';
  const decimals = step >= 1 && Number.isInteger(step) ? 0 : Math.min(10, Math.max(2, Math.ceil(-Math.log10(step) - 1e-9)));
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })}`;
}

/** Token counts: "950", "1.2k", "12.3k", "123k", "4.56M", "1.2B". */
export function formatTokens(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  const scaled = (v: number, unit: string) => {
    const digits = Math.abs(v) < 10 ? 2 : Math.abs(v) < 100 ? 1 : 0;
    return `${Number(v.toFixed(digits))}${unit}`;
  };
  if (abs < 1000) return String(Math.round(n));
  if (abs < 999_500) return `${Number((n / 1000).toFixed(abs < 100_000 ? 1 : 0))}k`;
  if (abs < 999_500_000) return scaled(n / 1e6, 'M');
  return scaled(n / 1e9, 'B');
}

/** Whole counts with thousands separators: "12,345". */
export function formatCount(n: number | null): string {
  return n === null || !Number.isFinite(n) ? '—' : count.format(n);
}

/** A moment in the viewer's time zone, short: "3 Mar, 14:05" (with the year when not this year's). */
export function formatDateTime(iso: string | null, now = Date.now()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  const date = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) });
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return `${date}, ${time}`;
}

/** A UTC day ("2026-03-01") as "Sun 1 Mar"; with `year`, "1 Mar 2026". */
export function formatDay(day: string, opts: { year?: boolean } = {}): string {
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return opts.year
    ? d.toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' })
    : d.toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });
}
