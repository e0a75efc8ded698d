// App bar: name, live-feed indicator, Sync now and Pause/Resume.
import { useState } from 'react';
import type { ConnectionState } from '../api/live-client';
import { useStatsStore } from '../stores/stats-store';
import { useClient } from './client-context';

const FEED_LABEL: Record<ConnectionState, string> = {
  open: 'live',
  connecting: 'connecting…',
  reconnecting: 'reconnecting…',
  unauthorized: 'token refused',
  closed: 'offline',
};

export function Header({ connection }: { connection: ConnectionState }) {
  const client = useClient();
  const syncing = useStatsStore((s) => s.stats?.syncing ?? false);
  const paused = useStatsStore((s) => s.stats?.paused ?? false);
  const hasStats = useStatsStore((s) => s.stats !== null);
  const [busy, setBusy] = useState<null | 'sync' | 'pause'>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (what: 'sync' | 'pause', action: () => Promise<unknown>) => {
    setBusy(what);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };

  const syncNow = () => run('sync', () => client.invoke('monitor:syncNow'));
  // The answer carries the new stats; apply it now rather than waiting for the event.
  const togglePause = () =>
    run('pause', async () => useStatsStore.getState().applyStats(await client.invoke(paused ? 'monitor:resume' : 'monitor:pause')));

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
        {error && (
          <span className="action-error" role="alert">
            {error}
          </span>
        )}
        <button type="button" className="btn" onClick={togglePause} disabled={!hasStats || busy !== null} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className="btn btn-primary" onClick={syncNow} disabled={!hasStats || busy !== null || syncing}>
          {busy === 'sync' || syncing ? 'Syncing…' : 'Sync now'}
        </button>
      </div>
    </header>
  );
}
