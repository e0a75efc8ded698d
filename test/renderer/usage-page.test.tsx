import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContractError, type RequestOf } from '../../src/shared/contract';
import type { LimitUsageView, UsageDailyRow, UsageLogRow, UsageSummaryRow } from '../../src/shared/types';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { UsagePage } from '../../src/renderer/src/pages/usage-page';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { useClockStore } from '../../src/renderer/src/stores/clock-store';
import { useRouteStore } from '../../src/renderer/src/stores/route-store';
import { useUsageStore } from '../../src/renderer/src/stores/usage-store';
import { fakeClient, settle, type FakeClient } from './fake-client';
import { account } from './fixtures';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');

function day(d: string, over: Partial<UsageDailyRow> = {}): UsageDailyRow {
  return { day: d, requests: 0, completed: 0, failed: 0, rejected: 0, inputTokens: 0, outputTokens: 0, cost: 0, ...over };
}

function summary(key: string, label: string, over: Partial<UsageSummaryRow> = {}): UsageSummaryRow {
  return { key, label, requests: 0, completed: 0, failed: 0, rejected: 0, inputTokens: 0, outputTokens: 0, cost: 0, ...over };
}

function logRow(id: number): UsageLogRow {
  return {
    id,
    requestId: `r${id}`,
    attempt: 1,
    accountId: 'a1',
    label: 'work',
    provider: 'openrouter',
    model: `model-${id}`,
    client: null,
    route: 'proxy',
    status: 'completed',
    httpStatus: 200,
    inputTokens: 10,
    outputTokens: 5,
    cost: 0.001,
    error: null,
    startedAt: new Date(NOW - id * 60_000).toISOString(),
    endedAt: null,
    durationMs: 120,
  };
}

const DAILY = ['2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10'].map((d, i) =>
  day(d, i === 5 ? { requests: 40, completed: 38, failed: 2, inputTokens: 1_200_000, outputTokens: 300_000, cost: 12.5 } : i === 6 ? { requests: 10, completed: 10, inputTokens: 45_000, outputTokens: 5_000, cost: 0.0042 } : {}),
);

const LIMIT: LimitUsageView = {
  scope: 'account',
  accountId: 'a1',
  label: 'work',
  limit: 'requests_per_day',
  max: 100,
  used: 92,
  fraction: 0.92,
  resetAt: new Date(NOW + 3 * 3600_000).toISOString(),
  suspended: false,
};

interface Recorded {
  daily: Array<RequestOf<'usage:daily'>>;
  summary: Array<RequestOf<'usage:summary'>>;
  top: Array<RequestOf<'usage:topAccounts'>>;
  near: Array<RequestOf<'usage:nearLimits'>>;
  log: Array<NonNullable<RequestOf<'usage:log'>>>;
}

function setup(over: Partial<FakeClient['handlers']> = {}) {
  const rec: Recorded = { daily: [], summary: [], top: [], near: [], log: [] };
  const client = fakeClient({
    'usage:daily': (req) => {
      rec.daily.push(req!);
      return DAILY;
    },
    'usage:summary': (req) => {
      rec.summary.push(req!);
      return req!.groupBy === 'account'
        ? [summary('a1', 'work', { requests: 45, cost: 12.5, inputTokens: 1_000_000 }), summary('gone', '', { requests: 5, cost: 0.0042, inputTokens: 245_000 })]
        : [summary('gemini-pro', '', { requests: 30, cost: 2, inputTokens: 100 }), summary('claude-opus', '', { requests: 20, cost: 10.5042, inputTokens: 1_144_900 })];
    },
    'usage:topAccounts': (req) => {
      rec.top.push(req);
      return {
        from: '2026-03-09T00:00:00.000Z',
        to: '2026-03-16T00:00:00.000Z',
        rows: [
          { accountId: 'a1', label: 'work', provider: 'openrouter', requests: 45, completed: 43, failed: 2 },
          { accountId: 'a2', label: 'spare', provider: 'claude', requests: 5, completed: 5, failed: 0 },
        ],
      };
    },
    'usage:nearLimits': (req) => {
      rec.near.push(req);
      return [LIMIT];
    },
    'usage:log': (req) => {
      rec.log.push(req!);
      const pages: Record<string, { ids: number[]; next: string | null }> = {
        first: { ids: range(1, 25), next: 'c1' },
        c1: { ids: range(26, 50), next: 'c2' },
        c2: { ids: [51, 52], next: null },
      };
      const page = pages[req!.cursor ?? 'first']!;
      return { rows: page.ids.map(logRow), nextCursor: page.next, hasMore: page.next !== null };
    },
    ...over,
  });
  return { client, rec };
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

function renderPage(client: FakeClient) {
  return render(
    <ClientContext.Provider value={client}>
      <UsagePage />
    </ClientContext.Provider>,
  );
}

const section = (heading: string) => screen.getByRole('heading', { name: heading, level: 2 }).closest('section')!;

beforeEach(() => {
  useClockStore.setState({ now: NOW });
  useUsageStore.getState().reset();
  useRouteStore.setState({ route: { page: 'usage' } });
  useAccountsStore.getState().setAccounts([account({ id: 'a1', label: 'work' }), account({ id: 'a2', label: 'spare' })]);
});
afterEach(() => useUsageStore.getState().reset());

describe('UsagePage', () => {
  it('asks for the last 7 UTC days by default, and for the range picked', async () => {
    const { client, rec } = setup();
    renderPage(client);
    await act(settle);
    const week = { from: '2026-03-04', to: '2026-03-11' };
    expect(rec.daily).toEqual([week]);
    expect(rec.summary).toEqual(expect.arrayContaining([{ ...week, groupBy: 'model' }, { ...week, groupBy: 'account' }]));
    expect(rec.summary).toHaveLength(2);
    expect(rec.top).toEqual([]); // top accounts come from the range's by-account summary
    expect(rec.near).toEqual([{ sort: 'percent' }]);
    expect(rec.log).toEqual([{ ...week, limit: 25 }]);

    fireEvent.click(screen.getByRole('radio', { name: 'Today' }));
    await act(settle);
    expect(rec.daily.at(-1)).toEqual({ from: '2026-03-10', to: '2026-03-11' });
    expect(rec.log.at(-1)).toEqual({ from: '2026-03-10', to: '2026-03-11', limit: 25 });

    fireEvent.click(screen.getByRole('radio', { name: '30 days' }));
    await act(settle);
    expect(rec.daily.at(-1)).toEqual({ from: '2026-02-09', to: '2026-03-11' });
    expect(rec.summary.slice(-2)).toEqual(expect.arrayContaining([{ from: '2026-02-09', to: '2026-03-11', groupBy: 'model' }]));

    // Custom starts from the range on screen; the last day is inclusive.
    fireEvent.click(screen.getByRole('radio', { name: 'Custom' }));
    const fromInput = screen.getByLabelText('From') as HTMLInputElement;
    const toInput = screen.getByLabelText('To') as HTMLInputElement;
    expect([fromInput.value, toInput.value]).toEqual(['2026-02-09', '2026-03-10']);
    fireEvent.change(fromInput, { target: { value: '2026-03-01' } });
    fireEvent.change(toInput, { target: { value: '2026-03-02' } });
    await act(settle);
    expect(rec.daily.at(-1)).toEqual({ from: '2026-03-01', to: '2026-03-03' });

    // An end before the start is refused without asking the service.
    const calls = rec.daily.length;
    fireEvent.change(toInput, { target: { value: '2026-02-20' } });
    await act(settle);
    expect(screen.getByRole('alert').textContent).toBe('The end date is before the start date');
    expect(rec.daily).toHaveLength(calls);
    // The limits do not depend on the range.
    expect(rec.near).toHaveLength(1);
  });

  it('renders totals, per-day bars, the breakdowns, top accounts and limits near their maximum', async () => {
    const { client } = setup();
    const { container } = renderPage(client);
    const perDay = section('Per day');
    await waitFor(() => expect(perDay.querySelector('[data-total="cost"]')!.textContent).toBe('$12.50'));
    expect(perDay.querySelector('[data-total="requests"]')!.textContent).toBe('50');
    expect(perDay.querySelector('[data-total="input"]')!.textContent).toBe('1.25M');
    expect(perDay.querySelector('[data-total="output"]')!.textContent).toBe('305k');
    expect(within(perDay).getByText('2 failed')).toBeTruthy();
    // One cost bar and two token bars (input, output) per day.
    const costFigure = within(perDay).getByRole('heading', { name: 'Cost per day' }).closest('figure')!;
    expect(costFigure.querySelectorAll('rect.chart-bar')).toHaveLength(7);
    const tokenFigure = within(perDay).getByRole('heading', { name: 'Tokens per day' }).closest('figure')!;
    expect(tokenFigure.querySelectorAll('[data-series="input"] rect.chart-bar')).toHaveLength(7);
    expect(tokenFigure.querySelectorAll('[data-series="output"] rect.chart-bar')).toHaveLength(7);
    expect(within(costFigure).getByRole('img').querySelector('desc')!.textContent).toContain('highest $12.50 on Mon 9 Mar');
    // The table alternative has the same numbers.
    fireEvent.click(within(costFigure).getByRole('button', { name: 'Table' }));
    const table = within(costFigure).getByRole('table', { name: 'Cost per day' });
    const rows = within(table).getAllByRole('row').map((r) => r.textContent);
    expect(rows).toHaveLength(1 + 7 + 1);
    expect(rows[6]).toBe('9 Mar 2026402' + '1,200,000300,000$12.50');
    expect(rows[8]).toBe('Total502' + '1,245,000305,000$12.50');

    // By model / by account: sorted by cost, value labels formatted.
    const breakdown = section('By model and by account');
    const byModel = within(breakdown).getByRole('heading', { name: 'By model' }).closest('figure')!;
    expect([...byModel.querySelectorAll('.chart-row-label')].map((t) => t.textContent)).toEqual(['claude-opus', 'gemini-pro']);
    expect([...byModel.querySelectorAll('.chart-value-label')].map((t) => t.textContent)).toEqual(['$10.50', '$2.00']);
    const byAccount = within(breakdown).getByRole('heading', { name: 'By account' }).closest('figure')!;
    expect([...byAccount.querySelectorAll('.chart-row-label')].map((t) => t.textContent)).toEqual(['work', 'gone']);
    fireEvent.click(within(breakdown).getByRole('radio', { name: 'Tokens' }));
    expect([...byModel.querySelectorAll('.chart-value-label')].map((t) => t.textContent)).toEqual(['1.14M', '100']);

    // Top accounts follow the page's range (the same by-account summary), not a calendar week.
    const top = section('Top accounts');
    expect(within(top).getByText('the last 7 days')).toBeTruthy();
    const topRows = within(top).getAllByRole('row').slice(1);
    expect(topRows.map((r) => r.textContent)).toEqual(['work · Antigravity450$12.50', 'a removed account50$0.0042']);
    expect(within(topRows[0]!).getByRole('link', { name: 'work' }).getAttribute('href')).toBe('#/accounts/a1');

    const limits = section('Near a limit');
    const meter = within(limits).getByRole('meter', { name: 'work requests per day used' });
    expect(meter.getAttribute('aria-valuenow')).toBe('92');
    expect(meter.getAttribute('aria-valuetext')).toBe('92% used: 92 of 100');
    expect(within(limits).getByText('92%')).toBeTruthy();
    expect(within(limits).getByText(/frees up in/).textContent).toContain('3h 00m');
    expect(container.querySelector('.near-limit-warn')).toBeTruthy();
  });

  it('filters the request log by account, model and status', async () => {
    const { client, rec } = setup();
    renderPage(client);
    const log = section('Requests');
    await within(log).findByRole('table', { name: 'Requests, newest first' });
    const week = { from: '2026-03-04', to: '2026-03-11', limit: 25 };

    fireEvent.change(within(log).getByLabelText('Account'), { target: { value: 'a2' } });
    await act(settle);
    expect(rec.log.at(-1)).toEqual({ ...week, accountId: 'a2' });
    // Models to filter by come from the range's usage by model.
    const modelSelect = within(log).getByLabelText('Model') as HTMLSelectElement;
    expect([...modelSelect.options].map((o) => o.value)).toEqual(['', 'claude-opus', 'gemini-pro']);
    fireEvent.change(modelSelect, { target: { value: 'gemini-pro' } });
    fireEvent.change(within(log).getByLabelText('Status'), { target: { value: 'failed' } });
    await act(settle);
    expect(rec.log.at(-1)).toEqual({ ...week, accountId: 'a2', model: 'gemini-pro', status: 'failed' });
    // An account removed since still shows up to filter by.
    const accounts = [...(within(log).getByLabelText('Account') as HTMLSelectElement).options].map((o) => o.textContent);
    expect(accounts).toEqual(['All accounts', 'work', 'spare', 'gone (removed)']);

    fireEvent.click(within(log).getByRole('button', { name: 'Clear filters' }));
    await act(settle);
    expect(rec.log.at(-1)).toEqual(week);
  });

  it('pages the log with the cursor: Older twice, then Newer back to the first page', async () => {
    const { client, rec } = setup();
    renderPage(client);
    const log = section('Requests');
    const table = await within(log).findByRole('table', { name: 'Requests, newest first' });
    const firstModel = () => within(log).getAllByRole('row')[1]!.querySelector('.log-model')!.textContent;
    expect(within(table).getAllByRole('row')).toHaveLength(26);
    const newer = within(log).getByRole('button', { name: '← Newer' }) as HTMLButtonElement;
    const older = within(log).getByRole('button', { name: 'Older →' }) as HTMLButtonElement;
    expect(newer.disabled).toBe(true);
    expect(older.disabled).toBe(false);

    fireEvent.click(older);
    await waitFor(() => expect(firstModel()).toBe('model-26'));
    expect(rec.log.at(-1)!.cursor).toBe('c1');
    expect(within(log).getByText('Page 2')).toBeTruthy();

    fireEvent.click(older);
    await waitFor(() => expect(firstModel()).toBe('model-51'));
    expect(rec.log.at(-1)!.cursor).toBe('c2');
    expect(older.disabled).toBe(true);
    expect(newer.disabled).toBe(false);

    fireEvent.click(newer);
    await waitFor(() => expect(firstModel()).toBe('model-26'));
    expect(rec.log.at(-1)!.cursor).toBe('c1');
    fireEvent.click(newer);
    await waitFor(() => expect(firstModel()).toBe('model-1'));
    expect(rec.log.at(-1)!.cursor).toBeUndefined();
    expect(newer.disabled).toBe(true);

    // A new filter starts again from the newest page.
    fireEvent.click(older);
    await waitFor(() => expect(firstModel()).toBe('model-26'));
    fireEvent.change(within(log).getByLabelText('Status'), { target: { value: 'completed' } });
    await waitFor(() => expect(firstModel()).toBe('model-1'));
    expect(rec.log.at(-1)).toEqual({ from: '2026-03-04', to: '2026-03-11', status: 'completed', limit: 25 });
  });

  it('shows the client’s error in the panel that failed and the rest of the page still works', async () => {
    const { client } = setup({
      'usage:daily': () => {
        throw new ContractError({ code: 'internal', message: 'database is locked' });
      },
      'usage:nearLimits': () => {
        throw new ContractError({ code: 'unauthorized', message: 'token refused' });
      },
    });
    renderPage(client);
    const perDay = section('Per day');
    expect((await within(perDay).findByRole('alert')).textContent).toContain('Could not load usage per day: database is locked');
    expect((await within(section('Near a limit')).findByRole('alert')).textContent).toContain('Could not load the limits: token refused');
    expect(await within(section('Requests')).findByRole('table', { name: 'Requests, newest first' })).toBeTruthy();
    expect(within(section('Top accounts')).getAllByRole('row')).toHaveLength(3);
  });

  it('says so when there is no usage at all', async () => {
    const { client } = setup({
      'usage:daily': (req) => [day(req!.from)],
      'usage:summary': () => [],
      'usage:topAccounts': () => ({ from: '2026-03-09T00:00:00.000Z', to: '2026-03-16T00:00:00.000Z', rows: [] }),
      'usage:nearLimits': () => [],
      'usage:log': () => ({ rows: [], nextCursor: null, hasMore: false }),
    });
    renderPage(client);
    expect(await within(section('Requests')).findByText('No requests in this range.')).toBeTruthy();
    expect(within(section('Top accounts')).getByText('No requests in this range.')).toBeTruthy();
    expect(within(section('Near a limit')).getByText(/No limit is close/)).toBeTruthy();
    expect(within(section('By model and by account')).getAllByText('No usage in this range')).toHaveLength(2);
  });
});
