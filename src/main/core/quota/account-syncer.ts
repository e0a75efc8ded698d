// Fetches one account's quota end to end: fresh credentials (refresh ahead of expiry, once more
// on a 401), the adapter's fetch, then applies what was learned: readings into the engine,
// project/tier onto the account, a permanent failure onto its status, backoff onto its sync
// state. Never throws. Concurrent calls for one account share a single fetch.
import type { Settings } from '../../../shared/types';
import type { AccountStore } from '../accounts/account-store';
import type { AccountRecord, Credentials, QuotaInfo, SyncState } from '../model';
import type { Clock, FetchFn, Logger } from '../ports';
import { resolveBaseUrl, type DetailValue, type ProviderRegistry, type ProviderContext, type QuotaResult } from '../providers/provider-adapter';
import { ProviderError, toProviderError } from '../providers/provider-error';
import { resultOfError } from '../providers/api-key-probe';
import { safeUpstreamText } from '../log/redact';
import type { QuotaEngine } from './quota-engine';
import type { SyncRepository } from './sync-repository';

/** A stored error message is at most this long (the upstream's own part is cut at 200 before). */
const MAX_ERROR_MESSAGE = 500;

export interface SyncOutcome {
  account: AccountRecord;
  readings: QuotaInfo[];
  /** The readings are the account's whole list (a successful poll): models missing from it are gone. */
  complete: boolean;
  error: ProviderError | null;
  durationMs: number;
  state: SyncState;
  /**
   * What the poll learned about the account itself (project, tier, details), saved with the
   * cycle's readings by QuotaService.save — one transaction and one announcement per cycle, not
   * a commit and an accounts:changed per account. `account` already carries it.
   */
  discovered?: AccountPatch;
}

export type AccountPatch = Parameters<AccountStore['update']>[1];

/** The change a poll's discoveries make to an account, or null when they change nothing. */
export function discoveryPatch(account: AccountRecord, r: Pick<QuotaResult, 'projectId' | 'tier' | 'tierLabel' | 'details'>): AccountPatch | null {
  const patch: AccountPatch = {};
  if (r.projectId && r.projectId !== account.projectId) patch.projectId = r.projectId;
  if (r.tier && r.tier !== account.tier) patch.tier = r.tier;
  if (r.tierLabel && r.tierLabel !== account.tierLabel) patch.tierLabel = r.tierLabel;
  if (r.details && detailsChange(account.details, r.details)) patch.details = { ...account.details, ...r.details };
  return Object.keys(patch).length > 0 ? patch : null;
}

export interface SyncerDeps {
  accounts: AccountStore;
  registry: ProviderRegistry;
  engine: QuotaEngine;
  syncRepo: SyncRepository;
  fetch: FetchFn;
  clock: Clock;
  settings: () => Settings;
  log: Logger;
}

export class AccountSyncer {
  private readonly inflight = new Map<string, Promise<SyncOutcome>>();
  private readonly refreshing = new Map<string, Promise<Credentials>>();

  constructor(private readonly d: SyncerDeps) {}

  /** `base` is the time backoff is measured from (a cycle's start, so the next cycle lines up). */
  sync(account: AccountRecord, signal: AbortSignal, base = this.d.clock.now()): Promise<SyncOutcome> {
    const running = this.inflight.get(account.id);
    if (running) return running;
    const p = this.run(account, signal, base).finally(() => this.inflight.delete(account.id));
    this.inflight.set(account.id, p);
    return p;
  }

  /** A provider's minimal real request (API keys): readings from its rate-limit headers. */
  async probe(account: AccountRecord, model: string | null, signal: AbortSignal): Promise<SyncOutcome> {
    const started = this.d.clock.now();
    const prev = this.d.syncRepo.state(account.id);
    const adapter = this.adapter(account);
    // Refused before any request: not an attempt, so no backoff and no poll-floor clock.
    if (!adapter.probe) {
      const e = new ProviderError({ kind: 'permanent', code: 'no_probe', message: `${adapter.displayName} has no probe; its quota is polled` });
      return { account, readings: [], complete: false, error: e, durationMs: 0, state: prev };
    }
    try {
      const creds = await this.freshCredentials(account, signal);
      const result = await adapter.probe(this.context(account, creds, signal), model);
      const current = this.d.accounts.require(account.id);
      this.applyDiscoveries(current, result);
      const fresh = this.d.accounts.get(account.id) ?? current;
      this.d.engine.applyReadings(fresh, result.quotas, false);
      const now = this.d.clock.now();
      const state: SyncState = { ...prev, lastSuccessAt: now, lastAttemptAt: now, lastErrorCode: null, lastErrorMessage: null, consecutiveFailures: 0, nextAttemptAt: null };
      this.d.syncRepo.setState(state);
      return { account: fresh, readings: result.quotas, complete: false, error: null, durationMs: now - started, state };
    } catch (err) {
      let e = this.scrubbed(account, toProviderError(err, signal));
      // A refused probe still teaches something (a 429 is "0 until then"): keep its readings.
      const partial = resultOfError(err);
      let readings: QuotaInfo[] = [];
      const current = this.d.accounts.get(account.id);
      if (partial && current) {
        this.applyDiscoveries(current, partial);
        this.d.engine.applyReadings(current, partial.quotas, false);
        readings = partial.quotas;
      }
      // A 403 on a probe may only mean this key cannot use that model: do not suspend the account.
      if (e.kind === 'permanent' && e.accountStatus === 'suspended') {
        e = new ProviderError({ kind: 'transient', code: e.code, status: e.status, message: e.message });
      }
      return { account, readings, complete: false, error: e, durationMs: this.d.clock.now() - started, state: this.recordFailure(account, prev, e, started) };
    }
  }

  isSyncing(accountId: string): boolean {
    return this.inflight.has(accountId);
  }

  /** Credentials valid for at least the refresh skew; refreshed once (shared) when not. */
  async freshCredentials(account: AccountRecord, signal: AbortSignal, force = false): Promise<Credentials> {
    const adapter = this.adapter(account);
    const creds = this.d.accounts.credentials(account.id);
    if (!force && !adapter.needsRefresh(creds, this.d.clock.now())) return creds;
    const running = this.refreshing.get(account.id);
    if (running) return running;
    const p = (async () => {
      const next = await adapter.refreshCredentials(this.context(account, creds, signal));
      this.d.accounts.setCredentials(account.id, next);
      this.d.log.info(`refreshed credentials of ${account.label}`);
      return next;
    })().finally(() => this.refreshing.delete(account.id));
    this.refreshing.set(account.id, p);
    return p;
  }

  private adapter(account: AccountRecord) {
    const a = this.d.registry.get(account.provider);
    if (!a) throw new ProviderError({ kind: 'permanent', code: 'unsupported_provider', message: `No adapter for provider ${account.provider}` });
    return a;
  }

  private context(account: AccountRecord, credentials: Credentials, signal: AbortSignal): ProviderContext {
    const settings = this.d.settings();
    const adapter = this.adapter(account);
    return {
      account,
      credentials,
      signal,
      fetch: this.d.fetch,
      now: () => this.d.clock.now(),
      settings,
      baseUrl: resolveBaseUrl(adapter, settings, account),
      oauthTokenUrl: adapter.oauthFamily ? (settings.oauthTokenUrls[adapter.oauthFamily] ?? null) : null,
    };
  }

  private async fetchWithRefresh(account: AccountRecord, signal: AbortSignal): Promise<QuotaResult> {
    const adapter = this.adapter(account);
    let creds = await this.freshCredentials(account, signal);
    let refreshed = false;
    for (;;) {
      try {
        return await adapter.fetchQuota(this.context(account, creds, signal));
      } catch (err) {
        const e = toProviderError(err, signal);
        if (e.kind !== 'auth' || refreshed || !creds.refreshToken) throw e;
        refreshed = true;
        creds = await this.freshCredentials(account, signal, true);
      }
    }
  }

  private async run(account: AccountRecord, signal: AbortSignal, base: number): Promise<SyncOutcome> {
    const started = this.d.clock.now();
    const prev = this.d.syncRepo.state(account.id);
    try {
      const result = await this.fetchWithRefresh(account, signal);
      if (signal.aborted) throw toProviderError(signal.reason, signal);
      // The account may have been removed or disabled while its fetch was in flight.
      const current = this.d.accounts.get(account.id);
      if (!current) throw new ProviderError({ kind: 'aborted', code: 'removed', message: 'Account removed during sync' });
      if (result.credentials) this.d.accounts.setCredentials(account.id, { ...this.d.accounts.credentials(account.id), ...result.credentials });
      // Saved by QuotaService.save with the readings; the readings already see it.
      const discovered = discoveryPatch(current, result);
      const fresh: AccountRecord = discovered ? { ...current, ...discovered } : current;
      this.d.engine.applyReadings(fresh, result.quotas, true);
      const now = this.d.clock.now();
      const state: SyncState = { ...prev, lastSuccessAt: now, lastAttemptAt: now, lastErrorCode: null, lastErrorMessage: null, consecutiveFailures: 0, nextAttemptAt: null };
      this.d.syncRepo.setState(state);
      return { account: fresh, readings: result.quotas, complete: true, error: null, durationMs: now - started, state, ...(discovered ? { discovered } : {}) };
    } catch (err) {
      const e = this.scrubbed(account, toProviderError(err, signal));
      const state = this.recordFailure(account, prev, e, base);
      return { account, readings: [], complete: false, error: e, durationMs: this.d.clock.now() - started, state };
    }
  }

  /** Backoff for transient errors (never sooner than the upstream asked), marks for permanent ones. */
  private recordFailure(account: AccountRecord, prev: SyncState, e: ProviderError, base: number): SyncState {
    if (e.kind === 'aborted') return prev;
    const now = this.d.clock.now();
    const failures = prev.consecutiveFailures + 1;
    const s = this.d.settings();
    const delay = Math.min(s.syncIntervalSec * 1000 * 2 ** (failures - 1), s.maxBackoffSec * 1000);
    const state: SyncState = {
      ...prev,
      lastAttemptAt: now,
      lastErrorCode: e.code,
      lastErrorMessage: e.message,
      consecutiveFailures: failures,
      nextAttemptAt: e.kind === 'permanent' ? null : Math.max(base + delay, e.retryAt ?? 0),
    };
    this.d.syncRepo.setState(state);
    if (!this.markPermanent(account, e)) this.d.log.warn(`sync of ${account.label} failed (${e.kind}/${e.code}): ${e.message}`);
    return state;
  }

  /**
   * What a permanent failure does to an account, wherever it was met (a poll, a token refresh
   * for the proxy or the token API): the account takes the error's status. Answers whether it did.
   */
  markPermanent(account: AccountRecord, err: ProviderError): boolean {
    if (err.kind !== 'permanent' || !err.accountStatus || !this.d.accounts.get(account.id)) return false;
    const status = err.accountStatus;
    const e = this.scrubbed(account, err);
    this.d.accounts.setStatus(account.id, status, e.message);
    this.d.log.warn(`account ${account.label} marked ${status}: ${e.message}`);
    return true;
  }

  /**
   * The error as it may be stored, shown and logged: its message through the one redaction
   * (the account's own secrets and every token shape out first, then cut), whichever adapter
   * or path produced it.
   */
  private scrubbed(account: AccountRecord, e: ProviderError): ProviderError {
    let secrets: (string | undefined)[] = [];
    try {
      const c = this.d.accounts.credentials(account.id);
      secrets = [c.apiKey, c.accessToken, c.refreshToken, c.idToken];
    } catch {
      // Removed meanwhile: the token shapes are still scrubbed.
    }
    const message = safeUpstreamText(e.message, secrets, MAX_ERROR_MESSAGE);
    if (message === e.message) return e;
    return new ProviderError({ kind: e.kind, code: safeUpstreamText(e.code, secrets, 64) || 'error', message, status: e.status, retryAt: e.retryAt, accountStatus: e.accountStatus });
  }

  /** Probes (one account, on request) save what they learned at once. */
  private applyDiscoveries(account: AccountRecord, r: QuotaResult): void {
    if (r.credentials) this.d.accounts.setCredentials(account.id, { ...this.d.accounts.credentials(account.id), ...r.credentials });
    const patch = discoveryPatch(account, r);
    if (patch) this.d.accounts.update(account.id, patch);
  }
}

/**
 * Whether merging `next` into `current` changes it (what comparing the two as JSON says,
 * without building the strings on every poll): a key it adds, or a value that reads differently.
 */
function detailsChange(current: Record<string, DetailValue>, next: Record<string, DetailValue>): boolean {
  for (const k in next) {
    if (!Object.prototype.hasOwnProperty.call(current, k)) return true;
    const a = current[k];
    const b = next[k];
    if (a !== b && JSON.stringify(a) !== JSON.stringify(b)) return true;
  }
  return false;
}
