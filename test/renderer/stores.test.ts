import { describe, expect, it } from 'vitest';
import type { AccountView, QuotaView } from '../../src/shared/types';
import { applyPrefetchedIfReady, connectStores, prefetchInitialLoad } from '../../src/renderer/src/stores/connect-stores';
import type { Scheduler } from '../../src/renderer/src/stores/event-coalescer';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { useQuotaStore } from '../../src/renderer/src/stores/quota-store';
import { useStatsStore } from '../../src/renderer/src/stores/stats-store';
import { deferred, fakeClient, settle } from './fake-client';
import { account, quota, report, stats } from './fixtures';

function baseHandlers(accounts: AccountView[] = [], quotas: QuotaView[] = []) {
  return {
    'accounts:list': () => accounts,
    'quota:list': () => quotas,
    'monitor:getStats': () => stats({ totalAccounts: accounts.length }),
    'monitor:lastReport': () => null,
  };
}

/** Frames under the test's control: buffered events reach the stores on frame(). */
function manualFrames() {
  const pending = new Set<() => void>();
  const schedule: Scheduler = (run) => {
    pending.add(run);
    return () => pending.delete(run);
  };
  return {
    schedule,
    frame() {
      const runs = [...pending];
      pending.clear();
      runs.forEach((r) => r());
    },
    get scheduled() {
      return pending.size;
    },
  };
}

const fetchesOf = (calls: string[], method: string) => calls.filter((m) => m === method).length;
/** How many times each of the first load's four reads was asked for. */
const loads = (client: { calls: string[] }) => ['accounts:list', 'quota:list', 'monitor:getStats', 'monitor:lastReport'].map((m) => fetchesOf(client.calls, m));
/** The first load's rows count as painted at once: the readings are asked for right after the account list. */
const paintedAtOnce: Scheduler = (run) => (run(), () => {});
const now = { afterFirstPaint: paintedAtOnce };
/** Event bursts applied on frame(), the first paint at once. */
const framesAndPaint = (frames: ReturnType<typeof manualFrames>) => ({ schedule: frames.schedule, afterFirstPaint: paintedAtOnce });

describe('stores fed by a client', () => {
  it('loads accounts (normalized, in order), quotas by account and stats', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'b' }), account({ id: 'a' })], [quota({ accountId: 'a', model: 'm2' }), quota({ accountId: 'a', model: 'm1' })]));
    const off = connectStores(client, undefined, now);
    await settle();
    expect(useAccountsStore.getState().order).toEqual(['b', 'a']);
    expect(Object.keys(useAccountsStore.getState().accountsById).sort()).toEqual(['a', 'b']);
    expect(useQuotaStore.getState().byAccount.a?.map((q) => q.model)).toEqual(['m1', 'm2']);
    expect(useStatsStore.getState().stats?.totalAccounts).toBe(2);
    off();
  });

  it('takes the first load from requests started before the page mounted, asking each method once', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })], [quota({ accountId: 'a', model: 'm1' })]));
    prefetchInitialLoad(client);
    // What the page paints from; the readings and the report wait for that paint.
    expect(loads(client)).toEqual([1, 0, 1, 0]);
    const off = connectStores(client, undefined, now);
    await settle();
    expect(useAccountsStore.getState().order).toEqual(['a']);
    expect(useQuotaStore.getState().byAccount.a?.map((q) => q.model)).toEqual(['m1']);
    expect(loads(client)).toEqual([1, 1, 1, 1]);
    off();
  });

  it('puts a prefetched account list already in hand in its store before the first render, and applies it once', async () => {
    const list = [account({ id: 'b' }), account({ id: 'a' })];
    const client = fakeClient(baseHandlers(list));
    prefetchInitialLoad(client);
    await applyPrefetchedIfReady(client);
    expect(useAccountsStore.getState().order).toEqual(['b', 'a']);
    let updates = 0;
    const unsubscribe = useAccountsStore.subscribe(() => updates++);
    const frames = manualFrames();
    const off = connectStores(client, undefined, framesAndPaint(frames));
    await settle();
    expect(fetchesOf(client.calls, 'accounts:list')).toBe(1);
    expect(updates).toBe(0); // the same answer is not applied again
    client.handlers['accounts:list'] = () => [account({ id: 'a' })];
    client.emit('accounts:changed', { accountIds: [] });
    frames.frame();
    await settle();
    expect(fetchesOf(client.calls, 'accounts:list')).toBe(2);
    expect(updates).toBe(1); // a new answer is
    expect(useAccountsStore.getState().order).toEqual(['a']);
    unsubscribe();
    off();
  });

  it('never waits on the network before the first render: an account list not in hand is left to the first load', async () => {
    const slow = deferred<AccountView[]>();
    const client = fakeClient({ ...baseHandlers(), 'accounts:list': () => slow.promise });
    prefetchInitialLoad(client);
    await applyPrefetchedIfReady(client);
    expect(useAccountsStore.getState().loaded).toBe(false);
    const off = connectStores(client, undefined, now);
    slow.resolve([account({ id: 'a' })]);
    await settle();
    expect(useAccountsStore.getState().order).toEqual(['a']);
    expect(fetchesOf(client.calls, 'accounts:list')).toBe(1);
    off();
  });

  it('applies monitor:stats and monitor:syncFinished at once, quota:changed on the next frame', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })], [quota({ accountId: 'a', model: 'm1', remainingFraction: 0.9 })]));
    const frames = manualFrames();
    const off = connectStores(client, undefined, framesAndPaint(frames));
    await settle();

    client.emit('monitor:stats', stats({ lowQuotas: 3, syncing: true }));
    expect(useStatsStore.getState().stats).toMatchObject({ lowQuotas: 3, syncing: true });

    client.emit('monitor:syncFinished', report({ id: 7, errors: 2 }));
    expect(useStatsStore.getState().lastReport?.id).toBe(7);
    // An older report arriving late does not replace the newer one.
    client.emit('monitor:syncFinished', report({ id: 6 }));
    expect(useStatsStore.getState().lastReport?.id).toBe(7);

    client.emit('quota:changed', { accountId: 'a', quotas: [quota({ accountId: 'a', model: 'm1', remainingFraction: 0.05, decision: { kind: 'low', remainingFraction: 0.05, resetAt: null, reason: null } })] });
    expect(useQuotaStore.getState().byAccount.a?.[0]?.remainingFraction).toBe(0.9);
    frames.frame();
    expect(useQuotaStore.getState().byAccount.a?.[0]).toMatchObject({ remainingFraction: 0.05, decision: { kind: 'low' } });

    client.emit('quota:changed', { accountId: 'a', quotas: [] });
    frames.frame();
    expect(useQuotaStore.getState().byAccount.a).toBeUndefined();
    off();
  });

  it('applies a full sync burst of 1,000 quota:changed as one store update, the last event per account winning', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `acc-${i}`);
    const client = fakeClient(baseHandlers(ids.map((id) => account({ id }))));
    const frames = manualFrames();
    const off = connectStores(client, undefined, framesAndPaint(frames));
    await settle();
    let updates = 0;
    const unsubscribe = useQuotaStore.subscribe(() => updates++);
    for (const id of ids) client.emit('quota:changed', { accountId: id, quotas: [quota({ accountId: id, model: 'm', remainingFraction: 0.1 })] });
    client.emit('quota:changed', { accountId: 'acc-7', quotas: [quota({ accountId: 'acc-7', model: 'm', remainingFraction: 0.7 })] });
    expect(updates).toBe(0);
    expect(frames.scheduled).toBe(1);
    frames.frame();
    expect(updates).toBe(1);
    const byAccount = useQuotaStore.getState().byAccount;
    expect(Object.keys(byAccount)).toHaveLength(1000);
    expect(byAccount['acc-7']?.[0]?.remainingFraction).toBe(0.7);
    expect(byAccount['acc-8']?.[0]?.remainingFraction).toBe(0.1);
    unsubscribe();
    off();
  });

  it('refetches the account list on accounts:changed and drops quotas of removed accounts', async () => {
    const handlers = baseHandlers([account({ id: 'a' }), account({ id: 'b' })], [quota({ accountId: 'a', model: 'm' }), quota({ accountId: 'b', model: 'm' })]);
    const client = fakeClient(handlers);
    const frames = manualFrames();
    const off = connectStores(client, undefined, framesAndPaint(frames));
    await settle();
    expect(useQuotaStore.getState().byAccount.b).toBeDefined();

    client.handlers['accounts:list'] = () => [account({ id: 'a', label: 'renamed' })];
    client.emit('accounts:changed', { accountIds: ['a', 'b'] });
    frames.frame();
    await settle();
    expect(useAccountsStore.getState().order).toEqual(['a']);
    expect(useAccountsStore.getState().accountsById.a?.label).toBe('renamed');
    expect(useQuotaStore.getState().byAccount.b).toBeUndefined();
    off();
  });

  it('turns a burst of accounts:changed into one fetch per frame, and into one rerun while a fetch is in flight', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })]));
    const frames = manualFrames();
    const off = connectStores(client, undefined, framesAndPaint(frames));
    await settle();
    const fetches = () => fetchesOf(client.calls, 'accounts:list');
    const before = fetches();
    for (let i = 0; i < 1000; i++) client.emit('accounts:changed', { accountIds: [`a${i % 10}`] });
    expect(fetches()).toBe(before);
    frames.frame();
    expect(fetches()).toBe(before + 1);
    await settle();

    const slow = deferred<AccountView[]>();
    client.handlers['accounts:list'] = () => slow.promise;
    client.emit('accounts:changed', { accountIds: ['a'] });
    frames.frame();
    const during = fetches();
    for (let f = 0; f < 3; f++) {
      client.emit('accounts:changed', { accountIds: ['a'] });
      frames.frame();
    }
    expect(fetches()).toBe(during);
    client.handlers['accounts:list'] = () => [account({ id: 'a' })];
    slow.resolve([account({ id: 'a' })]);
    await settle();
    await settle();
    expect(fetches()).toBe(during + 1);
    off();
  });

  it('refetches the accounts after each sync cycle, since their sync state moved', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })]));
    const frames = manualFrames();
    const off = connectStores(client, undefined, framesAndPaint(frames));
    await settle();
    const before = fetchesOf(client.calls, 'accounts:list');
    client.handlers['accounts:list'] = () => [
      account({ id: 'a', sync: { lastSuccessAt: null, lastAttemptAt: null, lastErrorCode: 'upstream_5xx', lastErrorMessage: 'upstream 503', consecutiveFailures: 1, nextAttemptAt: null } }),
    ];
    client.emit('monitor:syncFinished', report({ id: 3, errors: 1 }));
    frames.frame();
    await settle();
    expect(fetchesOf(client.calls, 'accounts:list')).toBe(before + 1);
    expect(useAccountsStore.getState().accountsById.a?.sync.lastErrorMessage).toBe('upstream 503');
    off();
  });

  it('keeps event data newer than a slow initial fetch', async () => {
    const slowQuotas = deferred<QuotaView[]>();
    const slowStats = deferred<ReturnType<typeof stats>>();
    const client = fakeClient({
      ...baseHandlers([account({ id: 'a' }), account({ id: 'b' })]),
      'quota:list': () => slowQuotas.promise,
      'monitor:getStats': () => slowStats.promise,
    });
    const frames = manualFrames();
    const off = connectStores(client, undefined, framesAndPaint(frames));
    // The stats are asked for at once; the readings once the account list is in (at once here).
    client.emit('monitor:stats', stats({ syncing: true }));
    await settle();
    expect(fetchesOf(client.calls, 'quota:list')).toBe(1);
    client.emit('quota:changed', { accountId: 'a', quotas: [quota({ accountId: 'a', model: 'm', remainingFraction: 0.2 })] });
    frames.frame();
    slowQuotas.resolve([quota({ accountId: 'a', model: 'm', remainingFraction: 0.9 }), quota({ accountId: 'b', model: 'm', remainingFraction: 0.4 })]);
    slowStats.resolve(stats({ syncing: false }));
    await settle();
    expect(useQuotaStore.getState().byAccount.a?.[0]?.remainingFraction).toBe(0.2);
    expect(useQuotaStore.getState().byAccount.b?.[0]?.remainingFraction).toBe(0.4);
    expect(useStatsStore.getState().stats?.syncing).toBe(true);
    off();
  });

  it('asks for the readings and the last report only once the account list has been painted', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })], [quota({ accountId: 'a', model: 'm1' })]));
    const paint = manualFrames();
    const off = connectStores(client, undefined, { afterFirstPaint: paint.schedule });
    await settle();
    expect(useAccountsStore.getState().order).toEqual(['a']);
    expect(useStatsStore.getState().stats).not.toBeNull();
    expect(['quota:list', 'monitor:lastReport'].map((m) => fetchesOf(client.calls, m))).toEqual([0, 0]);
    expect(paint.scheduled).toBe(1);
    paint.frame();
    await settle();
    expect(loads(client)).toEqual([1, 1, 1, 1]);
    expect(useQuotaStore.getState().byAccount.a?.map((q) => q.model)).toEqual(['m1']);
    off();
  });

  it('a feed that opens after the first load began resyncs once that load is painted, asking for the readings once', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })], [quota({ accountId: 'a', model: 'm1' })]), 'connecting');
    const paint = manualFrames();
    const off = connectStores(client, undefined, { afterFirstPaint: paint.schedule });
    await settle();
    client.setConnection('open');
    await settle();
    // Nothing more before the paint: the rows are not held up by a second load.
    expect(loads(client)).toEqual([1, 0, 1, 0]);
    paint.frame();
    await settle();
    // After it, everything once more (events missed before the feed opened), the readings once.
    expect(loads(client)).toEqual([2, 1, 2, 1]);
    expect(useQuotaStore.getState().byAccount.a?.map((q) => q.model)).toEqual(['m1']);
    off();
  });

  it('a feed that is still not open when the rows are painted gets its readings anyway, and resyncs when it opens', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })], [quota({ accountId: 'a', model: 'm1' })]), 'connecting');
    const off = connectStores(client, undefined, now);
    await settle();
    expect(useQuotaStore.getState().byAccount.a?.map((q) => q.model)).toEqual(['m1']);
    expect(fetchesOf(client.calls, 'quota:list')).toBe(1);
    client.setConnection('open');
    await settle();
    expect(['accounts:list', 'quota:list'].map((m) => fetchesOf(client.calls, m))).toEqual([2, 2]);
    off();
  });

  it('a disconnect before the first paint asks for nothing more', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })]));
    const paint = manualFrames();
    const off = connectStores(client, undefined, { afterFirstPaint: paint.schedule });
    await settle();
    off();
    expect(paint.scheduled).toBe(0);
    paint.frame();
    await settle();
    expect(fetchesOf(client.calls, 'quota:list')).toBe(0);
  });

  it('lets a resync replace events buffered before it began, but not events that arrive during it', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' }), account({ id: 'b' })], [quota({ accountId: 'a', model: 'm', remainingFraction: 0.5 })]));
    const frames = manualFrames();
    const off = connectStores(client, undefined, framesAndPaint(frames));
    await settle();
    const remaining = (id: string) => useQuotaStore.getState().byAccount[id]?.[0]?.remainingFraction;

    // Still buffered when the feed drops and reopens: the resync's answer is newer than it.
    client.emit('quota:changed', { accountId: 'a', quotas: [quota({ accountId: 'a', model: 'm', remainingFraction: 0.11 })] });
    const slow = deferred<QuotaView[]>();
    client.handlers['quota:list'] = () => slow.promise;
    client.setConnection('reconnecting');
    client.setConnection('open');
    // Arrives while the resync's quota:list is in flight: newer than its answer. Applied after it here.
    client.emit('quota:changed', { accountId: 'b', quotas: [quota({ accountId: 'b', model: 'm', remainingFraction: 0.22 })] });
    slow.resolve([quota({ accountId: 'a', model: 'm', remainingFraction: 0.33 }), quota({ accountId: 'b', model: 'm', remainingFraction: 0.44 })]);
    await settle();
    frames.frame();
    expect(remaining('a')).toBe(0.33);
    expect(remaining('b')).toBe(0.22);

    // Applied before the answer lands: still kept.
    const slow2 = deferred<QuotaView[]>();
    client.handlers['quota:list'] = () => slow2.promise;
    client.setConnection('reconnecting');
    client.setConnection('open');
    client.emit('quota:changed', { accountId: 'b', quotas: [quota({ accountId: 'b', model: 'm', remainingFraction: 0.55 })] });
    frames.frame();
    slow2.resolve([quota({ accountId: 'a', model: 'm', remainingFraction: 0.66 }), quota({ accountId: 'b', model: 'm', remainingFraction: 0.77 })]);
    await settle();
    expect(remaining('a')).toBe(0.66);
    expect(remaining('b')).toBe(0.55);
    off();
  });

  it('resyncs everything when the event feed reopens after a drop', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })]));
    const off = connectStores(client, undefined, now);
    await settle();
    const count = () => fetchesOf(client.calls, 'quota:list');
    expect(count()).toBe(1);
    client.setConnection('reconnecting');
    client.handlers['quota:list'] = () => [quota({ accountId: 'a', model: 'new' })];
    client.setConnection('open');
    await settle();
    expect(count()).toBe(2);
    expect(useQuotaStore.getState().byAccount.a?.[0]?.model).toBe('new');
    off();
  });

  it('stops listening when disconnected, dropping what was buffered', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })]));
    const frames = manualFrames();
    const off = connectStores(client, undefined, framesAndPaint(frames));
    await settle();
    client.emit('quota:changed', { accountId: 'a', quotas: [quota({ accountId: 'a', model: 'm' })] });
    off();
    expect(frames.scheduled).toBe(0);
    frames.frame();
    client.emit('monitor:stats', stats({ lowQuotas: 9 }));
    expect(useStatsStore.getState().stats?.lowQuotas).toBe(0);
    expect(useQuotaStore.getState().byAccount.a).toBeUndefined();
  });
});
