// The background sync loop: one cycle at a time, every eligible account in parallel under a
// global and a per-provider p-limit, each under its own timeout. After a cycle: readings, sync
// states and the run record in one transaction, cache cleanup, history retention, stats.
import pLimit, { type LimitFunction } from 'p-limit';
import type { AccountSyncResult, MonitorStats, Settings, SyncReport } from '../../../shared/types';
import type { AccountStore } from '../accounts/account-store';
import type { Clock, Logger } from '../ports';
import type { AccountSyncer, SyncOutcome } from './account-syncer';
import type { ProviderRegistry } from '../providers/provider-adapter';
import type { QuotaEngine } from './quota-engine';
import type { QuotaRepository } from './quota-repository';
import type { SyncRepository } from './sync-repository';

export interface MonitorDeps {
  accounts: AccountStore;
  registry: ProviderRegistry;
  engine: QuotaEngine;
  syncer: AccountSyncer;
  quotaRepo: QuotaRepository;
  syncRepo: SyncRepository;
  clock: Clock;
  settings: () => Settings;
  log: Logger;
  onStats: (s: MonitorStats) => void;
  onFinished: (r: SyncReport) => void;
  /** 0..1 of the interval added at random to each scheduled start (spreads load). */
  jitterRatio?: number;
  random?: () => number;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export class QuotaMonitor {
  private running = false;
  private paused = false;
  private timer: unknown = null;
  private nextAt: number | null = null;
  private current: { promise: Promise<SyncReport>; abort: AbortController } | null = null;
  private lastReport: SyncReport | null;
  private lastStartedAt: number | null = null;

  constructor(private readonly d: MonitorDeps) {
    this.lastReport = d.syncRepo.lastRun();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.d.clock.now());
    this.emitStats();
  }

  /** Stops the loop; aborts the in-flight cycle and waits until nothing is pending. */
  async stop(): Promise<void> {
    this.running = false;
    this.clearTimer();
    const cur = this.current;
    if (cur) {
      cur.abort.abort(new DOMException('Monitor stopped', 'AbortError'));
      await cur.promise.catch(() => undefined);
    }
    this.emitStats();
  }

  pause(): MonitorStats {
    this.paused = true;
    this.clearTimer();
    return this.emitStats();
  }

  resume(): MonitorStats {
    this.paused = false;
    if (this.running) this.schedule(this.nextDue());
    return this.emitStats();
  }

  /** Runs a cycle now (or joins the one in flight) and answers with its report. */
  syncNow(): Promise<SyncReport> {
    if (this.current) return this.current.promise;
    return this.runCycle('manual');
  }

  /** Re-plans the next cycle after a settings change. */
  reschedule(): void {
    if (this.running && !this.paused && !this.current) this.schedule(this.nextDue());
  }

  report(): SyncReport | null {
    return this.lastReport;
  }

  isSyncing(): boolean {
    return this.current !== null;
  }

  private nextDue(): number {
    const interval = this.d.settings().syncIntervalSec * 1000;
    return Math.max(this.d.clock.now(), (this.lastStartedAt ?? -Infinity) + interval);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.d.clock.clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = null;
  }

  private schedule(at: number): void {
    this.clearTimer();
    if (!this.running || this.paused) return;
    const interval = this.d.settings().syncIntervalSec * 1000;
    const jitter = this.lastStartedAt === null ? 0 : (this.d.random ?? Math.random)() * (this.d.jitterRatio ?? 0.02) * interval;
    this.nextAt = at + jitter;
    this.timer = this.d.clock.setTimeout(() => {
      this.timer = null;
      if (this.current) return; // a manual cycle is running; it schedules the next one
      void this.runCycle('schedule').catch((err) => this.d.log.error('sync cycle failed', err));
    }, Math.max(0, this.nextAt - this.d.clock.now()));
  }

  private runCycle(trigger: SyncReport['trigger']): Promise<SyncReport> {
    const abort = new AbortController();
    const promise = this.cycle(trigger, abort.signal).finally(() => {
      this.current = null;
      if (this.running) this.schedule(this.nextDue());
      this.emitStats();
    });
    this.current = { promise, abort };
    this.nextAt = null;
    this.emitStats();
    return promise;
  }

  private async cycle(trigger: SyncReport['trigger'], signal: AbortSignal): Promise<SyncReport> {
    const s = this.d.settings();
    const startedAt = this.d.clock.now();
    this.lastStartedAt = startedAt;
    const tolerance = Math.min(1000, s.syncIntervalSec * 100);
    const global = pLimit(s.concurrency);
    const perProvider = new Map<string, LimitFunction>();
    const limitFor = (p: string) => {
      let l = perProvider.get(p);
      if (!l) perProvider.set(p, (l = pLimit(s.providerConcurrency)));
      return l;
    };
    // Accounts without a quota endpoint (plain API keys) learn from probes and traffic instead.
    const active = this.d.accounts.list().filter((a) => a.status === 'active' && this.d.registry.get(a.provider)?.pollable === true);
    const results: AccountSyncResult[] = [];
    const outcomes: SyncOutcome[] = [];
    // Each account's signal: the cycle's abort or its own timeout, whichever comes first. Not
    // AbortSignal.timeout + AbortSignal.any: their timer (and the signals it holds) would live
    // for the whole timeout after the account finished, a thousand of them per cycle.
    const inFlight = new Set<AbortController>();
    const stopAll = () => inFlight.forEach((c) => c.abort(signal.reason));
    signal.addEventListener('abort', stopAll, { once: true });
    const tasks = active.map((account) => {
      const state = this.d.syncRepo.state(account.id);
      const skip = (code: string, message: string) => {
        results.push({ accountId: account.id, label: account.label, provider: account.provider, outcome: 'skipped', errorKind: null, errorCode: code, message, durationMs: 0, models: 0 });
        return Promise.resolve();
      };
      // Some upstreams punish frequent polling (Claude's usage endpoint): a floor per account,
      // which even a manual sync respects.
      const floor = this.d.registry.get(account.provider)?.minPollIntervalMs ?? 0;
      if (floor > 0 && state.lastAttemptAt !== null && startedAt - state.lastAttemptAt < floor) {
        return skip('poll_floor', `polled ${Math.round((startedAt - state.lastAttemptAt) / 1000)} s ago; this provider allows one poll per ${floor / 1000} s`);
      }
      // Failing accounts wait out their backoff on scheduled cycles; a manual sync retries them,
      // except a rate-limited account of a provider that punishes polling.
      if (state.nextAttemptAt !== null && state.nextAttemptAt > startedAt + tolerance && (trigger === 'schedule' || (state.lastErrorCode === 'rate_limited' && floor > 0))) {
        return skip('backoff', `retrying after ${iso(state.nextAttemptAt)}`);
      }
      // Provider slot first, then a global one: a provider's queue never holds global slots idle.
      return limitFor(account.provider)(() =>
        global(async () => {
          if (signal.aborted) return;
          const own = new AbortController();
          inFlight.add(own);
          const timer = setTimeout(() => own.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), s.syncTimeoutSec * 1000);
          timer.unref?.();
          let out: SyncOutcome;
          try {
            out = await this.d.syncer.sync(account, own.signal, startedAt);
          } finally {
            clearTimeout(timer);
            inFlight.delete(own);
          }
          outcomes.push(out);
          results.push({
            accountId: account.id,
            label: account.label,
            provider: account.provider,
            outcome: out.error ? 'error' : 'ok',
            errorKind: out.error?.kind ?? null,
            errorCode: out.error?.code ?? null,
            message: out.error?.message ?? null,
            durationMs: out.durationMs,
            models: out.readings.length,
          });
        }),
      );
    });
    await Promise.all(tasks);
    signal.removeEventListener('abort', stopAll);

    const finishedAt = this.d.clock.now();
    const order = new Map(active.map((a, i) => [a.id, i]));
    results.sort((a, b) => (order.get(a.accountId) ?? 0) - (order.get(b.accountId) ?? 0));
    const base: Omit<SyncReport, 'id'> = {
      trigger,
      startedAt: iso(startedAt)!,
      finishedAt: iso(finishedAt)!,
      durationMs: finishedAt - startedAt,
      accounts: active.length,
      successes: results.filter((r) => r.outcome === 'ok').length,
      errors: results.filter((r) => r.outcome === 'error' && r.errorKind !== 'aborted').length,
      skipped: results.filter((r) => r.outcome === 'skipped').length,
      aborted: signal.aborted,
      results,
    };
    // Everything the cycle learned lands in one transaction.
    let id = 0;
    const live = outcomes.filter((o) => this.d.accounts.get(o.account.id));
    this.d.syncRepo.transaction(() => {
      this.d.quotaRepo.writeReadings(
        live.flatMap((o) => o.readings),
        live.filter((o) => !o.error).map((o) => ({ accountId: o.account.id, fetchedAt: o.readings[0]?.fetchedAt ?? startedAt })),
      );
      this.d.syncRepo.saveStates(live.map((o) => o.state));
      id = this.d.syncRepo.saveRun(base);
    });
    const removed = this.d.engine.cache.cleanupExpired(this.d.clock.now());
    const pruned = this.d.quotaRepo.pruneHistory(this.d.clock.now() - s.snapshotRetentionDays * 86_400_000);
    const report: SyncReport = { id, ...base };
    this.lastReport = report;
    this.d.log.info(
      `sync ${trigger}: ${report.successes} ok, ${report.errors} errors, ${report.skipped} skipped of ${report.accounts} in ${report.durationMs} ms` +
        (removed ? `; ${removed} expired cache entries removed` : '') +
        (pruned ? `; ${pruned} old snapshots pruned` : '') +
        (report.aborted ? ' (aborted)' : ''),
    );
    this.d.onFinished(report);
    return report;
  }

  stats(): MonitorStats {
    const counts = this.d.engine.counts((id) => this.d.accounts.get(id)?.status === 'active');
    const all = this.d.accounts.list();
    const r = this.lastReport;
    return {
      totalAccounts: all.length,
      activeAccounts: all.filter((a) => a.status === 'active').length,
      cachedQuotas: counts.cached,
      expiredEntries: counts.expired,
      exhaustedQuotas: counts.exhausted,
      lowQuotas: counts.low,
      lastSyncDurationMs: r?.durationMs ?? null,
      lastSyncAt: r?.finishedAt ?? null,
      nextSyncAt: iso(this.nextAt),
      lastSyncSuccesses: r?.successes ?? 0,
      lastSyncErrors: r?.errors ?? 0,
      lastSyncSkipped: r?.skipped ?? 0,
      running: this.running,
      paused: this.paused,
      syncing: this.current !== null,
    };
  }

  private emitStats(): MonitorStats {
    const s = this.stats();
    this.d.onStats(s);
    return s;
  }
}
