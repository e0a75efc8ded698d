// Overview: Sync now and Pause/Resume, the monitor's stats as cards, the last cycle's errors
// and the quotas that need attention.
import { Overview } from '../components/overview';
import { useMonitorActions } from '../components/use-monitor-actions';

export function OverviewPage() {
  const monitor = useMonitorActions();
  return (
    <>
      <div className="page-head">
        <h2 className="page-title">Overview</h2>
        <div className="page-actions" role="group" aria-label="Monitor">
          {monitor.error && (
            <span className="action-error" role="alert">
              {monitor.error}
            </span>
          )}
          <button type="button" className="btn" onClick={() => void monitor.togglePause()} disabled={!monitor.canPause}>
            {monitor.paused ? 'Resume syncing' : 'Pause syncing'}
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void monitor.syncNow()} disabled={!monitor.canSync}>
            {monitor.busy === 'sync' || monitor.syncing ? 'Syncing…' : 'Sync now'}
          </button>
        </div>
      </div>
      <Overview />
    </>
  );
}
