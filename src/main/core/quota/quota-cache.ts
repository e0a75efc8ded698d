// In-memory quota readings per account and model with a TTL. Expired entries stop counting
// as known immediately and are removed by cleanupExpired(). It also remembers which models
// each account serves (not subject to TTL) so the selector knows where a model can go.
import type { QuotaInfo } from '../model';
import { modelMatches, patternSpecificity } from '../providers/provider-adapter';
import { ModelMap, ModelSet, type ModelSetView } from './model-map';

const NONE_SERVED: ModelSetView = new ModelSet();

/** patternSpecificity of each glob key seen (few distinct ones), computed once. */
const specificity = new Map<string, number>();
function scoreOf(glob: string): number {
  let s = specificity.get(glob);
  if (s === undefined) {
    s = patternSpecificity(glob);
    if (specificity.size < 10_000) specificity.set(glob, s);
  }
  return s;
}

/**
 * Which replaceAccount call last wrote each model id (one map for all calls, never cleared: a
 * Set cleared per call would shrink its table and grow it again for every account).
 */
const written = new Map<string, number>();
let calls = 0;

// A sync cycle rewrites every account's readings. Maps and sets are updated in place rather than
// rebuilt: whatever is rebuilt each cycle lives until the next one, so it is promoted to V8's old
// space every cycle and only a major GC frees it (the service's RSS). No object per entry: each
// account's readings are a ModelMap (model-map.ts: key layouts shared by accounts with the same
// models) holding the reading and, beside it as an unboxed number, its expiry.
export class QuotaCache {
  private readonly byAccount = new Map<string, ModelMap<QuotaInfo>>();
  private readonly served = new Map<string, ModelSet>();
  /** Each account's glob keys, in reading order: lookup scans these, not every entry. */
  private readonly globs = new Map<string, string[]>();
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
    this.put(info, false);
    this.version++;
  }

  /**
   * Stores a reading in place. `replacing` inside a replaceAccount call (its models are in
   * `written`); answers whether this is the first write of that key (of the call, else ever).
   */
  private put(info: QuotaInfo, replacing: boolean): boolean {
    let models = this.byAccount.get(info.accountId);
    if (!models) this.byAccount.set(info.accountId, (models = new ModelMap()));
    const glob = info.model.includes('*');
    let i = models.slotOf(info.model);
    const created = i < 0;
    if (created) i = models.put(info.model, info);
    else models.setValueAt(i, info);
    models.setNumAt(i, info.fetchedAt + this.ttlMs);
    const first = replacing ? written.get(info.model) !== calls : created;
    if (replacing && first) written.set(info.model, calls);
    if (glob && first) this.globList(info.accountId).push(info.model);
    // Only exact ids say which models an account serves; globs bind, they do not declare.
    if (!glob) {
      let served = this.served.get(info.accountId);
      if (!served) this.served.set(info.accountId, (served = new ModelSet()));
      served.add(info.model);
    }
    return first;
  }

  private globList(accountId: string): string[] {
    let list = this.globs.get(accountId);
    if (!list) this.globs.set(accountId, (list = []));
    return list;
  }

  /** Replaces an account's models with the ones in a fresh, complete reading. */
  replaceAccount(accountId: string, infos: QuotaInfo[]): void {
    // Bounded by the distinct model ids; emptied only between calls.
    if (written.size >= 50_000) written.clear();
    calls++;
    // Refilled in reading order: lookup's tie-breaks follow it.
    this.globs.get(accountId)?.splice(0);
    let distinct = 0;
    let exact = 0;
    for (const i of infos) {
      if (!this.put(i, true)) continue;
      distinct++;
      if (!i.model.includes('*')) exact++;
    }
    const models = this.byAccount.get(accountId);
    if (models && models.size !== distinct) models.forEach((_, model) => written.get(model) !== calls && models.delete(model));
    if (models?.size === 0) this.byAccount.delete(accountId);
    if (this.globs.get(accountId)?.length === 0) this.globs.delete(accountId);
    // The served set now holds every exact id read; ids no longer read (or only marked) go.
    const served = this.served.get(accountId);
    if (served && exact === 0) this.served.delete(accountId);
    else if (served && served.size !== exact) served.forEach((m) => (m.includes('*') || written.get(m) !== calls) && served.delete(m));
    this.version++;
  }

  get(accountId: string, model: string, now: number): QuotaInfo | undefined {
    const models = this.byAccount.get(accountId);
    const i = models ? models.slotOf(model) : -1;
    return i >= 0 && models!.numAt(i) > now ? models!.valueAt(i) : undefined;
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
    const x = models.slotOf(model);
    const exactExpiry = x >= 0 ? models.numAt(x) : -Infinity;
    const live = exactExpiry > now;
    const exact = live ? models.valueAt(x) : undefined;
    if (until) until.at = live ? exactExpiry : Infinity;
    // Most accounts have no glob readings (often none at all): skip the scan for them.
    const globs = this.globs.size === 0 ? undefined : this.globs.get(accountId);
    if (globs === undefined || globs.length === 0) return exact;
    let binding: QuotaInfo | undefined = exact && exact.remainingFraction !== null ? exact : undefined;
    let specific: QuotaInfo | undefined = exact;
    let specificScore = specific ? Number.MAX_SAFE_INTEGER : -1;
    for (let k = 0; k < globs.length; k++) {
      const glob = globs[k]!;
      const j = models.slotOf(glob);
      if (j < 0) continue;
      const expiresAt = models.numAt(j);
      if (expiresAt <= now || !modelMatches(glob, model)) continue;
      if (until && expiresAt < until.at) until.at = expiresAt;
      const info = models.valueAt(j);
      const f = info.remainingFraction;
      if (f !== null) {
        const b = binding?.remainingFraction ?? Infinity;
        if (f < b || (f === b && (info.resetAt ?? 0) > (binding?.resetAt ?? 0))) binding = info;
      }
      const score = scoreOf(glob);
      if (score > specificScore) {
        specific = info;
        specificScore = score;
      }
    }
    return binding ?? specific;
  }

  /** Every unexpired reading of one account. */
  forAccount(accountId: string, now: number): QuotaInfo[] {
    const out: QuotaInfo[] = [];
    const m = this.byAccount.get(accountId);
    if (m) for (let i = 0; i < m.slots(); i++) if (m.live(i) && m.numAt(i) > now) out.push(m.valueAt(i));
    return out;
  }

  /**
   * Keeps an account's current readings fresh until `until` (a poll planned later than the TTL:
   * the reading stands until then). Never shortens; the selector re-evaluates at the old expiry.
   */
  extendAccount(accountId: string, until: number): void {
    const m = this.byAccount.get(accountId);
    if (m) for (let i = 0; i < m.slots(); i++) if (m.live(i) && m.numAt(i) < until) m.setNumAt(i, until);
  }

  /** Earliest expiry among one account's entries (Infinity when none). */
  earliestExpiry(accountId: string): number {
    let t = Infinity;
    const m = this.byAccount.get(accountId);
    if (m) for (let i = 0; i < m.slots(); i++) if (m.live(i)) t = Math.min(t, m.numAt(i));
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
    for (const m of this.byAccount.values()) for (let i = 0; i < m.slots(); i++) if (m.live(i) && m.numAt(i) > now) yield m.valueAt(i);
  }

  /** Every unexpired reading, without an iterator (counts over every reading). */
  forEachLive(now: number, fn: (info: QuotaInfo) => void): void {
    this.byAccount.forEach((m) => {
      for (let i = 0; i < m.slots(); i++) if (m.live(i) && m.numAt(i) > now) fn(m.valueAt(i));
    });
  }

  size(): number {
    let n = 0;
    for (const m of this.byAccount.values()) n += m.size;
    return n;
  }

  countExpired(now: number): number {
    let n = 0;
    for (const m of this.byAccount.values()) for (let i = 0; i < m.slots(); i++) if (m.live(i) && m.numAt(i) <= now) n++;
    return n;
  }

  cleanupExpired(now: number): number {
    let removed = 0;
    this.byAccount.forEach((models, accountId) => {
      for (let i = 0; i < models.slots(); i++) {
        if (!models.live(i) || models.numAt(i) > now) continue;
        const model = models.keyAt(i);
        models.delete(model);
        removed++;
        const globs = this.globs.get(accountId);
        const at = globs ? globs.indexOf(model) : -1;
        if (at >= 0) globs!.splice(at, 1);
      }
      if (models.size === 0) this.byAccount.delete(accountId);
      if (this.globs.get(accountId)?.length === 0) this.globs.delete(accountId);
    });
    if (removed > 0) this.version++;
    return removed;
  }
}
