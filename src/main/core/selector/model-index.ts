// One model's candidates in the selector's order, kept up to date one account at a time.
//
// Accounts are numbered by id order at build time (their rank; a later account means a rebuild).
// Each rank's sort keys live in typed arrays (group·tier, the reset-aware key, the remaining
// fraction), and the order is an Int32Array of ranks. Moving one account is two binary searches
// over those compact arrays (no candidate object is touched on the way) and a memmove of at most
// a few KB of int32s; the candidates themselves never move. Ties end on the rank, i.e. the
// account id, so the order is total and a fresh build gives exactly the same one.
import type { SelectionStrategy } from '../../../shared/types';
import type { AccountRecord, ModelPrefRecord } from '../model';
import type { Decision } from '../quota/decide';

export interface Selection {
  account: AccountRecord;
  decision: Decision;
}

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

export class ModelIndex {
  /** engine.version() and engine.journalSeq() the index reflects. */
  version: number;
  seq: number;
  /** AccountStore.version() at build: the accounts, their records and model prefs are as then. */
  readonly accountsVersion: number;
  /** The earliest time any account's decision for this model may change by itself (a lower bound). */
  validUntil = Infinity;
  /** Size of the leading run with the same group and tier (round-robin rotates inside it). */
  topRun = 0;
  cursor = 0;
  /** How many accounts the index numbers (every account at build time). */
  readonly capacity: number;

  /** rank → account id (ids in ascending order), and back. */
  private readonly ids: string[];
  /** rank → the account's record and its preference for this model (fixed until a rebuild). */
  private readonly records: AccountRecord[];
  private readonly prefs: Array<ModelPrefRecord | undefined>;
  private readonly ranks = new Map<string, number>();
  /** rank → its candidate, or null when it is not one. */
  private readonly cands: Array<Candidate | null>;
  /**
   * rank → the index's own candidate object (and its decision), made once and then updated in
   * place: an evaluation leaves nothing behind that lives on (objects that survive are what V8
   * learns to allocate in the old generation, and that allocation is what stalled select()).
   */
  private readonly own: Array<Candidate | undefined>;
  /** rank → sort keys (meaningful while it is a candidate). */
  private readonly gt: Float64Array;
  private readonly spend: Float64Array;
  private readonly rem: Float64Array;
  /** rank → when its decision may change by itself (Infinity: never by itself). */
  private readonly expiry: Float64Array;
  /** rank → reset time of an account left out (exhausted, cooling down, below its reserve), NaN when none. */
  private readonly reset: Float64Array;
  /** The candidates' ranks in order; the first `n` are in use. */
  private readonly pos: Int32Array;
  private n = 0;
  /** Per-update marks (an account named twice in the journal is evaluated once). */
  private readonly marks: Int32Array;
  private epoch = 0;
  private readonly expired: number[] = [];

  constructor(
    accounts: readonly AccountRecord[],
    prefOf: (account: AccountRecord) => ModelPrefRecord | undefined,
    readonly strategy: SelectionStrategy,
    version: number,
    seq: number,
    accountsVersion: number,
  ) {
    this.version = version;
    this.seq = seq;
    this.accountsVersion = accountsVersion;
    this.records = [...accounts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.ids = this.records.map((a) => a.id);
    this.prefs = this.records.map(prefOf);
    const n = this.ids.length;
    this.capacity = n;
    for (let r = 0; r < n; r++) this.ranks.set(this.ids[r]!, r);
    this.cands = new Array<Candidate | null>(n).fill(null);
    this.own = new Array<Candidate | undefined>(n).fill(undefined);
    this.gt = new Float64Array(n);
    this.spend = new Float64Array(n);
    this.rem = new Float64Array(n);
    this.expiry = new Float64Array(n).fill(Infinity);
    this.reset = new Float64Array(n).fill(NaN);
    this.pos = new Int32Array(n);
    this.marks = new Int32Array(n);
  }

  get size(): number {
    return this.n;
  }

  rankOf(id: string): number | undefined {
    return this.ranks.get(id);
  }

  idOf(rank: number): string {
    return this.ids[rank]!;
  }

  recordOf(rank: number): AccountRecord {
    return this.records[rank]!;
  }

  prefOf(rank: number): ModelPrefRecord | undefined {
    return this.prefs[rank];
  }

  /** The i-th candidate in order (0 ≤ i < size). */
  at(i: number): Candidate {
    return this.cands[this.pos[i]!]!;
  }

  candidateOf(id: string): Candidate | null {
    const r = this.ranks.get(id);
    return r === undefined ? null : this.cands[r]!;
  }

  /** The candidates in order (a new array). */
  ordered(): Candidate[] {
    const out: Candidate[] = new Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.at(i);
    return out;
  }

  /**
   * Build: records one account's evaluation (`c` is copied: the caller may reuse it); order()
   * sorts once all are in.
   */
  put(r: number, src: Candidate | null, expiry: number, reset: number): void {
    const c = src ? this.adopt(r, src) : null;
    this.cands[r] = c;
    this.note(r, expiry, reset);
    if (c) {
      this.keys(r, c);
      this.pos[this.n++] = r;
    }
  }

  /** Build: sorts the candidates recorded by put(). */
  order(): void {
    this.pos.subarray(0, this.n).sort((a, b) => this.cmp(a, b));
    this.topRun = this.leadingRun();
  }

  /**
   * Update: one account's new evaluation replaces its old one, moving it in the order (`c` is
   * copied: the caller may reuse it).
   */
  replace(r: number, src: Candidate | null, expiry: number, reset: number): void {
    const had = this.cands[r] !== null;
    let p = had ? this.find(r) : -1;
    const c = src ? this.adopt(r, src) : null;
    this.cands[r] = c;
    this.note(r, expiry, reset);
    if (c) {
      this.keys(r, c);
      // Where it was is still right (neighbours on either side in order): nothing moves.
      if (p >= 0 && (p === 0 || this.cmp(this.pos[p - 1]!, r) < 0) && (p === this.n - 1 || this.cmp(r, this.pos[p + 1]!) < 0)) p = -2;
    }
    if (p >= 0) {
      this.pos.copyWithin(p, p + 1, this.n);
      this.n--;
    }
    if (c && p !== -2) {
      const q = this.lowerBound(r);
      this.pos.copyWithin(q + 1, q, this.n);
      this.pos[q] = r;
      this.n++;
    }
    if (this.strategy === 'round-robin') this.topRun = this.leadingRun();
  }

  /** Starts an update: marks from earlier updates no longer count. */
  nextEpoch(): number {
    return ++this.epoch;
  }

  /** First time this update sees `r`: true (and marks it). */
  claim(r: number, epoch: number): boolean {
    if (this.marks[r] === epoch) return false;
    this.marks[r] = epoch;
    return true;
  }

  /** The ranks whose decision may have changed by `now` and that this update has not seen (a reused array). */
  expiredSince(now: number, epoch: number): readonly number[] {
    const out = this.expired;
    out.length = 0;
    for (let r = 0; r < this.capacity; r++) {
      if (this.expiry[r]! <= now && this.marks[r] !== epoch) {
        this.marks[r] = epoch;
        out.push(r);
      }
    }
    return out;
  }

  recomputeValidUntil(): void {
    let v = Infinity;
    for (let r = 0; r < this.capacity; r++) if (this.expiry[r]! < v) v = this.expiry[r]!;
    this.validUntil = v;
  }

  /** The earliest reset after `now` among the accounts left out (null when none). */
  earliestReset(now: number): number | null {
    let best = Infinity;
    for (let r = 0; r < this.capacity; r++) {
      const t = this.reset[r]!;
      if (t > now && t < best) best = t;
    }
    return best === Infinity ? null : best;
  }

  /** Rank `r`'s own candidate object, now holding `src`'s values. */
  private adopt(r: number, src: Candidate): Candidate {
    const s = src.decision;
    let o = this.own[r];
    if (o === undefined) {
      o = { account: src.account, decision: { kind: s.kind, remainingFraction: s.remainingFraction, resetAt: s.resetAt, reason: s.reason }, group: src.group, tier: src.tier, spendBy: src.spendBy };
      this.own[r] = o;
      return o;
    }
    o.account = src.account;
    const d = o.decision;
    d.kind = s.kind;
    d.remainingFraction = s.remainingFraction;
    d.resetAt = s.resetAt;
    d.reason = s.reason;
    o.group = src.group;
    o.tier = src.tier;
    o.spendBy = src.spendBy;
    return o;
  }

  private note(r: number, expiry: number, reset: number): void {
    this.expiry[r] = expiry;
    if (expiry < this.validUntil) this.validUntil = expiry;
    this.reset[r] = reset;
  }

  /** The order's keys: decision group, tier (higher first), the strategy's key, then the rank. */
  private keys(r: number, c: Candidate): void {
    this.gt[r] = c.group * 1000 - c.tier;
    this.spend[r] = this.strategy === 'reset-aware' ? c.spendBy : 0;
    // Priority and reset-aware's tie-break: most remaining first; round-robin: no key (the id).
    this.rem[r] = this.strategy === 'round-robin' ? 0 : (c.decision.remainingFraction ?? -1);
  }

  private cmp(a: number, b: number): number {
    const g = this.gt[a]! - this.gt[b]!;
    if (g !== 0) return g;
    const sa = this.spend[a]!;
    const sb = this.spend[b]!;
    if (sa !== sb) return sa < sb ? -1 : 1;
    const ra = this.rem[a]!;
    const rb = this.rem[b]!;
    if (ra !== rb) return ra > rb ? -1 : 1;
    return a - b;
  }

  /** The first position whose candidate does not come before rank `r` (by r's current keys). */
  private lowerBound(r: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cmp(this.pos[mid]!, r) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Where rank `r` is in the order (its keys are the ones it was placed with). */
  private find(r: number): number {
    const p = this.lowerBound(r);
    if (p < this.n && this.pos[p] === r) return p;
    // Unreachable while keys change only through replace(); kept as a safe fallback.
    return this.pos.subarray(0, this.n).indexOf(r);
  }

  /** Length of the leading run with the first candidate's group and tier. */
  private leadingRun(): number {
    if (this.n === 0) return 0;
    const g = this.gt[this.pos[0]!]!;
    let lo = 1;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.gt[this.pos[mid]!] === g) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
