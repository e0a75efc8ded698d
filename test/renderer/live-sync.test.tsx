// Live sync: the header counts a cycle's progress from `monitor:syncProgress`, the overview's
// cards move as results arrive, the summary names the accounts a cycle did not poll and why,
// and forecasts show where people look.
import { act, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Header } from '../../src/renderer/src/components/header';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { notPolled, Overview } from '../../src/renderer/src/components/overview';
import { AccountPage } from '../../src/renderer/src/pages/account-page';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { useClockStore } from '../../src/renderer/src/stores/clock-store';
import { connectStores } from '../../src/renderer/src/stores/connect-stores';
import { useQuotaStore } from '../../src/renderer/src/stores/quota-store';
import { useStatsStore } from '../../src/renderer/src/stores/stats-store';
import type { QuotaView, SyncReport } from '../../src/shared/types';
import { fakeClient, settle } from './fake-client';
import { account, quota, report, stats } from './fixtures';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const iso = (ms: number) => new Date(NOW + ms).toISOString();
const HOUR = 3_600_000;

beforeEach(() => {
  useClockStore.setState({ now: NOW });
  useStatsStore.getState().reset();
});
afterEach(() => useStatsStore.getState().reset());

const low = (accountId: string, model = 'm'): QuotaView => quota({ accountId, model, remainingFraction: 0.05, decision: { kind: 'low', remainingFraction: 0.05, resetAt: null, reason: null } });

describe('sync progress, live', () => {
  it('the header shows "Syncing 412 / 1,000", moving, and the overview cards follow the results as they come', async () => {
    const accounts = [account({ id: 'a' }), account({ id: 'b' }), account({ id: 'c' })];
    const client = fakeClient({
      'accounts:list': () => accounts,
      'quota:list': () => accounts.map((a) => quota({ accountId: a.id, model: 'm', remainingFraction: 0.9 })),
      'monitor:getStats': () => stats({ syncing: true, running: true, totalAccounts: 3 }),
      'monitor:lastReport': () => null,
    });
    // Bursts applied at once, and the readings asked for at once (no animation frame in the test).
    const off = connectStores(client, undefined, { schedule: (run) => (run(), () => {}), afterFirstPaint: (run) => (run(), () => {}) });
    render(
      <ClientContext.Provider value={client}>
        <Header connection="open" />
        <Overview />
      </ClientContext.Provider>,
    );
    await act(settle);
    const card = (label: string) => screen.getByText(label, { selector: 'dt' }).parentElement!.querySelector('.card-value')!.textContent;
    expect(card('Low')).toBe('0');

    act(() => client.emit('monitor:syncProgress', { cycleId: 7, done: 412, total: 1000, failed: 3, current: 'Claude 2' }));
    const status = screen.getByRole('status', { name: /Syncing/ });
    expect(within(status).getByText('Syncing 412 / 1,000')).toBeTruthy();
    expect(within(status).getByText('3 failed')).toBeTruthy();
    expect(within(status).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('412');
    expect(card('Succeeded')).toBe('409');

    act(() => {
      client.emit('quota:changed', { accountId: 'a', quotas: [low('a')] });
      client.emit('quota:changed', { accountId: 'b', quotas: [low('b')] });
      client.emit('monitor:syncProgress', { cycleId: 7, done: 999, total: 1000, failed: 3, current: 'Codex 1' });
    });
    expect(screen.getByText('Syncing 999 / 1,000')).toBeTruthy();
    expect(card('Low')).toBe('2');
    // An older cycle's late event does not move it back.
    act(() => client.emit('monitor:syncProgress', { cycleId: 6, done: 5, total: 10, failed: 0 }));
    expect(screen.getByText('Syncing 999 / 1,000')).toBeTruthy();

    act(() => {
      client.emit('monitor:syncProgress', { cycleId: 7, done: 1000, total: 1000, failed: 3 });
      client.emit('monitor:stats', stats({ syncing: false, running: true, totalAccounts: 3 }));
      client.emit('monitor:syncFinished', report({ accounts: 1000, successes: 997, errors: 3 }));
    });
    expect(screen.queryByText(/Syncing \d/)).toBeNull();
    off();
  });
});

describe('what the last sync did not poll, and why', () => {
  const fleet = [
    account({ id: 'g1', label: 'Google 1' }),
    account({ id: 'c1', label: 'Claude 1', provider: 'claude' }),
    account({ id: 'k1', label: 'OpenAI key', provider: 'openai' }),
    account({ id: 'k2', label: 'Anthropic key', provider: 'anthropic' }),
    account({ id: 'off', label: 'Spare', status: 'disabled' }),
    account({ id: 'sus', label: 'Banned', status: 'suspended' }),
  ];
  const last: SyncReport = report({
    accounts: 2,
    successes: 1,
    errors: 0,
    skipped: 1,
    startedAt: iso(-60_000),
    finishedAt: iso(-50_000),
    results: [
      { accountId: 'g1', label: 'Google 1', provider: 'antigravity', outcome: 'ok', errorKind: null, errorCode: null, message: null, durationMs: 5, models: 3 },
      { accountId: 'c1', label: 'Claude 1', provider: 'claude', outcome: 'skipped', errorKind: null, errorCode: 'poll_floor', message: 'next poll after 12:05', durationMs: 0, models: 0 },
    ],
  });

  it('groups them: poll floor, API keys, switched off, suspended', () => {
    const by = Object.fromEntries(notPolled(last, fleet.map((a) => a.id), Object.fromEntries(fleet.map((a) => [a.id, a]))).map((g) => [g.why, g.accounts.map((a) => a.label)]));
    expect(by).toEqual({
      "waiting out the provider's poll floor": ['Claude 1'],
      'API keys: no quota endpoint, read from responses or Probe key': ['OpenAI key', 'Anthropic key'],
      'switched off': ['Spare'],
      'suspended or refused — waiting for Reactivate': ['Banned'],
    });
  });

  it('says "1 of 1 polled accounts succeeded; 5 of 6 were not polled" and names them', () => {
    useAccountsStore.getState().setAccounts(fleet);
    useQuotaStore.getState().loadAll([], 0);
    useStatsStore.getState().applyStats(stats({ totalAccounts: 6 }));
    useStatsStore.getState().applyReport(last);
    render(<Overview />);
    const summary = screen.getByRole('region', { name: /Last sync/ });
    expect(summary.textContent).toContain('1 of 1 polled account succeeded; 5 of 6 were not polled:');
    expect(within(summary).getByText(/API keys: no quota endpoint/).closest('li')!.textContent).toBe('2 API keys: no quota endpoint, read from responses or Probe key: OpenAI key, Anthropic key');
    expect(within(summary).getByRole('link', { name: 'Claude 1' }).getAttribute('href')).toBe('#/accounts/c1');
  });

  it('explains Expired on its card', () => {
    useStatsStore.getState().applyStats(stats());
    render(<Overview />);
    const expired = screen.getByText('Expired', { selector: 'dt' }).parentElement!;
    expect(expired.textContent).toContain('older than the cache lifetime');
    expect(expired.querySelector('[title]')!.getAttribute('title')).toContain('shown as last known');
  });
});

describe('forecasts where people look', () => {
  const forecast = { exhaustsAt: iso(2 * HOUR), beforeReset: true, ratePerHour: 0.2 };
  it('on the overview list and the account page: "runs out in ~2 h, before its reset in 4h 00m"', async () => {
    const a = account({ id: 'a1', label: 'work' });
    const q = quota({ accountId: 'a1', model: 'gemini-pro', displayName: 'Gemini Pro', remainingFraction: 0.05, resetAt: iso(4 * HOUR), forecast, decision: { kind: 'low', remainingFraction: 0.05, resetAt: iso(4 * HOUR), reason: null } });
    useAccountsStore.getState().setAccounts([a]);
    useQuotaStore.getState().loadAll([q], 0);
    useStatsStore.getState().applyStats(stats());
    const { unmount } = render(<Overview />);
    const attention = screen.getByRole('region', { name: /Needs attention/ });
    expect(within(attention).getByText('runs out in ~2 h, before its reset in 4h 00m')).toBeTruthy();
    unmount();

    const client = fakeClient({
      'quota:history': () => [],
      'usage:daily': () => [],
      'usage:log': () => ({ rows: [], nextCursor: null, hasMore: false }),
      'settings:get': () => ({ lowThreshold: 0.1, limitsDryRun: false }) as never,
      'limits:get': () => [{ scope: 'a1', label: 'work', requestsPerHour: null, requestsPerDay: null, inputTokensPerMonth: null, outputTokensPerMonth: null, costPerMonth: null, usage: [] }],
    });
    render(
      <ClientContext.Provider value={client}>
        <AccountPage id="a1" />
      </ClientContext.Provider>,
    );
    const row = screen.getByRole('rowheader', { name: 'Gemini Pro' }).closest('tr')!;
    expect(within(row).getByText('runs out in ~2 h, before its reset in 4h 00m')).toBeTruthy();
    await act(settle);
  });

  it('nothing when the forecast is null or the reset comes first', () => {
    const a = account({ id: 'a1' });
    useAccountsStore.getState().setAccounts([a]);
    useQuotaStore.getState().loadAll([{ ...low('a1'), forecast: { ...forecast, beforeReset: false } }, { ...low('a1', 'n'), forecast: null }], 0);
    useStatsStore.getState().applyStats(stats());
    render(<Overview />);
    expect(screen.queryByText(/runs out/)).toBeNull();
  });
});

describe('links in error banners are links', () => {
  it('a verification URL in a failing account’s message opens in the browser', () => {
    useStatsStore.getState().applyStats(stats());
    useStatsStore.getState().applyReport(
      report({
        accounts: 1,
        errors: 1,
        results: [
          { accountId: 'x', label: 'work', provider: 'antigravity', outcome: 'error', errorKind: 'permanent', errorCode: 'validation_required', message: 'Verify your account at https://accounts.google.com/signin/continue?x=1.', durationMs: 5, models: 0 },
        ],
      }),
    );
    render(<Overview />);
    const link = within(screen.getByRole('alert')).getByRole('link', { name: 'https://accounts.google.com/signin/continue?x=1' });
    expect(link.getAttribute('href')).toBe('https://accounts.google.com/signin/continue?x=1');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(screen.getByRole('alert').textContent).toContain('continue?x=1.');
  });
});
