// A small map from model id to a value, for the per-account maps of the quota engine, cache,
// repository, forecaster and threshold tracker. At 10,000 accounts x 20 models each of those
// held 10,000 Maps of ~20 entries: a Map's hash table is ~900 bytes at that size, ~9 MB per
// structure, most of the service's memory beside the readings themselves.
//
// Here the keys live in a shared, interned layout (like V8's hidden classes): accounts whose
// models were added in the same order — every account of a provider, typically — share one key
// list and one index, and each map keeps only an array of values in that order. A lookup is one
// hash lookup in the shared index and one array read.
//
// It behaves as a Map does for what its users do: insertion order (a set of an existing key keeps
// its place; a key deleted and set again goes last), deletes during forEach (the entry being
// visited or others: deleted entries are not visited, added ones are). Deleted entries leave a
// hole in the layout until the key is set again or the map is emptied; setting a deleted key
// again while iterating the same map is the one thing it does not support (no user does).

const HOLE: unique symbol = Symbol('hole');
type Slot<V> = V | typeof HOLE | undefined;

/** Layouts interned beyond this many are not shared (a bound on what the transition tree keeps). */
const MAX_SHARED_LAYOUTS = 4096;
let sharedLayouts = 0;

class KeyLayout {
  readonly keys: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** The longest layout reached through this one (how long a value array grows, typically). */
  expect: number;
  private next: Map<string, KeyLayout> | null = null;

  constructor(
    keys: readonly string[],
    readonly parent: KeyLayout | null,
  ) {
    this.keys = keys;
    this.index = new Map(keys.map((k, i) => [k, i]));
    this.expect = keys.length;
  }

  /** This layout with one more key at its end (interned while the bound allows). */
  with(key: string): KeyLayout {
    const known = this.next?.get(key);
    if (known) return known;
    const child = new KeyLayout([...this.keys, key], this);
    if (sharedLayouts < MAX_SHARED_LAYOUTS) {
      sharedLayouts++;
      (this.next ??= new Map()).set(key, child);
      for (let p: KeyLayout | null = this; p !== null && p.expect < child.keys.length; p = p.parent) p.expect = child.keys.length;
    }
    return child;
  }
}

const ROOT = new KeyLayout([], null);
const NO_VALUES: never[] = [];

export class ModelMap<V> {
  private layout = ROOT;
  /** Values in layout order; slots past layout.keys.length are spare room. */
  private vals: Array<Slot<V>> = NO_VALUES;
  /** One number per value, when the user keeps one (numAt/setNumAt): unboxed, beside the values. */
  private nums: number[] | null = null;
  private holes = 0;

  static from<V>(entries: Iterable<readonly [string, V]>): ModelMap<V> {
    const m = new ModelMap<V>();
    for (const [k, v] of entries) m.set(k, v);
    return m;
  }

  get size(): number {
    return this.layout.keys.length - this.holes;
  }

  get(key: string): V | undefined {
    const i = this.layout.index.get(key);
    if (i === undefined) return undefined;
    const v = this.vals[i];
    return v === HOLE ? undefined : (v as V);
  }

  has(key: string): boolean {
    const i = this.layout.index.get(key);
    return i !== undefined && this.vals[i] !== HOLE;
  }

  set(key: string, value: V): this {
    this.put(key, value);
    return this;
  }

  /** Sets a value; answers its slot (see slotOf). */
  put(key: string, value: V): number {
    const i = this.layout.index.get(key);
    if (i !== undefined) {
      if (this.vals[i] !== HOLE) {
        this.vals[i] = value;
        return i;
      }
      // Set again after a delete: it goes last, as in a Map.
      this.compact();
    }
    const n = this.layout.keys.length;
    this.layout = this.layout.with(key);
    // Grown to what this layout's accounts usually reach (the new layout's longest descendant).
    if (n === this.vals.length) this.grow(n + 1);
    this.vals[n] = value;
    if (this.nums) this.nums[n] = 0;
    return n;
  }

  // ---- by slot: a key's position, valid until the next set of a new key or delete ----------
  /** The slot of a key, or -1. */
  slotOf(key: string): number {
    const i = this.layout.index.get(key);
    return i === undefined || this.vals[i] === HOLE ? -1 : i;
  }

  /** Slots run from 0 to slots() - 1; those with live(i) false are deleted. */
  slots(): number {
    return this.layout.keys.length;
  }

  live(i: number): boolean {
    return this.vals[i] !== HOLE;
  }

  keyAt(i: number): string {
    return this.layout.keys[i]!;
  }

  valueAt(i: number): V {
    return this.vals[i] as V;
  }

  setValueAt(i: number, value: V): void {
    this.vals[i] = value;
  }

  numAt(i: number): number {
    return this.nums === null ? 0 : this.nums[i]!;
  }

  setNumAt(i: number, x: number): void {
    if (this.nums === null) {
      this.nums = new Array<number>(this.vals.length);
      for (let k = 0; k < this.vals.length; k++) this.nums[k] = 0;
    }
    this.nums[i] = x;
  }

  delete(key: string): boolean {
    const i = this.layout.index.get(key);
    if (i === undefined || this.vals[i] === HOLE) return false;
    this.holes++;
    if (this.holes === this.layout.keys.length) this.clear();
    else this.vals[i] = HOLE;
    return true;
  }

  clear(): void {
    this.layout = ROOT;
    this.vals = NO_VALUES;
    this.nums = null;
    this.holes = 0;
  }

  forEach(fn: (value: V, key: string, map: this) => void): void {
    // By index over the current layout: a delete leaves a hole (skipped), a set appends (visited).
    for (let i = 0; i < this.layout.keys.length; i++) {
      const v = this.vals[i];
      if (v !== HOLE) fn(v as V, this.layout.keys[i]!, this);
    }
  }

  *entries(): Generator<[string, V]> {
    for (let i = 0; i < this.layout.keys.length; i++) {
      const v = this.vals[i];
      if (v !== HOLE) yield [this.layout.keys[i]!, v as V];
    }
  }

  *keys(): Generator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): Generator<V> {
    for (let i = 0; i < this.layout.keys.length; i++) {
      const v = this.vals[i];
      if (v !== HOLE) yield v as V;
    }
  }

  [Symbol.iterator](): Generator<[string, V]> {
    return this.entries();
  }

  /** Room for at least `need` values: as many as the layout usually reaches, else 1.5 times. */
  private grow(need: number): void {
    const cap = Math.max(need, this.layout.expect, this.vals.length + (this.vals.length >> 1));
    const next = new Array<Slot<V>>(cap);
    for (let i = 0; i < this.vals.length; i++) next[i] = this.vals[i];
    this.vals = next;
    if (this.nums) {
      const nums = new Array<number>(cap);
      for (let i = 0; i < cap; i++) nums[i] = i < this.nums.length ? this.nums[i]! : 0;
      this.nums = nums;
    }
  }

  /** Drops the holes (the layout of the remaining keys, in their order). */
  private compact(): void {
    const keys = this.layout.keys;
    const old = this.vals;
    const oldNums = this.nums;
    this.clear();
    for (let i = 0; i < keys.length; i++) {
      if (old[i] === HOLE) continue;
      const at = this.put(keys[i]!, old[i] as V);
      if (oldNums) this.setNumAt(at, oldNums[i]!);
    }
  }
}

/** What a set of model ids answers (ModelSet, read-only). */
export interface ModelSetView extends Iterable<string> {
  readonly size: number;
  has(model: string): boolean;
}

/** A set of model ids on a ModelMap (shared key layouts; Set's order and iteration rules). */
export class ModelSet implements ModelSetView {
  private readonly m = new ModelMap<true>();

  get size(): number {
    return this.m.size;
  }

  has(model: string): boolean {
    return this.m.has(model);
  }

  add(model: string): this {
    this.m.set(model, true);
    return this;
  }

  delete(model: string): boolean {
    return this.m.delete(model);
  }

  forEach(fn: (model: string) => void): void {
    this.m.forEach((_, k) => fn(k));
  }

  [Symbol.iterator](): Iterator<string> {
    return this.m.keys();
  }
}

const NO_NUMBERS: never[] = [];
/** A record's first number: whether it is there (a deleted record is a hole until compacted). */
const PRESENT = 1;

/**
 * Fixed-width records of numbers by model id, on the same shared key layouts: one array of
 * unboxed numbers per account instead of an object (and a boxed number per field) per model.
 * `find` and `insert` answer the offset of a record's first field in `data`.
 */
export class ModelRecords {
  private layout = ROOT;
  private nums: number[] = NO_NUMBERS;
  private holes = 0;
  /** Numbers per record: the caller's fields after the presence mark. */
  private readonly stride: number;

  constructor(width: number) {
    this.stride = width + 1;
  }

  get size(): number {
    return this.layout.keys.length - this.holes;
  }

  /** The records' numbers (valid until the next insert or delete). */
  get data(): number[] {
    return this.nums;
  }

  /** Offset of a model's record, or -1. */
  find(model: string): number {
    const i = this.layout.index.get(model);
    if (i === undefined || this.nums[i * this.stride] !== PRESENT) return -1;
    return i * this.stride + 1;
  }

  /** A new record for a model that has none (its fields unset: the caller writes them). */
  insert(model: string): number {
    const i = this.layout.index.get(model);
    if (i !== undefined) {
      if (this.nums[i * this.stride] === PRESENT) return i * this.stride + 1;
      this.compact();
    }
    const n = this.layout.keys.length;
    this.layout = this.layout.with(model);
    if ((n + 1) * this.stride > this.nums.length) this.grow(n + 1);
    this.nums[n * this.stride] = PRESENT;
    return n * this.stride + 1;
  }

  delete(model: string): boolean {
    const i = this.layout.index.get(model);
    if (i === undefined || this.nums[i * this.stride] !== PRESENT) return false;
    this.holes++;
    if (this.holes === this.layout.keys.length) {
      this.layout = ROOT;
      this.nums = NO_NUMBERS;
      this.holes = 0;
    } else this.nums[i * this.stride] = 0;
    return true;
  }

  /** Each record (deletes during it as in ModelMap.forEach). */
  forEach(fn: (offset: number, model: string) => void): void {
    for (let i = 0; i < this.layout.keys.length; i++) if (this.nums[i * this.stride] === PRESENT) fn(i * this.stride + 1, this.layout.keys[i]!);
  }

  private grow(records: number): void {
    const cap = Math.max(records, this.layout.expect, Math.floor((this.nums.length / this.stride) * 1.5)) * this.stride;
    const next = new Array<number>(cap);
    for (let k = 0; k < this.nums.length; k++) next[k] = this.nums[k]!;
    for (let k = this.nums.length; k < cap; k++) next[k] = 0;
    this.nums = next;
  }

  private compact(): void {
    const keys = this.layout.keys;
    const old = this.nums;
    const s = this.stride;
    this.layout = ROOT;
    this.nums = NO_NUMBERS;
    this.holes = 0;
    for (let i = 0; i < keys.length; i++) {
      if (old[i * s] !== PRESENT) continue;
      const at = this.insert(keys[i]!);
      for (let f = 1; f < s; f++) this.nums[at - 1 + f] = old[i * s + f]!;
    }
  }
}
