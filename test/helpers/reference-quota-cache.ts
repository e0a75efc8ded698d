// The QuotaCache as it was before its entries lost their objects (issue 11): the oracle of
// test/unit/quota-cache-equivalence.test.ts. Test-only; not used by the app.
// In-memory quota readings per account and model with a TTL. Expired entries stop counting
// as known immediately and are removed by cleanupExpired(). It also remembers which models
// each account serves (not subject to TTL) so the selector knows where a model can go.
import type { QuotaInfo } from '../../src/main/core/model';
import { modelMatches, patternSpecificity } from '../../src/main/core/providers/provider-adapter';
import { ModelMap, ModelSet, type ModelSetView } from '../../src/main/core/quota/model-map';

interface Entry {
  info: QuotaInfo;
  expiresAt: number;
  /** patternSpecificity of a glob key, computed once (-1 for exact ids: never scanned; a small integer, not a boxed double). */
  readonly score: number;
  /** The replaceAccount call that last wrote it. */
  mark: number;
}

const NONE_SERVED: ModelSetView = new ModelSet();

// A sync cycle rewrites every account's readings. Entries, maps and sets are updated in place
// rather than rebuilt: whatever is rebuilt each cycle lives until the next one, so it is
// promoted to V8's old space every cycle and only a major GC frees it (the service's RSS).
export class ReferenceQuotaCache {
  // Per account, by model: ModelMaps (model-map.ts), whose keys are shared by accounts with the same models.
  private readonly byAccount = new Map<string, ModelMap<Entry>>();
  private readonly served = new Map<string, ModelSet>();
  /** Each account's glob-keyed entries, in reading order: lookup scans these, not every entry. */
  private readonly globs = new Map<string, Entry[]>();
  private version = 0;
  private marks = 0;

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
    this.put(info, 0);
    this.version++;
  }

  /**
   * Stores a reading in place. `mark` is 0 for a single set, else the replaceAccount call's
   * mark; answers whether this is the call's first write of that key.
   */
  private put(info: QuotaInfo, mark: number): boolean {
    let models = this.byAccount.get(info.accountId);
    if (!models) this.byAccount.set(info.accountId, (models = new ModelMap()));
    const expiresAt = info.fetchedAt + this.ttlMs;
    const glob = info.model.includes('*');
    let e = models.get(info.model);
    const created = e === undefined;
    if (e === undefined) {
      e = { info, expiresAt, score: glob ? patternSpecificity(info.model) : -1, mark: -1 };
      models.set(info.model, e);
    } else {
      e.info = info;
      e.expiresAt = expiresAt;
    }
    const first = mark === 0 ? created : e.mark !== mark;
    if (mark !== 0) e.mark = mark;
    if (glob && first) this.globList(info.accountId).push(e);
    // Only exact ids say which models an account serves; globs bind, they do not declare.
    if (!glob) {
      let served = this.served.get(info.accountId);
      if (!served) this.served.set(info.accountId, (served = new ModelSet()));
      served.add(info.model);
    }
    return first;
  }

  private globList(accountId: string): Entry[] {
    let list = this.globs.get(accountId);
    if (!list) this.globs.set(accountId, (list = []));
    return list;
  }

  /** Replaces an account's models with the ones in a fresh, complete reading. */
  replaceAccount(accountId: string, infos: QuotaInfo[]): void {
    const mark = ++this.marks;
    // Refilled in reading order: lookup's tie-breaks follow it.
    this.globs.get(accountId)?.splice(0);
    let distinct = 0;
    let exact = 0;
    for (const i of infos) {
      if (!this.put(i, mark)) continue;
      distinct++;
      if (!i.model.includes('*')) exact++;
    }
    const models = this.byAccount.get(accountId);
    if (models && models.size !== distinct) models.forEach((e, model) => e.mark !== mark && models.delete(model));
    if (models?.size === 0) this.byAccount.delete(accountId);
    if (this.globs.get(accountId)?.length === 0) this.globs.delete(accountId);
    // The served set now holds every exact id read; ids no longer read (or only marked) go.
    const served = this.served.get(accountId);
    if (served && exact === 0) this.served.delete(accountId);
    else if (served && served.size !== exact) served.forEach((m) => (m.includes('*') || models?.get(m)?.mark !== mark) && served.delete(m));
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
   * `until`, when given, is told when that answer may change by the clock alone: the earliest
   * expiry after `now` among the entries it looked at (Infinity when none will expire).
   */
  lookup(accountId: string, model: string, now: number, until?: { at: number }): QuotaInfo | undefined {
    const models = this.byAccount.get(accountId);
    if (!models) {
      if (until) until.at = Infinity;
      return undefined;
    }
    const exact = models.get(model);
    const live = exact !== undefined && exact.expiresAt > now;
    if (until) until.at = live ? exact.expiresAt : Infinity;
    // Most accounts have no glob readings (often none at all): skip the scan for them.
    const globs = this.globs.size === 0 ? undefined : this.globs.get(accountId);
    if (globs === undefined || globs.length === 0) return live ? exact.info : undefined;
    let binding: QuotaInfo | undefined = live && exact.info.remainingFraction !== null ? exact.info : undefined;
    let specific: QuotaInfo | undefined = live ? exact.info : undefined;
    let specificScore = specific ? Number.MAX_SAFE_INTEGER : -1;
    for (let k = 0; k < globs.length; k++) {
      const e = globs[k]!;
      if (e.expiresAt <= now || !modelMatches(e.info.model, model)) continue;
      if (until && e.expiresAt < until.at) until.at = e.expiresAt;
      const f = e.info.remainingFraction;
      if (f !== null) {
        const b = binding?.remainingFraction ?? Infinity;
        if (f < b || (f === b && (e.info.resetAt ?? 0) > (binding?.resetAt ?? 0))) binding = e.info;
      }
      if (e.score > specificScore) {
        specific = e.info;
        specificScore = e.score;
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

  /**
   * Keeps an account's current readings fresh until `until` (a poll planned later than the TTL:
   * the reading stands until then). Never shortens; the selector re-evaluates at the old expiry.
   */
  extendAccount(accountId: string, until: number): void {
    for (const e of this.byAccount.get(accountId)?.values() ?? []) if (e.expiresAt < until) e.expiresAt = until;
  }

  /** Earliest expiry among one account's entries (Infinity when none). */
  earliestExpiry(accountId: string): number {
    let t = Infinity;
    for (const e of this.byAccount.get(accountId)?.values() ?? []) t = Math.min(t, e.expiresAt);
    return t;
  }

  servedModels(accountId: string): ModelSetView {
    return this.served.get(accountId) ?? NONE_SERVED;
  }

  markServed(accountId: string, model: string): void {
    let s = this.served.get(accountId);
    if (!s) this.served.set(accountId, (s = new ModelSet()));
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
    this.byAccount.forEach((models, accountId) => {
      models.forEach((e, model) => {
        if (e.expiresAt > now) return;
        models.delete(model);
        removed++;
        const globs = this.globs.get(accountId);
        const at = globs ? globs.indexOf(e) : -1;
        if (at >= 0) globs!.splice(at, 1);
      });
      if (models.size === 0) this.byAccount.delete(accountId);
      if (this.globs.get(accountId)?.length === 0) this.globs.delete(accountId);
    });
    if (removed > 0) this.version++;
    return removed;
  }
}
