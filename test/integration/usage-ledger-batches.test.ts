// The ledger's two queues on a real SQLite file, watched through a second connection (what a
// crash would leave): a pending row is committed before the proxy's begin resolves; completions
// wait (≤ COMPLETION_DELAY_MS, or until COMPLETION_BATCH are queued) and are then written
// together; flush() and close() write at once; a completion lost in a crash leaves its row
// pending, marked interrupted at the next start. The log reads pending and ended rows from
// their own partial indexes and merges them newest first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/core/db/open-database';
import { Pricing } from '../../src/main/core/usage/pricing';
import { COMPLETION_BATCH, COMPLETION_DELAY_MS, UsageLedger } from '../../src/main/core/usage/usage-ledger';
import type { AttemptEnd, AttemptStart } from '../../src/main/core/usage/usage-ports';
import type { UsageLogPage } from '../../src/shared/types';
import { call, FakeClock, makeHarness, type Harness } from '../helpers/harness';
import { addAccount, attempt } from '../helpers/usage-fixtures';

const dirs: string[] = [];
const dbs: Array<{ close(): unknown; open: boolean }> = [];
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.parse('2026-11-23T10:00:00Z');
const turn = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'qd-batches-'));
  dirs.push(dir);
  const file = join(dir, 'q.db');
  const db: Db = openDatabase(file);
  dbs.push(db);
  const ledger = new UsageLedger(db, new Pricing(db, { now: () => T0, setTimeout, clearTimeout }));
  const reader = new Database(file, { readonly: true });
  dbs.push(reader);
  const statusOf = (id: number) => reader.prepare('SELECT status FROM usage_ledger WHERE id = ?').pluck().get(id) as string | undefined;
  const counts = () =>
    Object.fromEntries((reader.prepare('SELECT status, COUNT(*) AS n FROM usage_ledger GROUP BY status').all() as Array<{ status: string; n: number }>).map((r) => [r.status, r.n]));
  return { file, db, ledger, statusOf, counts };
}

let seq = 0;
const start = (accountId = 'acc-1'): AttemptStart => ({
  requestId: `req-${++seq}`,
  attempt: 1,
  accountId,
  provider: 'openai',
  model: 'gpt-4o',
  requestedModel: null,
  client: 'batch-test',
  route: 'openai.chat',
  startedAt: T0 + seq,
});
const done = (): AttemptEnd => ({ status: 'completed', httpStatus: 200, inputTokens: 10, outputTokens: 5, endedAt: T0 + 1000, error: null });

describe('usage ledger batches', () => {
  it('commits a row before the proxy\'s begin resolves; its completion is written later, without a reader asking', async () => {
    const { ledger, statusOf } = setup();
    const id = await ledger.grouped.begin(start());
    expect(statusOf(id)).toBe('pending');
    ledger.grouped.complete(id, done());
    await turn();
    await turn();
    // Still waiting for others to share its transaction.
    expect(statusOf(id)).toBe('pending');
    await sleep(COMPLETION_DELAY_MS + 40);
    expect(statusOf(id)).toBe('completed');
  });

  it('a begin\'s commit carries rows only: queued completions keep waiting', async () => {
    const { ledger, statusOf } = setup();
    const a = await ledger.grouped.begin(start());
    ledger.grouped.complete(a, done());
    const b = await ledger.grouped.begin(start());
    expect(statusOf(b)).toBe('pending');
    expect(statusOf(a)).toBe('pending');
    await sleep(COMPLETION_DELAY_MS + 40);
    expect(statusOf(a)).toBe('completed');
    expect(statusOf(b)).toBe('pending');
  });

  it(`writes ${COMPLETION_BATCH} queued completions on the next turn, before the delay`, async () => {
    const { ledger, counts } = setup();
    const ids = await Promise.all(Array.from({ length: COMPLETION_BATCH }, (_, i) => ledger.grouped.begin(start(`acc-${i % 10}`))));
    expect(counts()).toEqual({ pending: COMPLETION_BATCH });
    const t = performance.now();
    for (const id of ids.slice(0, -1)) ledger.grouped.complete(id, done());
    await turn();
    expect(counts()).toEqual({ pending: COMPLETION_BATCH });
    ledger.grouped.complete(ids[ids.length - 1]!, done());
    await turn();
    expect(performance.now() - t).toBeLessThan(COMPLETION_DELAY_MS);
    expect(counts()).toEqual({ completed: COMPLETION_BATCH });
  });

  it('flush() and close() write queued completions at once', async () => {
    const { ledger, statusOf } = setup();
    const a = await ledger.grouped.begin(start());
    const b = await ledger.grouped.begin(start());
    ledger.grouped.complete(a, done());
    ledger.flush();
    expect(statusOf(a)).toBe('completed');
    ledger.grouped.complete(b, { ...done(), status: 'failed', httpStatus: 502, error: 'bad gateway' });
    ledger.close();
    expect(statusOf(b)).toBe('failed');
  });

  it('a completion lost in a crash leaves its row pending; the next start marks it interrupted', async () => {
    const { file, db, ledger, statusOf } = setup();
    const a = await ledger.grouped.begin(start());
    const b = await ledger.grouped.begin(start());
    ledger.grouped.complete(a, done());
    ledger.flush();
    ledger.grouped.complete(b, done());
    // The process dies with b's completion still queued (its timer then finds the database gone).
    db.close();
    await sleep(COMPLETION_DELAY_MS + 40);
    expect(statusOf(b)).toBe('pending');

    const next = openDatabase(file);
    dbs.push(next);
    const again = new UsageLedger(next, new Pricing(next, { now: () => T0, setTimeout, clearTimeout }));
    expect(again.markInterrupted()).toBe(1);
    expect(statusOf(a)).toBe('completed');
    expect(statusOf(b)).toBe('failed');
    expect(next.prepare('SELECT error FROM usage_ledger WHERE id = ?').pluck().get(b)).toBe('interrupted');
    // Counted once as a failed request of its day, beside the completed one.
    expect(next.prepare('SELECT requests, completed, failed FROM usage_daily').get()).toEqual({ requests: 2, completed: 1, failed: 1 });
  });

  it("the limits count a completion's tokens and cost as soon as it is queued, before its batch is written", async () => {
    h = await makeHarness({ clock: new FakeClock(T0) });
    const acc = await addAccount(h, 'Alpha');
    await call(h.app, 'limits:set', { scope: 'global', costPerMonth: 100, outputTokensPerMonth: 1_000_000 });
    await call(h.app, 'limits:set', { scope: acc, requestsPerDay: 100, outputTokensPerMonth: 1_000_000 });
    const { ledger, limits } = h.app.services;
    const used = () => Object.fromEntries(limits.usage(T0).map((u) => [`${u.accountId ?? 'global'} ${u.limit}`, u.used]));
    expect(used()).toMatchObject({ 'global cost_per_month': 0, [`${acc} output_tokens_per_month`]: 0 });
    const reader = new Database(join(h.dir, 'quotadeck.db'), { readonly: true });
    dbs.push(reader);
    const id = await ledger.grouped.begin({ ...start(acc), model: 'claude-sonnet-4-5-20250929', startedAt: T0 });
    expect(used()).toMatchObject({ [`${acc} requests_per_day`]: 1 });
    // Sonnet: $3 in, $15 out per million tokens.
    ledger.grouped.complete(id, { status: 'completed', httpStatus: 200, inputTokens: 1000, outputTokens: 500, endedAt: T0 + 900, error: null });
    const now = used();
    expect(now['global cost_per_month']).toBeCloseTo(0.0105, 10);
    expect(now).toMatchObject({ [`${acc} output_tokens_per_month`]: 500, [`${acc} requests_per_day`]: 1 });
    // Not written yet: what the next request's check saw came from the queue, not from SQLite.
    expect(reader.prepare('SELECT status FROM usage_ledger WHERE id = ?').pluck().get(id)).toBe('pending');
    // Once written, nothing is counted twice.
    await sleep(COMPLETION_DELAY_MS + 40);
    expect(reader.prepare('SELECT status FROM usage_ledger WHERE id = ?').pluck().get(id)).toBe('completed');
    expect(used()).toMatchObject({ [`${acc} output_tokens_per_month`]: 500, [`${acc} requests_per_day`]: 1 });
    expect(used()['global cost_per_month']).toBeCloseTo(0.0105, 10);
  });

  it('the log merges pending and ended rows newest first, pages without gaps, and filters each part', async () => {
    h = await makeHarness({ clock: new FakeClock(T0) });
    const alpha = await addAccount(h, 'Alpha');
    const beta = await addAccount(h, 'Beta');
    // Interleaved in time: pending and ended rows alternate, two share a start time.
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) {
      const status = i % 3 === 0 ? 'pending' : i % 3 === 1 ? 'completed' : 'failed';
      ids.push(attempt(h, { accountId: i % 2 === 0 ? alpha : beta, at: T0 + Math.floor(i / 2) * 1000 + (i % 2 === 1 && i < 4 ? -1000 : 0), status })!);
    }
    const all = h.app.services.db
      .prepare('SELECT id, status, account_id FROM usage_ledger ORDER BY started_at DESC, id DESC')
      .all() as Array<{ id: number; status: string; account_id: string }>;
    const pages: number[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await call<UsageLogPage>(h.app, 'usage:log', { limit: 5, ...(cursor ? { cursor } : {}) });
      pages.push(...page.rows.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(pages).toEqual(all.map((r) => r.id));
    for (const status of ['pending', 'completed', 'failed'] as const) {
      const rows = (await call<UsageLogPage>(h.app, 'usage:log', { status, limit: 100 })).rows;
      expect(rows.map((r) => r.id)).toEqual(all.filter((r) => r.status === status).map((r) => r.id));
    }
    const betaRows = (await call<UsageLogPage>(h.app, 'usage:log', { accountId: beta, limit: 100 })).rows;
    expect(betaRows.map((r) => r.id)).toEqual(all.filter((r) => r.account_id === beta).map((r) => r.id));
    expect(new Set(ids).size).toBe(12);
  });
});
