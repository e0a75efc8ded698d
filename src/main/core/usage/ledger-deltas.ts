// What one ledger write changes in the counted usage: the deltas told to the limits' in-memory
// windows, and the rollup sums of a batch (one upsert per day, account and model).
import type { UsageCounts } from '../../../shared/types';
import { utcDay } from './usage-windows';

/** The rollups' key for "no account" (a request refused before one was chosen). */
export const NO_ACCOUNT = '';

/**
 * One change to the counted usage, as the rollups see it: told to the listener (the limits'
 * in-memory windows) when it is queued — a begin, a refusal, the completion of a row this ledger
 * began —, when it is written for the completion of a row it looked up. Exactly once per change.
 */
export interface LedgerDelta extends UsageCounts {
  accountId: string | null;
  startedAt: number;
}

export interface LedgerListener {
  delta(d: LedgerDelta): void;
  /** A batch failed to write: whatever was counted from it is wrong, reload from SQLite. */
  reset(): void;
}

/** A delta of the counted usage (every field set: one object shape on the hot path). */
export function delta(accountId: string | null, startedAt: number, requests: number, completed: number, failed: number, rejected: number, inputTokens: number, outputTokens: number, cost: number): LedgerDelta {
  return { accountId, startedAt, requests, completed, failed, rejected, inputTokens, outputTokens, cost };
}

/** Rollup deltas of one batch, summed per (day, account, model). */
export class RollupBatch {
  /** account → its (day, model) sums: a batch holds a few of each. */
  private readonly byAccount = new Map<string, Array<{ day: string; accountId: string; model: string; c: LedgerDelta }>>();
  /** Adds `d` with `requests` in place of its own (the rollups count a request when it ends). */
  add(d: LedgerDelta, model: string, requests = d.requests): void {
    const day = utcDay(d.startedAt);
    const acc = d.accountId ?? NO_ACCOUNT;
    let list = this.byAccount.get(acc);
    if (!list) this.byAccount.set(acc, (list = []));
    let r = null;
    for (const x of list) {
      if (x.model === model && x.day === day) {
        r = x;
        break;
      }
    }
    if (!r) list.push((r = { day, accountId: acc, model, c: delta(acc, 0, 0, 0, 0, 0, 0, 0, 0) }));
    const c = r.c;
    c.requests += requests;
    c.completed += d.completed;
    c.failed += d.failed;
    c.rejected += d.rejected;
    c.inputTokens += d.inputTokens;
    c.outputTokens += d.outputTokens;
    c.cost += d.cost;
  }
  *entries(): Iterable<{ day: string; accountId: string; model: string; c: UsageCounts }> {
    for (const list of this.byAccount.values()) yield* list;
  }
}
