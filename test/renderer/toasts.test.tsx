import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ThresholdCrossedEvent } from '../../src/shared/contract';
import { Toasts, useToastFeed } from '../../src/renderer/src/components/toasts';
import { useRouteStore } from '../../src/renderer/src/stores/route-store';
import { crossingToast, limitToast, MAX_TOASTS, useToastStore, whenText } from '../../src/renderer/src/stores/toast-store';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { useQuotaStore } from '../../src/renderer/src/stores/quota-store';
import { account, quota } from './fixtures';
import { fakeClient, type FakeClient } from './fake-client';

const crossing = (i: number, to: ThresholdCrossedEvent['to'], accountId = `acc-${i}`): ThresholdCrossedEvent => ({
  accountId,
  label: `Account ${i}`,
  model: 'gemini-3-pro-high',
  from: 'proceed',
  to,
  remainingFraction: to === 'exhausted' ? 0 : to === 'low' ? 0.04 : 0.5,
  resetAt: '2026-11-23T18:00:00.000Z',
});

function Harness({ client }: { client: FakeClient }) {
  useToastFeed(client);
  return <Toasts />;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  useToastStore.getState().reset();
  useRouteStore.getState().navigate({ page: 'overview' });
});

describe('live alerts', () => {
  it('shows one toast per crossing when a few arrive, with a link to the account', () => {
    const client = fakeClient({});
    render(<Harness client={client} />);
    act(() => client.emit('quota:threshold', crossing(1, 'low')));
    expect(screen.queryAllByRole('status')).toHaveLength(0); // held briefly to group a burst
    act(() => void vi.advanceTimersByTime(500));
    const toast = screen.getByRole('status');
    expect(toast.textContent).toContain('Account 1: Gemini 3 Pro High is low');
    expect(toast.textContent).toContain('4% left');
    expect(toast.className).toContain('toast-warn');
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    expect(useRouteStore.getState().route).toEqual({ page: 'account', id: 'acc-1' });
  });

  it('groups a burst of crossings into one toast naming the first few', () => {
    const client = fakeClient({});
    render(<Harness client={client} />);
    act(() => {
      for (let i = 1; i <= 6; i++) client.emit('quota:threshold', crossing(i, i <= 2 ? 'exhausted' : 'low'));
      client.emit('quota:threshold', crossing(7, 'proceed'));
    });
    act(() => void vi.advanceTimersByTime(500));
    const toasts = screen.getAllByRole('status');
    expect(toasts).toHaveLength(1);
    expect(toasts[0]!.textContent).toContain('7 quotas changed: 2 exhausted, 4 low, 1 recovered');
    expect(toasts[0]!.textContent).toContain('Account 1: Gemini 3 Pro High; Account 2: Gemini 3 Pro High; Account 3: Gemini 3 Pro High and 4 more');
    expect(toasts[0]!.className).toContain('toast-bad');
    expect(screen.queryByRole('button', { name: 'Open' })).toBeNull(); // several accounts: no single target
  });

  it('dismisses by hand and by itself, and never stacks more than a few', () => {
    const client = fakeClient({});
    render(<Harness client={client} />);
    for (let i = 1; i <= 6; i++) {
      act(() => client.emit('usage:limitWarning', { scope: 'account', accountId: `a${i}`, label: `A${i}`, limit: 'requests_per_hour', max: 100, used: 90, percent: 90, resetAt: '2026-11-23T13:00:00.000Z' }));
    }
    expect(MAX_TOASTS).toBe(3);
    expect(screen.getAllByRole('status')).toHaveLength(MAX_TOASTS);
    expect(screen.getAllByRole('status')[0]!.textContent).toContain('A4: requests per hour at 90% of the limit');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss: A6: requests per hour at 90% of the limit' }));
    expect(screen.getAllByRole('status')).toHaveLength(MAX_TOASTS - 1);
    act(() => void vi.advanceTimersByTime(13_000));
    expect(screen.queryAllByRole('status')).toHaveLength(0);
  });

  it('names the account as it is now and the window for people, with times relative and in the user locale', () => {
    vi.setSystemTime(new Date('2026-11-23T12:00:00.000Z'));
    useAccountsStore.getState().setAccounts([account({ id: 'acc-1', label: 'Work Claude' })]);
    useQuotaStore.getState().loadAll([quota({ accountId: 'acc-1', model: '*opus*', window: 'weekly-opus' }), quota({ accountId: 'acc-1', model: 'gemini-3-pro-high', displayName: 'Gemini 3 Pro (High)' })], 0);
    const opus = crossingToast({ ...crossing(1, 'exhausted'), model: '*opus*', label: 'old-name' });
    expect(opus.title).toBe('Work Claude: Opus · weekly ran out');
    const local = new Date('2026-11-23T18:00:00.000Z').toLocaleString(undefined, { hour: '2-digit', minute: '2-digit' });
    expect(opus.body).toBe(`0% left, resets in 6h 00m (${local})`);
    expect(crossingToast(crossing(1, 'low')).title).toBe('Work Claude: Gemini 3 Pro (High) is low');
    // Exhausted with quota left is a 429 lock, not a spent quota.
    expect(crossingToast({ ...crossing(1, 'exhausted'), remainingFraction: 1 })).toMatchObject({ title: 'Work Claude: Gemini 3 Pro (High) is rate-limited', body: `locked, frees up in 6h 00m (${local})` });
    expect(whenText('2026-11-25T18:00:00.000Z')).toMatch(/^in 2d 6h \(.+\)$/);
    const limit = limitToast({ scope: 'account', accountId: 'acc-1', limit: 'cost_per_month', max: 20, used: 18, percent: 90, resetAt: '2026-12-01T00:00:00.000Z' });
    expect(limit.title).toBe('Work Claude: spending this month at 90% of the limit');
    expect(limit.body).toMatch(/^\$18\.00 of \$20\.00; frees up in 7d 12h \(.+\)$/);
  });
});
