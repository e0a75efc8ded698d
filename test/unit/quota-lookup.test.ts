import { describe, expect, it } from 'vitest';
import type { QuotaInfo } from '../../src/main/core/model';
import { modelMatches, patternSpecificity } from '../../src/main/core/providers/provider-adapter';
import { QuotaCache } from '../../src/main/core/quota/quota-cache';

const NOW = 1_000_000;
const r = (model: string, remainingFraction: number | null, resetAt: number | null = null): QuotaInfo => ({
  accountId: 'a',
  model,
  displayName: null,
  remainingFraction,
  resetAt,
  fetchedAt: NOW,
  source: 'poll',
  window: null,
  limit: null,
  remaining: null,
});

describe('model globs', () => {
  it('matches case-insensitively with * anywhere, escaping everything else', () => {
    expect(modelMatches('*', 'anything')).toBe(true);
    expect(modelMatches('claude-*', 'Claude-Opus-4-5')).toBe(true);
    expect(modelMatches('*opus*', 'claude-opus-4-5-20251101')).toBe(true);
    expect(modelMatches('*opus*', 'claude-sonnet-4-5')).toBe(false);
    expect(modelMatches('gpt-4.1', 'gpt-4x1')).toBe(false);
    expect(modelMatches('gpt-4.1', 'GPT-4.1')).toBe(true);
    expect(patternSpecificity('gpt-5')).toBeGreaterThan(patternSpecificity('*gpt*'));
    expect(patternSpecificity('*gemini*pro*')).toBeGreaterThan(patternSpecificity('*'));
  });
});

describe('QuotaCache.lookup picks the binding reading', () => {
  it('uses the tightest of the exact reading and every matching window', () => {
    const c = new QuotaCache(60_000);
    c.set(r('gemini-3-pro-high', 0.8));
    c.set(r('*gemini*pro*', 0.05, NOW + 3_600_000)); // a nearly spent weekly window
    c.set(r('*', 0.5));
    expect(c.lookup('a', 'gemini-3-pro-high', NOW)?.model).toBe('*gemini*pro*');
    expect(c.lookup('a', 'claude-sonnet-4-5', NOW)?.model).toBe('*'); // no exact reading: the account-wide window
    expect(c.lookup('a', 'gemini-3-pro-high', NOW + 60_000)).toBeUndefined(); // all expired
  });

  it('prefers the exact reading when the windows have more left, and specificity when nothing is known', () => {
    const c = new QuotaCache(60_000);
    c.set(r('claude-opus-4', 0.2));
    c.set(r('*opus*', 0.6));
    c.set(r('*', null));
    expect(c.lookup('a', 'claude-opus-4', NOW)?.model).toBe('claude-opus-4');
    const d = new QuotaCache(60_000);
    d.set(r('*opus*', null));
    d.set(r('*', null));
    expect(d.lookup('a', 'claude-opus-4', NOW)?.model).toBe('*opus*');
  });

  it('globs bind but never declare which models an account serves', () => {
    const c = new QuotaCache(60_000);
    c.set(r('*', 0.5));
    c.set(r('gpt-5', 0.5));
    expect([...c.servedModels('a')]).toEqual(['gpt-5']);
  });
});
