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
