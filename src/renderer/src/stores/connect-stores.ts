// Feeds the stores from a client: the initial fetch, the contract's events, and a full resync
// whenever the event feed comes back after a drop (events missed meanwhile are not replayed).
// Bursts are coalesced: a full sync pushes one `quota:changed` per account (and first syncs an
// `accounts:changed` each), which reach the stores as one update per animation frame.
//
// The first load comes in two steps: what a page paints first (the account list, the monitor's
// stats), then — once that has been painted — the readings (`quota:list`, ~5 MB at 1,000 x 10)
// and the last sync report. A cold window's rows never wait for the readings' download, parse or
// the service's time to build them; the bars fill in a frame later.
import type { MethodName, QuotaChangedEvent, ResponseOf } from '../../../shared/contract';
import type { AccountView } from '../../../shared/types';
import type { LiveClient } from '../api/live-client';
import { useAccountsStore } from './accounts-store';
import { afterFrameScheduler, createCoalescer, type Scheduler } from './event-coalescer';
import { useQuotaStore } from './quota-store';
import { useStatsStore } from './stats-store';

export interface ConnectOptions {
  /** When a buffered burst is applied (default: the next animation frame, 100 ms at most). */
  schedule?: Scheduler;
  /**
   * When the rest of the first load (readings, last report) is asked for, once the account list
   * is in its store (default: after the next frame has been produced, 200 ms at most).
   */
  afterFirstPaint?: Scheduler;
}

/** The first load's requests that a page paints from, started before the page mounts (see prefetchInitialLoad). */
type InitialMethod = 'accounts:list' | 'monitor:getStats';
const INITIAL_METHODS: InitialMethod[] = ['accounts:list', 'monitor:getStats'];
type Prefetched = { [M in InitialMethod]?: Promise<ResponseOf<M>> };
const prefetched = new WeakMap<LiveClient, Prefetched>();

/**
 * Starts the first load's requests at once, before React mounts the page (a cold window waits
 * for them: starting them only in the dashboard's effect put the first render in front of the
 * network). connectStores takes each answer once, for its first load, instead of asking again.
 * No event can be missed meanwhile: the event feed opens only once connectStores listens, and
 * a load that began before the feed opened is done again once it is open.
 */
export function prefetchInitialLoad(client: LiveClient): void {
  if (prefetched.has(client)) return;
  const p: Prefetched = {};
  for (const m of INITIAL_METHODS) {
    const pending = client.invoke(m);
    pending.catch(() => {}); // reported by whoever takes it
    (p as Record<string, Promise<unknown>>)[m] = pending;
  }
  prefetched.set(client, p);
}

/** The account list applyPrefetchedIfReady put in the store: connectStores does not apply it twice. */
const applied = new WeakMap<LiveClient, AccountView[]>();

/**
 * Puts the prefetched account list in its store before the first render when it is already in
 * hand (a cold web window's early-load answer usually is by the time the bundle has run), so the
 * first render paints rows instead of "Loading accounts…" followed by a second render. Waits one
 * task (the answer's own promise reactions), never for the network: otherwise it resolves with
 * nothing applied and the first load goes on as usual.
 */
export async function applyPrefetchedIfReady(client: LiveClient): Promise<void> {
  const pending = prefetched.get(client)?.['accounts:list'];
  if (!pending) return;
  let list: AccountView[] | undefined;
  pending.then(
    (l) => (list = l),
    () => {},
  );
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (!list) return;
  useAccountsStore.getState().setAccounts(list);
  applied.set(client, list);
}

export function connectStores(client: LiveClient, onError: (err: unknown) => void = () => {}, opts: ConnectOptions = {}): () => void {
  let disconnected = false;
  const first = prefetched.get(client);
  prefetched.delete(client);
  /** The prefetched answer the first time a method is asked, a new request afterwards. */
  const invoke = <M extends MethodName>(m: M): Promise<ResponseOf<M>> => {
    const taken = first as Partial<Record<MethodName, Promise<unknown>>> | undefined;
    const p = taken?.[m] as Promise<ResponseOf<M>> | undefined;
    if (!p) return client.invoke(m);
    delete taken![m];
    return p;
  };
  const refreshAccounts = singleFlight(async () => {
    const list = await invoke('accounts:list');
    if (list === applied.get(client)) return; // already in the store (applyPrefetchedIfReady)
    useAccountsStore.getState().setAccounts(list);
    useQuotaStore.getState().retainAccounts(list.map((a) => a.id));
  });

  const quotaEvents = createCoalescer<QuotaChangedEvent>({
    keyOf: (e) => e.accountId,
    apply: (batch) => useQuotaStore.getState().applyChangedBatch(batch),
    schedule: opts.schedule,
  });
  // Which accounts changed does not matter: the whole list is refetched, once per batch.
  const accountChanges = createCoalescer<string>({
    keyOf: (id) => id,
    apply: () => void refreshAccounts().catch(onError),
    schedule: opts.schedule,
  });

  // Events buffered so far arrived before these fetches start, so the answers are at least as
  // new: apply them now, below `asOf`, and let the fetch replace them. Events arriving during
  // the fetches count as newer than it (quota-store's touched/seq rule).
  const loadQuotas = () => {
    quotaEvents.flush();
    const asOf = useQuotaStore.getState().seq;
    return invoke('quota:list').then((list) => useQuotaStore.getState().loadAll(list, asOf));
  };
  const loadStats = () => {
    const asOf = useStatsStore.getState().seq;
    return invoke('monitor:getStats').then((stats) => useStatsStore.getState().loadStats(stats, asOf));
  };
  const loadReport = () => invoke('monitor:lastReport').then((r) => useStatsStore.getState().applyReport(r));
  const refreshAll = () => {
    accountChanges.cancel();
    return Promise.all([refreshAccounts(), loadQuotas(), loadStats(), loadReport()]).catch(onError);
  };

  const offs = [
    client.on('monitor:stats', (s) => useStatsStore.getState().applyStats(s)),
    client.on('monitor:syncFinished', (r) => {
      useStatsStore.getState().applyReport(r);
      // Each account's sync state (last error, failures, next attempt) moves every cycle
      // without an accounts:changed event; the rows show it.
      accountChanges.push('*');
    }),
    client.on('monitor:syncProgress', (p) => useStatsStore.getState().applyProgress(p)),
    client.on('quota:changed', (e) => quotaEvents.push(e)),
    client.on('accounts:changed', (e) => {
      if (e.accountIds.length === 0) accountChanges.push('*');
      for (const id of e.accountIds) accountChanges.push(id);
    }),
    () => {
      quotaEvents.cancel();
      accountChanges.cancel();
    },
  ];

  // Subscribed first, fetched second, so an event that lands during the fetch is not lost; and
  // fetched again each time the feed (re)opens, since nothing replays what it missed. The first
  // load starts at once (a feed that is slow to open, or never does behind a buffering proxy,
  // still shows data); its readings and report follow once its rows have been painted. A feed
  // that opens after the first load began makes it resync, but not before that paint either.
  const afterFirstPaint = opts.afterFirstPaint ?? afterFrameScheduler();
  let open = false;
  let started = false;
  let painted = false;
  let resyncWhenPainted = false;
  let cancelPaintWait = () => {};
  offs.push(
    client.onConnection((state) => {
      const opened = state === 'open' && !open;
      open = state === 'open';
      if (!opened || !started) return; // open before the first load began: that load is the resync
      if (painted) void refreshAll();
      else resyncWhenPainted = true;
    }),
    () => cancelPaintWait(),
  );
  started = true;
  accountChanges.cancel();
  void loadStats().catch(onError);
  void refreshAccounts()
    .catch(onError)
    .then(() => {
      if (disconnected) return;
      cancelPaintWait = afterFirstPaint(() => {
        painted = true;
        if (resyncWhenPainted) void refreshAll();
        else void Promise.all([loadQuotas(), loadReport()]).catch(onError);
      });
    });
  return () => {
    disconnected = true;
    offs.forEach((off) => off());
  };
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
