// The live quota state: TTL cache, last known values, 429 locks and decisions. Readings from
// polls, headers and reported 429s all land here; it emits quota:changed and threshold events.
// Beside it: the per-account change journal the selector reads (change-journal.ts), how one
// reading is shown (quota-view.ts) and the monitor's counts (quota-counts.ts).
import { isoTimeOrNull } from '../iso-time';
import type { QuotaForecast, QuotaLockView, QuotaView } from '../../../shared/types';
import type { QuotaChangedEvent } from '../../../shared/contract';
import type { AccountRecord, QuotaInfo, QuotaLock } from '../model';
import type { Clock, Logger } from '../ports';
import type { ThresholdTracker } from '../notify/threshold-tracker';
import type { ForecastAlerts } from '../notify/forecast-alerts';
import type { QuotaForecaster } from './quota-forecast';
import { decide, decideInto, type Decision } from './decide';
import { modelMatches } from '../providers/provider-adapter';
import { QuotaCache } from './quota-cache';
import { ModelMap } from './model-map';
import { LockTable } from './lock-table';
import { ChangeJournal } from './change-journal';
import { quotaView } from './quota-view';
import { countQuotas, type QuotaCounts } from './quota-counts';
import type { QuotaRepository } from './quota-repository';

/** How long a model rests after its upstream failed (5xx, unreachable) without a Retry-After. */
export const FAILURE_COOLDOWN_SEC = 15;
/** The longest cooldown a Retry-After on a failure can ask for. */
export const MAX_COOLDOWN_SEC = 300;

/** A lock whose bucket reset is unknown lasts at most this long (a longer wait is clamped and logged). */
export const MAX_UNKNOWN_RESET_LOCK_MS = 24 * 60 * 60 * 1000;
/** How much snapshot history the forecaster reads at start-up. */
const FORECAST_WARM_START_MS = 12 * 60 * 60 * 1000;
/** The shortest lock a 429 makes (a Retry-After of 0 still keeps the account away a moment). */
const MIN_LOCK_MS = 2000;
const iso = isoTimeOrNull;

/** One string per distinct model id and display name (bounded: cleared whole past its size). */
const interned = new Map<string, string>();
function intern(s: string): string {
  const have = interned.get(s);
  if (have !== undefined) return have;
  if (interned.size >= 50_000) interned.clear();
  interned.set(s, s);
  return s;
}

export interface EngineOptions {
  clock: Clock;
  repo: QuotaRepository;
  tracker: ThresholdTracker;
  ttlMs: number;
  lowThreshold: () => number;
  defaultLockMs: () => number;
  labelOf: (accountId: string) => string;
  log?: Logger;
  /** Model patterns an account serves beyond the ids its readings name (provider defaults, settings, account). */
  declaredModels: (account: AccountRecord) => readonly string[];
  /** Views are built only if someone listens (a window or an SSE client): a lazy payload. */
  onChanged: (accountId: string, views: () => QuotaChangedEvent['quotas']) => void;
  /** When an account is next polled (the monitor's plan), or null when it is not. */
  nextPollAt?: (accountId: string) => number | null;
  /** Where each quota is heading (fed every reading; warm-started from the snapshot history). */
  forecaster?: QuotaForecaster;
  /** Told each fresh forecast: alerts once per period when a quota runs out before its reset. */
  forecastAlerts?: ForecastAlerts;
}

export class QuotaEngine {
  readonly cache: QuotaCache;
  private readonly lastKnown = new Map<string, ModelMap<QuotaInfo>>();
  private readonly locks = new LockTable();
  private lockVersion = 0;
  /** applyReadings' decision for the threshold tracker (read at once, never kept). */
  private readonly scratch: Decision = { kind: 'unknown', remainingFraction: null, resetAt: null, reason: null };
  private otherVersion = 0;

  constructor(private readonly o: EngineOptions) {
    this.cache = new QuotaCache(o.ttlMs);
  }

  /** Warm start: last known values from SQLite; unexpired ones go back in the cache. */
  warmStart(): { cached: number; known: number; locks: number } {
    const now = this.o.clock.now();
    let cached = 0;
    let known = 0;
    // The forecaster's series: the recent snapshot history, then the latest readings.
    this.o.forecaster?.load(this.o.repo.historySince(now - FORECAST_WARM_START_MS));
    for (const info of this.o.repo.latestAll()) {
      this.o.forecaster?.observe(info);
      this.remember(info);
      known++;
      this.cache.markServed(info.accountId, info.model);
      if (info.fetchedAt + this.cache.ttl() > now) {
        this.cache.set(info);
        cached++;
      }
    }
    for (const l of this.o.repo.loadLocks(now)) {
      this.locks.set(l);
      // Locks saved before the truth rules (or before a reset became known) are cut to them.
      this.truthOf(l, now);
    }
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

  // ---- per-account change journal (the selector's incremental index: change-journal.ts) ----
  private readonly journal = new ChangeJournal();

  private journalize(accountId: string, before: number): void {
    this.journal.record(accountId, before, this.version());
  }

  /** Sequence number of the next journal entry. */
  journalSeq(): number {
    return this.journal.seq();
  }

  /**
   * The accounts whose changes alone lead from version `fromVersion` (seen at journal position
   * `seq`) to version() — possibly repeated — or null when something else changed too.
   */
  changedSince(seq: number, fromVersion: number): string[] | null {
    const out: string[] = [];
    const n = this.journal.changedInto(seq, fromVersion, this.version(), out);
    return n < 0 ? null : out.slice(0, n);
  }

  /**
   * changedSince() written into the caller's array from index 0 (the selector reuses one, so a
   * select() allocates nothing for it): how many ids, or -1 when something else changed too.
   */
  changedInto(seq: number, fromVersion: number, out: string[]): number {
    return this.journal.changedInto(seq, fromVersion, this.version(), out);
  }

  private remember(info: QuotaInfo): void {
    let m = this.lastKnown.get(info.accountId);
    if (!m) this.lastKnown.set(info.accountId, (m = new ModelMap()));
    m.set(info.model, info);
  }

  /** Applies a reading. `complete` readings replace the account's model list. */
  applyReadings(account: AccountRecord, infos: QuotaInfo[], complete: boolean): void {
    // A 429's own reading (fraction 0 until its Retry-After) obeys the lock's rules too.
    for (let i = 0; i < infos.length; i++) if (infos[i]!.source === '429') infos[i] = this.truthOfReading(account, infos[i]!);
    // Kept readings share one string per model id and name (each poll parses them anew).
    for (const i of infos) {
      i.model = intern(i.model);
      if (i.displayName !== null) i.displayName = intern(i.displayName);
    }
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
    if (this.locks.size > 0) this.lockTruth(account.id);
    this.journalize(account.id, before);
    // Rate-limit headers come with answers the account served: traffic.
    if (infos.length > 0 && infos[0]!.source === 'headers') this.noteTraffic(account.id, this.o.clock.now());
    const now = this.o.clock.now();
    // The tracker reads the decision and keeps nothing of it: one scratch object, not one per reading.
    const low = this.o.lowThreshold();
    for (const i of infos) this.o.tracker.observe(account.id, account.label, i.model, decideInto(this.scratch, this.cache.lookup(account.id, i.model, now), this.lock(account.id, i.model), now, low));
    const fc = this.o.forecaster;
    if (fc) {
      for (const i of infos) {
        fc.observe(i);
        if (i.source !== '429') this.o.forecastAlerts?.observe(account.id, account.label, i.model, fc.forecast(account.id, i.model), i.remainingFraction, i.resetAt, now);
      }
    }
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
    this.lastKnown.set(accountId, ModelMap.from(infos.map((i) => [i.model, i] as const)));
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
    const l = this.locks.get(accountId, model);
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

  /**
   * The reading, lock and decision of an account and model in one lookup (the selector's
   * evaluation). `until`, when given, is told when the reading may change by the clock alone
   * (QuotaCache.lookup).
   */
  assess(accountId: string, model: string, now = this.o.clock.now(), until?: { at: number }): { info: QuotaInfo | undefined; lock: QuotaLock | undefined; decision: Decision } {
    const info = this.cache.lookup(accountId, model, now, until);
    const lock = this.lock(accountId, model);
    return { info, lock, decision: decide(info, lock, now, this.o.lowThreshold()) };
  }

  /** Whether an account can serve a model: named by a reading, or matched by a declared pattern. */
  serves(account: AccountRecord, model: string): boolean {
    if (this.cache.servedModels(account.id).has(model)) return true;
    return this.o.declaredModels(account).some((p) => modelMatches(p, model));
  }

  /**
   * A 429's reading says "empty until Retry-After": never past the bucket's known reset (from
   * the readings before it), at most 24 h when none is known.
   */
  private truthOfReading(account: AccountRecord, info: QuotaInfo): QuotaInfo {
    if (info.resetAt === null) return info;
    const now = this.o.clock.now();
    const known = this.knownReset(account.id, info.model, now);
    if (known !== null && info.resetAt > known) return { ...info, resetAt: known };
    if (known === null && info.resetAt - now > MAX_UNKNOWN_RESET_LOCK_MS) return { ...info, resetAt: now + MAX_UNKNOWN_RESET_LOCK_MS };
    return info;
  }

  /** The reset of the bucket binding a model (fresh or last known), when it is still ahead. */
  private knownReset(accountId: string, model: string, now: number): number | null {
    const t = (this.cache.lookup(accountId, model, now) ?? this.lastKnownFor(accountId, model))?.resetAt ?? null;
    return t !== null && t > now ? t : null;
  }

  /**
   * What a client saw: a 429 locks the model until Retry-After, else the known reset time,
   * else the default lock — never past the bucket's known reset, and at most 24 h when the
   * reset is unknown (a longer wait is clamped and logged). A success lifts any lock.
   * Returns the lock's end, if any.
   */
  report(account: AccountRecord, model: string, outcome: 'ok' | '429', retryAfterSec?: number): number | null {
    const now = this.o.clock.now();
    this.noteTraffic(account.id, now);
    if (outcome === 'ok') {
      const before = this.version();
      if (this.locks.delete(account.id, model)) {
        this.o.repo.deleteLock(account.id, model);
        this.lockVersion++;
        this.journalize(account.id, before);
        this.o.tracker.observe(account.id, account.label, model, this.decision(account.id, model, now));
        this.o.onChanged(account.id, () => this.views(account.id));
      }
      return null;
    }
    const known = this.knownReset(account.id, model, now);
    const asked = retryAfterSec !== undefined ? now + Math.max(retryAfterSec * 1000, MIN_LOCK_MS) : (known ?? now + this.o.defaultLockMs());
    let until = asked;
    let reason = retryAfterSec !== undefined ? `429, retry after ${retryAfterSec}s` : '429 reported';
    if (known !== null && until > known) {
      until = known;
      reason += ', cut to the known reset';
    } else if (known === null && until - now > MAX_UNKNOWN_RESET_LOCK_MS) {
      until = now + MAX_UNKNOWN_RESET_LOCK_MS;
      reason += ', clamped to 24 h';
      this.o.log?.warn(`lock of ${account.label} for ${model} clamped to 24 h (asked until ${new Date(asked).toISOString()}, no known reset)`);
    }
    return this.setLock(account, { accountId: account.id, model, kind: 'quota', lockedUntil: until, reason, createdAt: now, bucketResetAt: known });
  }

  /**
   * A client's report (quota:report, the token API's /v1/report): a 5xx status or the outcome
   * 'unavailable' says the upstream failed, not the quota — a cooldown (Retry-After when given,
   * at most MAX_COOLDOWN_SEC, else FAILURE_COOLDOWN_SEC), as the proxy does; else report().
   */
  reportFromClient(account: AccountRecord, model: string, r: { outcome: 'ok' | '429' | 'unavailable'; status?: number; retryAfterSec?: number }): number | null {
    if (r.outcome === 'unavailable' || (r.status !== undefined && r.status >= 500)) {
      return this.cooldown(account, model, r.retryAfterSec !== undefined ? Math.min(MAX_COOLDOWN_SEC, r.retryAfterSec) : FAILURE_COOLDOWN_SEC);
    }
    return this.report(account, model, r.outcome, r.retryAfterSec);
  }

  /**
   * The upstream was unavailable (5xx, unreachable, closed early): the model rests for a short
   * cooldown (kind `cooldown`, reason `unavailable`). A longer quota lock already there stays.
   */
  cooldown(account: AccountRecord, model: string, seconds: number): number {
    const now = this.o.clock.now();
    const until = now + Math.max(seconds * 1000, 1000);
    const cur = this.locks.get(account.id, model);
    if (cur && cur.kind === 'quota' && cur.lockedUntil >= until) return cur.lockedUntil;
    return this.setLock(account, { accountId: account.id, model, kind: 'cooldown', lockedUntil: until, reason: 'unavailable', createdAt: now, bucketResetAt: null });
  }

  private setLock(account: AccountRecord, lock: QuotaLock): number {
    const before = this.version();
    this.locks.set(lock);
    this.o.repo.saveLock(lock);
    this.cache.markServed(account.id, lock.model);
    this.lockVersion++;
    this.journalize(account.id, before);
    this.o.tracker.observe(account.id, account.label, lock.model, this.decision(account.id, lock.model, lock.createdAt));
    this.o.onChanged(account.id, () => this.views(account.id));
    return lock.lockedUntil;
  }

  /**
   * Brings one account's quota locks in line with what its readings now say: a lock longer than
   * its bucket's known reset is cut to it; a poll made after the reset the lock knew that shows
   * quota left lifts it; ended locks are dropped. Persisted as it goes.
   */
  private lockTruth(accountId: string): void {
    const now = this.o.clock.now();
    for (const l of this.locks.ofAccount(accountId)) this.truthOf(l, now);
  }

  /** One lock against the readings (see lockTruth); answers whether it changed. */
  private truthOf(l: QuotaLock, now: number): boolean {
    if (l.lockedUntil <= now) {
      this.locks.delete(l.accountId, l.model);
      this.o.repo.deleteLock(l.accountId, l.model);
      this.lockVersion++;
      return true;
    }
    if (l.kind !== 'quota') return false;
    const reading = this.cache.lookup(l.accountId, l.model, now) ?? this.lastKnownFor(l.accountId, l.model);
    if (!reading) return false;
    if (reading.source === 'poll' && l.bucketResetAt !== null && reading.fetchedAt >= l.bucketResetAt && (reading.remainingFraction ?? 0) > 0) {
      this.locks.delete(l.accountId, l.model);
      this.o.repo.deleteLock(l.accountId, l.model);
      this.lockVersion++;
      this.o.log?.info(`lock of ${this.o.labelOf(l.accountId)} for ${l.model} lifted: a poll after its reset shows quota`);
      return true;
    }
    const reset = reading.resetAt;
    if (reset !== null && reset > now && l.lockedUntil > reset) {
      l.lockedUntil = reset;
      l.bucketResetAt = reset;
      if (!l.reason.endsWith('cut to the known reset')) l.reason += ', cut to the known reset';
      this.o.repo.saveLock(l);
      this.lockVersion++;
      return true;
    }
    if (reset === null && l.bucketResetAt === null && l.lockedUntil - l.createdAt > MAX_UNKNOWN_RESET_LOCK_MS) {
      l.lockedUntil = l.createdAt + MAX_UNKNOWN_RESET_LOCK_MS;
      this.o.repo.saveLock(l);
      this.lockVersion++;
      return true;
    }
    return false;
  }

  // ---- traffic (adaptive polling asks whether an account served anything since its last poll)
  private readonly trafficAt = new Map<string, number>();

  private noteTraffic(accountId: string, now: number): void {
    this.trafficAt.set(accountId, now);
  }

  /** When the proxy or the token API last reported traffic for an account (null: none this run). */
  lastTrafficAt(accountId: string): number | null {
    return this.trafficAt.get(accountId) ?? null;
  }

  clearLock(account: AccountRecord, model: string): boolean {
    const before = this.version();
    const had = this.locks.delete(account.id, model);
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
      .map((l) => ({ accountId: l.accountId, model: l.model, kind: l.kind, lockedUntil: iso(l.lockedUntil)!, reason: l.reason }));
  }

  forgetAccount(accountId: string): void {
    const before = this.version();
    this.cache.deleteAccount(accountId);
    this.lastKnown.delete(accountId);
    this.trafficAt.delete(accountId);
    this.o.forecaster?.forgetAccount(accountId);
    this.o.forecastAlerts?.forgetAccount(accountId);
    this.locks.deleteAccount(accountId);
    this.lockVersion++;
    this.journalize(accountId, before);
  }

  /** The last known reading of each of an account's models, however old. */
  knownReadings(accountId: string): QuotaInfo[] {
    const known = this.lastKnown.get(accountId);
    if (!known) return [];
    // By slot, not through an iterator: the poll plan asks for every account at every cycle.
    const out = new Array<QuotaInfo>(known.size);
    let n = 0;
    for (let i = 0; i < known.slots(); i++) if (known.live(i)) out[n++] = known.valueAt(i);
    return out;
  }

  knownModels(accountId: string): string[] {
    return [...(this.lastKnown.get(accountId)?.keys() ?? [])].sort();
  }

  view(accountId: string, model: string, now = this.o.clock.now()): QuotaView | null {
    const fresh = this.cache.lookup(accountId, model, now);
    const info = fresh ?? this.lastKnownFor(accountId, model);
    const lock = this.lock(accountId, model);
    if (!info && !lock) return null;
    return quotaView(accountId, model, now, {
      info,
      fresh: fresh !== undefined,
      lock,
      decision: this.decision(accountId, model, now),
      nextPollAt: this.o.nextPollAt?.(accountId) ?? null,
      forecast: this.o.forecaster?.forecast(accountId, model) ?? null,
    });
  }

  /**
   * Whether the quota binding a model (exact or glob reading) is forecast to run out before its
   * reset (the reset-aware strategy then does not spend it first).
   */
  runsOutBeforeReset(accountId: string, model: string, now = this.o.clock.now()): boolean {
    if (!this.o.forecaster) return false;
    const binding = this.cache.lookup(accountId, model, now);
    return binding ? (this.o.forecaster.forecast(accountId, binding.model)?.beforeReset ?? false) : false;
  }

  /** The forecast of one account and model (null when none). */
  forecast(accountId: string, model: string): QuotaForecast | null {
    return this.o.forecaster?.forecast(accountId, model) ?? null;
  }

  views(accountId: string): QuotaView[] {
    const now = this.o.clock.now();
    const models = new Set(this.lastKnown.get(accountId)?.keys() ?? []);
    for (const l of this.locks.ofAccount(accountId)) models.add(l.model);
    return [...models]
      .sort()
      .map((m) => this.view(accountId, m, now))
      .filter((v): v is QuotaView => v !== null);
  }

  private countsMemo: { key: string; value: QuotaCounts } | null = null;

  /**
   * Counts for MonitorStats over unexpired readings (and active locks). Memoized per engine
   * version and second: stats are read on every event and a full pass is O(readings).
   */
  counts(isActive: (accountId: string) => boolean): QuotaCounts {
    const now = this.o.clock.now();
    const memoKey = `${this.version()}:${Math.floor(now / 1000)}`;
    if (this.countsMemo?.key === memoKey) return this.countsMemo.value;
    const value = countQuotas(this.cache, this.locks, (a, m) => this.lock(a, m), this.o.lowThreshold(), isActive, now);
    this.countsMemo = { key: memoKey, value };
    return value;
  }

}
