// When a window resets, in words that stay true: "resets in 2h 05m", and once the moment has
// passed, "reset — waiting for the next poll" (never "resets in 0s").
import { useClockStore } from '../../stores/clock-store';
import { formatDateTime, formatDuration, msUntil } from '../../format';

export function ResetText({ at, locked = false }: { at: string | null; locked?: boolean }) {
  const now = useClockStore((s) => s.now);
  const ms = msUntil(at, now);
  if (ms === null) return <span className="reset muted">no reset time</span>;
  if (ms <= 0) return <span className="reset reset-past">{locked ? 'lock ended — waiting for the next poll' : 'reset — waiting for the next poll'}</span>;
  return (
    <span className="reset" title={formatDateTime(at)}>
      <span className="reset-words">{locked ? 'locked, resets in ' : 'resets in '}</span>
      <time dateTime={at ?? undefined}>{formatDuration(ms)}</time>
    </span>
  );
}
