// The live quota state: TTL cache, last known values, 429 locks and decisions. Readings from
// polls, headers and reported 429s all land here; it emits quota:changed and threshold events.
import { isoTimeOrNull } from '../iso-time';
import type { QuotaForecast, QuotaLockView, QuotaView } from '../../../shared/types';
import type { QuotaChangedEvent } from '../../../shared/contract';
import type { AccountRecord, QuotaInfo, QuotaLock } from '../model';
import type { Clock } from '../ports';
import type { ThresholdTracker } from '../notify/threshold-tracker';
import { decide, type Decision } from './decide';
import { modelMatches } from '../providers/provider-adapter';
import { QuotaCache } from './quota-cache';
import type { QuotaRepository } from './quota-repository';

const key = (accountId: string, model: string) => `${accountId}\u0000${model}`;
const iso = isoTimeOrNull;

export interface EngineOptions {
  clock: Clock;
  repo: QuotaRepository;
  tracker: ThresholdTracker;
  ttlMs: number;
  lowThreshold: () => number;
  defaultLockMs: () => number;
  labelOf: (accountId: string) => string;
  /** Model patterns an account serves beyond the ids its readings name (provider defaults, settings, account). */
  declaredModels: (account: AccountRecord) => readonly string[];
  /** Views are built only if someone listens (a window or an SSE client): a lazy payload. */
  onChanged: (accountId: string, views: () => QuotaChangedEvent['quotas']) => void;
  /** When an account is next polled (the monitor's plan), or null when it is not. */
  nextPollAt?: (accountId: string) => number | null;
  /** Where a quota is heading (the forecaster), or null when too little is known. */
  forecast?: (accountId: string, model: string, now: number) => QuotaForecast | null;
}

export class QuotaEngine {
  readonly cache: QuotaCache;
  private readonly lastKnown = new Map<string, Map<string, QuotaInfo>>();
  private readonly locks = new Map<string, QuotaLock>();
  private lockVersion = 0;
  private otherVersion = 0;

  constructor(private readonly o: EngineOptions) {
    this.cache = new QuotaCache(o.ttlMs);
  }

  /** Warm start: last known values from SQLite; unexpired ones go back in the cache. */
  warmStart(): { cached: number; known: number; locks: number } {
    const now = this.o.clock.now();
    let cached = 0;
    let known = 0;
    for (const info of this.o.repo.latestAll()) {
      this.remember(info);
      known++;
      this.cache.markServed(info.accountId, info.model);
      if (info.fetchedAt + this.cache.ttl() > now) {
        this.cache.set(info);
        cached++;
      }
    }
    for (const l of this.o.repo.loadLocks(now)) this.locks.set(key(l.accountId, l.model), l);
    this.lockVersion++;
    return { cached, known, locks: this.locks.size };
  }

  /** Changes whenever anything the selector depends on may have changed. */
  version(): number {
    return this.cache.getVersion() + this.lockVersion + this.otherVersion;
  }

  bump(): void {
    this.otherVersion++;
  }

  // ---- per-account change journal (the selector's incremental index) ----------------------
  // Every change that concerns one account's readings or locks is journaled with the versions
  // before and after it. A reader that knows version V finds out whether journal entries alone
  // lead from V to version() — then it updates just those accounts; anything else (bump(), a
  // warm start, an expiry sweep) is a change of everything.
  private journal: Array<{ accountId: string; before: number; after: number }> = [];
  /** Sequence number of journal[0]. */
  private journalBase = 0;

  private journalize(accountId: string, before: number): void {
    const after = this.version();
    if (after === before) return;
    this.journal.push({ accountId, before, after });
    if (this.journal.length > 8192) {
      this.journal = this.journal.slice(4096);
      this.journalBase += 4096;
    }
  }

  /** Sequence number of the next journal entry. */
  journalSeq(): number {
    return this.journalBase + this.journal.length;
  }

  /**
   * The accounts whose changes alone lead from version `fromVersion` (seen at journal position
   * `seq`) to version() — possibly repeated — or null when something else changed too.
   */
  changedSince(seq: number, fromVersion: number): string[] | null {
    const now = this.version();
    if (now === fromVersion) return [];
    if (seq < this.journalBase) return null;
    let v = fromVersion;
    const out: string[] = [];
    for (let i = seq - this.journalBase; i < this.journal.length; i++) {
      const e = this.journal[i]!;
      if (e.before !== v) return null;
      v = e.after;
      out.push(e.accountId);
    }
    return v === now ? out : null;
  }

  private remember(info: QuotaInfo): void {
    let m = this.lastKnown.get(info.accountId);
    if (!m) this.lastKnown.set(info.accountId, (m = new Map()));
    m.set(info.model, info);
  }

  /** Applies a reading. `complete` readings replace the account's model list. */
  applyReadings(account: AccountRecord, infos: QuotaInfo[], complete: boolean): void {
    const before = this.version();
    if (complete) {
      this.cache.replaceAccount(account.id, infos);
      this.replaceKnown(account.id, infos);
    } else {
      for (const i of infos) {
        this.cache.set(i);
        this.remember(i);
      }
    }
    this.journalize(account.id, before);
    const now = this.o.clock.now();
    for (const i of infos) this.o.tracker.observe(account.id, account.label, i.model, this.decision(account.id, i.model, now));
    this.o.onChanged(account.id, () => this.views(account.id));
  }

  private replaceKnown(accountId: string, infos: QuotaInfo[]): void {
    // In place when the reading names the same models in the same order, as every steady poll
    // does: a rebuilt map would live until the next cycle and be promoted to V8's old space.
    const known = this.lastKnown.get(accountId);
    if (known && known.size === infos.length) {
      let k = 0;
      let same = true;
      known.forEach((_, model) => {
        if (infos[k++]!.model !== model) same = false;
      });
      if (same) {
        for (const i of infos) known.set(i.model, i);
        return;
      }
    }
    this.lastKnown.set(accountId, new Map(infos.map((i) => [i.model, i])));
  }

  /** The last known reading binding a model (exact or glob, the tightest), however old. */
  private lastKnownFor(accountId: string, model: string): QuotaInfo | undefined {
    const known = this.lastKnown.get(accountId);
    if (!known) return undefined;
    let best = known.get(model);
    for (const [key, info] of known) {
      if (!key.includes('*') || !modelMatches(key, model)) continue;
      if (!best || (info.remainingFraction ?? Infinity) < (best.remainingFraction ?? Infinity)) best = info;
    }
    return best;
  }

  lock(accountId: string, model: string): QuotaLock | undefined {
    // Most of the time there is no lock at all: no key string per decision then.
    if (this.locks.size === 0) return undefined;
    const l = this.locks.get(key(accountId, model));
    if (l && l.lockedUntil <= this.o.clock.now()) return undefined;
    return l;
  }

  /** The reading that applies to a model (exact, else the most specific glob). */
  reading(accountId: string, model: string, now = this.o.clock.now()): QuotaInfo | undefined {
    return this.cache.lookup(accountId, model, now);
  }

  decision(accountId: string, model: string, now = this.o.clock.now()): Decision {
    return decide(this.cache.lookup(accountId, model, now), this.lock(accountId, model), now, this.o.lowThreshold());
  }

  /** Whether an account can serve a model: named by a reading, or matched by a declared pattern. */
  serves(account: AccountRecord, model: string): boolean {
    if (this.cache.servedModels(account.id).has(model)) return true;
    return this.o.declaredModels(account).some((p) => modelMatches(p, model));
  }

  /**
   * What a client saw: a 429 locks the model until Retry-After, else the known reset time,
   * else the default lock; a success lifts a lock. Returns the lock's end, if any.
   */
  report(account: AccountRecord, model: string, outcome: 'ok' | '429', retryAfterSec?: number): number | null {
    const now = this.o.clock.now();
    const k = key(account.id, model);
    const before = this.version();
    if (outcome === 'ok') {
      if (this.locks.delete(k)) {
        this.o.repo.deleteLock(account.id, model);
        this.lockVersion++;
        this.journalize(account.id, before);
        this.o.tracker.observe(account.id, account.label, model, this.decision(account.id, model, now));
        this.o.onChanged(account.id, () => this.views(account.id));
      }
      return null;
    }
    const known = this.cache.lookup(account.id, model, now)?.resetAt ?? this.lastKnown.get(account.id)?.get(model)?.resetAt ?? null;
    const until =
      retryAfterSec !== undefined
        ? now + Math.max(retryAfterSec * 1000, 2000)
        : known !== null && known > now
          ? known
          : now + this.o.defaultLockMs();
    const reason = retryAfterSec !== undefined ? `429, retry after ${retryAfterSec}s` : '429 reported';
    const lock: QuotaLock = { accountId: account.id, model, lockedUntil: until, reason, createdAt: now };
    this.locks.set(k, lock);
    this.o.repo.saveLock(lock);
    this.cache.markServed(account.id, model);
    this.lockVersion++;
    this.journalize(account.id, before);
    this.o.tracker.observe(account.id, account.label, model, this.decision(account.id, model, now));
    this.o.onChanged(account.id, () => this.views(account.id));
    return until;
  }

  clearLock(account: AccountRecord, model: string): boolean {
    const before = this.version();
    const had = this.locks.delete(key(account.id, model));
    const deleted = this.o.repo.deleteLock(account.id, model);
    if (had || deleted) {
      this.lockVersion++;
      this.journalize(account.id, before);
      this.o.tracker.observe(account.id, account.label, model, this.decision(account.id, model));
      this.o.onChanged(account.id, () => this.views(account.id));
    }
    return had || deleted;
  }

  listLocks(): QuotaLockView[] {
    const now = this.o.clock.now();
    return [...this.locks.values()]
      .filter((l) => l.lockedUntil > now)
      .map((l) => ({ accountId: l.accountId, model: l.model, lockedUntil: iso(l.lockedUntil)!, reason: l.reason }));
  }

  forgetAccount(accountId: string): void {
    const before = this.version();
    this.cache.deleteAccount(accountId);
    this.lastKnown.delete(accountId);
    for (const k of this.locks.keys()) if (k.startsWith(`${accountId}\u0000`)) this.locks.delete(k);
    this.lockVersion++;
    this.journalize(accountId, before);
  }

  knownModels(accountId: string): string[] {
    return [...(this.lastKnown.get(accountId)?.keys() ?? [])].sort();
  }

  view(accountId: string, model: string, now = this.o.clock.now()): QuotaView | null {
    const fresh = this.cache.lookup(accountId, model, now);
    const info = fresh ?? this.lastKnownFor(accountId, model);
    const lock = this.lock(accountId, model);
    if (!info && !lock) return null;
    const d = this.decision(accountId, model, now);
    return {
      accountId,
      model,
      displayName: info?.displayName ?? null,
      remainingFraction: info?.remainingFraction ?? null,
      resetAt: iso(info?.resetAt ?? null),
      fetchedAt: iso(info?.fetchedAt ?? now)!,
      ageMs: info ? Math.max(0, now - info.fetchedAt) : 0,
      stale: !fresh,
      source: info?.source ?? '429',
      window: info?.window ?? null,
      limit: info?.limit ?? null,
      remaining: info?.remaining ?? null,
      ...(info?.windows ? { windows: info.windows.map((w) => ({ window: w.window, remainingFraction: w.remainingFraction, resetAt: iso(w.resetAt) })) } : {}),
      decision: { kind: d.kind, remainingFraction: d.remainingFraction, resetAt: iso(d.resetAt), reason: d.reason },
      lock: lock ? { accountId, model, lockedUntil: iso(lock.lockedUntil)!, reason: lock.reason } : null,
      nextPollAt: iso(this.o.nextPollAt?.(accountId) ?? null),
      forecast: this.o.forecast?.(accountId, model, now) ?? null,
    };
  }

  /** The forecast of one account and model (null when none). */
  forecast(accountId: string, model: string, now = this.o.clock.now()): QuotaForecast | null {
    return this.o.forecast?.(accountId, model, now) ?? null;
  }

  views(accountId: string): QuotaView[] {
    const now = this.o.clock.now();
    const models = new Set(this.lastKnown.get(accountId)?.keys() ?? []);
    for (const l of this.locks.values()) if (l.accountId === accountId) models.add(l.model);
    return [...models]
      .sort()
      .map((m) => this.view(accountId, m, now))
      .filter((v): v is QuotaView => v !== null);
  }

  private countsMemo: { key: string; value: { cached: number; expired: number; low: number; exhausted: number } } | null = null;

  /**
   * Counts for MonitorStats over unexpired readings (and active locks). Memoized per engine
   * version and second: stats are read on every event and a full pass is O(readings).
   */
  counts(isActive: (accountId: string) => boolean): { cached: number; expired: number; low: number; exhausted: number } {
    const now = this.o.clock.now();
    const memoKey = `${this.version()}:${Math.floor(now / 1000)}`;
    if (this.countsMemo?.key === memoKey) return this.countsMemo.value;
    const value = this.computeCounts(isActive, now);
    this.countsMemo = { key: memoKey, value };
    return value;
  }

  private computeCounts(isActive: (accountId: string) => boolean, now: number): { cached: number; expired: number; low: number; exhausted: number } {
    let low = 0;
    let exhausted = 0;
    let cached = 0;
    // Which readings were counted matters only for locks (rare): no key per reading otherwise.
    const seen = this.locks.size > 0 ? new Set<string>() : null;
    for (const info of this.cache.entries(now)) {
      cached++;
      if (!isActive(info.accountId)) continue;
      seen?.add(key(info.accountId, info.model));
      const d = this.decision(info.accountId, info.model, now);
      if (d.kind === 'low') low++;
      else if (d.kind === 'exhausted') exhausted++;
    }
    for (const [k, l] of this.locks) if (l.lockedUntil > now && !seen?.has(k) && isActive(l.accountId)) exhausted++;
    return { cached, expired: this.cache.countExpired(now), low, exhausted };
  }
}
