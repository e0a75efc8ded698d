// Every key has a reading (issue 12 §6). An API-key account that has no reading yet — just added
// or imported, or imported again with a new key — is checked once, at once: one minimal request
// (a probe, as quota:probe does) for keys without a quota endpoint, a poll for those with one
// (OpenRouter). So a new key is weighed against the others instead of waiting for traffic. Until
// its reading lands its decision is "unknown", which the selector ranks above "low" (unknown is
// not worse than nearly empty). quota:probe re-probes on demand. Checks run in the background,
// a few at a time, through the QuotaService (its timeout and its one save); a failure is logged
// and leaves the account as the check found it (a dead key is marked, as a probe marks it).
import pLimit from 'p-limit';
import type { AccountStore } from '../accounts/account-store';
import type { Logger } from '../ports';
import type { ProviderRegistry } from '../providers/provider-adapter';
import type { QuotaEngine } from './quota-engine';
import type { QuotaService } from './quota-service';

export interface FirstReadingsDeps {
  store: AccountStore;
  registry: ProviderRegistry;
  engine: QuotaEngine;
  quota: Pick<QuotaService, 'probe' | 'pollIfAllowed'>;
  log: Logger;
  /** False: nothing is checked on its own (a service started without background syncing). */
  enabled: boolean;
}

const CONCURRENCY = 4;

export class FirstReadings {
  private readonly limit = pLimit(CONCURRENCY);
  private readonly pending = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly d: FirstReadingsDeps) {}

  /** Whether an account is an API key that is active and has no reading yet. */
  needsReading(accountId: string): boolean {
    const account = this.d.store.get(accountId);
    if (!account || account.status !== 'active') return false;
    const adapter = this.d.registry.get(account.provider);
    if (!adapter || adapter.auth !== 'api-key' || (!adapter.pollable && !adapter.probe)) return false;
    return this.d.engine.views(accountId).length === 0;
  }

  /**
   * Checks, in the background, the named accounts that need a first reading. Answers when those
   * checks have ended; never rejects (the caller does not wait for the upstream).
   */
  request(ids: readonly string[]): Promise<void> {
    if (!this.d.enabled || this.closed) return Promise.resolve();
    const started: Promise<void>[] = [];
    for (const id of ids) {
      const running = this.pending.get(id);
      if (running) { started.push(running); continue; }
      if (!this.needsReading(id)) continue;
      const p = this.limit(() => this.check(id)).finally(() => this.pending.delete(id));
      this.pending.set(id, p);
      started.push(p);
    }
    return Promise.all(started).then(() => undefined);
  }

  /** Resolves when every check started so far has ended (tests, shutdown). */
  idle(): Promise<void> {
    return Promise.all([...this.pending.values()]).then(() => undefined);
  }

  /** Starts nothing more (queued checks are dropped) and waits for those in flight (each under the sync timeout). */
  close(): Promise<void> {
    this.closed = true;
    return this.idle();
  }

  private async check(id: string): Promise<void> {
    if (this.closed) return;
    const account = this.d.store.get(id);
    if (!account || !this.needsReading(id)) return;
    const adapter = this.d.registry.get(account.provider)!;
    try {
      if (adapter.pollable) {
        const out = await this.d.quota.pollIfAllowed(id);
        if (out?.error) this.d.log.info(`first reading of ${account.label} failed (${out.error.code}): ${out.error.message}`);
      } else {
        await this.d.quota.probe(id, null);
      }
      this.d.log.info(`first reading of ${account.label}: ${this.d.engine.views(id).length} reading(s)`);
    } catch (err) {
      this.d.log.info(`first reading of ${account.label} failed: ${(err as Error).message}`);
    }
  }
}
