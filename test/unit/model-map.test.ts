// ModelMap (quota/model-map.ts): the per-account model maps of the quota engine, cache,
// repository, forecaster and threshold tracker behave as a Map does, while accounts with the same
// models share one key layout.
import { describe, expect, it } from 'vitest';
import { ModelMap, ModelRecords, ModelSet } from '../../src/main/core/quota/model-map';

describe('ModelMap', () => {
  it('keeps insertion order: a set of a known key keeps its place, a key deleted and set again goes last', () => {
    const m = new ModelMap<number>();
    m.set('a', 1).set('b', 2).set('c', 3);
    m.set('a', 10);
    expect([...m]).toEqual([['a', 10], ['b', 2], ['c', 3]]);
    expect(m.delete('b')).toBe(true);
    expect(m.delete('b')).toBe(false);
    expect(m.size).toBe(2);
    expect(m.get('b')).toBeUndefined();
    expect(m.has('b')).toBe(false);
    m.set('b', 20);
    expect([...m.keys()]).toEqual(['a', 'c', 'b']);
    expect([...m.values()]).toEqual([10, 3, 20]);
    expect(m.size).toBe(3);
  });

  it('answers like a Map through a random sequence of sets and deletes', { timeout: 60_000 }, () => {
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const keys = Array.from({ length: 12 }, (_, i) => `model-${i}`);
    const maps = Array.from({ length: 5 }, () => ({ m: new ModelMap<number>(), ref: new Map<string, number>() }));
    for (let k = 0; k < 5000; k++) {
      const { m, ref } = maps[Math.floor(rand() * maps.length)]!;
      const key = keys[Math.floor(rand() * keys.length)]!;
      if (rand() < 0.3) expect(m.delete(key)).toBe(ref.delete(key));
      else {
        m.set(key, k);
        ref.set(key, k);
      }
      expect(m.size).toBe(ref.size);
      expect([...m.entries()]).toEqual([...ref.entries()]);
      expect(m.get(key)).toBe(ref.get(key));
    }
  });

  it('lets forEach delete entries, the one visited or others, and visits what is added', () => {
    const m = ModelMap.from([['a', 1], ['b', 2], ['c', 3], ['d', 4]]);
    const seen: string[] = [];
    m.forEach((_v, k) => {
      seen.push(k);
      if (k === 'a') m.delete('a');
      if (k === 'b') m.delete('c');
      if (k === 'd') m.set('e', 5);
    });
    expect(seen).toEqual(['a', 'b', 'd', 'e']);
    expect([...m.keys()]).toEqual(['b', 'd', 'e']);
    // Emptied while iterating: nothing more is visited.
    const all = ModelMap.from([['x', 1], ['y', 2]]);
    const visited: string[] = [];
    all.forEach((_, k) => {
      visited.push(k);
      all.delete('x');
      all.delete('y');
    });
    expect(visited).toEqual(['x']);
    expect(all.size).toBe(0);
  });
});

describe('ModelRecords and ModelSet', () => {
  it('ModelRecords keeps each model\'s numbers like a Map of tuples through inserts, writes and deletes', { timeout: 60_000 }, () => {
    let seed = 5;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const keys = Array.from({ length: 10 }, (_, i) => `m${i}`);
    const recs = new ModelRecords(2);
    const ref = new Map<string, [number, number]>();
    for (let k = 0; k < 4000; k++) {
      const key = keys[Math.floor(rand() * keys.length)]!;
      if (rand() < 0.3) expect(recs.delete(key)).toBe(ref.delete(key));
      else {
        const o = recs.find(key) >= 0 ? recs.find(key) : recs.insert(key);
        const v: [number, number] = [k, rand() < 0.1 ? NaN : rand()];
        recs.data[o] = v[0];
        recs.data[o + 1] = v[1];
        ref.set(key, v);
      }
      expect(recs.size).toBe(ref.size);
      const got: Array<[string, [number, number]]> = [];
      recs.forEach((o, m) => got.push([m, [recs.data[o]!, recs.data[o + 1]!]]));
      expect(got).toEqual([...ref.entries()]);
    }
  });

  it('ModelSet answers like a Set', () => {
    const s = new ModelSet().add('a').add('b').add('a');
    expect([...s]).toEqual(['a', 'b']);
    expect(s.has('b')).toBe(true);
    expect(s.delete('a')).toBe(true);
    expect(s.size).toBe(1);
    s.add('a');
    expect([...s]).toEqual(['b', 'a']);
  });
});
