// Per-account sync state (backoff survives restarts) and the record of sync runs.
import type { SyncReport } from '../../../shared/types';
import type { Db } from '../db/open-database';
import type { SyncState } from '../model';

interface StateRow {
  account_id: string;
  last_success_at: number | null;
  last_attempt_at: number | null;
  last_error_code: string | null;
  last_error_message: string | null;
  consecutive_failures: number;
  next_attempt_at: number | null;
}

const RUNS_KEPT = 500;

export class SyncRepository {
  private readonly states = new Map<string, SyncState>();
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      all: db.prepare<[], StateRow>('SELECT * FROM account_sync_state'),
      upsert: db.prepare(
        `INSERT INTO account_sync_state (account_id, last_success_at, last_attempt_at, last_error_code, last_error_message, consecutive_failures, next_attempt_at)
         VALUES (@accountId, @lastSuccessAt, @lastAttemptAt, @lastErrorCode, @lastErrorMessage, @consecutiveFailures, @nextAttemptAt)
         ON CONFLICT (account_id) DO UPDATE SET last_success_at = excluded.last_success_at, last_attempt_at = excluded.last_attempt_at,
           last_error_code = excluded.last_error_code, last_error_message = excluded.last_error_message,
           consecutive_failures = excluded.consecutive_failures, next_attempt_at = excluded.next_attempt_at`,
      ),
      insertRun: db.prepare(
        `INSERT INTO sync_runs (trigger, started_at, finished_at, duration_ms, accounts, successes, errors, skipped, aborted, results)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      lastRun: db.prepare<[], { id: number; trigger: string; started_at: number; finished_at: number; duration_ms: number; accounts: number; successes: number; errors: number; skipped: number; aborted: number; results: string }>(
        'SELECT * FROM sync_runs ORDER BY id DESC LIMIT 1',
      ),
      pruneRuns: db.prepare<[number]>('DELETE FROM sync_runs WHERE id <= ?'),
    };
    for (const r of this.stmt.all.all()) {
      this.states.set(r.account_id, {
        accountId: r.account_id,
        lastSuccessAt: r.last_success_at,
        lastAttemptAt: r.last_attempt_at,
        lastErrorCode: r.last_error_code,
        lastErrorMessage: r.last_error_message,
        consecutiveFailures: r.consecutive_failures,
        nextAttemptAt: r.next_attempt_at,
      });
    }
  }

  state(accountId: string): SyncState {
    return (
      this.states.get(accountId) ?? {
        accountId,
        lastSuccessAt: null,
        lastAttemptAt: null,
        lastErrorCode: null,
        lastErrorMessage: null,
        consecutiveFailures: 0,
        nextAttemptAt: null,
      }
    );
  }

  /** Keeps the state in memory; persisted by saveStates (in the cycle's transaction). */
  setState(s: SyncState): void {
    this.states.set(s.accountId, s);
  }

  saveStates(states: SyncState[]): void {
    for (const s of states) this.stmt.upsert.run(s);
  }

  forget(accountId: string): void {
    this.states.delete(accountId);
  }

  /** Records a run; returns its id. Must run inside the caller's transaction or alone. */
  saveRun(r: Omit<SyncReport, 'id'>): number {
    const info = this.stmt.insertRun.run(
      r.trigger,
      Date.parse(r.startedAt),
      Date.parse(r.finishedAt),
      r.durationMs,
      r.accounts,
      r.successes,
      r.errors,
      r.skipped,
      r.aborted ? 1 : 0,
      JSON.stringify(r.results),
    );
    const id = Number(info.lastInsertRowid);
    if (id > RUNS_KEPT) this.stmt.pruneRuns.run(id - RUNS_KEPT);
    return id;
  }

  lastRun(): SyncReport | null {
    const r = this.stmt.lastRun.get();
    if (!r) return null;
    return {
      id: r.id,
      trigger: r.trigger as SyncReport['trigger'],
      startedAt: new Date(r.started_at).toISOString(),
      finishedAt: new Date(r.finished_at).toISOString(),
      durationMs: r.duration_ms,
      accounts: r.accounts,
      successes: r.successes,
      errors: r.errors,
      skipped: r.skipped,
      aborted: r.aborted === 1,
      results: JSON.parse(r.results) as SyncReport['results'],
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
