// Picks the best account for a model, in memory. Order: every "proceed" account, then unknown
// (no data yet, or an exhausted reading whose reset passed), then "low" ones as the last
// fallback; within each group by tier (ultra > pro > free), then by the strategy (priority: most
// remaining; reset-aware: soonest reset first unless forecast to run out before it; round-robin:
// rotate), then the account id. Exhausted, locked, excluded and below-reserve readings never.
//
// A per-model index is kept in that order and updated per account (model-index.ts): when one
// account's readings or locks change (the engine's journal says which) or its decision expires,
// only that account is evaluated again and moved (binary searches over typed arrays, one short
// memmove); anything else (accounts, settings, strategy) rebuilds it. select() on an unchanged
// index is O(1); it allocates only its answer.
import type { SelectionStrategy } from '../../../shared/types';
import type { AccountStore } from '../accounts/account-store';
import { NoAccountAvailableError } from '../errors';
import { TIER_PRIORITY, type AccountRecord, type ModelPrefRecord } from '../model';
import type { Clock } from '../ports';
import { decisionExpiry } from '../quota/decide';
import type { QuotaEngine } from '../quota/quota-engine';
import { ModelIndex, type Candidate, type Selection } from './model-index';

export type { Candidate, Selection } from './model-index';

const GROUP = { proceed: 0, unknown: 1, low: 2 } as const;

/**
 * What select() answers: a fresh object and decision (young garbage, gone by the next scavenge),
 * so the index's own objects, updated in place, never reach a caller that keeps them.
 */
function selectionOf(c: Candidate): Selection {
  const d = c.decision;
  return { account: c.account, decision: { kind: d.kind, remainingFraction: d.remainingFraction, resetAt: d.resetAt, reason: d.reason } };
}

export class TokenSelector {
  private readonly index = new Map<string, ModelIndex>();
  /** How often an index was built from scratch, and updated in place (diagnostics, tests, bench). */
  readonly counters = { rebuilds: 0, updates: 0 };
  /** The journal's account ids since an index's version (reused: no allocation per select; only the first `count` count). */
  private readonly changed: string[] = [];
  /** What the last evaluate() found besides the candidate (no object per evaluation). */
  private evalExpiry = Infinity;
  private evalReset = NaN;
  /** When the reading of the account being evaluated may change by the clock alone. */
  private readonly until = { at: Infinity };
  /** evaluate()'s answer, reused (the index copies it into its own object per account). */
  private readonly scratch: Candidate = { account: null as unknown as AccountRecord, decision: { kind: 'unknown', remainingFraction: null, resetAt: null, reason: null }, group: 0, tier: 0, spendBy: Infinity };

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
    if (prefer) {
      // A sticky session's account, while it is still a candidate (not exhausted, locked or below its reserve).
      const p = idx.candidateOf(prefer);
      if (p && !exclude?.has(prefer) && (!accept || accept(p.account))) return selectionOf(p);
    }
    const n = idx.size;
    if (accept) {
      for (let i = 0; i < n; i++) {
        const cand = idx.at(i);
        if (!exclude?.has(cand.account.id) && accept(cand.account)) return selectionOf(cand);
      }
      throw new NoAccountAvailableError(model, idx.earliestReset(now));
    }
    if (!exclude || exclude.size === 0) {
      if (n > 0) {
        if (idx.strategy === 'round-robin' && idx.topRun > 1) return selectionOf(idx.at(idx.cursor++ % idx.topRun));
        return selectionOf(idx.at(0));
      }
    } else {
      for (let i = 0; i < n; i++) {
        const cand = idx.at(i);
        if (!exclude.has(cand.account.id)) return selectionOf(cand);
      }
    }
    throw new NoAccountAvailableError(model, idx.earliestReset(now));
  }

  /**
   * The ordered candidates (for diagnostics, tests and the bench: a new array each call, of the
   * index's own objects — read them before the index next changes).
   */
  candidates(model: string): Candidate[] {
    return this.indexFor(model, this.clock.now()).ordered();
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
    if (cur && cur.strategy === strategy && cur.accountsVersion === this.accounts.version()) {
      if (cur.version === version && now < cur.validUntil) return cur;
      const changed = this.changed;
      const count = cur.version === version ? 0 : this.engine.changedInto(cur.seq, cur.version, changed);
      // Past a quarter of the accounts, one rebuild costs less than that many updates.
      if (count >= 0 && count <= Math.max(16, cur.capacity >> 2) && this.update(cur, model, now, changed, count)) {
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

  /**
   * One account for one model now: its candidate, or null when it is not one (inactive,
   * excluded, not serving the model, exhausted, cooling down, below its reserve). Leaves when
   * the answer may change by itself in evalExpiry and the reset of an account left out in
   * evalReset.
   */
  private evaluate(account: AccountRecord, pref: ModelPrefRecord | undefined, model: string, now: number, strategy: SelectionStrategy): Candidate | null {
    this.evalExpiry = Infinity;
    this.evalReset = NaN;
    if (account.status !== 'active' || pref?.excluded) return null;
    const until = this.until;
    const { info, lock, decision } = this.engine.assess(account.id, model, now, until);
    // A reading of the model itself says the account serves it; else the engine knows.
    if ((info === undefined || info.model !== model) && !this.engine.serves(account, model)) return null;
    const expiry = Math.min(decisionExpiry(decision, info, lock, now), until.at);
    this.evalExpiry = expiry;
    if (decision.kind === 'exhausted' || decision.kind === 'cooldown') {
      if (decision.resetAt !== null) this.evalReset = decision.resetAt;
      return null;
    }
    const reserve = pref?.reserve ?? account.reserve;
    if (reserve !== null && decision.remainingFraction !== null && decision.remainingFraction < reserve) {
      if (decision.resetAt !== null) this.evalReset = decision.resetAt;
      return null;
    }
    let spendBy = Infinity;
    if (strategy === 'reset-aware' && decision.resetAt !== null && decision.resetAt > now) {
      // The reset is the binding reading's: its forecast says whether the quota lasts until then.
      if (!(info && this.engine.forecast(account.id, info.model)?.beforeReset)) spendBy = decision.resetAt;
      // Once the reset passes, the key does too: the account is evaluated again then.
      if (decision.resetAt < expiry) this.evalExpiry = decision.resetAt;
    }
    const c = this.scratch;
    c.account = account;
    c.decision = decision;
    c.group = GROUP[decision.kind];
    c.tier = TIER_PRIORITY[account.tier];
    c.spendBy = spendBy;
    return c;
  }

  private build(model: string, now: number, version: number, strategy: SelectionStrategy): ModelIndex {
    const accountsVersion = this.accounts.version();
    const idx = new ModelIndex(this.accounts.list(), (a) => this.accounts.modelPref(a.id, model), strategy, version, this.engine.journalSeq(), accountsVersion);
    for (let r = 0; r < idx.capacity; r++) {
      const c = this.evaluate(idx.recordOf(r), idx.prefOf(r), model, now, strategy);
      idx.put(r, c, this.evalExpiry, this.evalReset);
    }
    idx.order();
    return idx;
  }

  /**
   * Re-evaluates the named accounts and those whose decision expired; the rest stays as it is.
   * False when an account is not in the index (it came after the build): the caller rebuilds.
   */
  private update(idx: ModelIndex, model: string, now: number, changed: readonly string[], count: number): boolean {
    // validUntil stays a lower bound while accounts move (no pass over every account per change):
    // it is made exact again only when the clock reaches it, by the pass that finds what expired.
    const sweep = now >= idx.validUntil;
    const epoch = idx.nextEpoch();
    for (let i = 0; i < count; i++) {
      const r = idx.rankOf(changed[i]!);
      if (r === undefined) return false;
      if (!idx.claim(r, epoch)) continue;
      this.reevaluate(idx, r, model, now);
    }
    if (sweep) {
      const expired = idx.expiredSince(now, epoch);
      for (let i = 0; i < expired.length; i++) this.reevaluate(idx, expired[i]!, model, now);
      idx.recomputeValidUntil();
    }
    return true;
  }

  private reevaluate(idx: ModelIndex, r: number, model: string, now: number): void {
    // The record and preference are the build's: any account change moves the store's version,
    // which rebuilds the index.
    const c = this.evaluate(idx.recordOf(r), idx.prefOf(r), model, now, idx.strategy);
    idx.replace(r, c, this.evalExpiry, this.evalReset);
  }
}
