import { describe, expect, it } from 'vitest';
import { LockTable } from '../../src/main/core/quota/lock-table';
import type { QuotaLock } from '../../src/main/core/model';

const lock = (accountId: string, model: string, lockedUntil = 1000): QuotaLock => ({ accountId, model, kind: 'quota', lockedUntil, reason: '429', createdAt: 0, bucketResetAt: null });

describe('LockTable', () => {
  it('keeps locks by account and model, counting them', () => {
    const t = new LockTable();
    expect(t.size).toBe(0);
    expect(t.get('a', 'm')).toBeUndefined();
    t.set(lock('a', 'm'));
    t.set(lock('a', 'm', 2000)); // replaces, not a second lock
    t.set(lock('a', 'n'));
    t.set(lock('b', 'm'));
    expect(t.size).toBe(3);
    expect(t.get('a', 'm')?.lockedUntil).toBe(2000);
    expect(t.get('b', 'n')).toBeUndefined();
    expect([...t.ofAccount('a')].map((l) => l.model).sort()).toEqual(['m', 'n']);
    expect([...t.ofAccount('zz')]).toEqual([]);
    expect([...t.values()]).toHaveLength(3);
    expect(t.delete('a', 'x')).toBe(false);
    expect(t.delete('a', 'm')).toBe(true);
    expect(t.delete('a', 'm')).toBe(false);
    expect(t.size).toBe(2);
    t.deleteAccount('a');
    expect(t.size).toBe(1);
    expect([...t.ofAccount('a')]).toEqual([]);
    t.deleteAccount('a');
    expect(t.size).toBe(1);
  });

  it('lets the lock being visited be deleted while iterating an account', () => {
    const t = new LockTable();
    for (const m of ['m1', 'm2', 'm3']) t.set(lock('a', m));
    const seen: string[] = [];
    for (const l of t.ofAccount('a')) {
      seen.push(l.model);
      t.delete(l.accountId, l.model);
    }
    expect(seen).toEqual(['m1', 'm2', 'm3']);
    expect(t.size).toBe(0);
  });
});
