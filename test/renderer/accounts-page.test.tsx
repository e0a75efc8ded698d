import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { selectAccounts, EMPTY_QUERY } from '../../src/renderer/src/components/accounts/account-filter';
import { visibleRange } from '../../src/renderer/src/components/accounts/use-virtual-rows';
import { useQuotaStore } from '../../src/renderer/src/stores/quota-store';
import { useRouteStore } from '../../src/renderer/src/stores/route-store';
import { many, renderAccountsPage, seed } from './accounts-fixtures';
import { account, quota } from './fixtures';

const renderedRows = () => [...document.querySelectorAll<HTMLElement>('tr[data-row-key]')];
const rowIndexes = () => renderedRows().map((r) => Number(r.getAttribute('aria-rowindex')));
const count = () => screen.getByRole('status').textContent;

describe('Accounts page: a windowed list', () => {
  it('renders only a window of rows for 1,000 accounts, with spacers standing in for the rest', () => {
    const { accounts, quotas } = many(1000);
    seed(accounts, quotas);
    renderAccountsPage();
    const table = screen.getByRole('table');
    expect(table.getAttribute('aria-rowcount')).toBe('1001');
    const rows = renderedRows();
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(rowIndexes()[0]).toBe(2); // the header is row 1
    expect(within(rows[0]!).getByText('account 0')).toBeTruthy();
    const bottom = document.querySelectorAll<HTMLElement>('tr.spacer td');
    expect(bottom).toHaveLength(1);
    expect(parseFloat(bottom[0]!.style.height)).toBeGreaterThan(10_000);
    expect(count()).toBe('1,000 accounts');
  });

  it('moves the window when the list scrolls', () => {
    const { accounts, quotas } = many(1000);
    seed(accounts, quotas);
    renderAccountsPage();
    const scroller = screen.getByRole('region', { name: 'Accounts (scrollable list)' });
    act(() => {
      scroller.scrollTop = 38_000;
      fireEvent.scroll(scroller);
    });
    const idx = rowIndexes();
    expect(idx.length).toBeLessThan(40);
    expect(idx[0]).toBeGreaterThan(400);
    // Contiguous, in order, and the spacer above stands for the rows skipped.
    expect(idx).toEqual(idx.map((_, i) => idx[0]! + i));
    expect(screen.queryByText('account 0')).toBeNull();
    expect(screen.getByText(`account ${idx[0]! - 2}`)).toBeTruthy();
    expect(document.querySelectorAll('tr.spacer')).toHaveLength(2);
  });

  it('keeps rows keyboard reachable: each links to its account page', () => {
    seed([account({ id: 'a1', label: 'work' })]);
    renderAccountsPage();
    const link = screen.getByRole('link', { name: 'work' });
    expect(link.getAttribute('href')).toBe('#/accounts/a1');
    fireEvent.click(link);
    expect(useRouteStore.getState().route).toEqual({ page: 'account', id: 'a1' });
  });
});

describe('Accounts page: search, filters and counts', () => {
  it('searches label, email, provider and model names, and says how many match', () => {
    const { accounts, quotas } = many(1000);
    seed(accounts, quotas);
    renderAccountsPage();
    const search = screen.getByLabelText('Search');

    fireEvent.change(search, { target: { value: 'user123@' } });
    expect(count()).toBe('Showing 1 of 1,000');
    expect(renderedRows().map((r) => r.dataset.rowKey)).toEqual(['acc-0123']);

    fireEvent.change(search, { target: { value: 'claude' } }); // provider
    expect(count()).toBe('Showing 40 of 1,000');
    fireEvent.change(search, { target: { value: 'opus' } }); // model
    expect(count()).toBe('Showing 40 of 1,000');
    fireEvent.change(search, { target: { value: 'ACCOUNT 999' } }); // any case
    expect(renderedRows().map((r) => r.dataset.rowKey)).toEqual(['acc-0999']);
    // Each word matches anywhere: "99" in a label or an email (99, 199, … 899, 990–999).
    fireEvent.change(search, { target: { value: 'account 99' } });
    expect(count()).toBe('Showing 19 of 1,000');
  });

  it('filters by provider, status and decision, together, and clears', () => {
    const { accounts, quotas } = many(1000);
    accounts[3] = { ...accounts[3]!, status: 'disabled' };
    accounts[50] = { ...accounts[50]!, status: 'invalid_credentials' };
    seed(accounts, quotas);
    renderAccountsPage();

    fireEvent.change(screen.getByLabelText('Provider'), { target: { value: 'claude' } });
    expect(count()).toBe('Showing 40 of 1,000');
    fireEvent.change(screen.getByLabelText('Decision'), { target: { value: 'attention' } });
    // Every 25th is claude, every 10th is low: the multiples of 50.
    expect(count()).toBe('Showing 20 of 1,000');
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'invalid_credentials' } });
    expect(count()).toBe('Showing 1 of 1,000');
    expect(renderedRows().map((r) => r.dataset.rowKey)).toEqual(['acc-0050']);

    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(count()).toBe('1,000 accounts');
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'disabled' } });
    expect(renderedRows().map((r) => r.dataset.rowKey)).toEqual(['acc-0003']);
  });

  it('says when nothing matches, with a way out', () => {
    const { accounts, quotas } = many(20);
    seed(accounts, quotas);
    renderAccountsPage();
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'nobody-has-this' } });
    expect(count()).toBe('Showing 0 of 20');
    expect(screen.getByText(/No accounts match these filters/)).toBeTruthy();
    fireEvent.click(within(screen.getByRole('table')).getByRole('button', { name: 'Clear filters' }));
    expect(count()).toBe('20 accounts');
  });

  it('follows live readings: an account turning low joins the decision filter', () => {
    const { accounts, quotas } = many(30);
    seed(accounts, quotas);
    renderAccountsPage();
    fireEvent.change(screen.getByLabelText('Decision'), { target: { value: 'exhausted' } });
    expect(count()).toBe('Showing 0 of 30');
    act(() =>
      useQuotaStore.getState().applyChangedBatch([
        { accountId: 'acc-0007', quotas: [quota({ accountId: 'acc-0007', model: 'gemini-pro', remainingFraction: 0, decision: { kind: 'exhausted', remainingFraction: 0, resetAt: null, reason: null } })] },
      ]),
    );
    expect(count()).toBe('Showing 1 of 30');
    expect(renderedRows().map((r) => r.dataset.rowKey)).toEqual(['acc-0007']);
  });

  it('sorts by a column header, the same header again reversing it', () => {
    seed(
      [account({ id: 'a', label: 'beta', tier: 'free', provider: 'openai' }), account({ id: 'b', label: 'Alpha', tier: 'ultra', provider: 'claude' }), account({ id: 'c', label: 'gamma', tier: 'pro', provider: 'codex' })],
      [quota({ accountId: 'a', model: 'm', remainingFraction: 0.2 }), quota({ accountId: 'b', model: 'm', remainingFraction: 0.9 })],
    );
    renderAccountsPage();
    const keys = () => renderedRows().map((r) => r.dataset.rowKey);
    expect(keys()).toEqual(['a', 'b', 'c']);
    const header = (name: string) => screen.getByRole('button', { name });
    fireEvent.click(header('Account'));
    expect(keys()).toEqual(['b', 'a', 'c']);
    expect(header('Account').closest('th')!.getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(header('Account'));
    expect(keys()).toEqual(['c', 'a', 'b']);
    expect(header('Account').closest('th')!.getAttribute('aria-sort')).toBe('descending');
    fireEvent.click(header('Tier'));
    expect(keys()).toEqual(['b', 'c', 'a']);
    fireEvent.click(header('Lowest remaining')); // no readings last
    expect(keys()).toEqual(['a', 'b', 'c']);
    fireEvent.click(header('Provider'));
    expect(keys()).toEqual(['b', 'c', 'a']);
  });
});

describe('selectAccounts', () => {
  it('puts accounts without readings last whichever way "lowest remaining" runs', () => {
    const byId = Object.fromEntries(['x', 'y', 'z'].map((id) => [id, account({ id })]));
    const quotas = { x: [quota({ accountId: 'x', model: 'm', remainingFraction: 0.7 })], z: [quota({ accountId: 'z', model: 'm', remainingFraction: 0.1 })] };
    expect(selectAccounts(['x', 'y', 'z'], byId, quotas, { ...EMPTY_QUERY, sort: 'remaining', dir: 'asc' })).toEqual(['z', 'x', 'y']);
    expect(selectAccounts(['x', 'y', 'z'], byId, quotas, { ...EMPTY_QUERY, sort: 'remaining', dir: 'desc' })).toEqual(['x', 'z', 'y']);
  });
});

describe('visibleRange', () => {
  const offsets = Float64Array.from({ length: 101 }, (_, i) => i * 100); // 100 rows of 100 px

  it('covers the viewport plus the overscan, and at least the extra rows on each side', () => {
    expect(visibleRange(offsets, { top: 0, height: 500 }, 0, 0)).toEqual([0, 5]);
    expect(visibleRange(offsets, { top: 1050, height: 500 }, 0, 0)).toEqual([10, 16]);
    expect(visibleRange(offsets, { top: 1050, height: 500 }, 200, 0)).toEqual([8, 18]);
    expect(visibleRange(offsets, { top: 1050, height: 500 }, 0, 2)).toEqual([8, 18]);
  });

  it('clamps at both ends and copes with an empty list', () => {
    expect(visibleRange(offsets, { top: 9800, height: 500 }, 200, 2)).toEqual([94, 100]);
    expect(visibleRange(offsets, { top: 99_999, height: 500 }, 0, 0)).toEqual([99, 100]);
    expect(visibleRange(new Float64Array([0]), { top: 0, height: 500 }, 200, 2)).toEqual([0, 0]);
  });
});
