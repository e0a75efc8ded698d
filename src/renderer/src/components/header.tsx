// App bar: name, live-feed indicator, sync progress, and the one place for Sync now and Pause/Resume.
import type { ConnectionState } from '../api/live-client';
import { MonitorButtons } from './monitor-buttons';
import { SyncProgress } from './sync-progress';

const FEED_LABEL: Record<ConnectionState, string> = {
  open: 'live',
  connecting: 'connecting…',
  reconnecting: 'reconnecting…',
  unauthorized: 'token refused',
  closed: 'offline',
};

export function Header({ connection }: { connection: ConnectionState }) {
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
        <SyncProgress />
        <MonitorButtons pressed />
      </div>
    </header>
  );
}
