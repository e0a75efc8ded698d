// Picks the best account for a model, in memory. Order: every "proceed" account, then unknown
// (no data yet, or an exhausted reading whose reset passed), then "low" ones as the last
// fallback; within each group by tier (ultra > pro > free), then by the strategy (priority: most
// remaining; reset-aware: soonest reset first unless forecast to run out before it; round-robin:
// rotate). Each candidate carries its strategy key, computed once per evaluation. Exhausted,
// locked, excluded and below-reserve readings never. A per-model index is kept in order and
// updated per account: when one account's readings or locks change (the engine's journal says
// which) or its decision expires, only that account moves (a binary search and one splice);
// anything else (accounts, settings, strategy) rebuilds it. select() is O(1) typically.
import type { SelectionStrategy } from '../../../shared/types';
import type { AccountStore } from '../accounts/account-store';
import { NoAccountAvailableError } from '../errors';
import { TIER_PRIORITY, type AccountRecord } from '../model';
import type { Clock } from '../ports';
import { decisionExpiry, type Decision } from '../quota/decide';
import type { QuotaEngine } from '../quota/quota-engine';

export interface Candidate {
  account: AccountRecord;
  decision: Decision;
  group: number;
  tier: number;
  /**
   * Reset-aware's key: the reset to spend before (epoch ms), or Infinity when none is known or
   * the account is forecast to run out before it (its quota will not expire unused).
   */
  spendBy: number;
}

interface ModelIndex {
  /** engine.version() and engine.journalSeq() the index reflects. */
  version: number;
  seq: number;
  strategy: SelectionStrategy;
  /** The earliest time any account's decision for this model may change by itself. */
  validUntil: number;
  /** Ordered by compareCandidates (a total order: ties end on the account id). */
  candidates: Candidate[];
  /** account id → its candidate, when it is one. */
  byAccount: Map<string, Candidate>;
  /** account id → when its decision may change by itself (every account that serves the model). */
  expiry: Map<string, number>;
  /** account id → reset time of an account left out (exhausted, below its reserve). */
  resets: Map<string, number>;
  /** Size of the leading run with the same group and tier (round-robin rotates inside it). */
  topRun: number;
  cursor: number;
}

/** What one account is for one model right now. */
interface Evaluation {
  candidate: Candidate | null;
  expiry: number;
  reset: number | null;
}

const GROUP = { proceed: 0, unknown: 1, low: 2 } as const;

export interface Selection {
  account: AccountRecord;
  decision: Decision;
}

export class TokenSelector {
  private readonly index = new Map<string, ModelIndex>();
  /** How often an index was built from scratch, and updated in place (diagnostics, tests, bench). */
  readonly counters = { rebuilds: 0, updates: 0 };

  constructor(
    private readonly engine: QuotaEngine,
    private readonly accounts: AccountStore,
    private readonly clock: Clock,
    private readonly strategy: () => SelectionStrategy,
  ) {}

  /**
   * The best account for a model. `exclude` skips accounts already tried for this request;
   * `accept` narrows to accounts that can take it (e.g. providers speaking the client's API);
   * `prefer` names an account to take first if it is a candidate (a sticky session's).
   */
  select(model: string, exclude?: ReadonlySet<string>, accept?: (a: AccountRecord) => boolean, prefer?: string | null): Selection {
    const now = this.clock.now();
    const idx = this.indexFor(model, now);
    const c = idx.candidates;
    if (prefer) {
      // A sticky session's account, while it is still a candidate (not exhausted, locked or below its reserve).
      const p = idx.byAccount.get(prefer);
      if (p && !exclude?.has(prefer) && (!accept || accept(p.account))) return { account: p.account, decision: p.decision };
    }
    if (accept) {
      for (const cand of c) if (!exclude?.has(cand.account.id) && accept(cand.account)) return { account: cand.account, decision: cand.decision };
      throw new NoAccountAvailableError(model, earliestReset(idx, now));
    }
    if (!exclude || exclude.size === 0) {
      if (c.length > 0) {
        if (idx.strategy === 'round-robin' && idx.topRun > 1) {
          const pick = c[idx.cursor++ % idx.topRun]!;
          return { account: pick.account, decision: pick.decision };
        }
        return { account: c[0]!.account, decision: c[0]!.decision };
      }
    } else {
      for (const cand of c) if (!exclude.has(cand.account.id)) return { account: cand.account, decision: cand.decision };
    }
    throw new NoAccountAvailableError(model, earliestReset(idx, now));
  }

  /** The ordered candidates (for diagnostics and the proxy's fallback chain). */
  candidates(model: string): Candidate[] {
    return this.indexFor(model, this.clock.now()).candidates;
  }

  /**
   * The index for a model, brought up to date: as it is while nothing changed; only the
   * accounts the engine's journal names (and those whose decision expired) when that explains
   * every change; rebuilt otherwise (accounts, settings, strategy, anything else).
   */
  private indexFor(model: string, now: number): ModelIndex {
    const version = this.engine.version();
    const strategy = this.strategy();
    const cur = this.index.get(model);
    if (cur && cur.strategy === strategy) {
      if (cur.version === version && now < cur.validUntil) return cur;
      const changed = cur.version === version ? [] : this.engine.changedSince(cur.seq, cur.version);
      // Past a quarter of the accounts, one rebuild costs less than that many updates.
      if (changed !== null && changed.length <= Math.max(16, cur.expiry.size >> 2)) {
        this.update(cur, model, now, changed);
        this.counters.updates++;
        cur.version = version;
        cur.seq = this.engine.journalSeq();
        return cur;
      }
    }
    const next = this.build(model, now, version, strategy);
    this.counters.rebuilds++;
    if (cur) next.cursor = cur.cursor;
    this.index.set(model, next);
    return next;
  }

  private evaluate(account: AccountRecord, model: string, now: number, strategy: SelectionStrategy): Evaluation | null {
    if (account.status !== 'active') return null;
    if (!this.engine.serves(account, model)) return null;
    const pref = this.accounts.modelPref(account.id, model);
    if (pref?.excluded) return null;
    const { info, lock, decision } = this.engine.assess(account.id, model, now);
    const expiry = Math.min(decisionExpiry(decision, info, lock, now), this.engine.cache.earliestExpiry(account.id));
    if (decision.kind === 'exhausted' || decision.kind === 'cooldown') return { candidate: null, expiry, reset: decision.resetAt };
    const reserve = pref?.reserve ?? account.reserve;
    if (reserve !== null && decision.remainingFraction !== null && decision.remainingFraction < reserve) return { candidate: null, expiry, reset: decision.resetAt };
    let spendBy = Infinity;
    let until = expiry;
    if (strategy === 'reset-aware' && decision.resetAt !== null && decision.resetAt > now) {
      // The reset is the binding reading's: its forecast says whether the quota lasts until then.
      if (!(info && this.engine.forecast(account.id, info.model)?.beforeReset)) spendBy = decision.resetAt;
      // Once the reset passes, the key does too: the account is evaluated again then.
      until = Math.min(until, decision.resetAt);
    }
    return { candidate: { account, decision, group: GROUP[decision.kind], tier: TIER_PRIORITY[account.tier], spendBy }, expiry: until, reset: null };
  }

  private build(model: string, now: number, version: number, strategy: SelectionStrategy): ModelIndex {
    const idx: ModelIndex = {
      version,
      seq: this.engine.journalSeq(),
      strategy,
      validUntil: Infinity,
      candidates: [],
      byAccount: new Map(),
      expiry: new Map(),
      resets: new Map(),
      topRun: 0,
      cursor: 0,
    };
    for (const account of this.accounts.list()) {
      const e = this.evaluate(account, model, now, strategy);
      if (e) this.note(idx, account.id, e);
    }
    const cmp = comparator(strategy);
    idx.candidates.sort(cmp);
    idx.topRun = topRunOf(idx.candidates);
    return idx;
  }

  /** Records an evaluation in the index's maps (not the order). */
  private note(idx: ModelIndex, id: string, e: Evaluation): void {
    idx.expiry.set(id, e.expiry);
    if (e.expiry < idx.validUntil) idx.validUntil = e.expiry;
    if (e.reset !== null) idx.resets.set(id, e.reset);
    if (e.candidate) {
      idx.byAccount.set(id, e.candidate);
      idx.candidates.push(e.candidate);
    }
  }

  /** Re-evaluates the named accounts and those whose decision expired; the rest stays as it is. */
  private update(idx: ModelIndex, model: string, now: number, changed: string[]): void {
    const ids = new Set(changed);
    if (now >= idx.validUntil) for (const [id, t] of idx.expiry) if (t <= now) ids.add(id);
    if (ids.size === 0) return;
    // validUntil stays a lower bound while accounts move (no pass over every account per change):
    // it is made exact again only when the clock reaches it, by the pass that finds what expired.
    const sweep = now >= idx.validUntil;
    const cmp = comparator(idx.strategy);
    for (const id of ids) {
      const old = idx.byAccount.get(id);
      if (old) {
        const at = search(idx.candidates, old, cmp);
        if (at >= 0 && idx.candidates[at] === old) idx.candidates.splice(at, 1);
        else idx.candidates.splice(idx.candidates.indexOf(old), 1);
        idx.byAccount.delete(id);
      }
      idx.expiry.delete(id);
      idx.resets.delete(id);
      const account = this.accounts.get(id);
      const e = account ? this.evaluate(account, model, now, idx.strategy) : null;
      if (!e) continue;
      idx.expiry.set(id, e.expiry);
      if (e.expiry < idx.validUntil) idx.validUntil = e.expiry;
      if (e.reset !== null) idx.resets.set(id, e.reset);
      if (e.candidate) {
        idx.byAccount.set(id, e.candidate);
        const at = search(idx.candidates, e.candidate, cmp);
        idx.candidates.splice(at < 0 ? ~at : at, 0, e.candidate);
      }
    }
    if (sweep) {
      let v = Infinity;
      for (const t of idx.expiry.values()) if (t < v) v = t;
      idx.validUntil = v;
    }
    if (idx.strategy === 'round-robin') idx.topRun = topRunOf(idx.candidates);
  }
}

/** The earliest reset after `now` among the accounts left out of a model's index. */
function earliestReset(idx: ModelIndex, now: number): number | null {
  let best: number | null = null;
  for (const t of idx.resets.values()) if (t > now && (best === null || t < best)) best = t;
  return best;
}

function topRunOf(c: Candidate[]): number {
  let n = c.length > 0 ? 1 : 0;
  while (n < c.length && c[n]!.group === c[0]!.group && c[n]!.tier === c[0]!.tier) n++;
  return n;
}

/** Binary search: the index of `x`, or ~(where it would go). */
function search(c: Candidate[], x: Candidate, cmp: (a: Candidate, b: Candidate) => number): number {
  let lo = 0;
  let hi = c.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = cmp(c[mid]!, x);
    if (r < 0) lo = mid + 1;
    else if (r > 0) hi = mid - 1;
    else return mid;
  }
  return ~lo;
}

/** The candidates' order: decision group, tier, then the strategy, then the account id (a total order). */
function comparator(strategy: SelectionStrategy): (a: Candidate, b: Candidate) => number {
  return (a, b) => a.group - b.group || b.tier - a.tier || compareByStrategy(a, b, strategy) || (a.account.id < b.account.id ? -1 : a.account.id > b.account.id ? 1 : 0);
}

function compareByStrategy(a: Candidate, b: Candidate, s: SelectionStrategy): number {
  if (s === 'round-robin') return 0;
  const ra = a.decision.remainingFraction ?? -1;
  const rb = b.decision.remainingFraction ?? -1;
  // Reset-aware: the quota that would expire unused first (the soonest reset), then most remaining.
  if (s === 'reset-aware' && a.spendBy !== b.spendBy) return a.spendBy < b.spendBy ? -1 : 1;
  return rb - ra;
}
