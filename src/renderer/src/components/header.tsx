// App bar: name, live-feed indicator, Sync now and Pause/Resume.
import type { ConnectionState } from '../api/live-client';
import { useMonitorActions } from './use-monitor-actions';

const FEED_LABEL: Record<ConnectionState, string> = {
  open: 'live',
  connecting: 'connecting…',
  reconnecting: 'reconnecting…',
  unauthorized: 'token refused',
  closed: 'offline',
};

export function Header({ connection }: { connection: ConnectionState }) {
  const monitor = useMonitorActions();
  return (
    <header className="app-header">
      <div className="brand">
        <h1>QuotaDeck</h1>
        <span className={`feed feed-${connection}`} role="status" aria-label={`Event feed: ${FEED_LABEL[connection]}`}>
          <span className="feed-dot" aria-hidden="true" />
          {FEED_LABEL[connection]}
        </span>
      </div>
      <div className="actions">
        {monitor.error && (
          <span className="action-error" role="alert">
            {monitor.error}
          </span>
        )}
        <button type="button" className="btn" onClick={() => void monitor.togglePause()} disabled={!monitor.canPause} aria-pressed={monitor.paused}>
          {monitor.paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className="btn btn-primary" onClick={() => void monitor.syncNow()} disabled={!monitor.canSync}>
          {monitor.busy === 'sync' || monitor.syncing ? 'Syncing…' : 'Sync now'}
        </button>
      </div>
    </header>
  );
}
