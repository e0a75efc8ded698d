import { afterEach, describe, expect, it } from 'vitest';
import type { PricingRow, UsageLogPage, UsageSummaryRow } from '../../src/shared/types';
import { DEFAULT_PRICING, matchPrice } from '../../src/main/core/usage/pricing';
import { call, FakeClock, makeHarness, type Harness } from '../helpers/harness';
import { addAccount, attempt, DAY, HOUR, startOf } from '../helpers/usage-fixtures';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const T0 = Date.parse('2026-11-23T10:00:00Z');

async function setup(overrides = {}) {
  const clock = new FakeClock(T0);
  h = await makeHarness({ clock, overrides });
  return { h, clock };
}

const ledgerRows = (h: Harness) =>
  h.app.services.db.prepare('SELECT * FROM usage_ledger ORDER BY id').all() as Array<Record<string, unknown>>;
const rollups = (h: Harness) =>
  h.app.services.db.prepare('SELECT * FROM usage_daily ORDER BY day, account_id, model').all() as Array<Record<string, number | string>>;

describe('usage ledger', () => {
  it('writes a pending row before dispatch and completes it with tokens, status and cost', async () => {
    const { h } = await setup();
    const acc = await addAccount(h, 'Alpha');
    const { ledger } = h.app.services;
    const id = ledger.begin({ ...startOf({ accountId: acc, at: T0 }), model: 'claude-sonnet-4-5-20250929', route: 'anthropic.messages', client: 'claude-cli/2.0' });

    const pending = await call<UsageLogPage>(h.app, 'usage:log');
    expect(pending.rows).toHaveLength(1);
    expect(pending.rows[0]).toMatchObject({ id, status: 'pending', accountId: acc, label: 'Alpha', inputTokens: null, cost: null, endedAt: null, durationMs: null });
    // The rollups count it once it ends; the per-day limit counts it while it is in flight, also
    // when its window is loaded from SQLite (the day's pending rows are added to the rollups).
    expect(rollups(h)).toEqual([]);
    await call(h.app, 'limits:set', { scope: acc, requestsPerDay: 10 });
    await call(h.app, 'limits:set', { scope: 'global', requestsPerDay: 10 });
    const used = () => Object.fromEntries(h.app.services.limits.usage(T0).map((u) => [`${u.accountId ?? 'global'} ${u.limit}`, u.used]));
    expect(used()).toEqual({ 'global requests_per_day': 1, [`${acc} requests_per_day`]: 1 });

    ledger.complete(id, { status: 'completed', httpStatus: 200, inputTokens: 1000, outputTokens: 500, endedAt: T0 + 2500, error: null });
    const done = (await call<UsageLogPage>(h.app, 'usage:log')).rows[0]!;
    // Sonnet: $3 in, $15 out per million tokens.
    expect(done).toMatchObject({
      id,
      status: 'completed',
      httpStatus: 200,
      inputTokens: 1000,
      outputTokens: 500,
      model: 'claude-sonnet-4-5-20250929',
      client: 'claude-cli/2.0',
      route: 'anthropic.messages',
      provider: 'openai',
      startedAt: '2026-11-23T10:00:00.000Z',
      endedAt: '2026-11-23T10:00:02.500Z',
      durationMs: 2500,
      error: null,
    });
    expect(done.cost).toBeCloseTo(0.0105, 10);
    expect(rollups(h)[0]).toMatchObject({ requests: 1, completed: 1, input_tokens: 1000, output_tokens: 500 });
    expect(rollups(h)[0]!.cost).toBeCloseTo(0.0105, 10);
    expect(used()).toEqual({ 'global requests_per_day': 1, [`${acc} requests_per_day`]: 1 });

    // A second completion (a bug upstream of the ledger) changes nothing and never counts twice.
    ledger.complete(id, { status: 'failed', httpStatus: 500, inputTokens: 9, outputTokens: 9, endedAt: T0 + 9000, error: 'late' });
    expect(ledgerRows(h)[0]).toMatchObject({ status: 'completed', input_tokens: 1000 });
    expect(rollups(h)[0]).toMatchObject({ requests: 1, completed: 1, failed: 0, input_tokens: 1000 });
  });

  it('records the final usage of a stream, failures and refusals; only completed attempts count tokens and cost', async () => {
    const { h } = await setup();
    const acc = await addAccount(h, 'Alpha');
    // A stream that broke after its usage arrived: the row keeps the numbers, the rollups do not count them.
    attempt(h, { accountId: acc, at: T0, status: 'failed', input: 300, output: 20, error: 'upstream closed mid-answer', httpStatus: 200 });
    attempt(h, { accountId: acc, at: T0 + 1, status: 'failed', input: null, output: null, httpStatus: 429, error: 'rate limited' });
    attempt(h, { accountId: null, at: T0 + 2, status: 'rejected', error: 'global limit requests_per_day reached (5/5)' });
    attempt(h, { accountId: acc, at: T0 + 3, model: 'gpt-4o', input: 1_000_000, output: 100_000 });

    const rows = ledgerRows(h);
    expect(rows.map((r) => [r.status, r.input_tokens, r.output_tokens, r.cost, r.error])).toEqual([
      ['failed', 300, 20, null, 'upstream closed mid-answer'],
      ['failed', null, null, null, 'rate limited'],
      ['rejected', null, null, null, 'global limit requests_per_day reached (5/5)'],
      ['completed', 1_000_000, 100_000, 2.5 + 1, null],
    ]);
    expect(rows[2]).toMatchObject({ account_id: null, attempt: 0, http_status: 429 });
    expect(rollups(h)).toEqual([
      { day: '2026-11-23', account_id: '', model: 'gpt-4o', requests: 0, completed: 0, failed: 0, rejected: 1, input_tokens: 0, output_tokens: 0, cost: 0 },
      { day: '2026-11-23', account_id: acc, model: 'gpt-4o', requests: 3, completed: 1, failed: 2, rejected: 0, input_tokens: 1_000_000, output_tokens: 100_000, cost: 3.5 },
    ]);
  });

  it('prices by the most specific pattern, reads provider-prefixed names, and follows edits from then on', async () => {
    await setup();
    const acc = await addAccount(h!, 'Alpha');
    const cost = (model: string) => {
      const id = attempt(h!, { accountId: acc, at: T0, model, input: 1_000_000, output: 1_000_000 })!;
      return h!.app.services.db.prepare('SELECT cost FROM usage_ledger WHERE id = ?').pluck().get(id) as number | null;
    };
    expect(cost('claude-opus-4-1-20250805')).toBe(15 + 75);
    expect(cost('claude-opus-4-5-20251101')).toBe(5 + 25);
    expect(cost('anthropic/claude-opus-4.5')).toBe(5 + 25);
    expect(cost('claude-3-5-haiku-20241022')).toBe(0.8 + 4);
    expect(cost('claude-haiku-4-5')).toBe(1 + 5);
    expect(cost('gpt-4o-mini-2024-07-18')).toBe(0.15 + 0.6);
    expect(cost('gpt-4.1-nano')).toBeCloseTo(0.1 + 0.4, 12);
    expect(cost('gpt-5.1-codex-mini')).toBe(0.25 + 2);
    expect(cost('gpt-5-codex')).toBe(1.25 + 10);
    expect(cost('models/gemini-2.5-flash-lite')).toBeCloseTo(0.1 + 0.4, 12);
    expect(cost('gemini-2.5-flash')).toBe(0.3 + 2.5);
    expect(cost('gemini-3-pro-high')).toBe(2 + 12);
    expect(cost('gemini-3-flash')).toBe(0.5 + 3);
    expect(cost('some-local-model')).toBeNull();

    const list = await call<PricingRow[]>(h!.app, 'pricing:list');
    expect(list).toHaveLength(DEFAULT_PRICING.length);
    expect(list.every((p) => p.isDefault)).toBe(true);
    // Most specific first.
    expect(list.findIndex((p) => p.pattern === 'gpt-4o-mini*')).toBeLessThan(list.findIndex((p) => p.pattern === 'gpt-4o*'));

    const before = cost('gpt-4o');
    expect(await call(h!.app, 'pricing:set', { pattern: 'gpt-4o*', inputPerMTok: 2, outputPerMTok: 8 })).toEqual({ pattern: 'gpt-4o*', inputPerMTok: 2, outputPerMTok: 8, isDefault: false });
    await call(h!.app, 'pricing:set', { pattern: 'some-local-*', inputPerMTok: 0.5, outputPerMTok: 0.5 });
    expect(cost('gpt-4o')).toBe(10);
    expect(cost('some-local-model')).toBe(1);
    // Rows already completed keep the price they were completed with.
    expect(before).toBe(12.5);
    expect(h!.app.services.db.prepare("SELECT COUNT(*) FROM usage_ledger WHERE model = 'gpt-4o' AND cost = 12.5").pluck().get()).toBe(1);

    // Edits survive a restart; untouched defaults follow the build's list.
    h = await h!.reopen();
    const after = await call<PricingRow[]>(h!.app, 'pricing:list');
    expect(after.find((p) => p.pattern === 'gpt-4o*')).toEqual({ pattern: 'gpt-4o*', inputPerMTok: 2, outputPerMTok: 8, isDefault: false });
    expect(after.find((p) => p.pattern === 'some-local-*')?.isDefault).toBe(false);

    // Removing a user pattern drops it; removing a built-in one restores its default price.
    expect(await call(h!.app, 'pricing:remove', { pattern: 'some-local-*' })).toEqual({ removed: true, restored: null });
    expect(await call(h!.app, 'pricing:remove', { pattern: 'some-local-*' })).toEqual({ removed: false, restored: null });
    expect(await call(h!.app, 'pricing:remove', { pattern: 'gpt-4o*' })).toEqual({ removed: false, restored: { pattern: 'gpt-4o*', inputPerMTok: 2.5, outputPerMTok: 10, isDefault: true } });
    expect((await call<PricingRow[]>(h!.app, 'pricing:list')).length).toBe(DEFAULT_PRICING.length);

    await expect(call(h!.app, 'pricing:set', { pattern: 'bad pattern!', inputPerMTok: 1, outputPerMTok: 1 })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(call(h!.app, 'pricing:set', { pattern: 'x*', inputPerMTok: -1, outputPerMTok: 1 })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('matchPrice: exact beats glob, more literal characters win, then fewer stars', () => {
    const prices = [
      { pattern: '*', inputPerMTok: 1, outputPerMTok: 1 },
      { pattern: 'gpt-*', inputPerMTok: 2, outputPerMTok: 2 },
      { pattern: 'gpt-4o*', inputPerMTok: 3, outputPerMTok: 3 },
      { pattern: 'gpt-4o', inputPerMTok: 4, outputPerMTok: 4 },
      { pattern: 'gpt-4o*mini*', inputPerMTok: 5, outputPerMTok: 5 },
      { pattern: 'openrouter/*', inputPerMTok: 6, outputPerMTok: 6 },
    ];
    expect(matchPrice(prices, 'gpt-4o')?.inputPerMTok).toBe(4);
    expect(matchPrice(prices, 'GPT-4o-2024-08-06')?.inputPerMTok).toBe(3);
    expect(matchPrice(prices, 'gpt-4o-mini')?.inputPerMTok).toBe(5);
    expect(matchPrice(prices, 'gpt-3.5')?.inputPerMTok).toBe(2);
    expect(matchPrice(prices, 'llama')?.inputPerMTok).toBe(1);
    expect(matchPrice(prices, 'openrouter/llama')?.inputPerMTok).toBe(6);
    expect(matchPrice(prices.slice(1, 3), 'llama')).toBeNull();
  });

  it('keeps the daily rollups equal to the ledger sums', async () => {
    const { h } = await setup();
    const accs = [await addAccount(h, 'Alpha'), await addAccount(h, 'Beta'), null];
    const models = ['gpt-4o', 'claude-sonnet-4-5', 'gemini-2.5-pro', 'unpriced-model'];
    const statuses = ['completed', 'completed', 'failed', 'rejected', 'pending', 'completed'] as const;
    // A deterministic spread over three UTC days, some starting just before midnight and ending after it.
    let x = 7;
    const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 400; i++) {
      const accountId = accs[next() % 3]!;
      const status = accountId === null ? 'rejected' : statuses[next() % statuses.length]!;
      attempt(h, {
        accountId,
        model: models[next() % models.length]!,
        at: Date.parse('2026-11-21T23:30:00Z') + (next() % (3 * DAY)),
        status: status === 'rejected' && accountId !== null ? 'failed' : status,
        input: next() % 5000,
        output: next() % 3000,
        durationMs: next() % (2 * HOUR),
      });
    }
    // A begun attempt refused before it went out.
    const id = h.app.services.ledger.begin(startOf({ accountId: accs[0]!, at: T0 }));
    h.app.services.ledger.complete(id, { status: 'rejected', httpStatus: null, inputTokens: null, outputTokens: null, endedAt: T0, error: 'refused' });

    const fromLedger = h.app.services.db
      .prepare(
        `SELECT strftime('%Y-%m-%d', started_at / 1000, 'unixepoch') AS day, COALESCE(account_id, '') AS account_id, model,
           SUM(status = 'completed' OR status = 'failed') AS requests, SUM(status = 'completed') AS completed, SUM(status = 'failed') AS failed,
           SUM(status = 'rejected') AS rejected,
           SUM(CASE WHEN status = 'completed' THEN COALESCE(input_tokens, 0) ELSE 0 END) AS input_tokens,
           SUM(CASE WHEN status = 'completed' THEN COALESCE(output_tokens, 0) ELSE 0 END) AS output_tokens,
           SUM(CASE WHEN status = 'completed' THEN COALESCE(cost, 0) ELSE 0 END) AS cost
         FROM usage_ledger GROUP BY 1, 2, 3 HAVING SUM(status <> 'pending') > 0 ORDER BY 1, 2, 3`,
      )
      .all() as Array<Record<string, number | string>>;
    const rolled = rollups(h);
    expect(rolled.map(({ cost: _c, ...r }) => r)).toEqual(fromLedger.map(({ cost: _c, ...r }) => r));
    rolled.forEach((r, i) => expect(r.cost as number).toBeCloseTo(fromLedger[i]!.cost as number, 9));
    expect(new Set(rolled.map((r) => r.day))).toEqual(new Set(['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']));
  });

  it('marks rows a crash left pending as interrupted on the next start, in the ledger and the rollups', async () => {
    const { clock } = await setup();
    const acc = await addAccount(h!, 'Alpha');
    const open1 = attempt(h!, { accountId: acc, at: T0, status: 'pending' })!;
    const done = attempt(h!, { accountId: acc, at: T0 + 1 })!;
    const open2 = attempt(h!, { accountId: acc, at: T0 + 2, model: 'claude-sonnet-4-5', status: 'pending' })!;
    // What each start does, here by hand: both open rows.
    expect(h!.app.services.ledger.markInterrupted()).toBe(2);
    // A crash with one more row in flight: the next start finds it.
    attempt(h!, { accountId: acc, at: T0 + 3, status: 'pending' });
    clock.advance(5 * 60_000);
    h = await h!.reopen();
    expect(h.logger.lines.some((l) => l.startsWith('[warn] (usage)') && l.includes('1 usage ledger row(s) left pending'))).toBe(true);
    const rows = ledgerRows(h);
    expect(rows.map((r) => [r.id, r.status, r.error, r.ended_at])).toEqual([
      [open1, 'failed', 'interrupted', null],
      [done, 'completed', null, T0 + 1 + 1000],
      [open2, 'failed', 'interrupted', null],
      [open2 + 1, 'failed', 'interrupted', null],
    ]);
    expect(rollups(h)).toEqual([
      expect.objectContaining({ account_id: acc, model: 'claude-sonnet-4-5', requests: 1, completed: 0, failed: 1 }),
      expect.objectContaining({ account_id: acc, model: 'gpt-4o', requests: 3, completed: 1, failed: 2 }),
    ]);
    expect(h.app.services.ledger.markInterrupted()).toBe(0);
  });

  it('prunes ledger rows past usageRetentionDays and keeps the rollups', async () => {
    const { h, clock } = await setup({ usageRetentionDays: 30 });
    const acc = await addAccount(h, 'Alpha');
    attempt(h, { accountId: acc, at: T0 - 100 * DAY });
    attempt(h, { accountId: acc, at: T0 - 31 * DAY });
    attempt(h, { accountId: acc, at: T0 - 29 * DAY });
    attempt(h, { accountId: acc, at: T0 - HOUR });
    const summary = () => call<UsageSummaryRow[]>(h.app, 'usage:summary', { from: '2026-01-01', to: '2027-01-01', groupBy: 'account' });
    const before = await summary();

    await h.app.start(); // prunes once at start
    expect(ledgerRows(h).map((r) => r.started_at)).toEqual([T0 - 29 * DAY, T0 - HOUR]);
    expect(await summary()).toEqual(before);
    expect(before[0]).toMatchObject({ key: acc, requests: 4, completed: 4 });

    // After sync cycles, at most once an hour; the retention setting applies on the next prune.
    attempt(h, { accountId: acc, at: T0 - 40 * DAY });
    await call(h.app, 'monitor:syncNow');
    expect(ledgerRows(h)).toHaveLength(3);
    clock.advance(HOUR);
    await call(h.app, 'settings:update', { usageRetentionDays: 7 });
    await call(h.app, 'monitor:syncNow');
    expect(ledgerRows(h).map((r) => r.started_at)).toEqual([T0 - HOUR]);
    expect((await summary())[0]).toMatchObject({ requests: 5, completed: 5 });
    // Pending rows are never pruned (they are in flight).
    expect(h.app.services.ledger.prune(T0 + 1000 * DAY, 1)).toBe(1);
    const id = h.app.services.ledger.begin(startOf({ accountId: acc, at: T0 - 60 * DAY }));
    expect(h.app.services.ledger.prune(T0, 1)).toBe(0);
    expect(ledgerRows(h).map((r) => r.id)).toEqual([id]);
  });
});
