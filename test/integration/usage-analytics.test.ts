import { afterEach, describe, expect, it } from 'vitest';
import type { LimitUsageView, TopAccountsView, UsageLogPage, UsageLogRow, UsageSummaryRow } from '../../src/shared/types';
import { call, FakeClock, makeHarness, type Harness } from '../helpers/harness';
import { addAccount, attempt, attempts, DAY, HOUR, MIN } from '../helpers/usage-fixtures';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Wednesday of the week Monday 2026-11-23 .. Sunday 2026-11-29. */
const NOW = Date.parse('2026-11-25T12:00:00Z');
const MON = Date.parse('2026-11-23T00:00:00Z');

/**
 * Alpha: 10 completed gpt-4o (1000 in, 500 out: $0.0075 each) and 2 failed on Monday.
 * Beta: 20 completed claude-sonnet-4-5 (2000 in, 100 out: $0.0075 each) on Tuesday.
 * Gamma: 50 completed gemini-2.5-pro last Friday, 9 today (100 in, 100 out: $0.001125 each).
 * No account: 3 rejected gpt-4o on Monday.
 */
async function seeded() {
  const clock = new FakeClock(NOW);
  const hh = await makeHarness({ clock });
  h = hh;
  const alpha = await addAccount(hh, 'Alpha');
  const beta = await addAccount(hh, 'Beta');
  const gamma = await addAccount(hh, 'Gamma');
  attempts(hh, 10, { accountId: alpha, model: 'gpt-4o', at: MON + 9 * HOUR, input: 1000, output: 500 });
  attempts(hh, 2, { accountId: alpha, model: 'gpt-4o', at: MON + 10 * HOUR, status: 'failed', httpStatus: 502, error: 'upstream unreachable (ECONNRESET)' });
  attempts(hh, 20, { accountId: beta, model: 'claude-sonnet-4-5', at: MON + DAY + 8 * HOUR, input: 2000, output: 100 });
  attempts(hh, 50, { accountId: gamma, model: 'gemini-2.5-pro', at: MON - 3 * DAY, input: 100, output: 100 });
  attempts(hh, 9, { accountId: gamma, model: 'gemini-2.5-pro', at: NOW - HOUR, input: 100, output: 100 });
  attempts(hh, 3, { accountId: null, model: 'gpt-4o', at: MON + 11 * HOUR, status: 'rejected', error: 'no account available' });
  return { h: hh, clock, alpha, beta, gamma };
}

const summary = (hh: Harness, from: string, to: string, groupBy: 'model' | 'account') => call<UsageSummaryRow[]>(hh.app, 'usage:summary', { from, to, groupBy });
const log = (hh: Harness, req: Record<string, unknown> = {}) => call<UsageLogPage>(hh.app, 'usage:log', req);

describe('usage analytics', () => {
  it('summarizes cost and tokens by model and by account over whole UTC days', async () => {
    const { h, alpha, beta } = await seeded();
    const byModel = await summary(h, '2026-11-23T10:00:00Z', '2026-11-25T00:00:00Z', 'model');
    expect(byModel).toEqual([
      { key: 'claude-sonnet-4-5', label: 'claude-sonnet-4-5', requests: 20, completed: 20, failed: 0, rejected: 0, inputTokens: 40_000, outputTokens: 2000, cost: expect.closeTo(0.15, 10) },
      { key: 'gpt-4o', label: 'gpt-4o', requests: 12, completed: 10, failed: 2, rejected: 3, inputTokens: 10_000, outputTokens: 5000, cost: expect.closeTo(0.075, 10) },
    ]);
    const byAccount = await summary(h, '2026-11-23', '2026-11-25', 'account');
    expect(byAccount.map((r) => [r.key, r.label, r.requests, r.completed, r.failed, r.rejected])).toEqual([
      [beta, 'Beta', 20, 20, 0, 0],
      [alpha, 'Alpha', 12, 10, 2, 0],
      ['', 'No account', 0, 0, 0, 3],
    ]);
    // Monday alone (the range's end is exclusive): Beta's Tuesday is out.
    expect((await summary(h, '2026-11-23T00:00:00Z', '2026-11-24T00:00:00Z', 'account')).map((r) => r.label)).toEqual(['Alpha', 'No account']);
    // The whole week and the week before.
    const week = await summary(h, '2026-11-16', '2026-11-30', 'model');
    expect(week.find((r) => r.key === 'gemini-2.5-pro')).toMatchObject({ requests: 59, inputTokens: 5900, cost: expect.closeTo(59 * 0.001125, 10) });
    // Removed accounts keep their history, labelled as such.
    await call(h.app, 'accounts:remove', { id: alpha });
    expect((await summary(h, '2026-11-23', '2026-11-25', 'account'))[1]).toMatchObject({ key: alpha, label: `${alpha} (removed)`, requests: 12 });

    await expect(summary(h, '2026-11-25', '2026-11-25', 'model')).rejects.toMatchObject({ code: 'bad_request' });
    await expect(summary(h, 'yesterday', '2026-11-25', 'model')).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('ranks this week’s accounts by requests, with completed and failed counts', async () => {
    const { h, alpha, beta, gamma } = await seeded();
    expect(await call<TopAccountsView>(h.app, 'usage:topAccounts')).toEqual({
      from: '2026-11-23T00:00:00.000Z',
      to: '2026-11-30T00:00:00.000Z',
      rows: [
        { accountId: beta, label: 'Beta', provider: 'openai', requests: 20, completed: 20, failed: 0 },
        { accountId: alpha, label: 'Alpha', provider: 'openai', requests: 12, completed: 10, failed: 2 },
        { accountId: gamma, label: 'Gamma', provider: 'openai', requests: 9, completed: 9, failed: 0 },
      ],
    });
    expect((await call<TopAccountsView>(h.app, 'usage:topAccounts', { limit: 1 })).rows.map((r) => r.label)).toEqual(['Beta']);
    const last = await call<TopAccountsView>(h.app, 'usage:topAccounts', { weekOf: '2026-11-22T23:59:59Z' });
    expect(last).toEqual({ from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z', rows: [expect.objectContaining({ label: 'Gamma', requests: 50 })] });
  });

  it('lists limits near their maximum, by percent or by reset time', async () => {
    const { h, alpha, beta } = await seeded();
    await call(h.app, 'limits:set', { scope: alpha, inputTokensPerMonth: 12_000, requestsPerHour: 100 }); // 83%, 0%
    await call(h.app, 'limits:set', { scope: beta, costPerMonth: 0.16 }); // 94%
    await call(h.app, 'limits:set', { scope: 'global', requestsPerDay: 10 }); // Gamma's 9 today: 90%
    const near = await call<LimitUsageView[]>(h.app, 'usage:nearLimits');
    expect(near.map((r) => [r.label, r.limit, r.used, r.resetAt])).toEqual([
      ['Beta', 'cost_per_month', expect.closeTo(0.15, 10), '2026-12-01T00:00:00.000Z'],
      ['Global', 'requests_per_day', 9, '2026-11-26T00:00:00.000Z'],
      ['Alpha', 'input_tokens_per_month', 10_000, '2026-12-01T00:00:00.000Z'],
    ]);
    expect(near[1]).toEqual({ scope: 'global', accountId: null, label: 'Global', limit: 'requests_per_day', max: 10, used: 9, fraction: 0.9, resetAt: '2026-11-26T00:00:00.000Z', suspended: false });
    const byReset = await call<LimitUsageView[]>(h.app, 'usage:nearLimits', { sort: 'resetAt' });
    expect(byReset.map((r) => r.label)).toEqual(['Global', 'Beta', 'Alpha']);
    expect((await call<LimitUsageView[]>(h.app, 'usage:nearLimits', { threshold: 0.9 })).map((r) => r.label)).toEqual(['Beta', 'Global']);
    expect(await call<LimitUsageView[]>(h.app, 'usage:nearLimits', { threshold: 0 })).toHaveLength(4);
    // Reading the list warns nobody (only checks before dispatch do).
    expect(h.notifications).toEqual([]);
  });

  it('filters the request log by account, model, status and range, newest first', async () => {
    const { h, alpha, beta, gamma } = await seeded();
    const all = await log(h, { limit: 100 });
    expect(all.rows).toHaveLength(94);
    expect(all.hasMore).toBe(false);
    expect(all.nextCursor).toBeNull();
    const times = all.rows.map((r) => Date.parse(r.startedAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect((await log(h)).rows).toHaveLength(50); // the default page

    expect((await log(h, { accountId: alpha, limit: 100 })).rows.map((r) => r.label)).toEqual(Array(12).fill('Alpha'));
    expect((await log(h, { model: 'claude-sonnet-4-5', limit: 100 })).rows.every((r) => r.accountId === beta)).toBe(true);
    const failed = await log(h, { status: 'failed' });
    expect(failed.rows).toHaveLength(2);
    expect(failed.rows[0]).toMatchObject({ accountId: alpha, status: 'failed', httpStatus: 502, error: 'upstream unreachable (ECONNRESET)', inputTokens: null, cost: null });
    const rejected = await log(h, { status: 'rejected' });
    expect(rejected.rows.map((r) => [r.accountId, r.label, r.attempt])).toEqual(Array(3).fill([null, null, 0]));
    expect((await log(h, { accountId: alpha, status: 'completed' })).rows).toHaveLength(10);
    const range = await log(h, { from: '2026-11-20T00:00:00Z', to: '2026-11-23T00:00:00Z', limit: 100 });
    expect(range.rows).toHaveLength(50);
    expect(range.rows.every((r) => r.accountId === gamma)).toBe(true);
    // `from` inclusive, `to` exclusive.
    expect((await log(h, { from: new Date(MON + 9 * HOUR).toISOString(), to: new Date(MON + 10 * HOUR).toISOString() })).rows).toHaveLength(10);

    await expect(log(h, { limit: 101 })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(log(h, { limit: 0 })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(log(h, { cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(log(h, { status: 'lost' })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('pages with a cursor without gaps or repeats while rows are added and completed between pages', async () => {
    const clock = new FakeClock(NOW);
    h = await makeHarness({ clock });
    const a = await addAccount(h, 'Alpha');
    const b = await addAccount(h, 'Beta');
    const { ledger } = h.app.services;
    // 230 rows, ten per millisecond (so page edges fall inside runs of equal started_at), some pending.
    const pending: number[] = [];
    for (let i = 0; i < 230; i++) {
      const at = NOW - 10 * MIN + Math.floor(i / 10);
      const id = attempt(h, { accountId: i % 3 === 0 ? b : a, at, status: i % 7 === 0 ? 'pending' : 'completed' })!;
      if (i % 7 === 0) pending.push(id);
    }
    const existing = (h.app.services.db.prepare('SELECT id FROM usage_ledger ORDER BY started_at DESC, id DESC').pluck().all() as number[]);

    const walk = async (filter: Record<string, unknown>, pageSize: number, between: (page: number) => void) => {
      const seen: number[] = [];
      let cursor: string | undefined;
      for (let page = 0; ; page++) {
        const p = await log(h!, { ...filter, limit: pageSize, ...(cursor ? { cursor } : {}) });
        seen.push(...p.rows.map((r: UsageLogRow) => r.id));
        expect(p.rows.length).toBeLessThanOrEqual(pageSize);
        if (!p.hasMore) {
          expect(p.nextCursor).toBeNull();
          return seen;
        }
        expect(p.rows).toHaveLength(pageSize);
        cursor = p.nextCursor!;
        between(page);
      }
    };

    const seen = await walk({}, 25, (page) => {
      // New attempts arrive (the proxy keeps working) and in-flight ones finish.
      clock.advance(1);
      for (let k = 0; k < 7; k++) attempt(h!, { accountId: k % 2 ? a : b, at: clock.now(), status: k === 0 ? 'pending' : 'completed' });
      attempt(h!, { accountId: null, at: clock.now(), status: 'rejected' });
      const id = pending[page];
      if (id !== undefined) ledger.complete(id, { status: 'completed', httpStatus: 200, inputTokens: 1, outputTokens: 1, endedAt: clock.now(), error: null });
    });
    expect(new Set(seen).size).toBe(seen.length); // no repeats
    expect(seen).toEqual(existing); // no gaps, same order

    // Filtered walks hold the same guarantee, and a fresh walk sees the new rows first.
    const onlyA = (h.app.services.db.prepare('SELECT id FROM usage_ledger WHERE account_id = ? ORDER BY started_at DESC, id DESC').pluck().all(a) as number[]);
    const seenA = await walk({ accountId: a }, 13, () => {
      clock.advance(1);
      attempt(h!, { accountId: a, at: clock.now() });
    });
    expect(seenA).toEqual(onlyA);
    const top = await log(h, { limit: 1 });
    expect(top.rows[0]!.id).toBe(h.app.services.db.prepare('SELECT MAX(id) FROM usage_ledger').pluck().get());
  });
});

describe('usage:daily', () => {
  it('answers one row per UTC day with zeros for idle days, filtered by account or model', async () => {
    const { h, alpha, gamma } = await seeded();
    const days = await call<Array<{ day: string; requests: number; rejected: number; cost: number; inputTokens: number }>>(h.app, 'usage:daily', { from: '2026-11-20', to: '2026-11-26' });
    expect(days.map((d) => d.day)).toEqual(['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25']);
    expect(days.map((d) => d.requests)).toEqual([50, 0, 0, 12, 20, 9]);
    expect(days[3]).toMatchObject({ rejected: 3, inputTokens: 10_000, cost: expect.closeTo(0.075, 10) });
    const alphaDays = await call<Array<{ requests: number }>>(h.app, 'usage:daily', { from: '2026-11-23', to: '2026-11-25', accountId: alpha });
    expect(alphaDays.map((d) => d.requests)).toEqual([12, 0]);
    const gem = await call<Array<{ requests: number }>>(h.app, 'usage:daily', { from: '2026-11-20', to: '2026-11-26', model: 'gemini-2.5-pro', accountId: gamma });
    expect(gem.map((d) => d.requests)).toEqual([50, 0, 0, 0, 0, 9]);
    const bad = await h.app.api.call('usage:daily', { from: '2026-11-26', to: '2026-11-20' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const tooLong = await h.app.api.call('usage:daily', { from: '2020-01-01', to: '2026-01-01' });
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('400 days') } });
  });
});
