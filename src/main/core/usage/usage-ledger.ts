// The usage ledger: one row per attempt, written pending before dispatch and completed after,
// with its cost from the pricing table and the daily rollups (usage_daily) updated in the same
// transaction; after a crash, left-over pending rows become failed 'interrupted'; retention.
//
// What counts where (the limits read these numbers):
// - rollup `requests` = attempts actually dispatched (pending, completed or failed), counted at
//   begin() so an in-flight request already counts against the per-day limit;
// - `rejected` (refused before any dispatch) is counted apart and never as a request;
// - tokens and cost count for completed attempts only (a failed row keeps whatever usage was
//   reported, for the log, but adds nothing to the rollups);
// - a row belongs to the UTC day it started on.
import { NO_USAGE, type UsageCounts } from '../../../shared/types';
import type { Db } from '../db/open-database';
import type { Pricing } from './pricing';
import type { AttemptEnd, AttemptStart, UsageLedgerPort } from './usage-ports';
import { DAY_MS, utcDay } from './usage-windows';

/** The rollups' key for "no account" (a request refused before one was chosen). */
export const NO_ACCOUNT = '';

const MAX_ERROR_CHARS = 500;
const PRUNE_BATCH = 5000;

interface Delta extends UsageCounts {
  day: string;
  accountId: string;
  model: string;
}


const tokens = (n: number | null): number | null => (n === null || !Number.isFinite(n) ? null : Math.max(0, Math.round(n)));
const errorText = (e: string | null): string | null => (e === null ? null : e.length > MAX_ERROR_CHARS ? `${e.slice(0, MAX_ERROR_CHARS - 1)}…` : e);

export class UsageLedger implements UsageLedgerPort {
  private readonly stmt;
  private readonly tx;

  constructor(
    private readonly db: Db,
    private readonly pricing: Pricing,
  ) {
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO usage_ledger (request_id, attempt, account_id, provider, model, requested_model, client, route, status, http_status, input_tokens, output_tokens, cost, error, started_at, ended_at)
         VALUES (@requestId, @attempt, @accountId, @provider, @model, @requestedModel, @client, @route, @status, @httpStatus, @inputTokens, @outputTokens, @cost, @error, @startedAt, @endedAt)`,
      ),
      pendingRow: db.prepare<[number], { account_id: string | null; model: string; started_at: number }>(
        "SELECT account_id, model, started_at FROM usage_ledger WHERE id = ? AND status = 'pending'",
      ),
      finish: db.prepare(
        `UPDATE usage_ledger SET status = @status, http_status = @httpStatus, input_tokens = @inputTokens, output_tokens = @outputTokens,
           cost = @cost, error = @error, ended_at = @endedAt
         WHERE id = @id AND status = 'pending'`,
      ),
      addToRollup: db.prepare<Delta>(
        `INSERT INTO usage_daily (day, account_id, model, requests, completed, failed, rejected, input_tokens, output_tokens, cost)
         VALUES (@day, @accountId, @model, @requests, @completed, @failed, @rejected, @inputTokens, @outputTokens, @cost)
         ON CONFLICT (day, account_id, model) DO UPDATE SET
           requests = requests + excluded.requests, completed = completed + excluded.completed, failed = failed + excluded.failed,
           rejected = rejected + excluded.rejected, input_tokens = input_tokens + excluded.input_tokens,
           output_tokens = output_tokens + excluded.output_tokens, cost = cost + excluded.cost`,
      ),
      interruptedIntoRollups: db.prepare(
        `INSERT INTO usage_daily (day, account_id, model, failed)
         SELECT strftime('%Y-%m-%d', started_at / 1000, 'unixepoch'), COALESCE(account_id, ''), model, COUNT(*)
         FROM usage_ledger WHERE status = 'pending' GROUP BY 1, 2, 3
         ON CONFLICT (day, account_id, model) DO UPDATE SET failed = failed + excluded.failed`,
      ),
      markInterrupted: db.prepare("UPDATE usage_ledger SET status = 'failed', error = 'interrupted' WHERE status = 'pending'"),
      pruneBatch: db.prepare<[number, number]>(
        "DELETE FROM usage_ledger WHERE id IN (SELECT id FROM usage_ledger WHERE started_at < ? AND status <> 'pending' LIMIT ?)",
      ),
    };
    this.tx = {
      begin: db.transaction((a: AttemptStart): number => {
        const id = Number(this.stmt.insert.run(this.row(a, 'pending', null)).lastInsertRowid);
        this.stmt.addToRollup.run({ ...NO_USAGE, ...this.key(a.startedAt, a.accountId, a.model), requests: 1 });
        return id;
      }),
      complete: db.transaction((id: number, e: AttemptEnd): void => {
        const row = this.stmt.pendingRow.get(id);
        // Unknown or already finished: nothing changes (a second completion never counts twice).
        if (!row) return;
        const inputTokens = tokens(e.inputTokens);
        const outputTokens = tokens(e.outputTokens);
        const cost = e.status === 'completed' ? this.pricing.costFor(row.model, inputTokens, outputTokens) : null;
        this.stmt.finish.run({ id, status: e.status, httpStatus: e.httpStatus, inputTokens, outputTokens, cost, error: errorText(e.error), endedAt: e.endedAt });
        const key = this.key(row.started_at, row.account_id, row.model);
        if (e.status === 'completed') {
          this.stmt.addToRollup.run({ ...NO_USAGE, ...key, completed: 1, inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0, cost: cost ?? 0 });
        } else if (e.status === 'failed') {
          this.stmt.addToRollup.run({ ...NO_USAGE, ...key, failed: 1 });
        } else {
          // Begun but then refused before it went out: not a dispatched request after all.
          this.stmt.addToRollup.run({ ...NO_USAGE, ...key, requests: -1, rejected: 1 });
        }
      }),
      reject: db.transaction((a: AttemptStart, e: Omit<AttemptEnd, 'status'>): number => {
        const id = Number(this.stmt.insert.run(this.row(a, 'rejected', e)).lastInsertRowid);
        this.stmt.addToRollup.run({ ...NO_USAGE, ...this.key(a.startedAt, a.accountId, a.model), rejected: 1 });
        return id;
      }),
      markInterrupted: db.transaction((): number => {
        this.stmt.interruptedIntoRollups.run();
        return this.stmt.markInterrupted.run().changes;
      }),
    };
  }

  private key(startedAt: number, accountId: string | null, model: string) {
    return { day: utcDay(startedAt), accountId: accountId ?? NO_ACCOUNT, model };
  }

  private row(a: AttemptStart, status: 'pending' | 'rejected', e: Omit<AttemptEnd, 'status'> | null) {
    return {
      requestId: a.requestId,
      attempt: a.attempt,
      accountId: a.accountId,
      provider: a.provider,
      model: a.model,
      requestedModel: a.requestedModel ?? null,
      client: a.client,
      route: a.route,
      status,
      httpStatus: e?.httpStatus ?? null,
      inputTokens: tokens(e?.inputTokens ?? null),
      outputTokens: tokens(e?.outputTokens ?? null),
      cost: null,
      error: errorText(e?.error ?? null),
      startedAt: a.startedAt,
      endedAt: e?.endedAt ?? null,
    };
  }

  /** Writes a pending row before dispatch (and counts it as a request of its day); returns its id. */
  begin(a: AttemptStart): number {
    return this.tx.begin(a);
  }

  /** Completes a pending row: cost from pricing, rollups in the same transaction. A row already finished is left alone. */
  complete(id: number, e: AttemptEnd): void {
    this.tx.complete(id, e);
  }

  /** A request refused before any dispatch: one rejected row (never a request in the limits). */
  reject(a: AttemptStart, e: Omit<AttemptEnd, 'status'>): void {
    this.tx.reject(a, e);
  }

  /**
   * At start, before anything dispatches: rows a crash left pending become failed with the
   * error 'interrupted' (their end time stays unknown); returns how many.
   */
  markInterrupted(): number {
    return this.tx.markInterrupted();
  }

  /** Deletes ledger rows that started more than `retentionDays` before `now` (rollups are kept); returns how many. */
  prune(now: number, retentionDays: number): number {
    const before = now - retentionDays * DAY_MS;
    let total = 0;
    // In batches, so a first prune of a large ledger never holds the write lock for long.
    for (;;) {
      const n = this.stmt.pruneBatch.run(before, PRUNE_BATCH).changes;
      total += n;
      if (n < PRUNE_BATCH) return total;
    }
  }
}
