// The quota engine's per-account change journal, read by the selector's incremental index.
// Every change that concerns one account's readings or locks is recorded with the engine
// versions before and after it. A reader that knows version V finds out whether journal entries
// alone lead from V to the current version — then it updates just those accounts; anything else
// (a bump, a warm start, an expiry sweep) is a change of everything.

/** Entries kept before the oldest half is dropped (a reader that far behind rebuilds). */
const MAX_ENTRIES = 8192;

export class ChangeJournal {
  private entries: Array<{ accountId: string; before: number; after: number }> = [];
  /** Sequence number of entries[0]. */
  private base = 0;

  /** One account's change from engine version `before` to `after` (nothing when they are equal). */
  record(accountId: string, before: number, after: number): void {
    if (after === before) return;
    this.entries.push({ accountId, before, after });
    if (this.entries.length > MAX_ENTRIES) {
      this.entries = this.entries.slice(MAX_ENTRIES / 2);
      this.base += MAX_ENTRIES / 2;
    }
  }

  /** Sequence number of the next entry. */
  seq(): number {
    return this.base + this.entries.length;
  }

  /**
   * The accounts whose changes alone lead from `fromVersion` (seen at position `seq`) to `now`,
   * written into `out` from index 0: how many, or -1 when something else changed too.
   */
  changedInto(seq: number, fromVersion: number, now: number, out: string[]): number {
    if (now === fromVersion) return 0;
    if (seq < this.base) return -1;
    let v = fromVersion;
    let n = 0;
    for (let i = seq - this.base; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.before !== v) return -1;
      v = e.after;
      out[n++] = e.accountId;
    }
    return v === now ? n : -1;
  }
}
