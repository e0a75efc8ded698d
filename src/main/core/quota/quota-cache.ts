// In-memory quota readings per account and model with a TTL. Expired entries stop counting
// as known immediately and are removed by cleanupExpired(). It also remembers which models
// each account serves (not subject to TTL) so the selector knows where a model can go.
import type { QuotaInfo } from '../model';
import { modelMatches, patternSpecificity } from '../providers/provider-adapter';

interface Entry {
  info: QuotaInfo;
  expiresAt: number;
}

export class QuotaCache {
  private readonly byAccount = new Map<string, Map<string, Entry>>();
  private readonly served = new Map<string, Set<string>>();
  /** How many glob-keyed entries each account has. */
  private readonly globs = new Map<string, number>();
  private version = 0;

  constructor(private ttlMs: number) {}

  setTtl(ms: number): void {
    this.ttlMs = ms;
  }

  ttl(): number {
    return this.ttlMs;
  }

  /** Bumped on every change; the selector rebuilds its index when it moves. */
  getVersion(): number {
    return this.version;
  }

  set(info: QuotaInfo): void {
    let models = this.byAccount.get(info.accountId);
    if (!models) this.byAccount.set(info.accountId, (models = new Map()));
    if (info.model.includes('*') && !models.has(info.model)) this.globs.set(info.accountId, (this.globs.get(info.accountId) ?? 0) + 1);
    models.set(info.model, { info, expiresAt: info.fetchedAt + this.ttlMs });
    // Only exact ids say which models an account serves; globs bind, they do not declare.
    if (!info.model.includes('*')) {
      let served = this.served.get(info.accountId);
      if (!served) this.served.set(info.accountId, (served = new Set()));
      served.add(info.model);
    }
    this.version++;
  }

  /** Replaces an account's models with the ones in a fresh, complete reading. */
  replaceAccount(accountId: string, infos: QuotaInfo[]): void {
    this.byAccount.delete(accountId);
    this.served.delete(accountId);
    this.globs.delete(accountId);
    for (const i of infos) this.set(i);
    this.version++;
  }

  get(accountId: string, model: string, now: number): QuotaInfo | undefined {
    const e = this.byAccount.get(accountId)?.get(model);
    return e && e.expiresAt > now ? e.info : undefined;
  }

  /**
   * The reading that binds a model: among its exact reading and every glob that matches it
   * ("*opus*", "*" — windows shared by a family or by the whole account), the one with the
   * least remaining; when none says how much remains, the most specific one.
   */
  lookup(accountId: string, model: string, now: number): QuotaInfo | undefined {
    const models = this.byAccount.get(accountId);
    if (!models) return undefined;
    const exact = models.get(model);
    // Most accounts have no glob readings: skip the scan for them.
    if ((this.globs.get(accountId) ?? 0) === 0) return exact && exact.expiresAt > now ? exact.info : undefined;
    let binding: QuotaInfo | undefined = exact && exact.expiresAt > now && exact.info.remainingFraction !== null ? exact.info : undefined;
    let specific: QuotaInfo | undefined = exact && exact.expiresAt > now ? exact.info : undefined;
    let specificScore = specific ? Number.MAX_SAFE_INTEGER : -1;
    for (const [key, e] of models) {
      if (!key.includes('*') || e.expiresAt <= now || !modelMatches(key, model)) continue;
      const f = e.info.remainingFraction;
      if (f !== null) {
        const b = binding?.remainingFraction ?? Infinity;
        if (f < b || (f === b && (e.info.resetAt ?? 0) > (binding?.resetAt ?? 0))) binding = e.info;
      }
      const score = patternSpecificity(key);
      if (score > specificScore) {
        specific = e.info;
        specificScore = score;
      }
    }
    return binding ?? specific;
  }

  /** Every unexpired reading of one account. */
  forAccount(accountId: string, now: number): QuotaInfo[] {
    const out: QuotaInfo[] = [];
    for (const e of this.byAccount.get(accountId)?.values() ?? []) if (e.expiresAt > now) out.push(e.info);
    return out;
  }

  /** Earliest expiry among one account's entries (Infinity when none). */
  earliestExpiry(accountId: string): number {
    let t = Infinity;
    for (const e of this.byAccount.get(accountId)?.values() ?? []) t = Math.min(t, e.expiresAt);
    return t;
  }

  servedModels(accountId: string): ReadonlySet<string> {
    return this.served.get(accountId) ?? new Set();
  }

  markServed(accountId: string, model: string): void {
    let s = this.served.get(accountId);
    if (!s) this.served.set(accountId, (s = new Set()));
    if (!s.has(model)) {
      s.add(model);
      this.version++;
    }
  }

  deleteAccount(accountId: string): void {
    this.byAccount.delete(accountId);
    this.served.delete(accountId);
    this.globs.delete(accountId);
    this.version++;
  }

  *entries(now: number): Generator<QuotaInfo> {
    for (const models of this.byAccount.values()) for (const e of models.values()) if (e.expiresAt > now) yield e.info;
  }

  size(): number {
    let n = 0;
    for (const m of this.byAccount.values()) n += m.size;
    return n;
  }

  countExpired(now: number): number {
    let n = 0;
    for (const m of this.byAccount.values()) for (const e of m.values()) if (e.expiresAt <= now) n++;
    return n;
  }

  cleanupExpired(now: number): number {
    let removed = 0;
    for (const [accountId, models] of this.byAccount) {
      for (const [model, e] of models) {
        if (e.expiresAt <= now) {
          models.delete(model);
          if (model.includes('*')) this.globs.set(accountId, (this.globs.get(accountId) ?? 1) - 1);
          removed++;
        }
      }
      if (models.size === 0) this.byAccount.delete(accountId);
    }
    if (removed > 0) this.version++;
    return removed;
  }
}
