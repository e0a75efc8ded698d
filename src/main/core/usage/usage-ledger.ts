// The usage ledger: one row per attempt, written pending before dispatch and completed after,
// with its cost from the pricing table and the daily rollups (usage_daily) updated in the same
// transaction; after a crash, left-over pending rows become failed 'interrupted'; retention.
//
// Writes are grouped (prepared statements, the rollups summed per day/account/model and upserted
// once per transaction), from two queues:
// - rows (pending and rejected): every row queued during one turn of the event loop is written
//   in ONE transaction on the next setImmediate. The proxy's port (`grouped`) waits for the
//   batch holding its pending row before it calls the upstream (a row exists before any
//   dispatch: a crash after it leaves a trace);
// - completions: queued without waiting and written COMPLETION_DELAY_MS after the first of
//   them, or with the next rows' batch once COMPLETION_BATCH are queued. A row enters the read
//   indexes when it ends (migration 9), so ending many rows in one transaction writes each
//   scattered index leaf once for many rows: that is most of the ledger's cost per request.
//   A crash loses at most the completions of that window: their rows stay pending and are
//   marked failed 'interrupted' at the next start (the row itself was committed before dispatch).
// The direct methods (begin/complete/reject) write at once, everything queued with them, for
// callers that read right after (the token API's report, tests). Readers of the ledger in this
// process (limits, analytics, prune) call flush() first.
//
// What counts where (the limits read these numbers):
// - rollup `requests` = attempts actually dispatched (completed or failed), written with the
//   row's end (so a begin's commit writes no rollup); an in-flight request already counts
//   against the per-day limit: the limits' windows count it when it is queued, and a window
//   loaded from SQLite adds the day's pending rows to the rollups;
// - `rejected` (refused before any dispatch) is counted apart and never as a request;
// - tokens and cost count for completed attempts, and for partial ones (a stream cut midway: the
//   upstream may have billed what it streamed, so its tokens are costed and the row is marked
//   `partial`); any other failed row keeps whatever usage was reported, for the log, but adds
//   nothing to the rollups;
// - a row belongs to the UTC day it started on.
import type { Db } from '../db/open-database';
import type { Pricing } from './pricing';
import type { AttemptEnd, AttemptStart, GroupedLedgerPort, UsageLedgerPort } from './usage-ports';
import { delta, RollupBatch, type LedgerDelta, type LedgerListener } from './ledger-deltas';
import { DAY_MS } from './usage-windows';

const MAX_ERROR_CHARS = 500;
const PRUNE_BATCH = 5000;
/** Completions wait at most this long for others to share their transaction. */
export const COMPLETION_DELAY_MS = 50;
/** This many queued completions are written with the next rows' batch, without waiting. */
export const COMPLETION_BATCH = 128;

interface RowInfo {
  accountId: string | null;
  model: string;
  startedAt: number;
}

type Insert = {
  a: AttemptStart;
  status: 'pending' | 'rejected';
  e: Omit<AttemptEnd, 'status'> | null;
  id: number;
  done: ((id: number) => void) | null;
  failed: ((err: unknown) => void) | null;
};
/** A completion as written: its tokens, cost and the delta it makes to the counted usage. */
interface Settled {
  inputTokens: number | null;
  outputTokens: number | null;
  partial: boolean;
  cost: number | null;
  d: LedgerDelta;
}
/** A queued completion; `s` is set when its row was known at queue time (the listener was told then). */
type Finish = { id: number; e: AttemptEnd; row: RowInfo | null; s: Settled | null };

const tokens = (n: number | null): number | null => (n === null || !Number.isFinite(n) ? null : Math.max(0, Math.round(n)));
const errorText = (e: string | null): string | null => (e === null ? null : e.length > MAX_ERROR_CHARS ? `${e.slice(0, MAX_ERROR_CHARS - 1)}…` : e);



const NONE: Finish[] = [];
const unrefd = (t: NodeJS.Timeout): NodeJS.Timeout => (t.unref(), t);

export class UsageLedger implements UsageLedgerPort {
  private readonly stmt;
  private readonly writeBatch: (rows: Insert[], finishes: Finish[]) => void;
  private queue: Insert[] = [];
  private finishes: Finish[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private finishTimer: NodeJS.Timeout | null = null;
  /** Rows written pending and not yet finished: a completion needs no read. */
  private readonly open = new Map<number, RowInfo>();
  private listener: LedgerListener | null = null;
  /** The proxy's port: begin() resolves once its row is committed; completions are queued. */
  readonly grouped: GroupedLedgerPort;

  constructor(
    db: Db,
    private readonly pricing: Pricing,
    /** Told after each batch is written (db/wal-checkpointer.ts). */
    private readonly afterWrite?: () => void,
  ) {
    this.stmt = {
      insert: db.prepare<unknown[]>(
        `INSERT INTO usage_ledger (request_id, attempt, account_id, provider, model, requested_model, client, route, status, http_status, input_tokens, output_tokens, cost, error, started_at, ended_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
      ),
      pendingRow: db.prepare<[number], { account_id: string | null; model: string; started_at: number }>(
        "SELECT account_id, model, started_at FROM usage_ledger WHERE id = ? AND status = 'pending'",
      ),
      finish: db.prepare<unknown[]>(
        `UPDATE usage_ledger SET status = ?, http_status = ?, input_tokens = ?, output_tokens = ?, cost = ?, error = ?, ended_at = ?, partial = ?
         WHERE id = ? AND status = 'pending'`,
      ),
      addToRollup: db.prepare<unknown[]>(
        `INSERT INTO usage_daily (day, account_id, model, requests, completed, failed, rejected, input_tokens, output_tokens, cost)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (day, account_id, model) DO UPDATE SET
           requests = requests + excluded.requests, completed = completed + excluded.completed, failed = failed + excluded.failed,
           rejected = rejected + excluded.rejected, input_tokens = input_tokens + excluded.input_tokens,
           output_tokens = output_tokens + excluded.output_tokens, cost = cost + excluded.cost`,
      ),
      interruptedIntoRollups: db.prepare(
        `INSERT INTO usage_daily (day, account_id, model, requests, failed)
         SELECT strftime('%Y-%m-%d', started_at / 1000, 'unixepoch'), COALESCE(account_id, ''), model, COUNT(*), COUNT(*)
         FROM usage_ledger WHERE status = 'pending' GROUP BY 1, 2, 3
         ON CONFLICT (day, account_id, model) DO UPDATE SET requests = requests + excluded.requests, failed = failed + excluded.failed`,
      ),
      markInterrupted: db.prepare("UPDATE usage_ledger SET status = 'failed', error = 'interrupted' WHERE status = 'pending'"),
      pruneBatch: db.prepare<[number, number]>(
        "DELETE FROM usage_ledger WHERE id IN (SELECT id FROM usage_ledger WHERE started_at < ? AND status <> 'pending' LIMIT ?)",
      ),
    };
    this.writeBatch = db.transaction((rows: Insert[], finishes: Finish[]) => this.write(rows, finishes));
    this.markInterruptedTx = db.transaction((): number => {
      this.stmt.interruptedIntoRollups.run();
      return this.stmt.markInterrupted.run().changes;
    });
    const flushSoon = () => {
      this.scheduled ??= setImmediate(this.flushScheduled);
    };
    this.grouped = {
      begin: (a) =>
        new Promise<number>((resolve, reject) => {
          this.enqueueInsert(a, 'pending', null, resolve, reject);
          flushSoon();
        }),
      complete: (id, e) => {
        this.enqueueFinish(id, e);
        if (this.finishes.length >= COMPLETION_BATCH) flushSoon();
        else this.finishTimer ??= unrefd(setTimeout(this.flushFinishes, COMPLETION_DELAY_MS));
      },
      reject: (a, e) => {
        this.enqueueInsert(a, 'rejected', e, null, null);
        flushSoon();
      },
    };
  }

  private readonly markInterruptedTx: () => number;
  // On a failed write the waiting begins were told; completions of that batch are lost and
  // their rows stay pending (marked interrupted at the next start).
  private readonly flushScheduled = () => {
    this.scheduled = null;
    try {
      this.writeQueued(this.finishes.length >= COMPLETION_BATCH);
    } catch {
      /* told above */
    }
  };
  private readonly flushFinishes = () => {
    this.finishTimer = null;
    try {
      this.writeQueued(true);
    } catch {
      /* told above */
    }
  };

  /** The limits' in-memory windows follow the ledger through this (one listener). */
  listen(l: LedgerListener): void {
    this.listener = l;
  }

  private enqueueInsert(a: AttemptStart, status: 'pending' | 'rejected', e: Omit<AttemptEnd, 'status'> | null, done: Insert['done'], failed: Insert['failed']): Insert {
    const op: Insert = { a, status, e, id: 0, done, failed };
    this.queue.push(op);
    this.listener?.delta(status === 'pending' ? delta(a.accountId, a.startedAt, 1, 0, 0, 0, 0, 0, 0) : delta(a.accountId, a.startedAt, 0, 0, 0, 1, 0, 0, 0));
    return op;
  }

  /**
   * A completion of a row this ledger began is counted at once (the limits see its tokens and
   * cost before the next request's check, though the write waits for its batch); one of an
   * unknown row is looked up and counted when written.
   */
  private enqueueFinish(id: number, e: AttemptEnd): void {
    const row = this.open.get(id);
    if (!row) {
      this.finishes.push({ id, e, row: null, s: null });
      return;
    }
    this.open.delete(id);
    const s = this.settle(row, e);
    this.finishes.push({ id, e, row, s });
    this.listener?.delta(s.d);
  }

  private settle(row: RowInfo, e: AttemptEnd): Settled {
    const inputTokens = tokens(e.inputTokens);
    const outputTokens = tokens(e.outputTokens);
    const partial = e.status === 'failed' && e.partial === true && ((inputTokens ?? 0) > 0 || (outputTokens ?? 0) > 0);
    const cost = e.status === 'completed' || partial ? this.pricing.costFor(row.model, inputTokens, outputTokens) : null;
    const { accountId, startedAt } = row;
    const d =
      e.status === 'completed'
        ? delta(accountId, startedAt, 0, 1, 0, 0, inputTokens ?? 0, outputTokens ?? 0, cost ?? 0)
        : partial
          ? delta(accountId, startedAt, 0, 0, 1, 0, inputTokens ?? 0, outputTokens ?? 0, cost ?? 0)
        : e.status === 'failed'
          ? delta(accountId, startedAt, 0, 0, 1, 0, 0, 0, 0)
          : // Begun but then refused before it went out: not a dispatched request after all.
            delta(accountId, startedAt, -1, 0, 0, 1, 0, 0, 0);
    return { inputTokens, outputTokens, partial, cost, d };
  }

  /** Writes everything queued (rows and completions) in one transaction, now. Readers call it before reading. */
  flush(): void {
    this.writeQueued(true);
  }

  /** Writes the queued rows, and the queued completions when `withFinishes`, in one transaction. */
  private writeQueued(withFinishes: boolean): void {
    const rows = this.queue;
    const finishes = withFinishes ? this.finishes : NONE;
    if (rows.length === 0 && finishes.length === 0) return;
    this.queue = [];
    if (withFinishes) {
      this.finishes = [];
      if (this.finishTimer) clearTimeout(this.finishTimer);
      this.finishTimer = null;
    }
    try {
      this.writeBatch(rows, finishes);
    } catch (err) {
      for (const op of rows) if (op.status === 'pending') this.open.delete(op.id);
      this.listener?.reset();
      for (const op of rows) op.failed?.(err);
      throw err;
    }
    this.afterWrite?.();
    for (const op of rows) if (op.done) op.done(op.id);
  }

  private write(rows: Insert[], finishes: Finish[]): void {
    const roll = new RollupBatch();
    const told: LedgerDelta[] = [];
    for (const op of rows) {
      const { a, e } = op;
      op.id = Number(
        this.stmt.insert.run(
          a.requestId, a.attempt, a.accountId, a.provider, a.model, a.requestedModel ?? null, a.client, a.route, op.status,
          e?.httpStatus ?? null, tokens(e?.inputTokens ?? null), tokens(e?.outputTokens ?? null), errorText(e?.error ?? null), a.startedAt, e?.endedAt ?? null,
        ).lastInsertRowid,
      );
      if (op.status === 'pending') {
        this.open.set(op.id, { accountId: a.accountId, model: a.model, startedAt: a.startedAt });
      } else {
        roll.add(delta(a.accountId, a.startedAt, 0, 0, 0, 1, 0, 0, 0), a.model);
      }
    }
    let resync = false;
    for (const f of finishes) {
      const { id, e } = f;
      let { row, s } = f;
      const toldAtQueue = s !== null;
      if (!row) {
        const r = this.stmt.pendingRow.get(id);
        // Unknown or already finished: nothing changes (a second completion never counts twice).
        if (!r) continue;
        row = { accountId: r.account_id, model: r.model, startedAt: r.started_at };
      }
      s ??= this.settle(row, e);
      if (this.stmt.finish.run(e.status, e.httpStatus, s.inputTokens, s.outputTokens, s.cost, errorText(e.error), e.endedAt, s.partial ? 1 : 0, id).changes === 0) {
        // Counted at queue time but no longer pending (never expected): the limits reload.
        if (toldAtQueue) resync = true;
        continue;
      }
      // The rollups count the request now that it ended (the listener counted it when queued).
      roll.add(s.d, row.model, e.status === 'rejected' ? 0 : 1);
      if (!toldAtQueue) told.push(s.d);
    }
    for (const r of roll.entries()) {
      const c = r.c;
      this.stmt.addToRollup.run(r.day, r.accountId, r.model, c.requests, c.completed, c.failed, c.rejected, c.inputTokens, c.outputTokens, c.cost);
    }
    // Completions of rows looked up here count once written (the rest were counted when queued).
    for (const d of told) this.listener?.delta(d);
    if (resync) this.listener?.reset();
  }

  /** Writes a pending row now (and counts it as a request of its day); returns its id. */
  begin(a: AttemptStart): number {
    const op = this.enqueueInsert(a, 'pending', null, null, null);
    this.flush();
    return op.id;
  }

  /** Completes a pending row now: cost from pricing, rollups in the same transaction. A row already finished is left alone. */
  complete(id: number, e: AttemptEnd): void {
    this.enqueueFinish(id, e);
    this.flush();
  }

  /** A request refused before any dispatch: one rejected row (never a request in the limits). */
  reject(a: AttemptStart, e: Omit<AttemptEnd, 'status'>): void {
    this.enqueueInsert(a, 'rejected', e, null, null);
    this.flush();
  }

  /**
   * At start, before anything dispatches: rows a crash left pending become failed with the
   * error 'interrupted' (their end time stays unknown); returns how many.
   */
  markInterrupted(): number {
    this.flush();
    this.open.clear();
    return this.markInterruptedTx();
  }

  /** Deletes ledger rows that started more than `retentionDays` before `now` (rollups are kept); returns how many. */
  prune(now: number, retentionDays: number): number {
    this.flush();
    const before = now - retentionDays * DAY_MS;
    let total = 0;
    // In batches, so a first prune of a large ledger never holds the write lock for long.
    for (;;) {
      const n = this.stmt.pruneBatch.run(before, PRUNE_BATCH).changes;
      total += n;
      if (n < PRUNE_BATCH) break;
    }
    if (total > 0) this.listener?.reset();
    return total;
  }

  /** Writes what is queued and stops the scheduled batch (before the database closes). */
  close(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    this.flush();
    if (this.finishTimer) clearTimeout(this.finishTimer);
    this.finishTimer = null;
  }
}
