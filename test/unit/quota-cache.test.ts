import { describe, expect, it } from 'vitest';
import { QuotaCache } from '../../src/main/core/quota/quota-cache';
import type { QuotaInfo } from '../../src/main/core/model';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const TTL = 60_000;

function info(accountId: string, model: string, fetchedAt = T0, remainingFraction: number | null = 0.5): QuotaInfo {
  return { accountId, model, displayName: null, remainingFraction, resetAt: null, fetchedAt, source: 'poll', window: null, limit: null, remaining: null };
}

describe('QuotaCache TTL', () => {
  it('serves an entry until one millisecond before fetchedAt + ttl, not at it', () => {
    const c = new QuotaCache(TTL);
    const i = info('a', 'm1');
    c.set(i);
    const expiresAt = T0 + TTL;
    expect(c.get('a', 'm1', expiresAt - 1)).toBe(i);
    expect(c.get('a', 'm1', expiresAt)).toBeUndefined();
    expect(c.forAccount('a', expiresAt - 1)).toEqual([i]);
    expect(c.forAccount('a', expiresAt)).toEqual([]);
    expect([...c.entries(expiresAt - 1)]).toEqual([i]);
    expect([...c.entries(expiresAt)]).toEqual([]);
  });

  it('measures the TTL from fetchedAt, not from when it was set', () => {
    const c = new QuotaCache(TTL);
    c.set(info('a', 'old', T0 - TTL)); // already expired when stored
    expect(c.get('a', 'old', T0)).toBeUndefined();
    expect(c.countExpired(T0)).toBe(1);
  });

  it('applies a new TTL to later writes', () => {
    const c = new QuotaCache(TTL);
    c.setTtl(10_000);
    expect(c.ttl()).toBe(10_000);
    c.set(info('a', 'm1'));
    expect(c.get('a', 'm1', T0 + 9_999)).toBeDefined();
    expect(c.get('a', 'm1', T0 + 10_000)).toBeUndefined();
  });

  it('reports the earliest expiry per account', () => {
    const c = new QuotaCache(TTL);
    expect(c.earliestExpiry('a')).toBe(Infinity);
    c.set(info('a', 'm1', T0 + 5000));
    c.set(info('a', 'm2', T0));
    expect(c.earliestExpiry('a')).toBe(T0 + TTL);
  });
});

describe('QuotaCache lookup expiry', () => {
  it('tells when the binding reading may change by the clock alone: its own expiry, or a matching glob’s', () => {
    const c = new QuotaCache(TTL);
    const until = { at: 0 };
    expect(c.lookup('a', 'm1', T0, until)).toBeUndefined();
    expect(until.at).toBe(Infinity);
    c.set(info('a', 'm1', T0 + 5000));
    c.set(info('a', 'other', T0)); // another model's reading does not concern m1
    expect(c.lookup('a', 'm1', T0, until)?.model).toBe('m1');
    expect(until.at).toBe(T0 + 5000 + TTL);
    // A glob matching m1 that expires sooner: the answer may change then.
    c.set(info('a', 'm*', T0 + 1000, 0.9));
    c.set(info('a', 'x*', T0, 0.1)); // does not match m1
    expect(c.lookup('a', 'm1', T0, until)?.model).toBe('m1');
    expect(until.at).toBe(T0 + 1000 + TTL);
    // Once the glob expired, only the exact reading's expiry is ahead.
    expect(c.lookup('a', 'm1', T0 + 1000 + TTL, until)?.model).toBe('m1');
    expect(until.at).toBe(T0 + 5000 + TTL);
    // Everything expired: nothing changes by the clock any more.
    expect(c.lookup('a', 'm1', T0 + 5000 + TTL, until)).toBeUndefined();
    expect(until.at).toBe(Infinity);
  });
});

describe('QuotaCache cleanup', () => {
  it('countExpired counts and cleanupExpired removes exactly the expired entries', () => {
    const c = new QuotaCache(TTL);
    c.set(info('a', 'm1', T0));
    c.set(info('a', 'm2', T0 + 10_000));
    c.set(info('b', 'm1', T0 + 20_000));
    c.set(info('c', 'm1', T0 + 30_000));
    const now = T0 + TTL + 20_000; // a/m1, a/m2, b/m1 expired (b/m1 exactly at expiry)
    expect(c.size()).toBe(4);
    expect(c.countExpired(now)).toBe(3);
    expect(c.cleanupExpired(now)).toBe(3);
    expect(c.size()).toBe(1);
    expect(c.countExpired(now)).toBe(0);
    expect(c.cleanupExpired(now)).toBe(0);
    expect(c.get('c', 'm1', now)).toBeDefined();
  });

  it('removing nothing leaves the version alone; removing something bumps it', () => {
    const c = new QuotaCache(TTL);
    c.set(info('a', 'm1'));
    const v = c.getVersion();
    expect(c.cleanupExpired(T0 + TTL - 1)).toBe(0);
    expect(c.getVersion()).toBe(v);
    expect(c.cleanupExpired(T0 + TTL)).toBe(1);
    expect(c.getVersion()).toBeGreaterThan(v);
  });

  it('servedModels survives expiry and cleanup', () => {
    const c = new QuotaCache(TTL);
    c.set(info('a', 'm1'));
    c.set(info('a', 'm2'));
    expect(c.cleanupExpired(T0 + 2 * TTL)).toBe(2);
    expect(c.get('a', 'm1', T0 + 2 * TTL)).toBeUndefined();
    expect([...c.servedModels('a')].sort()).toEqual(['m1', 'm2']);
    expect(c.earliestExpiry('a')).toBe(Infinity);
  });
});

describe('QuotaCache replaceAccount', () => {
  it('drops models that vanished from a complete reading, and their served mark', () => {
    const c = new QuotaCache(TTL);
    c.set(info('a', 'm1'));
    c.set(info('a', 'm2'));
    c.set(info('b', 'm1'));
    c.replaceAccount('a', [info('a', 'm2', T0 + 1000, 0.3), info('a', 'm3', T0 + 1000)]);
    expect(c.get('a', 'm1', T0 + 1000)).toBeUndefined();
    expect(c.get('a', 'm2', T0 + 1000)?.remainingFraction).toBe(0.3);
    expect(c.get('a', 'm3', T0 + 1000)).toBeDefined();
    expect([...c.servedModels('a')].sort()).toEqual(['m2', 'm3']);
    // Other accounts are untouched.
    expect(c.get('b', 'm1', T0 + 1000)).toBeDefined();
    expect([...c.servedModels('b')]).toEqual(['m1']);
  });

  it('an empty complete reading clears the account', () => {
    const c = new QuotaCache(TTL);
    c.set(info('a', 'm1'));
    c.replaceAccount('a', []);
    expect(c.forAccount('a', T0)).toEqual([]);
    expect(c.servedModels('a').size).toBe(0);
    expect(c.size()).toBe(0);
  });
});

describe('QuotaCache version', () => {
  it('bumps on set, replaceAccount, deleteAccount and a new served model only', () => {
    const c = new QuotaCache(TTL);
    const seen: number[] = [c.getVersion()];
    const bumped = () => {
      const v = c.getVersion();
      const moved = v > seen.at(-1)!;
      seen.push(v);
      return moved;
    };
    c.set(info('a', 'm1'));
    expect(bumped()).toBe(true);
    c.replaceAccount('a', [info('a', 'm1')]);
    expect(bumped()).toBe(true);
    c.replaceAccount('a', []);
    expect(bumped()).toBe(true);
    c.markServed('a', 'm9');
    expect(bumped()).toBe(true);
    c.markServed('a', 'm9'); // already known
    expect(bumped()).toBe(false);
    c.deleteAccount('a');
    expect(bumped()).toBe(true);
    expect(c.servedModels('a').size).toBe(0);
    c.get('a', 'm1', T0);
    c.countExpired(T0);
    expect(bumped()).toBe(false);
  });
});
