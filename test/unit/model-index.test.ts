// The selector's per-model order (ModelIndex): after any sequence of single-account
// replacements, its order, leading run and left-out resets are exactly a fresh build's, for
// every strategy; a fresh build is checked against the candidates' comparator written out.
import { describe, expect, it } from 'vitest';
import type { SelectionStrategy } from '../../src/shared/types';
import type { AccountRecord } from '../../src/main/core/model';
import type { Decision } from '../../src/main/core/quota/decide';
import { ModelIndex, type Candidate } from '../../src/main/core/selector/model-index';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const T0 = Date.parse('2026-11-23T10:00:00Z');

interface State {
  cand: Candidate | null;
  expiry: number;
  reset: number;
}

/** A random evaluation: few distinct values, so ties on every key are common. */
function randomState(id: string, random: () => number): State {
  const r = random();
  if (r < 0.2) return { cand: null, expiry: random() < 0.5 ? Infinity : T0 + Math.floor(random() * 10) * 1000, reset: random() < 0.3 ? NaN : T0 + Math.floor(random() * 5) * 60_000 };
  const kind = (['proceed', 'unknown', 'low'] as const)[Math.floor(random() * 3)]!;
  // Now and then values beyond what the packed primary key holds exactly (they must still order right).
  const odd = random() < 0.1;
  const remainingFraction = kind === 'unknown' ? null : odd ? [1.5, -3, 2 ** 60][Math.floor(random() * 3)]! : Math.floor(random() * 4) / 4;
  const decision: Decision = { kind, remainingFraction, resetAt: null, reason: null };
  const account = { id } as AccountRecord;
  const spendBy = random() < 0.3 ? Infinity : odd ? [2 ** 44, 2 ** 44 + 5, 2 ** 60, -5][Math.floor(random() * 4)]! : T0 + Math.floor(random() * 3) * 60_000;
  const tier = odd && random() < 0.5 ? [0, 9, 2.5, -20][Math.floor(random() * 4)]! : 1 + Math.floor(random() * 3);
  const cand: Candidate = { account, decision, group: { proceed: 0, unknown: 1, low: 2 }[kind], tier, spendBy };
  return { cand, expiry: random() < 0.5 ? Infinity : T0 + Math.floor(random() * 10) * 1000, reset: NaN };
}

/** The selector's order written out: group, tier (higher first), the strategy's key, the id. */
function reference(states: Map<string, State>, strategy: SelectionStrategy): string[] {
  const cands = [...states.values()].map((s) => s.cand).filter((c): c is Candidate => c !== null);
  const byStrategy = (a: Candidate, b: Candidate) => {
    if (strategy === 'round-robin') return 0;
    if (strategy === 'reset-aware' && a.spendBy !== b.spendBy) return a.spendBy < b.spendBy ? -1 : 1;
    return (b.decision.remainingFraction ?? -1) - (a.decision.remainingFraction ?? -1);
  };
  cands.sort((a, b) => a.group - b.group || b.tier - a.tier || byStrategy(a, b) || (a.account.id < b.account.id ? -1 : 1));
  return cands.map((c) => c.account.id);
}

function build(ids: string[], states: Map<string, State>, strategy: SelectionStrategy): ModelIndex {
  const idx = new ModelIndex(ids.map((id) => ({ id }) as AccountRecord), () => undefined, strategy, 0, 0, 0);
  for (const id of ids) {
    const s = states.get(id)!;
    idx.put(idx.rankOf(id)!, s.cand, s.expiry, s.reset);
  }
  idx.order();
  return idx;
}

describe('ModelIndex', () => {
  for (const strategy of ['priority', 'reset-aware', 'round-robin'] as const) {
    it(`keeps a fresh build's order through random single-account changes (${strategy})`, () => {
      const random = rng(strategy.length * 7919);
      // Ids not in sorted order, so ranks differ from insertion order.
      const ids = Array.from({ length: 60 }, (_, i) => `acc-${((i * 37) % 60).toString(36)}-${i}`);
      const states = new Map(ids.map((id) => [id, randomState(id, random)]));
      const idx = build(ids, states, strategy);
      expect(idx.ordered().map((c) => c.account.id)).toEqual(reference(states, strategy));
      for (let step = 0; step < 800; step++) {
        const id = ids[Math.floor(random() * ids.length)]!;
        const s = randomState(id, random);
        states.set(id, s);
        idx.replace(idx.rankOf(id)!, s.cand, s.expiry, s.reset);
        const fresh = build(ids, states, strategy);
        const order = idx.ordered().map((c) => c.account.id);
        expect(order, `step ${step}`).toEqual(fresh.ordered().map((c) => c.account.id));
        expect(order, `step ${step}`).toEqual(reference(states, strategy));
        expect(idx.size).toBe(order.length);
        if (strategy === 'round-robin') expect(idx.topRun, `step ${step}`).toBe(fresh.topRun);
        const now = T0 + Math.floor(random() * 6) * 60_000;
        expect(idx.earliestReset(now)).toBe(fresh.earliestReset(now));
        // The index's validUntil stays a lower bound of every expiry (never past one).
        expect(idx.validUntil).toBeLessThanOrEqual(fresh.validUntil);
        // The index keeps its own copies: equal to what it was given, whatever the caller reuses.
        for (const id2 of ids) expect(idx.candidateOf(id2)).toEqual(states.get(id2)!.cand);
      }
    });
  }

  it('counts the leading run of one group and tier, and finds what expired once per update', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const random = rng(1);
    const states = new Map(ids.map((id) => [id, randomState(id, random)]));
    const mk = (id: string, tier: number, expiry: number): State => {
      const account = { id } as AccountRecord;
      const decision: Decision = { kind: 'proceed', remainingFraction: 0.5, resetAt: null, reason: null };
      return { cand: { account, decision, group: 0, tier, spendBy: Infinity }, expiry, reset: NaN };
    };
    states.set('a', mk('a', 3, T0 + 1000));
    states.set('b', mk('b', 3, Infinity));
    states.set('c', mk('c', 2, T0 + 2000));
    states.set('d', { cand: null, expiry: Infinity, reset: T0 + 5000 });
    const idx = build(ids, states, 'round-robin');
    expect(idx.topRun).toBe(2);
    expect(idx.validUntil).toBe(T0 + 1000);
    expect(idx.earliestReset(T0)).toBe(T0 + 5000);
    expect(idx.earliestReset(T0 + 5000)).toBeNull();
    const epoch = idx.nextEpoch();
    expect(idx.claim(idx.rankOf('c')!, epoch)).toBe(true);
    expect(idx.claim(idx.rankOf('c')!, epoch)).toBe(false);
    // c was claimed by this update already: only a is expired and new to it.
    expect([...idx.expiredSince(T0 + 2000, epoch)].map((r) => idx.idOf(r))).toEqual(['a']);
    idx.replace(idx.rankOf('a')!, mk('a', 1, Infinity).cand, Infinity, NaN);
    idx.replace(idx.rankOf('c')!, mk('c', 2, Infinity).cand, Infinity, NaN);
    idx.recomputeValidUntil();
    expect(idx.validUntil).toBe(Infinity);
    expect(idx.ordered().map((c) => c.account.id)).toEqual(['b', 'c', 'a']);
    expect(idx.topRun).toBe(1);
  });
});
