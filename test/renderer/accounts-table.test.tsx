import { act, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { useAccountsView } from '../../src/renderer/src/components/accounts/accounts-view-store';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { useClockStore } from '../../src/renderer/src/stores/clock-store';
import { useQuotaStore } from '../../src/renderer/src/stores/quota-store';
import { renderAccountsPage } from './accounts-fixtures';
import { account, quota } from './fixtures';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

beforeEach(() => {
  useClockStore.setState({ now: NOW });
  useAccountsView.getState().reset();
});

function rowOf(label: string): HTMLElement {
  return screen.getByText(label, { selector: '.account-label' }).closest('tr')!;
}

describe('Accounts table rows', () => {
  it('says so when there are no accounts', () => {
    useAccountsStore.getState().setAccounts([]);
    renderAccountsPage();
    expect(screen.getByText(/No accounts yet/)).toBeTruthy();
  });

  it('says the windows are loading until the readings have been loaded, then why an account has none', () => {
    useAccountsStore.getState().setAccounts([account({ id: 'a1', label: 'work', sync: { lastSuccessAt: null, lastAttemptAt: null, lastErrorCode: null, lastErrorMessage: null, consecutiveFailures: 0, nextAttemptAt: null } })]);
    renderAccountsPage();
    expect(within(rowOf('work')).getByText('loading windows…')).toBeTruthy();
    act(() => useQuotaStore.getState().loadAll([], 0));
    expect(within(rowOf('work')).getByText('waiting for the first sync')).toBeTruthy();
  });

  it('renders per model a bar, percent, decision badge and reset countdown', () => {
    useAccountsStore.getState().setAccounts([account({ id: 'a1', label: 'work', email: 'me@example.com', tier: 'ultra' }), account({ id: 'a2', label: 'spare', status: 'invalid_credentials', statusReason: 'refresh token revoked' })]);
    useQuotaStore.getState().loadAll(
      [
        quota({ accountId: 'a1', model: 'gemini-pro', displayName: 'Gemini Pro', remainingFraction: 0.42, resetAt: iso(2 * 3600_000 + 5 * 60_000) }),
        quota({
          accountId: 'a1',
          model: 'claude-sonnet',
          remainingFraction: 0.05,
          decision: { kind: 'low', remainingFraction: 0.05, resetAt: iso(90_000), reason: null },
        }),
        quota({
          accountId: 'a2',
          model: 'gemini-pro',
          remainingFraction: 0,
          decision: { kind: 'exhausted', remainingFraction: 0, resetAt: iso(30_000), reason: 'locked' },
          stale: true,
          fetchedAt: iso(-3 * 3600_000),
        }),
        quota({ accountId: 'a2', model: 'other', remainingFraction: null, decision: { kind: 'unknown', remainingFraction: null, resetAt: null, reason: null } }),
      ],
      0,
    );
    renderAccountsPage();

    const work = rowOf('work');
    expect(within(work).getByText('me@example.com')).toBeTruthy();
    expect(within(work).getByText('ultra')).toBeTruthy();
    const bars = within(work).getAllByRole('meter');
    // Sorted by model id: claude-sonnet, then gemini-pro.
    expect(bars.map((b) => b.getAttribute('aria-valuenow'))).toEqual(['5', '42']);
    expect(bars[1]!.getAttribute('aria-label')).toBe('work Gemini Pro remaining');
    expect(bars[0]!.className).toContain('quota-bar-low');
    expect(within(work).getByText('42%')).toBeTruthy();
    expect(within(work).getByText('low', { selector: '.badge' })).toBeTruthy();
    expect(within(work).getByText('proceed', { selector: '.badge' })).toBeTruthy();
    expect(within(work).getByText('2h 05m')).toBeTruthy();
    expect(within(work).getByText('1m 30s')).toBeTruthy();
    expect(within(work).queryByText(/stale/)).toBeNull();

    const spare = rowOf('spare');
    expect(within(spare).getByText('invalid credentials')).toBeTruthy();
    expect(within(spare).getByText('refresh token revoked')).toBeTruthy();
    const exhausted = within(spare).getByText('exhausted', { selector: '.badge' });
    expect(exhausted.textContent).toContain('locked');
    expect(within(spare).getByText(/stale/).textContent).toBe('stale · 3h ago');
    const unknownBar = within(spare).getAllByRole('meter')[1]!;
    expect(unknownBar.getAttribute('aria-valuenow')).toBeNull();
    expect(unknownBar.getAttribute('aria-valuetext')).toBe('unknown');
    expect(within(spare).getByText('unknown', { selector: '.badge' })).toBeTruthy();
  });

  it('updates a row when its quotas change and counts down on the shared clock', () => {
    useAccountsStore.getState().setAccounts([account({ id: 'a1', label: 'work' })]);
    useQuotaStore.getState().applyChanged({ accountId: 'a1', quotas: [quota({ accountId: 'a1', model: 'm', remainingFraction: 0.8, resetAt: iso(65_000) })] });
    renderAccountsPage();
    expect(screen.getByText('1m 05s')).toBeTruthy();
    act(() => useClockStore.setState({ now: NOW + 10_000 }));
    act(() => useQuotaStore.getState().applyChanged({
      accountId: 'a1',
      quotas: [quota({ accountId: 'a1', model: 'm', remainingFraction: 0, resetAt: iso(65_000), decision: { kind: 'exhausted', remainingFraction: 0, resetAt: iso(65_000), reason: null } })],
    }));
    expect(screen.getByText('55s')).toBeTruthy();
    expect(screen.getByRole('meter').getAttribute('aria-valuenow')).toBe('0');
    expect(screen.getByText('exhausted', { selector: '.badge' })).toBeTruthy();
  });

  it('shows a failing sync per row: the message, the failure count and when it retries', () => {
    useAccountsStore.getState().setAccounts([
      account({ id: 'ok', label: 'fine' }),
      account({
        id: 'bad',
        label: 'flaky',
        sync: { lastSuccessAt: iso(-3600_000), lastAttemptAt: iso(-60_000), lastErrorCode: 'upstream_5xx', lastErrorMessage: 'upstream answered HTTP 503', consecutiveFailures: 3, nextAttemptAt: iso(90_000) },
      }),
    ]);
    renderAccountsPage();
    const flaky = rowOf('flaky');
    expect(within(flaky).getByText(/Sync failed 3×: upstream answered HTTP 503/)).toBeTruthy();
    expect(within(flaky).getByText('1m 30s')).toBeTruthy();
    expect(within(rowOf('fine')).queryByText(/Sync failed/)).toBeNull();
  });
});
