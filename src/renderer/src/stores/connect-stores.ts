// Feeds the stores from a client: the initial fetch, the contract's events, and a full resync
// whenever the event feed comes back after a drop (events missed meanwhile are not replayed).
import type { LiveClient } from '../api/live-client';
import { useAccountsStore } from './accounts-store';
import { useQuotaStore } from './quota-store';
import { useStatsStore } from './stats-store';

export function connectStores(client: LiveClient, onError: (err: unknown) => void = () => {}): () => void {
  const refreshAccounts = singleFlight(async () => {
    const list = await client.invoke('accounts:list');
    useAccountsStore.getState().setAccounts(list);
    useQuotaStore.getState().retainAccounts(list.map((a) => a.id));
  });

  const refreshAll = () => {
    const quotaAsOf = useQuotaStore.getState().seq;
    const statsAsOf = useStatsStore.getState().seq;
    return Promise.all([
      refreshAccounts(),
      client.invoke('quota:list').then((list) => useQuotaStore.getState().loadAll(list, quotaAsOf)),
      client.invoke('monitor:getStats').then((stats) => useStatsStore.getState().loadStats(stats, statsAsOf)),
      client.invoke('monitor:lastReport').then((r) => useStatsStore.getState().applyReport(r)),
    ]).catch(onError);
  };

  const offs = [
    client.on('monitor:stats', (s) => useStatsStore.getState().applyStats(s)),
    client.on('monitor:syncFinished', (r) => useStatsStore.getState().applyReport(r)),
    client.on('quota:changed', (e) => useQuotaStore.getState().applyChanged(e)),
    client.on('accounts:changed', () => void refreshAccounts().catch(onError)),
  ];

  // Subscribed first, fetched second, so an event that lands during the fetch is not lost; and
  // fetched again each time the feed (re)opens, since nothing replays what it missed.
  let open = false;
  offs.push(
    client.onConnection((state) => {
      if (state === 'open' && !open) void refreshAll();
      open = state === 'open';
    }),
  );
  // A feed that is slow to open (or never does, behind a buffering proxy) still shows data.
  if (!open) void refreshAll();
  return () => offs.forEach((off) => off());
}

/** Runs `fn` once at a time; calls made while it runs collapse into one rerun afterwards. */
function singleFlight(fn: () => Promise<void>): () => Promise<void> {
  let current: Promise<void> | null = null;
  let again = false;
  const run = (): Promise<void> => {
    if (current) {
      again = true;
      return current;
    }
    current = fn().finally(() => {
      current = null;
      if (again) {
        again = false;
        void run();
      }
    });
    return current;
  };
  return run;
}
