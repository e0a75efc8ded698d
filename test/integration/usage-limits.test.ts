import { afterEach, describe, expect, it } from 'vitest';
import type { LimitWarningEvent } from '../../src/shared/contract';
import type { LimitsView, LimitUsageView, Settings } from '../../src/shared/types';
import { call, FakeClock, makeHarness, type Harness } from '../helpers/harness';
import { addAccount, attempt, attempts, DAY, HOUR, MIN } from '../helpers/usage-fixtures';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const T0 = Date.parse('2026-11-23T10:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

async function setup(overrides: Partial<Settings> = {}) {
  const clock = new FakeClock(T0);
  const hh = await makeHarness({ clock, overrides });
  h = hh;
  const events: LimitWarningEvent[] = [];
  hh.app.events.on('usage:limitWarning', (e) => events.push(e));
  const a = await addAccount(hh, 'Alpha');
  const b = await addAccount(hh, 'Beta');
  const { limits } = hh.app.services;
  return {
    h: hh,
    clock,
    events,
    a,
    b,
    checkAccount: (id: string) => limits.checkAccount(id, clock.now()),
    checkGlobal: () => limits.checkGlobal(clock.now()),
    set: (req: Record<string, unknown>) => call<LimitsView>(hh.app, 'limits:set', req),
    percents: () => events.map((e) => e.percent),
  };
}

describe('local usage limits', () => {
  it('requests per hour: warns at 80% and 90% once, refuses at 100% until the oldest requests age out', async () => {
    const { h, clock, events, a, b, checkAccount, checkGlobal, set, percents } = await setup();
    await set({ scope: a, requestsPerHour: 100 });
    attempts(h, 79, { accountId: a, at: T0 - 30 * MIN });
    expect(checkAccount(a)).toEqual({ ok: true });
    expect(events).toEqual([]);

    attempt(h, { accountId: a, at: T0 - 20 * MIN });
    expect(checkAccount(a)).toEqual({ ok: true });
    expect(events).toEqual([
      { scope: 'account', accountId: a, label: 'Alpha', limit: 'requests_per_hour', max: 100, used: 80, percent: 80, resetAt: iso(T0 + 30 * MIN) },
    ]);
    expect(checkAccount(a)).toEqual({ ok: true });
    attempts(h, 9, { accountId: a, at: T0 - 20 * MIN });
    checkAccount(a);
    expect(percents()).toEqual([80]);

    attempt(h, { accountId: a, at: T0 - 20 * MIN, status: 'failed' }); // failed attempts were dispatched: they count
    checkAccount(a);
    expect(percents()).toEqual([80, 90]);

    attempts(h, 9, { accountId: a, at: T0 - 10 * MIN });
    attempt(h, { accountId: a, at: T0 - 10 * MIN, status: 'pending' }); // in flight: counts too
    attempts(h, 5, { accountId: null, at: T0 - 10 * MIN, status: 'rejected' }); // refused: never a request
    const breach = { scope: 'account', accountId: a, limit: 'requests_per_hour', max: 100, used: 100, resetAt: T0 + 30 * MIN };
    expect(checkAccount(a)).toEqual({ ok: false, breach });
    expect(events[2]).toMatchObject({ percent: 100, used: 100, resetAt: iso(T0 + 30 * MIN) });
    expect(checkAccount(a)).toEqual({ ok: false, breach });
    expect(percents()).toEqual([80, 90, 100]);
    // Another account and the global scope are not limited by this one.
    expect(checkAccount(b)).toEqual({ ok: true });
    expect(checkGlobal()).toEqual({ ok: true });

    // Suspended exactly until the window frees up: computed, no timer involved.
    clock.advance(30 * MIN - 1);
    expect(checkAccount(a).ok).toBe(false);
    clock.advance(1);
    expect(checkAccount(a)).toEqual({ ok: true }); // the 79 at T0-30m aged out: 21 left
    expect(clock.pending()).toBe(0);

    // Once per window: back up to 81% within the hour of the first warning, nothing new…
    attempts(h, 60, { accountId: a, at: clock.now() });
    checkAccount(a);
    expect(percents()).toEqual([80, 90, 100]);
    // …a new window (an hour after it) warns again.
    clock.advance(30 * MIN);
    attempts(h, 25, { accountId: a, at: clock.now() });
    checkAccount(a);
    expect(events.slice(3)).toEqual([expect.objectContaining({ percent: 80, used: 85, resetAt: iso(T0 + 90 * MIN) })]);
  });

  it('requests per day: from the UTC day’s rollups, pending counted, rejected not; frees up at the next UTC midnight', async () => {
    const { h, clock, events, a, checkAccount, set, percents } = await setup();
    await set({ scope: a, requestsPerDay: 10 });
    attempts(h, 20, { accountId: a, at: T0 - DAY }); // yesterday
    attempts(h, 6, { accountId: a, at: T0 - 9 * HOUR }); // 01:00 today
    attempt(h, { accountId: a, at: T0, status: 'failed' });
    attempts(h, 3, { accountId: null, at: T0, status: 'rejected' });
    expect(checkAccount(a)).toEqual({ ok: true });
    expect(events).toEqual([]);
    attempt(h, { accountId: a, at: T0, status: 'pending' });
    checkAccount(a);
    expect(events).toEqual([
      { scope: 'account', accountId: a, label: 'Alpha', limit: 'requests_per_day', max: 10, used: 8, percent: 80, resetAt: '2026-11-24T00:00:00.000Z' },
    ]);
    attempt(h, { accountId: a, at: T0 });
    checkAccount(a);
    attempt(h, { accountId: a, at: T0 });
    expect(checkAccount(a)).toEqual({
      ok: false,
      breach: { scope: 'account', accountId: a, limit: 'requests_per_day', max: 10, used: 10, resetAt: Date.parse('2026-11-24T00:00:00Z') },
    });
    expect(percents()).toEqual([80, 90, 100]);

    clock.advance(Date.parse('2026-11-23T23:59:59.999Z') - clock.now());
    expect(checkAccount(a).ok).toBe(false);
    clock.advance(1);
    expect(checkAccount(a)).toEqual({ ok: true });
    // A new day is a new window: its warnings come again.
    attempts(h, 8, { accountId: a, at: clock.now() });
    checkAccount(a);
    expect(events.slice(3)).toEqual([expect.objectContaining({ percent: 80, used: 8, resetAt: '2026-11-25T00:00:00.000Z' })]);
  });

  it('input and output tokens per month: completed attempts only, the UTC calendar month, frees up on the 1st', async () => {
    const { h, clock, events, a, checkAccount, set } = await setup();
    await set({ scope: a, inputTokensPerMonth: 1_000_000, outputTokensPerMonth: 100_000 });
    attempt(h, { accountId: a, at: Date.parse('2026-10-31T23:59:59Z'), input: 5_000_000, output: 5_000_000 }); // last month
    attempt(h, { accountId: a, at: Date.parse('2026-11-01T00:00:00Z'), input: 790_000, output: 10_000 });
    attempt(h, { accountId: a, at: T0, status: 'failed', input: 500_000, output: 90_000 }); // reported, not counted
    expect(checkAccount(a)).toEqual({ ok: true });
    expect(events).toEqual([]);

    attempt(h, { accountId: a, at: T0, input: 10_000, output: 0 });
    checkAccount(a);
    expect(events).toEqual([
      { scope: 'account', accountId: a, label: 'Alpha', limit: 'input_tokens_per_month', max: 1_000_000, used: 800_000, percent: 80, resetAt: '2026-12-01T00:00:00.000Z' },
    ]);
    attempt(h, { accountId: a, at: T0, input: 0, output: 90_000 });
    expect(checkAccount(a)).toEqual({
      ok: false,
      breach: { scope: 'account', accountId: a, limit: 'output_tokens_per_month', max: 100_000, used: 100_000, resetAt: Date.parse('2026-12-01T00:00:00Z') },
    });
    expect(events.map((e) => [e.limit, e.percent])).toEqual([
      ['input_tokens_per_month', 80],
      ['output_tokens_per_month', 100],
    ]);

    clock.advance(Date.parse('2026-11-30T23:59:59.999Z') - clock.now());
    expect(checkAccount(a).ok).toBe(false);
    clock.advance(1);
    expect(checkAccount(a)).toEqual({ ok: true });
  });

  it('cost per month from the pricing table; the global scope counts every account and is checked apart', async () => {
    const { h, events, a, b, checkAccount, checkGlobal, set, percents } = await setup();
    await call(h.app, 'pricing:set', { pattern: 'test-model', inputPerMTok: 1, outputPerMTok: 2 });
    const view = await set({ scope: 'global', costPerMonth: 10 });
    expect(view).toMatchObject({ scope: 'global', label: 'Global', costPerMonth: 10, requestsPerHour: null });
    attempt(h, { accountId: a, at: T0, model: 'test-model', input: 5_900_000, output: 1_000_000 }); // $7.90
    expect(checkGlobal()).toEqual({ ok: true });
    expect(events).toEqual([]);
    attempt(h, { accountId: b, at: T0, model: 'test-model', input: 100_000, output: 0 }); // $8.00
    expect(checkGlobal()).toEqual({ ok: true });
    expect(events).toEqual([
      { scope: 'global', accountId: null, limit: 'cost_per_month', max: 10, used: expect.closeTo(8, 9), percent: 80, resetAt: '2026-12-01T00:00:00.000Z' },
    ]);
    attempt(h, { accountId: b, at: T0, model: 'test-model', input: 0, output: 500_000 }); // $9.00
    checkGlobal();
    attempt(h, { accountId: a, at: T0, model: 'test-model', input: 1_000_000, output: 0 }); // $10.00
    const d = checkGlobal();
    expect(d.ok).toBe(false);
    expect(d.ok ? null : d.breach).toMatchObject({ scope: 'global', accountId: null, limit: 'cost_per_month', max: 10, resetAt: Date.parse('2026-12-01T00:00:00Z') });
    expect(percents()).toEqual([80, 90, 100]);
    // Accounts have no limits of their own: checked apart, they pass.
    expect(checkAccount(a)).toEqual({ ok: true });
    expect(checkAccount(b)).toEqual({ ok: true });

    // An account's own limit binds only that account.
    await set({ scope: b, costPerMonth: 1 });
    expect(checkAccount(b).ok).toBe(false); // $1.10 of $1
    expect(checkAccount(a)).toEqual({ ok: true }); // $8.90 but no limit of its own
  });

  it('dry-run only warns (100% included) and never refuses; switching it off enforces at once', async () => {
    const { h, events, a, checkAccount, set } = await setup({ limitsDryRun: true });
    await set({ scope: a, requestsPerDay: 2 });
    attempts(h, 2, { accountId: a, at: T0 });
    expect(checkAccount(a)).toEqual({ ok: true });
    expect(checkAccount(a)).toEqual({ ok: true });
    expect(events).toEqual([expect.objectContaining({ percent: 100, used: 2, max: 2 })]);
    expect(h.notifications).toEqual([expect.objectContaining({ title: 'Alpha: requests per day 100%', accountId: a })]);
    expect(h.notifications[0]!.body).toContain('dry-run');
    const near = await call<LimitUsageView[]>(h.app, 'usage:nearLimits');
    expect(near).toEqual([expect.objectContaining({ accountId: a, fraction: 1, suspended: false })]);

    await call(h.app, 'settings:update', { limitsDryRun: false });
    expect(checkAccount(a).ok).toBe(false);
    expect(events).toHaveLength(1);
    expect((await call<LimitUsageView[]>(h.app, 'usage:nearLimits'))[0]!.suspended).toBe(true);
  });

  it('names the limit that frees up last; over an hourly limit it frees once enough requests have aged out', async () => {
    const { h, clock, a, checkAccount, set } = await setup();
    for (let i = 0; i < 8; i++) attempt(h, { accountId: a, at: T0 - 50 * MIN + i * 5 * MIN });
    await set({ scope: a, requestsPerHour: 5, requestsPerDay: 6 });
    const d = checkAccount(a);
    expect(d.ok ? null : d.breach).toMatchObject({ limit: 'requests_per_day', used: 8, resetAt: Date.parse('2026-11-24T00:00:00Z') });

    await set({ scope: a, requestsPerDay: null });
    // 8 in the hour, 5 allowed: free when the 4th oldest (T0-35m) ages out, leaving 4.
    expect(checkAccount(a)).toEqual({ ok: false, breach: { scope: 'account', accountId: a, limit: 'requests_per_hour', max: 5, used: 8, resetAt: T0 + 25 * MIN } });
    clock.advance(25 * MIN - 1);
    expect(checkAccount(a).ok).toBe(false);
    clock.advance(1);
    expect(checkAccount(a)).toEqual({ ok: true });
  });

  it('limits:get and limits:set: patch semantics, validation, usage views, and cleanup with the account', async () => {
    const { h, a, b, set } = await setup();
    expect(await call(h.app, 'limits:get')).toEqual([]);
    expect(await call(h.app, 'limits:get', { scope: a })).toEqual([
      { scope: a, label: 'Alpha', requestsPerHour: null, requestsPerDay: null, inputTokensPerMonth: null, outputTokensPerMonth: null, costPerMonth: null, usage: [] },
    ]);

    attempts(h, 3, { accountId: a, at: T0 - MIN });
    await set({ scope: a, requestsPerHour: 10, requestsPerDay: 100 });
    const patched = await set({ scope: a, requestsPerDay: null, costPerMonth: 2.5 });
    expect(patched).toMatchObject({ scope: a, label: 'Alpha', requestsPerHour: 10, requestsPerDay: null, costPerMonth: 2.5 });
    expect(patched.usage).toEqual([
      { scope: 'account', accountId: a, label: 'Alpha', limit: 'requests_per_hour', max: 10, used: 3, fraction: 0.3, resetAt: iso(T0 - MIN + HOUR), suspended: false },
      {
        scope: 'account',
        accountId: a,
        label: 'Alpha',
        limit: 'cost_per_month',
        max: 2.5,
        used: expect.closeTo((3 * (100 * 2.5 + 50 * 10)) / 1e6, 12),
        fraction: expect.any(Number),
        resetAt: '2026-12-01T00:00:00.000Z',
        suspended: false,
      },
    ]);
    await set({ scope: 'global', requestsPerDay: 1000 });
    await set({ scope: b, requestsPerHour: 1 });
    expect((await call<LimitsView[]>(h.app, 'limits:get')).map((l) => l.scope)).toEqual(['global', ...[a, b].sort()]);

    // Clearing every limit of a scope removes it.
    await set({ scope: b, requestsPerHour: null });
    expect((await call<LimitsView[]>(h.app, 'limits:get')).map((l) => l.scope)).toEqual(['global', a]);

    await expect(set({ scope: 'no-such-account', requestsPerHour: 1 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(set({ scope: a, requestsPerHour: 0 })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(set({ scope: a, requestsPerHour: 1.5 })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(set({ scope: a, costPerMonth: -1 })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(set({ scope: a, tokensPerYear: 5 })).rejects.toMatchObject({ code: 'bad_request' });

    // Removing an account removes its limits (its history stays).
    await call(h.app, 'accounts:remove', { id: a });
    expect((await call<LimitsView[]>(h.app, 'limits:get')).map((l) => l.scope)).toEqual(['global']);
    expect(h.app.services.limits.checkAccount(a, T0)).toEqual({ ok: true });
    expect(h.app.services.db.prepare('SELECT COUNT(*) FROM usage_ledger WHERE account_id = ?').pluck().get(a)).toBe(3);
  });

  it('limits survive a restart; the warning dedupe is per run (a restart may announce a level once more)', async () => {
    const { h: first, clock, a, set } = await setup();
    await set({ scope: a, requestsPerDay: 10 });
    attempts(first, 10, { accountId: a, at: T0 });
    expect(first.app.services.limits.checkAccount(a, clock.now()).ok).toBe(false);
    clock.advance(MIN);
    h = await first.reopen();
    const events: LimitWarningEvent[] = [];
    h.app.events.on('usage:limitWarning', (e) => events.push(e));
    expect(h.app.services.limits.checkAccount(a, clock.now())).toMatchObject({ ok: false, breach: { limit: 'requests_per_day', used: 10 } });
    expect(events).toEqual([expect.objectContaining({ percent: 100 })]);
  });
});
