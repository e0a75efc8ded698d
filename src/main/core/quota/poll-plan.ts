// When each account is next polled (issue 12 §3). The interval setting stays the default gap;
// adaptively an account is polled
// - sooner (a quarter of the interval, never under its provider's poll floor) when one of its
//   quotas is near the low threshold (at most twice it, not yet empty) or is forecast to run out
//   before the next cycle;
// - later (2×, then 4× the interval) while it stays full and idle: every quota at 100 % and no
//   proxy or token-API traffic since its last poll (traffic brings it back to the interval);
// - once just after a known reset of a quota it had used (the reset + 10 s) to confirm it.
// 'fixed' polls every account every interval (the loop before this plan; the bench's baseline).
// A longer gap keeps the account's readings fresh in the cache for as long (no "unknown" in
// between). Plans live in memory: after a restart every account is polled at once.
import type { Settings } from '../../../shared/types';
import type { AccountRecord } from '../model';
import type { QuotaEngine } from './quota-engine';

/** How long after a known reset the confirming poll comes. */
export const CONFIRM_AFTER_RESET_MS = 10_000;
/** The longest gap of a full, idle account, in intervals. */
export const MAX_IDLE_FACTOR = 4;
/** A quota at or above this is full. */
const FULL = 0.999;

export type PollReason = 'first' | 'soon' | 'interval' | 'idle' | 'confirm';

export interface PollPlanDeps {
  engine: QuotaEngine;
  settings: () => Settings;
  /** The provider's floor between two polls of one account (0: none). */
  floorMs: (account: AccountRecord) => number;
  adaptive: boolean;
}

interface Planned {
  /** The start of the cycle that last polled it (or skipped it at its gate). */
  at: number;
  /** Polls in a row that found it full and idle. */
  idleStreak: number;
}

export class PollPlan {
  private readonly last = new Map<string, Planned>();

  constructor(private readonly d: PollPlanDeps) {}

  private interval(): number {
    return this.d.settings().syncIntervalSec * 1000;
  }

  /** When an account is due (before its gate): at once when it was not polled this run. */
  dueAt(account: AccountRecord, now: number): number {
    return this.next(account, now).at;
  }

  /** The gap after the account's last poll its state asks for. */
  gapMs(account: AccountRecord, now: number): number {
    return this.gap(account, this.last.get(account.id), now).ms;
  }

  /** When and why the account is next polled (diagnostics, the bench). */
  next(account: AccountRecord, now: number): { at: number; reason: PollReason } {
    const p = this.last.get(account.id);
    if (!p) return { at: now, reason: 'first' };
    const g = this.gap(account, p, now);
    let at = p.at + g.ms;
    let reason: PollReason = g.reason;
    if (this.d.adaptive) {
      // One poll just after a known reset of a quota it had used, when that comes first.
      const earliest = p.at + this.d.floorMs(account);
      for (const r of this.d.engine.knownReadings(account.id)) {
        if (r.resetAt === null || r.resetAt <= p.at || (r.remainingFraction ?? 0) >= FULL) continue;
        const c = Math.max(r.resetAt + CONFIRM_AFTER_RESET_MS, earliest);
        if (c < at) {
          at = c;
          reason = 'confirm';
        }
      }
    }
    return { at, reason };
  }

  private gap(account: AccountRecord, p: Planned | undefined, now: number): { ms: number; reason: PollReason } {
    const interval = this.interval();
    if (!this.d.adaptive) return { ms: interval, reason: 'interval' };
    const since = p?.at ?? now;
    const low = this.d.settings().lowThreshold;
    const soon = Math.min(interval, Math.max(this.d.floorMs(account), interval / 4));
    const readings = this.d.engine.knownReadings(account.id);
    for (const r of readings) {
      const f = r.remainingFraction;
      if (f === null || f <= 0) continue;
      if (f <= 2 * low) return { ms: soon, reason: 'soon' };
      const fc = this.d.engine.forecast(account.id, r.model);
      if (fc?.exhaustsAt && Date.parse(fc.exhaustsAt) <= since + interval) return { ms: soon, reason: 'soon' };
    }
    if (p && p.idleStreak > 0 && this.fullAndIdle(account, p.at)) {
      return { ms: Math.min(MAX_IDLE_FACTOR, 2 ** p.idleStreak) * interval, reason: 'idle' };
    }
    return { ms: interval, reason: 'interval' };
  }

  /** Every known quota full, and no traffic since `since`. */
  private fullAndIdle(account: AccountRecord, since: number | null): boolean {
    const traffic = this.d.engine.lastTrafficAt(account.id);
    if (traffic !== null && (since === null || traffic >= since)) return false;
    const readings = this.d.engine.knownReadings(account.id);
    return readings.length > 0 && readings.every((r) => r.remainingFraction !== null && r.remainingFraction >= FULL);
  }

  /**
   * A cycle that started at `at` polled the account (or met its gate): plans the next poll, and
   * keeps its readings fresh in the cache until then when that is past the cache's TTL.
   */
  polled(account: AccountRecord, at: number): void {
    const prev = this.last.get(account.id);
    const idleStreak = this.d.adaptive && this.fullAndIdle(account, prev?.at ?? null) ? (prev?.idleStreak ?? 0) + 1 : 0;
    const planned: Planned = { at, idleStreak };
    this.last.set(account.id, planned);
    const gap = this.gap(account, planned, at).ms;
    const interval = this.interval();
    const ttl = this.d.engine.cache.ttl();
    const keep = gap + Math.max(0, ttl - interval);
    if (keep > ttl) this.d.engine.cache.extendAccount(account.id, at + keep);
  }

  forget(accountId: string): void {
    this.last.delete(accountId);
  }
}
