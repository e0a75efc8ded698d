// Sync now and Pause/Resume with the error of the last action: in the header on every page, and
// on the Overview page (there the pause button names what it pauses).
import { useMonitorActions } from './use-monitor-actions';

export function MonitorButtons({ pauseLabel = 'Pause', resumeLabel = 'Resume', pressed = false }: { pauseLabel?: string; resumeLabel?: string; pressed?: boolean }) {
  const monitor = useMonitorActions();
  return (
    <>
      {monitor.error && (
        <span className="action-error" role="alert">
          {monitor.error}
        </span>
      )}
      <button type="button" className="btn" onClick={() => void monitor.togglePause()} disabled={!monitor.canPause} aria-pressed={pressed ? monitor.paused : undefined}>
        {monitor.paused ? resumeLabel : pauseLabel}
      </button>
      <button type="button" className="btn btn-primary" onClick={() => void monitor.syncNow()} disabled={!monitor.canSync}>
        {monitor.busy === 'sync' || monitor.syncing ? 'Syncing…' : 'Sync now'}
      </button>
    </>
  );
}
