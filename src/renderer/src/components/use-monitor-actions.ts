// Sync now and Pause/Resume, shared by the header and the overview page. Which action is in
// flight is shared too, so both places disable their buttons while either one runs; an error
// is shown by the place that started the action.
import { useState } from 'react';
import { create } from 'zustand';
import { useStatsStore } from '../stores/stats-store';
import { useClient } from './client-context';

type Action = 'sync' | 'pause';
const useBusyStore = create<{ busy: Action | null }>()(() => ({ busy: null }));

export function useMonitorActions() {
  const client = useClient();
  const syncing = useStatsStore((s) => s.stats?.syncing ?? false);
  const paused = useStatsStore((s) => s.stats?.paused ?? false);
  const ready = useStatsStore((s) => s.stats !== null);
  const busy = useBusyStore((s) => s.busy);
  const [error, setError] = useState<string | null>(null);

  const run = async (what: Action, action: () => Promise<unknown>) => {
    useBusyStore.setState({ busy: what });
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      useBusyStore.setState({ busy: null });
    }
  };

  return {
    syncing,
    paused,
    busy,
    error,
    /** Both buttons wait for the first stats (paused or not is unknown before). */
    canPause: ready && busy === null,
    canSync: ready && busy === null && !syncing,
    syncNow: () => run('sync', () => client.invoke('monitor:syncNow')),
    // The answer carries the new stats; apply it now rather than waiting for the event.
    togglePause: () => run('pause', async () => useStatsStore.getState().applyStats(await client.invoke(paused ? 'monitor:resume' : 'monitor:pause'))),
  };
}
