// Picks the best account for a model, in memory. Order: every "proceed" account, then unknown
// (no data yet, or an exhausted reading whose reset passed), then "low" ones as the last
// fallback; within each group by tier (ultra > pro > free), then by the strategy. Exhausted,
// locked, excluded and below-reserve readings never. A per-model index is rebuilt only when
// the engine's version moves or a time-based decision expires, so select() is O(1) typically.
import type { SelectorStrategy } from '../../../shared/types';
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
}

interface ModelIndex {
  version: number;
  strategy: SelectorStrategy;
  validUntil: number;
  candidates: Candidate[];
  /** Size of the leading run with the same group and tier (round-robin rotates inside it). */
  topRun: number;
  earliestReset: number | null;
  cursor: number;
  /** Candidates by account id, built on the first sticky lookup. */
  byId?: Map<string, Candidate>;
}

const GROUP = { proceed: 0, unknown: 1, low: 2 } as const;

export interface Selection {
  account: AccountRecord;
  decision: Decision;
}

export class TokenSelector {
  private readonly index = new Map<string, ModelIndex>();

  constructor(
    private readonly engine: QuotaEngine,
    private readonly accounts: AccountStore,
    private readonly clock: Clock,
    private readonly strategy: () => SelectorStrategy,
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
      const p = (idx.byId ??= new Map(c.map((x) => [x.account.id, x]))).get(prefer);
      if (p && !exclude?.has(prefer) && (!accept || accept(p.account))) return { account: p.account, decision: p.decision };
    }
    if (accept) {
      for (const cand of c) if (!exclude?.has(cand.account.id) && accept(cand.account)) return { account: cand.account, decision: cand.decision };
      throw new NoAccountAvailableError(model, idx.earliestReset);
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
    throw new NoAccountAvailableError(model, idx.earliestReset);
  }

  /** The ordered candidates (for diagnostics and the proxy's fallback chain). */
  candidates(model: string): Candidate[] {
    return this.indexFor(model, this.clock.now()).candidates;
  }

  private indexFor(model: string, now: number): ModelIndex {
    const version = this.engine.version();
    const strategy = this.strategy();
    const cur = this.index.get(model);
    if (cur && cur.version === version && cur.strategy === strategy && now < cur.validUntil) return cur;
    const next = this.build(model, now, version, strategy);
    if (cur) next.cursor = cur.cursor;
    this.index.set(model, next);
    return next;
  }

  private build(model: string, now: number, version: number, strategy: SelectorStrategy): ModelIndex {
    const candidates: Candidate[] = [];
    let validUntil = Infinity;
    let earliestReset: number | null = null;
    const noteReset = (t: number | null) => {
      if (t !== null && t > now && (earliestReset === null || t < earliestReset)) earliestReset = t;
    };
    for (const account of this.accounts.list()) {
      if (account.status !== 'active') continue;
      if (!this.engine.serves(account, model)) continue;
      const pref = this.accounts.modelPref(account.id, model);
      if (pref?.excluded) continue;
      const info = this.engine.reading(account.id, model, now);
      const lock = this.engine.lock(account.id, model);
      const decision = this.engine.decision(account.id, model, now);
      validUntil = Math.min(validUntil, decisionExpiry(decision, info, lock, now), this.engine.cache.earliestExpiry(account.id));
      if (decision.kind === 'exhausted') {
        noteReset(decision.resetAt);
        continue;
      }
      const reserve = pref?.reserve ?? account.reserve;
      if (reserve !== null && decision.remainingFraction !== null && decision.remainingFraction < reserve) {
        noteReset(decision.resetAt);
        continue;
      }
      candidates.push({ account, decision, group: GROUP[decision.kind], tier: TIER_PRIORITY[account.tier] });
    }
    candidates.sort((a, b) => a.group - b.group || b.tier - a.tier || compareByStrategy(a, b, strategy) || (a.account.id < b.account.id ? -1 : 1));
    let topRun = candidates.length > 0 ? 1 : 0;
    while (topRun < candidates.length && candidates[topRun]!.group === candidates[0]!.group && candidates[topRun]!.tier === candidates[0]!.tier) topRun++;
    return { version, strategy, validUntil, candidates, topRun, earliestReset, cursor: 0 };
  }
}

function compareByStrategy(a: Candidate, b: Candidate, s: SelectorStrategy): number {
  const ra = a.decision.remainingFraction ?? -1;
  const rb = b.decision.remainingFraction ?? -1;
  if (s === 'soonest-reset') {
    const ta = a.decision.resetAt ?? Infinity;
    const tb = b.decision.resetAt ?? Infinity;
    if (ta !== tb) return ta < tb ? -1 : 1;
    return rb - ra;
  }
  if (s === 'round-robin') return 0;
  return rb - ra;
}
