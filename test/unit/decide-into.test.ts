// decideInto and decisionKind (issue 11: no decision object per reading on the engine's counting
// and tracking paths) answer exactly what decide() answers.
import { describe, expect, it } from 'vitest';
import { decide, decideInto, decisionKind, type Decision } from '../../src/main/core/quota/decide';
import type { QuotaInfo, QuotaLock } from '../../src/main/core/model';

describe('decideInto / decisionKind', () => {
  it('match decide() over readings, locks, thresholds and times', () => {
    const now = 1_000_000;
    const scratch: Decision = { kind: 'unknown', remainingFraction: null, resetAt: null, reason: null };
    const fractions = [null, -0.1, 0, 0.05, 0.1, 0.5, 1];
    const resets = [null, now - 1, now, now + 1];
    const locks: Array<QuotaLock | undefined> = [
      undefined,
      { accountId: 'a', model: 'm', kind: 'quota', lockedUntil: now + 5, reason: '429', createdAt: now - 5, bucketResetAt: null },
      { accountId: 'a', model: 'm', kind: 'cooldown', lockedUntil: now + 5, reason: 'unavailable', createdAt: now - 5, bucketResetAt: null },
      { accountId: 'a', model: 'm', kind: 'quota', lockedUntil: now, reason: '429', createdAt: now - 5, bucketResetAt: null },
    ];
    let cases = 0;
    for (const f of fractions)
      for (const r of resets)
        for (const lock of locks)
          for (const low of [0.1, 0.2])
            for (const info of [undefined, { accountId: 'a', model: 'm', displayName: null, remainingFraction: f, resetAt: r, fetchedAt: now - 10, source: 'poll', window: null, limit: null, remaining: null } as QuotaInfo]) {
              const d = decide(info, lock, now, low);
              expect(decideInto(scratch, info, lock, now, low)).toEqual(d);
              expect(decisionKind(info, lock, now, low)).toBe(d.kind);
              cases++;
            }
    expect(cases).toBeGreaterThan(300);
  });
});
