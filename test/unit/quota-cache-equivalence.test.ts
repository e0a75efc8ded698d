// QuotaCache keeps no object per entry (issue 11: memory): the reading and its expiry sit in a
// ModelMap. Over random sequences of sets, complete replacements (with glob readings and models
// that disappear), extensions, expiry sweeps and removals, every answer matches the cache as it
// was before (test/helpers/reference-quota-cache.ts).
import { describe, expect, it } from 'vitest';
import type { QuotaInfo } from '../../src/main/core/model';
import { QuotaCache } from '../../src/main/core/quota/quota-cache';
import { ReferenceQuotaCache } from '../helpers/reference-quota-cache';

const MODELS = ['gpt-5', 'claude-opus-4', 'claude-sonnet-4', 'gemini-2.5-pro', '*', '*opus*', 'claude-*'];
const ASKED = [...MODELS.filter((m) => !m.includes('*')), 'claude-opus-4-1', 'other'];
const ACCOUNTS = ['a', 'b', 'c'];

describe('QuotaCache (no entry objects) answers as before', () => {
  it('through random sets, replacements, extensions, sweeps and removals', { timeout: 60_000 }, () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const cache = new QuotaCache(60_000);
    const ref = new ReferenceQuotaCache(60_000);
    let now = 1_000_000;
    const reading = (accountId: string, model: string): QuotaInfo => ({
      accountId, model, displayName: null,
      remainingFraction: rand() < 0.15 ? null : Math.round(rand() * 4) / 4,
      resetAt: rand() < 0.3 ? null : now + Math.floor(rand() * 4) * 10_000,
      fetchedAt: now - Math.floor(rand() * 30_000), source: 'poll', window: null, limit: null, remaining: null,
    });
    for (let step = 0; step < 2500; step++) {
      now += Math.floor(rand() * 8_000);
      const a = pick(ACCOUNTS);
      const r = rand();
      if (r < 0.35) {
        const infos = Array.from({ length: Math.floor(rand() * 6) }, () => reading(a, pick(MODELS)));
        cache.replaceAccount(a, infos);
        ref.replaceAccount(a, infos);
      } else if (r < 0.6) {
        const info = reading(a, pick(MODELS));
        cache.set(info);
        ref.set(info);
      } else if (r < 0.65) {
        const until = now + Math.floor(rand() * 120_000);
        cache.extendAccount(a, until);
        ref.extendAccount(a, until);
      } else if (r < 0.7) {
        expect(cache.cleanupExpired(now)).toBe(ref.cleanupExpired(now));
      } else if (r < 0.72) {
        cache.deleteAccount(a);
        ref.deleteAccount(a);
      } else if (r < 0.75) {
        const m = pick(ASKED);
        cache.markServed(a, m);
        ref.markServed(a, m);
      }
      for (const acc of ACCOUNTS) {
        for (const m of ASKED) {
          const u1 = { at: -1 };
          const u2 = { at: -1 };
          expect(cache.lookup(acc, m, now, u1)).toBe(ref.lookup(acc, m, now, u2));
          expect(u1.at).toBe(u2.at);
          expect(cache.get(acc, m, now)).toBe(ref.get(acc, m, now));
        }
        expect(cache.forAccount(acc, now)).toEqual(ref.forAccount(acc, now));
        expect(cache.earliestExpiry(acc)).toBe(ref.earliestExpiry(acc));
        expect([...cache.servedModels(acc)]).toEqual([...ref.servedModels(acc)]);
      }
      expect([...cache.entries(now)]).toEqual([...ref.entries(now)]);
      expect(cache.size()).toBe(ref.size());
      expect(cache.countExpired(now)).toBe(ref.countExpired(now));
      expect(cache.getVersion()).toBe(ref.getVersion());
    }
  });
});
