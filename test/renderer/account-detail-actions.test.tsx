// The account page's actions (sync now, probe, clear a lock, reactivate, edit, remove), each with
// its feedback and surviving errors; "next attempt" told truthfully; provider facts in words.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContractError, type RequestOf } from '../../src/shared/contract';
import type { AccountView, QuotaView } from '../../src/shared/types';
import { nextAttempt } from '../../src/renderer/src/components/account-detail/next-attempt';
import { useActionNotes } from '../../src/renderer/src/components/accounts/account-actions';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { AccountPage } from '../../src/renderer/src/pages/account-page';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { useClockStore } from '../../src/renderer/src/stores/clock-store';
import { useQuotaStore } from '../../src/renderer/src/stores/quota-store';
import { useRouteStore } from '../../src/renderer/src/stores/route-store';
import { useStatsStore } from '../../src/renderer/src/stores/stats-store';
import { fakeClient, settle, type FakeClient } from './fake-client';
import { account, quota, stats } from './fixtures';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

type Handlers = FakeClient['handlers'];

function client(over: Handlers = {}) {
  return fakeClient({
    'quota:history': () => [],
    'usage:daily': () => [],
    'usage:log': () => ({ rows: [], nextCursor: null, hasMore: false }),
    'settings:get': () => ({ lowThreshold: 0.1, limitsDryRun: false }) as never,
    'limits:get': (req) => [{ scope: req!.scope!, label: 'x', requestsPerHour: null, requestsPerDay: null, inputTokensPerMonth: null, outputTokensPerMonth: null, costPerMonth: null, usage: [] }],
    ...over,
  });
}

function show(c: FakeClient, a: AccountView, quotas: QuotaView[] = []) {
  useAccountsStore.getState().setAccounts([a]);
  useQuotaStore.getState().loadAll(quotas, 0);
  useRouteStore.setState({ route: { page: 'account', id: a.id } });
  return render(
    <ClientContext.Provider value={c}>
      <AccountPage id={a.id} />
    </ClientContext.Provider>,
  );
}

const actions = () => screen.getByRole('group', { name: 'Account actions' });

beforeEach(() => {
  useClockStore.setState({ now: NOW });
  useActionNotes.getState().reset();
  useStatsStore.getState().reset();
});
afterEach(() => useActionNotes.getState().reset());

describe('next attempt, told truthfully', () => {
  const active = account({ id: 'a1' });
  const running = { paused: false, running: true, nextSyncAt: iso(60_000) };
  it('API keys are not polled; suspended accounts wait for Reactivate; switched off and paused are not polled', () => {
    expect(nextAttempt({ ...active, provider: 'openai' }, [], running)).toMatchObject({ kind: 'never', text: expect.stringContaining('no quota endpoint') });
    expect(nextAttempt({ ...active, status: 'suspended' }, [], running)).toMatchObject({ kind: 'never', text: expect.stringContaining('reactivate') });
    expect(nextAttempt({ ...active, status: 'invalid_credentials' }, [], running)).toMatchObject({ kind: 'never', text: expect.stringContaining('reactivate') });
    expect(nextAttempt({ ...active, status: 'disabled' }, [], running)).toMatchObject({ kind: 'never', text: expect.stringContaining('switched off') });
    expect(nextAttempt(active, [], { ...running, paused: true })).toMatchObject({ kind: 'never', text: expect.stringContaining('paused') });
  });
  it("otherwise the monitor's plan (nextPollAt), naming a poll floor that holds it back", () => {
    expect(nextAttempt(active, [{ nextPollAt: iso(60_000) }], running)).toEqual({ kind: 'at', at: iso(60_000), why: null });
    expect(nextAttempt(active, [{ nextPollAt: iso(600_000) }, { nextPollAt: iso(600_000) }], running)).toEqual({ kind: 'at', at: iso(600_000), why: "the provider's poll floor" });
    // No readings yet: the account's retry time, else the next cycle.
    expect(nextAttempt({ ...active, sync: { ...active.sync, nextAttemptAt: iso(5000), consecutiveFailures: 2 } }, [], running)).toEqual({ kind: 'at', at: iso(5000), why: 'backing off after failures' });
    expect(nextAttempt(active, [], running)).toEqual({ kind: 'at', at: iso(60_000), why: null });
  });
  it('shows on the page as a countdown with the local time', async () => {
    useStatsStore.getState().applyStats(stats({ running: true, paused: false, nextSyncAt: iso(60_000) }));
    show(client(), account({ id: 'a1' }), [quota({ accountId: 'a1', model: 'm', nextPollAt: iso(125_000) })]);
    expect(screen.getByTestId('next-attempt').textContent).toMatch(/^in 2m 05s \(.+\)$/);
    await act(settle);
  });
});

describe('the account page actions', () => {
  it('Sync now asks monitor:syncAccount, shows the new readings and says so', async () => {
    const asked: Array<RequestOf<'monitor:syncAccount'>> = [];
    const c = client({
      'monitor:syncAccount': (req) => {
        asked.push(req!);
        return [quota({ accountId: 'a1', model: 'gemini-pro', displayName: 'Gemini Pro', remainingFraction: 0.25 })];
      },
    });
    show(c, account({ id: 'a1' }), [quota({ accountId: 'a1', model: 'gemini-pro', displayName: 'Gemini Pro', remainingFraction: 0.9 })]);
    fireEvent.click(within(actions()).getByRole('button', { name: 'Sync now' }));
    expect(await within(actions()).findByText(/Synced: 1 window read — lowest 25% left/)).toBeTruthy();
    expect(asked).toEqual([{ id: 'a1' }]);
    expect(useQuotaStore.getState().byAccount['a1']![0]!.remainingFraction).toBe(0.25);
    expect(screen.getByRole('meter', { name: 'Gemini Pro remaining' }).getAttribute('aria-valuenow')).toBe('25');
  });

  it('a failed sync says what went wrong, stays, and the button works again', async () => {
    let fail = true;
    const c = client({
      'monitor:syncAccount': () => {
        if (fail) throw new ContractError({ code: 'upstream_error', message: 'upstream answered 503' } as never);
        return [];
      },
    });
    show(c, account({ id: 'a1' }));
    const button = within(actions()).getByRole('button', { name: 'Sync now' });
    fireEvent.click(button);
    const alert = await within(actions()).findByRole('alert');
    expect(alert.textContent).toContain('Sync failed: upstream answered 503');
    expect((button as HTMLButtonElement).disabled).toBe(false);
    fail = false;
    fireEvent.click(button);
    expect(await within(actions()).findByText(/Synced: no windows in the answer/)).toBeTruthy();
  });

  it('Probe key for an API key, and no Sync now', async () => {
    const c = client({ 'quota:probe': (req) => [quota({ accountId: req!.accountId, model: 'gpt-5', remainingFraction: 0.8 })] });
    show(c, account({ id: 'k1', provider: 'openai', label: 'OpenAI key' }));
    expect(within(actions()).queryByRole('button', { name: 'Sync now' })).toBeNull();
    fireEvent.click(within(actions()).getByRole('button', { name: 'Probe key' }));
    expect(await within(actions()).findByText(/Probe answered: 1 window read/)).toBeTruthy();
    expect(screen.getByTestId('next-attempt').textContent).toContain('no quota endpoint');
  });

  it('clears a lock and shows it gone', async () => {
    const cleared: Array<RequestOf<'quota:clearLock'>> = [];
    const locked = quota({ accountId: 'a1', model: 'gemini-pro', lock: { accountId: 'a1', model: 'gemini-pro', kind: 'quota', lockedUntil: iso(3_600_000), reason: '429' } });
    const c = client({
      'quota:clearLock': (req) => {
        cleared.push(req!);
        return { cleared: true };
      },
      'quota:list': () => [{ ...locked, lock: null }],
    });
    show(c, account({ id: 'a1' }), [locked]);
    fireEvent.click(within(actions()).getByRole('button', { name: 'Clear lock' }));
    expect(await within(actions()).findByText('Cleared 1 lock.')).toBeTruthy();
    expect(cleared).toEqual([{ accountId: 'a1', model: 'gemini-pro' }]);
    expect(within(actions()).queryByRole('button', { name: /Clear/ })).toBeNull();
  });

  it('a suspended account says what went wrong and what to do; Reactivate reports a second refusal', async () => {
    const suspended = account({ id: 'a1', status: 'suspended', statusReason: 'Terms of service violation' });
    const c = client({ 'accounts:reactivate': () => ({ ...suspended, statusReason: 'still refused: account disabled by the provider' }) });
    show(c, suspended);
    const box = within(actions()).getByRole('note');
    expect(box.textContent).toContain('Suspended: Terms of service violation');
    expect(box.textContent).toContain('when it is in order, Reactivate');
    // Not synced while refused: Reactivate retries it.
    expect(within(actions()).queryByRole('button', { name: 'Sync now' })).toBeNull();
    fireEvent.click(within(actions()).getByRole('button', { name: 'Reactivate' }));
    const alert = await within(actions()).findByRole('alert');
    expect(alert.textContent).toContain('Still suspended: still refused: account disabled by the provider');
  });

  it('Reactivate that works makes the account active', async () => {
    const refused = account({ id: 'a1', provider: 'openrouter', status: 'invalid_credentials', statusReason: 'key revoked' });
    const c = client({ 'accounts:reactivate': () => ({ ...refused, status: 'active', statusReason: null }) });
    show(c, refused);
    expect(within(actions()).getByRole('note').textContent).toContain('replace it');
    fireEvent.click(within(actions()).getByRole('button', { name: 'Reactivate' }));
    expect(await screen.findByText(/Reactivated: the account is active/)).toBeTruthy();
    expect(useAccountsStore.getState().accountsById['a1']!.status).toBe('active');
    expect(screen.queryByRole('button', { name: 'Reactivate' })).toBeNull();
  });

  it('a dead refresh token offers Sign in again', async () => {
    show(client(), account({ id: 'a1', provider: 'claude', status: 'invalid_credentials', sync: { ...account({ id: 'x' }).sync, lastErrorCode: 'invalid_grant' } }));
    expect(within(actions()).getByRole('button', { name: 'Sign in again' })).toBeTruthy();
    await act(settle);
  });

  it('edits label, tier and reserve; the page shows the new label', async () => {
    const updates: Array<RequestOf<'accounts:update'>> = [];
    const a = account({ id: 'a1', label: 'work' });
    const c = client({
      'accounts:update': (req) => {
        updates.push(req!);
        return { ...a, label: req!.label!, tier: req!.tier!, reserve: req!.reserve ?? null };
      },
    });
    show(c, a);
    fireEvent.click(within(actions()).getByRole('button', { name: 'Edit…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit account' });
    fireEvent.change(within(dialog).getByLabelText('Label'), { target: { value: 'work (main)' } });
    fireEvent.change(within(dialog).getByLabelText('Tier'), { target: { value: 'ultra' } });
    fireEvent.change(within(dialog).getByLabelText('Reserve'), { target: { value: '15' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('heading', { name: 'work (main)', level: 2 })).toBeTruthy();
    expect(updates).toEqual([{ id: 'a1', label: 'work (main)', tier: 'ultra', reserve: 0.15 }]);
    expect(screen.getByText('keep 15%')).toBeTruthy();
  });

  it('a refused edit keeps the dialog open with the reason', async () => {
    const c = client({
      'accounts:update': () => {
        throw new ContractError({ code: 'bad_request', message: 'label: too long' } as never);
      },
    });
    show(c, account({ id: 'a1' }));
    fireEvent.click(within(actions()).getByRole('button', { name: 'Edit…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit account' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Not saved: label: too long');
  });

  it('removes the account after asking, and goes back to the list', async () => {
    const removed: string[] = [];
    const c = client({
      'accounts:remove': (req) => {
        removed.push(req!.id);
        useAccountsStore.getState().setAccounts([]);
        return { removed: true };
      },
    });
    show(c, account({ id: 'a1' }));
    fireEvent.click(within(actions()).getByRole('button', { name: 'Remove…' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Remove account' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove account' }));
    await waitFor(() => expect(useRouteStore.getState().route).toEqual({ page: 'accounts' }));
    expect(removed).toEqual(['a1']);
  });
});

describe('the details panel', () => {
  it('speaks in words and units, and a 200-character label wraps', async () => {
    const long = 'x'.repeat(200);
    show(client(), account({ id: 'a1', provider: 'claude', label: long, details: { subscriptionType: 'max', fiveHourUtilization: 95, extraUsageEnabled: false } }));
    const facts = document.querySelector('.provider-facts')!;
    expect(facts.textContent).toContain('5-hour window95% used');
    expect(facts.textContent).not.toContain('Utilization');
    expect(screen.getByRole('heading', { name: long, level: 2 })).toBeTruthy();
    await act(settle);
  });
});

describe('every window of a reading on the account page', () => {
  it('shows the windows beside the binding one, named for people, with their resets', async () => {
    const q = quota({
      accountId: 'a1',
      model: '*',
      window: '5h',
      remainingFraction: 0.04,
      resetAt: iso(3 * 3_600_000),
      windows: [
        { window: '5h', remainingFraction: 0.04, resetAt: iso(3 * 3_600_000) },
        { window: 'weekly', remainingFraction: 0.6, resetAt: iso(50 * 3_600_000) },
      ],
    });
    show(client(), account({ id: 'a1', provider: 'claude' }), [q]);
    const other = document.querySelector('.other-window')!;
    expect(other.textContent).toBe('Weekly limit: 60% left · resets in 2d 2h');
    await act(settle);
  });
});
