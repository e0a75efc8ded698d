// Live time texts (countdown to a moment, age since a moment), ticking on the shared clock so
// the rest of the table does not re-render every second.
import { useClockStore } from '../stores/clock-store';
import { formatAge, formatDuration, msUntil } from '../format';

export function Countdown({ to, done = 'now' }: { to: string | null; done?: string }) {
  const now = useClockStore((s) => s.now);
  const ms = msUntil(to, now);
  if (ms === null) return <>—</>;
  return <time dateTime={to ?? undefined}>{ms <= 0 ? done : formatDuration(ms)}</time>;
}

export function Age({ since }: { since: string }) {
  const now = useClockStore((s) => s.now);
  const ms = msUntil(since, now);
  return <time dateTime={since}>{ms === null ? '—' : formatAge(-ms)}</time>;
}
