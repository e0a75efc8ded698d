import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { Header } from '../../src/renderer/src/components/header';
import { Overview } from '../../src/renderer/src/components/overview';
import { OverviewPage } from '../../src/renderer/src/pages/overview-page';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { useQuotaStore } from '../../src/renderer/src/stores/quota-store';
import { useRouteStore } from '../../src/renderer/src/stores/route-store';
import { useStatsStore } from '../../src/renderer/src/stores/stats-store';
import type { AccountView, DecisionKind, QuotaView } from '../../src/shared/types';
import { deferred, fakeClient } from './fake-client';
import { account, quota, report, stats } from './fixtures';

afterEach(() => {
  useRouteStore.setState({ route: { page: 'overview' } });
  location.hash = '';
});

function reading(accountId: string, model: string, kind: DecisionKind, remainingFraction: number | null, resetAt: string | null = null): QuotaView {
  return quota({ accountId, model, remainingFraction, resetAt, decision: { kind, remainingFraction, resetAt, reason: null } });
}

function load(accounts: AccountView[], quotas: QuotaView[]) {
  useAccountsStore.getState().setAccounts(accounts);
  useQuotaStore.getState().loadAll(quotas, 0);
  useStatsStore.getState().applyStats(stats({ totalAccounts: accounts.length }));
}

const rows = () => within(screen.getByRole('region', { name: /Needs attention/ })).queryAllByRole('listitem');

describe('Overview: needs attention', () => {
  it('lists low and exhausted pairs, exhausted first then least remaining, each linking to its account', () => {
    load(
      [account({ id: 'a', label: 'alpha' }), account({ id: 'b', label: 'bravo' }), account({ id: 'c', label: 'charlie' }), account({ id: 'd', label: 'delta', status: 'disabled' })],
      [
        reading('a', 'm-low', 'low', 0.08, '2999-01-01T00:00:00.000Z'),
        reading('a', 'm-fine', 'proceed', 0.9),
        reading('b', 'm-out', 'exhausted', 0, '2999-01-01T00:00:00.000Z'),
        reading('c', 'm-lower', 'low', 0.03),
        // A 429 lock reports exhausted while the poll still says 60%: after the plain exhausted one.
        reading('c', 'm-locked', 'exhausted', 0.6),
        reading('d', 'm-off', 'exhausted', 0),
      ],
    );
    render(<Overview />);
    const items = rows();
    expect(items.map((li) => `${li.getAttribute('data-account-id')}/${li.getAttribute('data-model')}`)).toEqual(['b/m-out', 'c/m-locked', 'c/m-lower', 'a/m-low']);
    expect(items[0]!.textContent).toContain('exhausted');
    expect(items[0]!.textContent).toMatch(/resets in \d+d/);
    expect(items[3]!.textContent).toContain('8%');

    const link = within(items[0]!).getByRole('link', { name: 'bravo: m-out' });
    expect(link.getAttribute('href')).toBe('#/accounts/b');
    fireEvent.click(link);
    expect(useRouteStore.getState().route).toEqual({ page: 'account', id: 'b' });
    expect(location.hash).toBe('#/accounts/b');
    expect(screen.getByRole('region', { name: /Needs attention/ }).textContent).not.toContain('delta');
  });

  it('shows ten and links the rest to the accounts page', () => {
    const accounts = Array.from({ length: 13 }, (_, i) => account({ id: `acc${String(i).padStart(2, '0')}` }));
    load(
      accounts,
      accounts.map((a, i) => reading(a.id, 'm', 'low', 0.01 * (i + 1))),
    );
    render(<Overview />);
    const items = rows();
    expect(items).toHaveLength(10);
    expect(items[0]!.getAttribute('data-account-id')).toBe('acc00');
    const more = screen.getByRole('link', { name: 'and 3 more' });
    expect(more.getAttribute('href')).toBe('#/accounts');
    fireEvent.click(more);
    expect(useRouteStore.getState().route).toEqual({ page: 'accounts' });
  });

  it('says so when every quota is fine', () => {
    load([account({ id: 'a' })], [reading('a', 'm', 'proceed', 0.8)]);
    render(<Overview />);
    expect(rows()).toHaveLength(0);
    expect(screen.getByText('All quotas are above the low threshold.')).toBeTruthy();
  });

  it('updates as quota:changed readings arrive', () => {
    load([account({ id: 'a', label: 'alpha' })], [reading('a', 'm', 'proceed', 0.8)]);
    render(<Overview />);
    expect(rows()).toHaveLength(0);
    act(() => useQuotaStore.getState().applyChanged({ accountId: 'a', quotas: [reading('a', 'm', 'low', 0.05)] }));
    expect(rows()).toHaveLength(1);
  });

  it('links each failing account of the last cycle to its page', () => {
    useStatsStore.getState().applyStats(stats());
    useStatsStore.getState().applyReport(
      report({
        accounts: 2,
        successes: 0,
        errors: 2,
        results: [
          { accountId: 'x', label: 'work', provider: 'antigravity', outcome: 'error', errorKind: 'auth', errorCode: 'invalid_grant', message: 'refresh token revoked', durationMs: 5, models: 0 },
          { accountId: 'y', label: 'home', provider: 'claude', outcome: 'error', errorKind: 'transient', errorCode: 'timeout', message: 'timed out', durationMs: 5, models: 0 },
        ],
      }),
    );
    render(<Overview />);
    const banner = screen.getByRole('alert');
    const link = within(banner).getByRole('link', { name: 'home' });
    expect(link.getAttribute('href')).toBe('#/accounts/y');
    expect(banner.textContent).toContain('home (Claude): timed out');
    fireEvent.click(link);
    expect(useRouteStore.getState().route).toEqual({ page: 'account', id: 'y' });
  });
});

describe('Sync now and Pause: once, in the header', () => {
  it('the Overview page has none of its own', () => {
    useStatsStore.getState().applyStats(stats());
    render(
      <ClientContext.Provider value={fakeClient({})}>
        <OverviewPage />
      </ClientContext.Provider>,
    );
    expect(screen.queryByRole('button', { name: 'Sync now' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Pause/ })).toBeNull();
  });

  it('syncs now and pauses/resumes through the contract', async () => {
    const sync = deferred<ReturnType<typeof report>>();
    const client = fakeClient({
      'monitor:syncNow': () => sync.promise,
      'monitor:pause': () => stats({ paused: true }),
      'monitor:resume': () => stats({ paused: false }),
    });
    render(
      <ClientContext.Provider value={client}>
        <Header connection="open" />
      </ClientContext.Provider>,
    );
    // Nothing to act on before the first stats arrive.
    expect(screen.getByRole('button', { name: 'Sync now' }).hasAttribute('disabled')).toBe(true);
    act(() => useStatsStore.getState().applyStats(stats()));

    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    expect(client.calls).toEqual(['monitor:syncNow']);
    expect(screen.getByRole('button', { name: 'Syncing…' }).hasAttribute('disabled')).toBe(true);
    await act(async () => sync.resolve(report()));
    expect(screen.getByRole('button', { name: 'Sync now' }).hasAttribute('disabled')).toBe(false);

    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Resume' })).toBeTruthy());
    expect(useStatsStore.getState().stats?.paused).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy());
    expect(client.calls).toEqual(['monitor:syncNow', 'monitor:pause', 'monitor:resume']);
  });

  it('shows why an action failed', async () => {
    const client = fakeClient({
      'monitor:syncNow': () => {
        throw new Error('service unreachable');
      },
    });
    useStatsStore.getState().applyStats(stats());
    render(
      <ClientContext.Provider value={client}>
        <Header connection="open" />
      </ClientContext.Provider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    expect((await screen.findByRole('alert')).textContent).toContain('service unreachable');
  });
});
