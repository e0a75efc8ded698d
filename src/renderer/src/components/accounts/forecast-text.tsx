// The forecast the service computes for a window (quota-truth's `forecast` on quota:list):
// "runs out in ~2 h, before its reset in 4 h". Nothing when there is none.
import type { QuotaView } from '../../../../shared/types';
import { formatDuration, msUntil } from '../../format';
import { useClockStore } from '../../stores/clock-store';

export interface Forecast {
  exhaustsAt: string | null;
  beforeReset: boolean;
  ratePerHour: number;
}

export function forecastOf(q: QuotaView): Forecast | null {
  const f = (q as QuotaView & { forecast?: Forecast | null }).forecast;
  return f && typeof f === 'object' ? f : null;
}

/** "~2h 05m" rounded to what a forecast can honestly claim. */
function rough(ms: number): string {
  if (ms < 3_600_000) return `~${Math.max(1, Math.round(ms / 60_000))} min`;
  if (ms < 48 * 3_600_000) return `~${Math.round(ms / 3_600_000)} h`;
  return `~${Math.round(ms / 86_400_000)} days`;
}

export function forecastWords(q: QuotaView, now: number): string | null {
  const f = forecastOf(q);
  if (!f?.exhaustsAt || !f.beforeReset) return null;
  const ms = msUntil(f.exhaustsAt, now);
  if (ms === null || ms <= 0) return null;
  const reset = msUntil(q.resetAt, now);
  return `runs out in ${rough(ms)}${reset !== null && reset > 0 ? `, before its reset in ${formatDuration(reset)}` : ', before it resets'}`;
}

export function ForecastText({ quota }: { quota: QuotaView }) {
  const now = useClockStore((s) => s.now);
  const words = forecastWords(quota, now);
  return words ? <span className="forecast">{words}</span> : null;
}
