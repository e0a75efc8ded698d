// The background sync loop: one cycle at a time, the accounts due in parallel under a global
// and a per-provider p-limit. Each account goes through the QuotaService (its gate, its
// timeout); after a cycle what it learned and the run record are saved in one transaction,
// then cache cleanup, history retention, stats. Progress is told at most ~10 times a second.
// Which accounts are due is the poll plan's (quota/poll-plan.ts): adaptive by default, each
// account's next poll following its state; cycles still run at least every interval.
import { setMaxListeners } from 'node:events';
import pLimit, { type LimitFunction } from 'p-limit';
import type { SyncProgressEvent } from '../../../shared/contract';
import type { AccountSyncResult, MonitorStats, Settings, SyncReport } from '../../../shared/types';
import type { AccountStore } from '../accounts/account-store';
import type { Clock, Logger } from '../ports';
import type { SyncOutcome } from './account-syncer';
import type { ProviderRegistry } from '../providers/provider-adapter';
import type { QuotaEngine } from './quota-engine';
import type { QuotaRepository } from './quota-repository';
import type { QuotaService } from './quota-service';
import type { SyncRepository } from './sync-repository';
import type { AccountRecord } from '../model';
import { PollPlan } from './poll-plan';

/** Least time between two progress events of one cycle. */
export const PROGRESS_INTERVAL_MS = 100;

export interface MonitorDeps {
  accounts: AccountStore;
  registry: ProviderRegistry;
  engine: QuotaEngine;
  quota: QuotaService;
  quotaRepo: QuotaRepository;
  syncRepo: SyncRepository;
  clock: Clock;
  settings: () => Settings;
  log: Logger;
  onStats: (s: MonitorStats) => void;
  onFinished: (r: SyncReport) => void;
  onProgress?: (p: SyncProgressEvent) => void;
  /** 0..1 of the interval added at random to each scheduled start (spreads load). */
  jitterRatio?: number;
  random?: () => number;
  /** 'adaptive' (default): each account's next poll follows its state; 'fixed': every account every interval. */
  pollPlan?: 'adaptive' | 'fixed';
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** The shortest step between two scheduled cycles (see cycleStepMs). */
export const MIN_CYCLE_STEP_MS = 15_000;

export class QuotaMonitor {
  private running = false;
  private paused = false;
  private timer: unknown = null;
  private nextAt: number | null = null;
  private current: { promise: Promise<SyncReport>; abort: AbortController } | null = null;
  private lastReport: SyncReport | null;
  private lastStartedAt: number | null = null;
  /** The grid scheduled cycles start on: origin + k × cycleStepMs() (set at the first start). */
  private origin: number | null = null;
  /** The grid point the scheduled cycle was planned for (before jitter): its polls are planned from it. */
  private plannedFor: number | null = null;
  private cycles = 0;
  /** Accounts in the cycle in flight. */
  private inFlight = new Set<string>();
  readonly plan: PollPlan;

  constructor(private readonly d: MonitorDeps) {
    this.lastReport = d.syncRepo.lastRun();
    this.plan = new PollPlan({
      engine: d.engine,
      settings: d.settings,
      floorMs: (a) => d.quota.pollFloorMs(a),
      adaptive: (d.pollPlan ?? 'adaptive') === 'adaptive',
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.origin ??= this.d.clock.now();
    this.schedule(this.d.clock.now());
    this.emitStats();
  }

  /** Active accounts with a quota endpoint: the ones the loop polls. */
  private eligible(): AccountRecord[] {
    return this.d.accounts.list().filter((a) => a.status === 'active' && this.d.registry.get(a.provider)?.pollable === true);
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

  /**
   * When an account is next polled: the first cycle its gate lets it through, or null when it
   * is not polled (inactive, no quota endpoint, the loop stopped or paused).
   */
  nextPollAt(accountId: string): number | null {
    const a = this.d.accounts.get(accountId);
    if (!a || a.status !== 'active' || this.d.registry.get(a.provider)?.pollable !== true) return null;
    if (!this.running || this.paused) return null;
    const now = this.d.clock.now();
    if (this.current && this.inFlight.has(accountId)) return now;
    const cycle = this.plannedFor !== null && this.nextAt !== null ? this.plannedFor : (this.nextAt ?? (this.current ? now : null));
    if (cycle === null) return null;
    // The next cycle when it is due by then, else the grid point at (or just after) its due time.
    const due = this.plan.dueAt(a, now);
    const next = due <= cycle ? cycle : this.onGrid(due);
    const skip = this.d.quota.gate(a, 'schedule', next);
    if (!skip) return next;
    const gap = this.plan.gapMs(a, now);
    return this.onGrid(next + Math.ceil((skip.until - next) / gap) * gap);
  }

  /**
   * Scheduled cycles start on a grid, at most one per step: max(15 s, interval / 10) (the
   * interval itself when shorter than 15 s). Each account's due time is rounded up to the grid,
   * so accounts due close together share one cycle (one sync_runs row, one set of events).
   */
  private cycleStepMs(): number {
    const interval = this.d.settings().syncIntervalSec * 1000;
    return Math.min(interval, Math.max(MIN_CYCLE_STEP_MS, interval / 10));
  }

  /** The first grid point at or after `t`. */
  private onGrid(t: number): number {
    if (this.origin === null) return t;
    const step = this.cycleStepMs();
    return this.origin + Math.ceil((t - this.origin) / step - 1e-9) * step;
  }

  /** When the next cycle starts: the earliest due account, at the latest one interval after the last start. */
  private nextDue(): number {
    const now = this.d.clock.now();
    const interval = this.d.settings().syncIntervalSec * 1000;
    let t = (this.lastStartedAt ?? -Infinity) + interval;
    for (const a of this.eligible()) {
      const due = this.plan.dueAt(a, now);
      if (due < t) t = due;
    }
    return this.onGrid(Math.max(now, t));
  }

  private clearTimer(): void {
    if (this.timer !== null) this.d.clock.clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = null;
    this.plannedFor = null;
  }

  private schedule(at: number): void {
    this.clearTimer();
    if (!this.running || this.paused) return;
    const interval = this.d.settings().syncIntervalSec * 1000;
    const jitter = this.lastStartedAt === null ? 0 : (this.d.random ?? Math.random)() * (this.d.jitterRatio ?? 0.02) * interval;
    this.nextAt = at + jitter;
    this.plannedFor = at;
    this.timer = this.d.clock.setTimeout(() => {
      this.timer = null;
      if (this.current) return; // a manual cycle is running; it schedules the next one
      void this.runCycle('schedule').catch((err) => this.d.log.error('sync cycle failed', err));
    }, Math.max(0, this.nextAt - this.d.clock.now()));
  }

  private runCycle(trigger: SyncReport['trigger']): Promise<SyncReport> {
    const abort = new AbortController();
    // Every account in flight listens to the cycle's abort (as many as the concurrency setting).
    setMaxListeners(0, abort.signal);
    // A scheduled cycle plans its polls from its grid point (its start less the jitter).
    const gridPoint = trigger === 'schedule' ? this.plannedFor : null;
    const promise = this.cycle(trigger, abort.signal, gridPoint).finally(() => {
      this.current = null;
      if (this.running) this.schedule(this.nextDue());
      this.emitStats();
    });
    this.current = { promise, abort };
    this.nextAt = null;
    this.plannedFor = null;
    this.emitStats();
    return promise;
  }

  private async cycle(trigger: SyncReport['trigger'], signal: AbortSignal, gridPoint: number | null): Promise<SyncReport> {
    const s = this.d.settings();
    const startedAt = this.d.clock.now();
    const planBase = gridPoint !== null && gridPoint <= startedAt ? gridPoint : startedAt;
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
    // A scheduled cycle polls the accounts due by its start; a manual one all.
    const eligible = this.eligible();
    const active = trigger === 'schedule' ? eligible.filter((a) => this.plan.dueAt(a, startedAt) <= startedAt) : eligible;
    this.inFlight = new Set(active.map((a) => a.id));
    const results: AccountSyncResult[] = [];
    const outcomes: SyncOutcome[] = [];
    const progress = new ProgressReporter(this.d.clock, ++this.cycles, active.length, this.d.onProgress);
    const tasks = active.map((account) => {
      const skip = this.d.quota.gate(account, trigger, startedAt, tolerance);
      if (skip) {
        results.push({ accountId: account.id, label: account.label, provider: account.provider, outcome: 'skipped', errorKind: null, errorCode: skip.code, message: skip.message, durationMs: 0, models: 0 });
        progress.done(false);
        return Promise.resolve();
      }
      // Provider slot first, then a global one: a provider's queue never holds global slots idle.
      return limitFor(account.provider)(() =>
        global(async () => {
          if (signal.aborted) return;
          progress.started(account.label);
          const out = await this.d.quota.syncNow(account, signal, startedAt);
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
          progress.done(out.error !== null && out.error.kind !== 'aborted');
        }),
      );
    });
    await Promise.all(tasks);
    progress.finish();

    const finishedAt = this.d.clock.now();
    // Each account's next poll is planned from what this one learned (skipped ones wait a gap too).
    if (!signal.aborted) for (const a of active) this.plan.polled(a, planBase);
    this.inFlight = new Set();
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
    const id = this.d.quota.save(outcomes, base) ?? 0;
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

/** The cycle's progress, told at most every PROGRESS_INTERVAL_MS (the last one always). */
class ProgressReporter {
  private doneCount = 0;
  private failed = 0;
  private current: string | undefined;
  private lastAt = -Infinity;
  private timer: unknown = null;

  constructor(
    private readonly clock: Clock,
    private readonly cycleId: number,
    private readonly total: number,
    private readonly emit: ((p: SyncProgressEvent) => void) | undefined,
  ) {
    this.tell();
  }

  started(label: string): void {
    this.current = label;
  }

  done(failed: boolean): void {
    this.doneCount++;
    if (failed) this.failed++;
    if (!this.emit || this.timer !== null) return;
    const wait = this.lastAt + PROGRESS_INTERVAL_MS - this.clock.now();
    if (wait <= 0) this.tell();
    else
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.tell();
      }, wait);
  }

  finish(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.current = undefined;
    this.tell();
  }

  private tell(): void {
    if (!this.emit) return;
    this.lastAt = this.clock.now();
    const p: SyncProgressEvent = { cycleId: this.cycleId, done: this.doneCount, total: this.total, failed: this.failed };
    if (this.current !== undefined) p.current = this.current;
    this.emit(p);
  }
}
