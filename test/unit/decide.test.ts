import { describe, expect, it } from 'vitest';
import { decide, decisionExpiry, DEFAULT_LOW_THRESHOLD } from '../../src/main/core/quota/decide';
import type { QuotaInfo, QuotaLock } from '../../src/main/core/model';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const HOUR = 3_600_000;

function info(remainingFraction: number | null, resetAt: number | null = NOW + HOUR): QuotaInfo {
  return {
    accountId: 'acc-1',
    model: 'gemini-3-pro-high',
    displayName: null,
    remainingFraction,
    resetAt,
    fetchedAt: NOW - 1000,
    source: 'poll',
    window: null,
    limit: null,
    remaining: null,
  };
}

function lock(lockedUntil: number, kind: QuotaLock['kind'] = 'quota'): QuotaLock {
  return { accountId: 'acc-1', model: 'gemini-3-pro-high', kind, lockedUntil, reason: kind === 'cooldown' ? 'unavailable' : '429 reported', createdAt: NOW - 1000, bucketResetAt: null };
}

describe('decide: unknown', () => {
  it('is unknown without any reading, never exhausted', () => {
    expect(decide(undefined, undefined, NOW)).toEqual({ kind: 'unknown', remainingFraction: null, resetAt: null, reason: null });
  });

  it('keeps a null fraction unknown (never treated as 0), but still reports the reset time', () => {
    const d = decide(info(null, NOW + HOUR), undefined, NOW);
    expect(d).toEqual({ kind: 'unknown', remainingFraction: null, resetAt: NOW + HOUR, reason: null });
  });

  it('keeps a null fraction unknown even when its reset time has passed', () => {
    expect(decide(info(null, NOW - 1), undefined, NOW).kind).toBe('unknown');
    expect(decide(info(null, NOW - 1), undefined, NOW).reason).toBeNull();
  });
});

describe('decide: exhausted and its reset', () => {
  it('is exhausted at 0 with the reset time', () => {
    expect(decide(info(0, NOW + HOUR), undefined, NOW)).toEqual({ kind: 'exhausted', remainingFraction: 0, resetAt: NOW + HOUR, reason: null });
  });

  it('stays exhausted one millisecond before the reset', () => {
    expect(decide(info(0, NOW + 1), undefined, NOW).kind).toBe('exhausted');
  });

  it('is exhausted at 0 with no reset time known (nothing can lift it)', () => {
    expect(decide(info(0, null), undefined, NOW)).toEqual({ kind: 'exhausted', remainingFraction: 0, resetAt: null, reason: null });
  });

  it('lifts to unknown with reason reset_passed exactly at the reset instant', () => {
    expect(decide(info(0, NOW), undefined, NOW)).toEqual({ kind: 'unknown', remainingFraction: 0, resetAt: NOW, reason: 'reset_passed' });
  });

  it('lifts to unknown with reason reset_passed after the reset', () => {
    const d = decide(info(0, NOW - HOUR), undefined, NOW);
    expect(d.kind).toBe('unknown');
    expect(d.reason).toBe('reset_passed');
  });
});

describe('decide: low threshold', () => {
  it('defaults to 10%', () => {
    expect(DEFAULT_LOW_THRESHOLD).toBe(0.1);
  });

  it('is low strictly below the threshold and proceeds at it', () => {
    expect(decide(info(0.0999), undefined, NOW)).toEqual({ kind: 'low', remainingFraction: 0.0999, resetAt: NOW + HOUR, reason: null });
    expect(decide(info(0.1), undefined, NOW).kind).toBe('proceed');
  });

  it('is low for the smallest positive reading', () => {
    expect(decide(info(Number.MIN_VALUE), undefined, NOW).kind).toBe('low');
  });

  it('honours a custom threshold', () => {
    expect(decide(info(0.24), undefined, NOW, 0.25).kind).toBe('low');
    expect(decide(info(0.25), undefined, NOW, 0.25).kind).toBe('proceed');
    expect(decide(info(0.05), undefined, NOW, 0.01).kind).toBe('proceed');
    expect(decide(info(0.0099), undefined, NOW, 0.01).kind).toBe('low');
  });

  it('a low reading whose reset passed is still low (only an exhausted reading lifts)', () => {
    expect(decide(info(0.05, NOW - HOUR), undefined, NOW).kind).toBe('low');
  });
});

describe('decide: proceed', () => {
  it('proceeds with plenty remaining and carries the reading', () => {
    expect(decide(info(0.8), undefined, NOW)).toEqual({ kind: 'proceed', remainingFraction: 0.8, resetAt: NOW + HOUR, reason: null });
    expect(decide(info(1), undefined, NOW).kind).toBe('proceed');
  });
});

describe('decide: 429 lock', () => {
  it('beats a full reading until lockedUntil', () => {
    const l = lock(NOW + 5 * 60_000);
    expect(decide(info(1.0), l, NOW)).toEqual({ kind: 'exhausted', remainingFraction: 1, resetAt: NOW + 5 * 60_000, reason: 'locked' });
    expect(decide(info(1.0), l, NOW + 5 * 60_000 - 1).kind).toBe('exhausted');
  });

  it('beats a missing reading and a low one', () => {
    const l = lock(NOW + 60_000);
    expect(decide(undefined, l, NOW)).toMatchObject({ kind: 'exhausted', remainingFraction: null, reason: 'locked' });
    expect(decide(info(0.05), l, NOW)).toMatchObject({ kind: 'exhausted', reason: 'locked' });
  });

  it('no longer applies at or after lockedUntil', () => {
    const l = lock(NOW);
    expect(decide(info(1.0), l, NOW)).toEqual({ kind: 'proceed', remainingFraction: 1, resetAt: NOW + HOUR, reason: null });
    expect(decide(info(1.0), l, NOW + 1).kind).toBe('proceed');
    expect(decide(undefined, l, NOW).kind).toBe('unknown');
  });
});

describe('decisionExpiry', () => {
  it('is Infinity for decisions that only a new reading can change', () => {
    for (const i of [undefined, info(null), info(0.05), info(0.8), info(0, null)]) {
      const d = decide(i, undefined, NOW);
      expect(decisionExpiry(d, i, undefined, NOW)).toBe(Infinity);
    }
  });

  it('is the reset time of an exhausted reading', () => {
    const i = info(0, NOW + HOUR);
    expect(decisionExpiry(decide(i, undefined, NOW), i, undefined, NOW)).toBe(NOW + HOUR);
  });

  it('is Infinity once an exhausted reading was lifted by its reset', () => {
    const i = info(0, NOW - 1);
    const d = decide(i, undefined, NOW);
    expect(d.reason).toBe('reset_passed');
    expect(decisionExpiry(d, i, undefined, NOW)).toBe(Infinity);
  });

  it('is the end of an active lock', () => {
    const i = info(1.0);
    const l = lock(NOW + 60_000);
    expect(decisionExpiry(decide(i, l, NOW), i, l, NOW)).toBe(NOW + 60_000);
  });

  it('is the earlier of a lock end and an exhausted reading reset', () => {
    // The lock ends first: the decision turns into the reading's exhausted at lockedUntil.
    const i = info(0, NOW + HOUR);
    const l = lock(NOW + 60_000);
    const d = decide(i, l, NOW);
    expect(d.reason).toBe('locked');
    expect(decisionExpiry(d, i, l, NOW)).toBe(NOW + 60_000);
  });

  it('ignores an expired lock', () => {
    const i = info(0.5);
    const l = lock(NOW - 1);
    expect(decisionExpiry(decide(i, l, NOW), i, l, NOW)).toBe(Infinity);
  });

  it('each expiry is when the decision really changes', () => {
    const i = info(0, NOW + HOUR);
    const l = lock(NOW + 60_000);
    const t1 = decisionExpiry(decide(i, l, NOW), i, l, NOW);
    expect(decide(i, l, t1 - 1).reason).toBe('locked');
    expect(decide(i, l, t1)).toMatchObject({ kind: 'exhausted', reason: null });
    const t2 = decisionExpiry(decide(i, l, t1), i, l, t1);
    expect(t2).toBe(NOW + HOUR);
    expect(decide(i, l, t2 - 1).kind).toBe('exhausted');
    expect(decide(i, l, t2)).toMatchObject({ kind: 'unknown', reason: 'reset_passed' });
  });
});

describe('decide: cooldown', () => {
  it('a cooldown lock is its own kind (unavailable), not exhausted; it ends by itself', () => {
    const l = lock(NOW + 15_000, 'cooldown');
    expect(decide(undefined, l, NOW)).toEqual({ kind: 'cooldown', remainingFraction: null, resetAt: NOW + 15_000, reason: 'unavailable' });
    expect(decide(undefined, l, NOW + 15_000).kind).toBe('unknown');
  });
});
