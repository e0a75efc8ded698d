// The notification batcher in front of the Notifier port: a window from the first notification,
// up to three delivered one by one, more grouped into one; quiet while disabled.
import { describe, expect, it } from 'vitest';
import { createNotificationBatcher, groupNotifications } from '../../src/main/core/notify/notification-batcher';
import type { Notification } from '../../src/main/core/ports';
import { FakeClock } from '../helpers/harness';

const low = (i: number, accountId = `acc-${i}`): Notification => ({ title: `Account ${i}: gemini-3-pro-high low`, body: '5% remaining', accountId, kind: 'low' });

function setup(windowMs = 1000) {
  const clock = new FakeClock();
  const out: Notification[] = [];
  let enabled = true;
  const batcher = createNotificationBatcher({ notify: (n) => out.push(n) }, { clock, windowMs, enabled: () => enabled });
  return { clock, out, batcher, setEnabled: (v: boolean) => (enabled = v) };
}

describe('notification batcher', () => {
  it('holds notifications for the window from the first one, then delivers up to three one by one', () => {
    const { clock, out, batcher } = setup();
    batcher.notify(low(1));
    clock.advance(600);
    batcher.notify(low(2));
    batcher.notify(low(3));
    expect(out).toEqual([]);
    clock.advance(399);
    expect(out).toEqual([]);
    clock.advance(1);
    expect(out).toEqual([low(1), low(2), low(3)]);
    // The next burst opens a new window.
    batcher.notify(low(4));
    clock.advance(1000);
    expect(out).toHaveLength(4);
    expect(clock.pending()).toBe(0);
  });

  it('groups more than three into one that says how many and lists the first few', () => {
    const { clock, out, batcher } = setup();
    for (let i = 1; i <= 7; i++) batcher.notify(low(i));
    clock.advance(1000);
    expect(out).toEqual([
      {
        title: '7 quotas ran low',
        body: 'Account 1: gemini-3-pro-high low\nAccount 2: gemini-3-pro-high low\nAccount 3: gemini-3-pro-high low\n…and 4 more',
        kind: 'low',
      },
    ]);
  });

  it('names the kind when all alike, and keeps the account when the burst is one account', () => {
    const exhausted = (i: number): Notification => ({ title: `A: m${i} exhausted`, body: '', accountId: 'acc-a', kind: 'exhausted' });
    expect(groupNotifications([1, 2, 3, 4].map(exhausted))).toMatchObject({ title: '4 quotas exhausted', accountId: 'acc-a', kind: 'exhausted' });
    const recovered = [1, 2, 3, 4].map((i): Notification => ({ ...low(i), kind: 'recovered', title: `Account ${i}: m recovered` }));
    expect(groupNotifications(recovered)).toMatchObject({ title: '4 quotas recovered' });
    expect(groupNotifications(recovered).accountId).toBeUndefined();
    const mixed = groupNotifications([low(1), low(2), exhausted(1), { title: 'Global: requests per day 100%', body: '' }]);
    expect(mixed.title).toBe('4 QuotaDeck alerts');
    expect(mixed.kind).toBeUndefined();
    expect(mixed.accountId).toBeUndefined();
    expect(groupNotifications([low(1), low(2), low(3), low(4)], 2).body).toBe('Account 1: gemini-3-pro-high low\nAccount 2: gemini-3-pro-high low\n…and 2 more');
  });

  it('is quiet while disabled, and drops what it holds when disabled before delivery', () => {
    const { clock, out, batcher, setEnabled } = setup();
    setEnabled(false);
    batcher.notify(low(1));
    clock.advance(1000);
    expect(out).toEqual([]);
    expect(clock.pending()).toBe(0);

    setEnabled(true);
    batcher.notify(low(2));
    setEnabled(false);
    clock.advance(1000);
    expect(out).toEqual([]);
    setEnabled(true);
    batcher.notify(low(3));
    clock.advance(1000);
    expect(out).toEqual([low(3)]);
  });

  it('with a zero window delivers each at once (the core default; tests and headless)', () => {
    const { clock, out, batcher, setEnabled } = setup(0);
    batcher.notify(low(1));
    expect(out).toEqual([low(1)]);
    expect(clock.pending()).toBe(0);
    setEnabled(false);
    batcher.notify(low(2));
    expect(out).toHaveLength(1);
  });

  it('flush delivers now; dispose drops what is held and stops the timer', () => {
    const { clock, out, batcher } = setup();
    batcher.notify(low(1));
    batcher.flush();
    expect(out).toEqual([low(1)]);
    expect(clock.pending()).toBe(0);
    batcher.notify(low(2));
    batcher.dispose();
    expect(clock.pending()).toBe(0);
    clock.advance(5000);
    expect(out).toHaveLength(1);
  });
});
