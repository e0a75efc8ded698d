// "Sync one account now" has one owner: this service. It holds the gate (a provider's poll
// floor, an account's backoff), the timeout (a Clock deadline with a named error), and the one
// transaction that saves what a sync learned. The monitor's cycle, quota:check, quota:probe,
// monitor:syncAccount, accounts:reactivate, the token API and the proxy's token refresh all
// come through here.
import { setMaxListeners } from 'node:events';
import type { Settings, SyncReport, QuotaView } from '../../../shared/types';
import type { AccountStore } from '../accounts/account-store';
import { AppError, NotFoundError } from '../errors';
import type { AccountRecord, Credentials, QuotaInfo } from '../model';
import type { Clock, Logger } from '../ports';
import type { ProviderRegistry } from '../providers/provider-adapter';
import { type ProviderError, toProviderError } from '../providers/provider-error';
import { discoveryPatch, type AccountSyncer, type SyncOutcome } from './account-syncer';
import type { QuotaEngine } from './quota-engine';
import type { QuotaRepository } from './quota-repository';
import type { SyncRepository } from './sync-repository';
import { withDeadline } from './sync-deadline';

export interface QuotaServiceDeps {
  store: AccountStore;
  registry: ProviderRegistry;
  engine: QuotaEngine;
  syncer: AccountSyncer;
  quotaRepo: QuotaRepository;
  syncRepo: SyncRepository;
  clock: Clock;
  settings: () => Settings;
  log: Logger;
  /** Clears an account's mark and backoff (AccountService.activate). */
  activate: (accountId: string) => AccountRecord;
}

/** Why an account is not polled now, and until when. */
export interface GateSkip {
  code: 'poll_floor' | 'backoff';
  message: string;
  until: number;
}

/** 'schedule' waits out backoff; 'manual' retries failing accounts (not a rate-limited one of a provider with a floor). */
export type SyncTrigger = SyncReport['trigger'];

const iso = (t: number) => new Date(t).toISOString();

export class QuotaService {
  /** Aborted by stop(): upstream calls not tied to a cycle or a client (first readings, probes, the token API) end at once. */
  private readonly stopping = new AbortController();

  constructor(private readonly d: QuotaServiceDeps) {
    // One listener per call in flight (the token API's can be many): no leak warning.
    setMaxListeners(0, this.stopping.signal);
  }

  /** Shutdown: every upstream call started without a parent signal is aborted, now and later. */
  stop(): void {
    this.stopping.abort(new DOMException('QuotaDeck is stopping', 'AbortError'));
  }

  /** The floor between two polls of one account of this provider (0: none). */
  pollFloorMs(account: AccountRecord): number {
    return this.d.registry.get(account.provider)?.minPollIntervalMs ?? 0;
  }

  /**
   * Whether an account may be polled at `now`: null when it may, else why not. A floor is
   * respected even by a manual sync (some upstreams punish frequent polling); `tolerance`
   * lets a scheduled cycle take a backoff that ends just after it starts.
   */
  gate(account: AccountRecord, trigger: SyncTrigger, now = this.d.clock.now(), tolerance = 0): GateSkip | null {
    const state = this.d.syncRepo.state(account.id);
    const floor = this.pollFloorMs(account);
    if (floor > 0 && state.lastAttemptAt !== null && now - state.lastAttemptAt < floor) {
      return {
        code: 'poll_floor',
        message: `polled ${Math.round((now - state.lastAttemptAt) / 1000)} s ago; this provider allows one poll per ${floor / 1000} s`,
        until: state.lastAttemptAt + floor,
      };
    }
    if (state.nextAttemptAt !== null && state.nextAttemptAt > now + tolerance && (trigger === 'schedule' || (state.lastErrorCode === 'rate_limited' && floor > 0))) {
      return { code: 'backoff', message: `retrying after ${iso(state.nextAttemptAt)}`, until: state.nextAttemptAt };
    }
    return null;
  }

  private timeoutMs(): number {
    return this.d.settings().syncTimeoutSec * 1000;
  }

  /**
   * Polls one account under the timeout (and `parent`, a cycle's abort). Never throws; what
   * was learned is in the engine and the outcome, saved by save(). `base` is the time backoff
   * is measured from (a cycle's start).
   */
  syncNow(account: AccountRecord, parent?: AbortSignal, base?: number): Promise<SyncOutcome> {
    return withDeadline(this.d.clock, this.timeoutMs(), parent ?? this.stopping.signal, (signal) => this.d.syncer.sync(account, signal, base));
  }

  /**
   * Saves what syncs learned, in one transaction: readings (a complete one drops models gone
   * upstream), sync states, and the cycle's record when given (its id is returned). Outcomes of
   * accounts removed meanwhile are dropped.
   */
  save(outcomes: readonly SyncOutcome[], run?: Omit<SyncReport, 'id'>): number | null {
    const live = outcomes.filter((o) => this.d.store.get(o.account.id));
    let id: number | null = null;
    // The store's transaction: the accounts' discoveries are announced once, after the commit.
    this.d.store.transaction(() => {
      for (const o of live) {
        if (!o.discovered) continue;
        const current = this.d.store.get(o.account.id);
        const patch = current ? discoveryPatch(current, o.discovered) : null;
        if (patch) this.d.store.update(o.account.id, patch);
      }
      this.d.quotaRepo.writeReadings(
        live.flatMap((o) => o.readings),
        live.filter((o) => o.complete).map((o) => ({ accountId: o.account.id, fetchedAt: o.readings[0]?.fetchedAt ?? this.d.clock.now() })),
      );
      this.d.syncRepo.saveStates(live.map((o) => o.state));
      if (run) id = this.d.syncRepo.saveRun(run);
    });
    return id;
  }

  /** Cache first; on a miss one poll (shared by every concurrent caller, gated like a scheduled one) fills it. */
  async checkQuota(accountId: string, model: string): Promise<QuotaView | null> {
    const account = this.d.store.get(accountId);
    if (!account) throw new NotFoundError(`Account ${accountId}`);
    if (this.d.engine.reading(accountId, model)) return this.d.engine.view(accountId, model);
    if (this.pollable(account) && !this.gate(account, 'schedule')) this.save([await this.syncNow(account)]);
    return this.d.engine.view(accountId, model);
  }

  /**
   * Polls an active account now when its gate allows (as a manual sync) and saves what was
   * learned; answers the outcome, or null when it was not polled. Never throws for the upstream.
   */
  async pollIfAllowed(accountId: string): Promise<SyncOutcome | null> {
    const account = this.d.store.get(accountId);
    if (!account || !this.pollable(account) || this.gate(account, 'manual')) return null;
    const out = await this.syncNow(account);
    this.save([out]);
    return out;
  }

  /**
   * monitor:syncAccount: polls one account now through the monitor's gate and timeout and
   * answers with its readings. A gated account is not polled (its readings are answered as
   * they are; nextPollAt says when); a failed poll is an error naming the upstream's answer.
   */
  async syncAccount(accountId: string): Promise<QuotaView[]> {
    const account = this.d.store.require(accountId);
    if (account.status !== 'active') throw new AppError('bad_request', `Account ${account.label} is ${account.status}; reactivate it first`);
    if (!this.pollable(account)) throw new AppError('bad_request', `${this.d.registry.get(account.provider)?.displayName ?? account.provider} has no quota endpoint; probe the account instead`);
    const out = await this.pollIfAllowed(accountId);
    if (!out) this.d.log.info(`sync of ${account.label} not started: ${this.gate(account, 'manual')?.message ?? 'not pollable'}`);
    else if (out.error && out.error.kind !== 'aborted') throw syncFailed('Sync', out.error, out.readings, this.d.clock.now());
    return this.d.engine.views(accountId);
  }

  /** A minimal real request for providers without a quota endpoint; readings land like a poll's. */
  async probe(accountId: string, model: string | null): Promise<QuotaView[]> {
    const account = this.d.store.require(accountId);
    const out = await withDeadline(this.d.clock, this.timeoutMs(), this.stopping.signal, (signal) => this.d.syncer.probe(account, model, signal));
    this.save([out]);
    if (out.error) throw syncFailed('Probe', out.error, out.readings, this.d.clock.now());
    return this.d.engine.views(accountId);
  }

  /**
   * accounts:reactivate: a suspended or invalid account is made active again and checked at
   * once (a poll, or a probe for API keys). If the upstream still refuses it, the check marks
   * it again, with the upstream's reason. Answers the account as it stands after the check.
   */
  async reactivate(accountId: string): Promise<AccountRecord> {
    const before = this.d.store.require(accountId);
    if (before.status === 'disabled') throw new AppError('bad_request', `Account ${before.label} is disabled by the user; enable it instead`);
    const account = this.d.activate(accountId);
    const adapter = this.d.registry.get(account.provider);
    if (adapter?.pollable) {
      if (!(await this.pollIfAllowed(accountId))) this.d.log.info(`reactivated ${account.label}; its check waits: ${this.gate(account, 'manual')?.message}`);
    } else if (adapter?.probe) {
      const out = await withDeadline(this.d.clock, this.timeoutMs(), this.stopping.signal, (signal) => this.d.syncer.probe(account, null, signal));
      this.save([out]);
    }
    const after = this.d.store.require(accountId);
    this.d.log.info(`reactivated ${after.label}: now ${after.status}${after.statusReason ? ` (${after.statusReason})` : ''}`);
    return after;
  }

  /**
   * Credentials good for a request (the proxy, the token API), refreshed when needed under
   * the timeout; a permanent refusal marks the account before the error goes on.
   */
  async credentials(account: AccountRecord, parent?: AbortSignal, force = false): Promise<Credentials> {
    try {
      return await withDeadline(this.d.clock, this.timeoutMs(), parent ?? this.stopping.signal, (signal) => this.d.syncer.freshCredentials(account, signal, force));
    } catch (err) {
      const e = toProviderError(err, parent);
      this.d.syncer.markPermanent(account, e);
      throw e;
    }
  }

  /** Marks an account after a permanent failure met elsewhere (the proxy's 401 after a refresh). */
  markPermanent(account: AccountRecord, e: ProviderError): boolean {
    return this.d.syncer.markPermanent(account, e);
  }

  private pollable(account: AccountRecord): boolean {
    return account.status === 'active' && this.d.registry.get(account.provider)?.pollable === true;
  }
}

/**
 * The caller's error for a failed sync or probe. An upstream 429 stays a 429 (`rate_limited`)
 * with the reset it learned — the error's retry time, else the exhausted readings' reset —
 * never an internal error.
 */
function syncFailed(what: string, e: ProviderError, readings: readonly QuotaInfo[] = [], now = Date.now()): AppError {
  if (e.status === 429 || e.code === 'rate_limited') {
    let at = e.retryAt;
    for (const r of readings) if (r.remainingFraction === 0 && r.resetAt !== null && r.resetAt > now) at = at === null ? r.resetAt : Math.max(at, r.resetAt);
    const resetAt = at === null ? null : new Date(at).toISOString();
    const retryAfterSec = at === null ? null : Math.max(1, Math.ceil((at - now) / 1000));
    return new AppError('rate_limited', `${what} failed (${e.code}): ${e.message}${resetAt ? `; resets at ${resetAt}` : ''}`, 429, { resetAt, retryAfterSec });
  }
  return new AppError(e.kind === 'permanent' ? 'bad_request' : 'internal', `${what} failed (${e.code}): ${e.message}`, 502);
}
