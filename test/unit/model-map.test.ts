// ModelMap (quota/model-map.ts): the per-account model maps of the quota engine, cache,
// repository, forecaster and threshold tracker behave as a Map does, while accounts with the same
// models share one key layout.
import { describe, expect, it } from 'vitest';
import { ModelMap } from '../../src/main/core/quota/model-map';

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

  it('answers like a Map through a random sequence of sets and deletes', () => {
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
    m.forEach((v, k) => {
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
