import { describe, expect, it } from 'vitest';
import type { AccountView, QuotaView } from '../../src/shared/types';
import { connectStores } from '../../src/renderer/src/stores/connect-stores';
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

describe('stores fed by a client', () => {
  it('loads accounts (normalized, in order), quotas by account and stats', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'b' }), account({ id: 'a' })], [quota({ accountId: 'a', model: 'm2' }), quota({ accountId: 'a', model: 'm1' })]));
    const off = connectStores(client);
    await settle();
    expect(useAccountsStore.getState().order).toEqual(['b', 'a']);
    expect(Object.keys(useAccountsStore.getState().accountsById).sort()).toEqual(['a', 'b']);
    expect(useQuotaStore.getState().byAccount.a?.map((q) => q.model)).toEqual(['m1', 'm2']);
    expect(useStatsStore.getState().stats?.totalAccounts).toBe(2);
    off();
  });

  it('applies monitor:stats, monitor:syncFinished and quota:changed events', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })], [quota({ accountId: 'a', model: 'm1', remainingFraction: 0.9 })]));
    const off = connectStores(client);
    await settle();

    client.emit('monitor:stats', stats({ lowQuotas: 3, syncing: true }));
    expect(useStatsStore.getState().stats).toMatchObject({ lowQuotas: 3, syncing: true });

    client.emit('monitor:syncFinished', report({ id: 7, errors: 2 }));
    expect(useStatsStore.getState().lastReport?.id).toBe(7);
    // An older report arriving late does not replace the newer one.
    client.emit('monitor:syncFinished', report({ id: 6 }));
    expect(useStatsStore.getState().lastReport?.id).toBe(7);

    client.emit('quota:changed', { accountId: 'a', quotas: [quota({ accountId: 'a', model: 'm1', remainingFraction: 0.05, decision: { kind: 'low', remainingFraction: 0.05, resetAt: null, reason: null } })] });
    expect(useQuotaStore.getState().byAccount.a?.[0]).toMatchObject({ remainingFraction: 0.05, decision: { kind: 'low' } });

    client.emit('quota:changed', { accountId: 'a', quotas: [] });
    expect(useQuotaStore.getState().byAccount.a).toBeUndefined();
    off();
  });

  it('refetches the account list on accounts:changed and drops quotas of removed accounts', async () => {
    const handlers = baseHandlers([account({ id: 'a' }), account({ id: 'b' })], [quota({ accountId: 'a', model: 'm' }), quota({ accountId: 'b', model: 'm' })]);
    const client = fakeClient(handlers);
    const off = connectStores(client);
    await settle();
    expect(useQuotaStore.getState().byAccount.b).toBeDefined();

    client.handlers['accounts:list'] = () => [account({ id: 'a', label: 'renamed' })];
    client.emit('accounts:changed', { accountIds: ['a', 'b'] });
    await settle();
    expect(useAccountsStore.getState().order).toEqual(['a']);
    expect(useAccountsStore.getState().accountsById.a?.label).toBe('renamed');
    expect(useQuotaStore.getState().byAccount.b).toBeUndefined();
    off();
  });

  it('collapses a burst of accounts:changed into at most one extra fetch', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })]));
    const off = connectStores(client);
    await settle();
    const before = client.calls.filter((m) => m === 'accounts:list').length;
    for (let i = 0; i < 5; i++) client.emit('accounts:changed', { accountIds: ['a'] });
    await settle();
    await settle();
    expect(client.calls.filter((m) => m === 'accounts:list').length - before).toBe(2);
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
    const off = connectStores(client);
    client.emit('quota:changed', { accountId: 'a', quotas: [quota({ accountId: 'a', model: 'm', remainingFraction: 0.2 })] });
    client.emit('monitor:stats', stats({ syncing: true }));
    slowQuotas.resolve([quota({ accountId: 'a', model: 'm', remainingFraction: 0.9 }), quota({ accountId: 'b', model: 'm', remainingFraction: 0.4 })]);
    slowStats.resolve(stats({ syncing: false }));
    await settle();
    expect(useQuotaStore.getState().byAccount.a?.[0]?.remainingFraction).toBe(0.2);
    expect(useQuotaStore.getState().byAccount.b?.[0]?.remainingFraction).toBe(0.4);
    expect(useStatsStore.getState().stats?.syncing).toBe(true);
    off();
  });

  it('resyncs everything when the event feed reopens after a drop', async () => {
    const client = fakeClient(baseHandlers([account({ id: 'a' })]));
    const off = connectStores(client);
    await settle();
    const count = () => client.calls.filter((m) => m === 'quota:list').length;
    expect(count()).toBe(1);
    client.setConnection('reconnecting');
    client.handlers['quota:list'] = () => [quota({ accountId: 'a', model: 'new' })];
    client.setConnection('open');
    await settle();
    expect(count()).toBe(2);
    expect(useQuotaStore.getState().byAccount.a?.[0]?.model).toBe('new');
    off();
  });

  it('stops listening when disconnected', async () => {
    const client = fakeClient(baseHandlers());
    const off = connectStores(client);
    await settle();
    off();
    client.emit('monitor:stats', stats({ lowQuotas: 9 }));
    expect(useStatsStore.getState().stats?.lowQuotas).toBe(0);
  });
});
