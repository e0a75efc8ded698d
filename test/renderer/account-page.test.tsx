import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestOf } from '../../src/shared/contract';
import type { QuotaHistorySeries, UsageDailyRow, UsageLogRow } from '../../src/shared/types';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { AccountPage } from '../../src/renderer/src/pages/account-page';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { useClockStore } from '../../src/renderer/src/stores/clock-store';
import { useQuotaStore } from '../../src/renderer/src/stores/quota-store';
import { useRouteStore } from '../../src/renderer/src/stores/route-store';
import { useUsageStore } from '../../src/renderer/src/stores/usage-store';
import { fakeClient, settle, type FakeClient } from './fake-client';
import { account, quota, report } from './fixtures';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const HOUR = 3600_000;
const DAY = 24 * HOUR;

function logRow(over: Partial<UsageLogRow> & { id: number }): UsageLogRow {
  return {
    requestId: `r${over.id}`,
    attempt: 1,
    accountId: 'a1',
    label: 'work',
    provider: 'antigravity',
    model: 'gemini-pro',
    client: 'claude-code',
    route: 'proxy',
    status: 'completed',
    httpStatus: 200,
    inputTokens: 1200,
    outputTokens: 340,
    cost: 0.0123,
    error: null,
    startedAt: iso(-60_000 * over.id),
    endedAt: iso(-60_000 * over.id + 900),
    durationMs: 900,
    ...over,
  };
}

function day(d: string, over: Partial<UsageDailyRow> = {}): UsageDailyRow {
  return { day: d, requests: 0, completed: 0, failed: 0, rejected: 0, inputTokens: 0, outputTokens: 0, cost: 0, ...over };
}

const HISTORY: QuotaHistorySeries[] = [
  {
    model: 'gemini-pro',
    points: [
      { at: iso(-3 * HOUR), remainingFraction: 0.9, resetAt: null },
      { at: iso(-2 * HOUR), remainingFraction: 0.7, resetAt: null },
      { at: iso(-90 * 60_000), remainingFraction: null, resetAt: null },
      { at: iso(-HOUR), remainingFraction: 0.5, resetAt: iso(HOUR) },
      { at: iso(-30 * 60_000), remainingFraction: 0.42, resetAt: iso(HOUR) },
    ],
  },
  { model: 'claude-sonnet', points: [{ at: iso(-HOUR), remainingFraction: 0.1, resetAt: null }, { at: iso(-10 * 60_000), remainingFraction: 0.05, resetAt: null }] },
];

interface Recorded {
  history: Array<RequestOf<'quota:history'>>;
  daily: Array<RequestOf<'usage:daily'>>;
  log: Array<RequestOf<'usage:log'>>;
  prefs: Array<RequestOf<'accounts:setModelPref'>>;
}

function setup(over: Partial<FakeClient['handlers']> = {}) {
  const rec: Recorded = { history: [], daily: [], log: [], prefs: [] };
  const client = fakeClient({
    'quota:history': (req) => {
      rec.history.push(req!);
      return HISTORY;
    },
    'usage:daily': (req) => {
      rec.daily.push(req!);
      return [day('2026-03-09', { requests: 3, completed: 2, failed: 1, inputTokens: 1000, outputTokens: 500, cost: 0.25 }), day('2026-03-10', { requests: 1, completed: 1, inputTokens: 200, outputTokens: 100, cost: 0.05 })];
    },
    'usage:log': (req) => {
      rec.log.push(req!);
      return { rows: [logRow({ id: 1 }), logRow({ id: 2, status: 'failed', httpStatus: 429, error: 'rate limited', cost: null, outputTokens: null })], nextCursor: null, hasMore: false };
    },
    'settings:get': () => ({ lowThreshold: 0.2, limitsDryRun: false }) as never,
    'limits:get': (req) => [{ scope: req!.scope!, label: 'work', requestsPerHour: null, requestsPerDay: null, inputTokensPerMonth: null, outputTokensPerMonth: null, costPerMonth: null, usage: [] }],
    'accounts:setModelPref': (req) => {
      rec.prefs.push(req!);
      const cur = useAccountsStore.getState().accountsById[req!.id]!;
      const others = cur.modelPrefs.filter((p) => p.model !== req!.model);
      const prev = cur.modelPrefs.find((p) => p.model === req!.model);
      return {
        ...cur,
        modelPrefs: [...others, { model: req!.model, reserve: req!.reserve === undefined ? (prev?.reserve ?? null) : req!.reserve, excluded: req!.excluded ?? prev?.excluded ?? false }],
      };
    },
    ...over,
  });
  return { client, rec };
}

function renderPage(client: FakeClient, id = 'a1', refreshEveryMs?: number) {
  return render(
    <ClientContext.Provider value={client}>
      <AccountPage id={id} {...(refreshEveryMs === undefined ? {} : { refreshEveryMs })} />
    </ClientContext.Provider>,
  );
}

function loadAccount() {
  useAccountsStore.getState().setAccounts([
    account({
      id: 'a1',
      label: 'work',
      email: 'me@example.com',
      tier: 'ultra',
      tierLabel: 'g1-ultra-tier',
      status: 'suspended',
      statusReason: 'usage limit reached',
      secretHint: '1//0g…x9Qa',
      sync: {
        lastSuccessAt: iso(-2 * HOUR),
        lastAttemptAt: iso(-5 * 60_000),
        lastErrorCode: 'timeout',
        lastErrorMessage: 'upstream did not answer',
        consecutiveFailures: 3,
        nextAttemptAt: iso(65_000),
      },
    }),
    account({ id: 'a2', label: 'other' }),
  ]);
  useQuotaStore.getState().loadAll(
    [
      quota({ accountId: 'a1', model: 'gemini-pro', displayName: 'Gemini Pro', remainingFraction: 0.42, resetAt: iso(HOUR + 5 * 60_000) }),
      quota({ accountId: 'a1', model: 'claude-sonnet', remainingFraction: 0.05, decision: { kind: 'low', remainingFraction: 0.05, resetAt: iso(90_000), reason: null } }),
      quota({ accountId: 'a2', model: 'gemini-pro', remainingFraction: 1 }),
    ],
    0,
  );
}

beforeEach(() => {
  useClockStore.setState({ now: NOW });
  useUsageStore.getState().reset();
  useRouteStore.setState({ route: { page: 'account', id: 'a1' } });
});
afterEach(() => useUsageStore.getState().reset());

describe('AccountPage', () => {
  it('shows the account, its sync state and a masked credential hint', async () => {
    loadAccount();
    const { client } = setup();
    renderPage(client);
    const head = screen.getByRole('heading', { name: 'work', level: 2 }).closest('section')!;
    expect(within(head).getByText('Antigravity')).toBeTruthy();
    expect(head.querySelector('.tier')!.textContent).toBe('ultra · g1-ultra-tier');
    expect(within(head).getByText('suspended')).toBeTruthy();
    expect(within(head).getByText('usage limit reached')).toBeTruthy();
    expect(within(head).getByText('me@example.com')).toBeTruthy();
    expect(within(head).getByLabelText('credential hint (masked)').textContent).toBe('1//0g…x9Qa');
    expect(within(head).getByText('2h ago')).toBeTruthy();
    expect(within(head).getByText('timeout')).toBeTruthy();
    expect(within(head).getByText(/upstream did not answer/)).toBeTruthy();
    expect(within(head).getByText(/3 failures in a row/)).toBeTruthy();
    // Suspended: nothing is attempted until the user reactivates it.
    expect(within(head).getByTestId('next-attempt').textContent).toBe('none — it waits until you reactivate it');
    await act(settle);
  });

  it('renders per model the bar, decision and reset countdown', async () => {
    loadAccount();
    const { client } = setup();
    renderPage(client);
    const table = screen.getByRole('heading', { name: 'Current quota' }).closest('section')!;
    const bars = within(table).getAllByRole('meter');
    expect(bars.map((b) => b.getAttribute('aria-label'))).toEqual(['Claude Sonnet remaining', 'Gemini Pro remaining']);
    expect(bars.map((b) => b.getAttribute('aria-valuenow'))).toEqual(['5', '42']);
    expect(within(table).getByText('low', { selector: '.badge' })).toBeTruthy();
    expect(within(table).getByText('1h 05m')).toBeTruthy();
    expect(within(table).getByText('1m 30s')).toBeTruthy();
    await act(settle);
  });

  it('requests quota:history for the chosen range and draws one series per model', async () => {
    loadAccount();
    const { client, rec } = setup();
    const { container } = renderPage(client);
    await waitFor(() => expect(container.querySelectorAll('figure.model-history')).toHaveLength(2));

    expect(rec.history).toHaveLength(1);
    const first = rec.history[0]!;
    expect(first.accountId).toBe('a1');
    expect(Date.parse(first.to!) - Date.parse(first.from!)).toBe(7 * DAY);
    expect(Math.abs(Date.parse(first.to!) - Date.now())).toBeLessThan(10_000);
    expect(first.maxPoints).toBeGreaterThan(1);

    // Sorted by model; each chart has one series; the gap in gemini-pro splits its line in two.
    const figures = [...container.querySelectorAll('figure.model-history')];
    expect(figures.map((f) => f.getAttribute('data-model'))).toEqual(['claude-sonnet', 'gemini-pro']);
    for (const f of figures) expect(f.querySelectorAll('g.chart-series')).toHaveLength(1);
    expect(figures[0]!.querySelectorAll('path.chart-line')).toHaveLength(1);
    expect(figures[1]!.querySelectorAll('path.chart-line')).toHaveLength(2);
    expect(figures[1]!.querySelector('path.chart-line')!.getAttribute('d')!.match(/L/g)).toHaveLength(1);
    // Named like the quota list, with the numbers in words and the low threshold from settings.
    expect(within(figures[1] as HTMLElement).getByRole('heading', { name: 'Gemini Pro' })).toBeTruthy();
    expect(within(figures[1] as HTMLElement).getByText('now 42%, lowest 42%, highest 90%')).toBeTruthy();
    expect(figures[1]!.querySelector('.chart-threshold text')!.textContent).toBe('low 20%');

    fireEvent.click(screen.getByRole('radio', { name: '30 d' }));
    await waitFor(() => expect(rec.history).toHaveLength(2));
    const second = rec.history[1]!;
    expect(Date.parse(second.to!) - Date.parse(second.from!)).toBe(30 * DAY);
    fireEvent.click(screen.getByRole('radio', { name: '24 h' }));
    await waitFor(() => expect(rec.history).toHaveLength(3));
    expect(Date.parse(rec.history[2]!.to!) - Date.parse(rec.history[2]!.from!)).toBe(DAY);
    // The usage below follows the same range, in whole UTC days.
    await waitFor(() => expect(rec.daily.length).toBeGreaterThanOrEqual(3));
    const lastDaily = rec.daily[rec.daily.length - 1]!;
    expect(lastDaily.accountId).toBe('a1');
    expect(lastDaily.from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Date.parse(lastDaily.to) - Date.parse(lastDaily.from)).toBeGreaterThanOrEqual(DAY);
    expect(Date.parse(lastDaily.to) - Date.parse(lastDaily.from)).toBeLessThanOrEqual(2 * DAY);
  });

  it('says so when no readings were saved in the range', async () => {
    loadAccount();
    const { client } = setup({ 'quota:history': () => [] });
    renderPage(client);
    expect(await screen.findByText(/No quota readings saved in this range yet/)).toBeTruthy();
  });

  it('shows recent requests of this account and its usage totals', async () => {
    loadAccount();
    const { client, rec } = setup();
    renderPage(client);
    const recent = screen.getByRole('heading', { name: 'Recent requests' }).closest('section')!;
    const table = await within(recent).findByRole('table', { name: 'Recent requests of work' });
    expect(rec.log[0]).toEqual({ accountId: 'a1', limit: 15 });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.textContent).toContain('gemini-pro');
    expect(rows[0]!.textContent).toContain('completed');
    expect(rows[0]!.textContent).toContain('1.2k');
    expect(rows[0]!.textContent).toContain('$0.0123');
    expect(rows[1]!.textContent).toContain('failed');
    expect(rows[1]!.textContent).toContain('429');
    expect(rows[1]!.textContent).toContain('rate limited');
    // No account column on the account's own page.
    expect(within(table).queryByRole('columnheader', { name: 'Account' })).toBeNull();

    const usage = screen.getByRole('heading', { name: 'Usage', level: 2 }).closest('section')!;
    await waitFor(() => expect(usage.querySelector('[data-total="requests"]')!.textContent).toBe('4'));
    expect(usage.querySelector('[data-total="cost"]')!.textContent).toBe('$0.30');
    expect(usage.querySelector('[data-total="input"]')!.textContent).toBe('1.2k');
    expect(usage.querySelectorAll('[data-series="input"] rect.chart-bar')).toHaveLength(2);
  });

  it('links to all of this account’s requests on the Usage page, filtered', async () => {
    loadAccount();
    const { client } = setup();
    renderPage(client);
    fireEvent.click(screen.getByRole('link', { name: /All requests of this account/ }));
    expect(useRouteStore.getState().route).toEqual({ page: 'usage' });
    expect(useUsageStore.getState().filters.accountId).toBe('a1');
    await act(settle);
  });

  it('sets a model’s reserve and exclusion through accounts:setModelPref', async () => {
    loadAccount();
    const { client, rec } = setup();
    renderPage(client);
    const row = screen.getByRole('rowheader', { name: 'Gemini Pro' }).closest('tr')!;
    const exclude = within(row).getByRole('checkbox', { name: 'Exclude gemini-pro from selection' }) as HTMLInputElement;
    expect(exclude.checked).toBe(false);
    fireEvent.click(exclude);
    await waitFor(() => expect(exclude.checked).toBe(true));
    expect(rec.prefs).toEqual([{ id: 'a1', model: 'gemini-pro', excluded: true }]);
    expect(useAccountsStore.getState().accountsById['a1']!.modelPrefs).toEqual([{ model: 'gemini-pro', reserve: null, excluded: true }]);

    const reserve = within(row).getByRole('spinbutton', { name: /Reserve for gemini-pro/ });
    fireEvent.change(reserve, { target: { value: '20' } });
    fireEvent.click(within(row).getByRole('button', { name: 'Set' }));
    await waitFor(() => expect(rec.prefs).toHaveLength(2));
    expect(rec.prefs[1]).toEqual({ id: 'a1', model: 'gemini-pro', reserve: 0.2 });
    expect(await within(row).findByText('keeps 20%')).toBeTruthy();

    fireEvent.change(reserve, { target: { value: '150' } });
    fireEvent.click(within(row).getByRole('button', { name: 'Set' }));
    expect(within(row).getByRole('alert').textContent).toBe('A percentage from 0 to 100');
    expect(rec.prefs).toHaveLength(2);
  });

  it('refreshes history and requests when the cycle that changed this account’s quotas ends, throttled', async () => {
    loadAccount();
    const { client, rec } = setup();
    // A throttle window long enough that a loaded machine's slow steps still fall inside it.
    renderPage(client, 'a1', 1500);
    await waitFor(() => expect(rec.history).toHaveLength(1));
    const logCalls = rec.log.length;
    const cycleEnds = () => act(() => client.emit('monitor:syncFinished', report()));

    // Another account's change, or a cycle with no change of this one: nothing to do.
    act(() => client.emit('quota:changed', { accountId: 'a2', quotas: [] }));
    cycleEnds();
    await act(settle);
    expect(rec.history).toHaveLength(1);

    // quota:changed arrives mid-cycle, before the cycle writes its snapshots: wait for its end.
    act(() => client.emit('quota:changed', { accountId: 'a1', quotas: [] }));
    await act(settle);
    expect(rec.history).toHaveLength(1);
    cycleEnds();
    await waitFor(() => expect(rec.history).toHaveLength(2));
    expect(rec.log.length).toBe(logCalls + 1);
    expect(Date.parse(rec.history[1]!.to!)).toBeGreaterThanOrEqual(Date.parse(rec.history[0]!.to!));

    // A burst within the throttle window collapses into one trailing refresh.
    act(() => {
      client.emit('quota:changed', { accountId: 'a1', quotas: [] });
      client.emit('quota:changed', { accountId: 'a1', quotas: [] });
    });
    cycleEnds();
    await act(settle);
    expect(rec.history).toHaveLength(2);
    await waitFor(() => expect(rec.history).toHaveLength(3), { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 1600));
    expect(rec.history).toHaveLength(3);
  });

  it('refreshes after a change outside a sync cycle too (timer fallback)', async () => {
    loadAccount();
    const { client, rec } = setup();
    renderPage(client, 'a1', 100);
    await waitFor(() => expect(rec.history).toHaveLength(1));
    act(() => client.emit('quota:changed', { accountId: 'a1', quotas: [] }));
    await act(settle);
    expect(rec.history).toHaveLength(1);
    await waitFor(() => expect(rec.history).toHaveLength(2), { timeout: 2000 });
    await new Promise((r) => setTimeout(r, 250));
    expect(rec.history).toHaveLength(2);
  });

  it('says when a query fails, and retries', async () => {
    loadAccount();
    let fail = true;
    const { client } = setup({
      'quota:history': () => {
        if (fail) throw new Error('database is locked');
        return HISTORY;
      },
    });
    const { container } = renderPage(client);
    const alert = await screen.findByText(/Could not load the quota history: database is locked/);
    fail = false;
    fireEvent.click(within(alert as HTMLElement).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(container.querySelectorAll('figure.model-history')).toHaveLength(2));
    expect(screen.queryByText(/Could not load the quota history/)).toBeNull();
  });

  it('says "account not found" with a link back for an unknown id', async () => {
    loadAccount();
    const { client } = setup();
    renderPage(client, 'nope');
    expect(screen.getByRole('heading', { name: 'Account not found' })).toBeTruthy();
    expect(screen.getByText('nope')).toBeTruthy();
    expect(client.calls).toEqual([]);
    const back = screen.getByRole('link', { name: 'Back to Accounts' });
    expect(back.getAttribute('href')).toBe('#/accounts');
    fireEvent.click(back);
    expect(useRouteStore.getState().route).toEqual({ page: 'accounts' });
  });

  it('waits for the account list before deciding', () => {
    const { client } = setup();
    renderPage(client);
    expect(screen.getByText('Loading account…')).toBeTruthy();
    expect(screen.queryByText('Account not found')).toBeNull();
  });
});
