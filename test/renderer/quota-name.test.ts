import { describe, expect, it } from 'vitest';
import { quotaName, windowWords } from '../../src/renderer/src/components/accounts/quota-name';

describe('quotaName', () => {
  it('names exact models by display name', () => {
    expect(quotaName({ model: 'gemini-3-pro-high', displayName: 'Gemini 3 Pro', window: null })).toBe('Gemini 3 Pro');
    expect(quotaName({ model: 'gpt-5', displayName: null, window: null })).toBe('GPT-5');
  });
  it('names shared windows for people, never by their raw keys', () => {
    expect(quotaName({ model: '*', displayName: 'All Claude models', window: '5h' })).toBe('5-hour limit');
    expect(quotaName({ model: '*', displayName: 'All Codex models', window: 'weekly' })).toBe('Weekly limit');
    expect(quotaName({ model: '*', displayName: null, window: null })).toBe('All models');
    expect(quotaName({ model: '*opus*', displayName: 'Claude Opus', window: 'weekly-opus' })).toBe('Opus · weekly');
    expect(quotaName({ model: '*opus*', displayName: null, window: 'weekly-opus' })).toBe('Opus · weekly');
    expect(quotaName({ model: '*sonnet*', displayName: 'Claude Sonnet', window: '5h' })).toBe('Sonnet · 5-hour');
    expect(quotaName({ model: '*gemini*pro*', displayName: 'Gemini Pro', window: 'weekly' })).toBe('Gemini Pro · weekly');
    for (const q of [{ model: '*', displayName: null, window: '5h' }, { model: '*opus*', displayName: null, window: 'weekly-opus' }]) {
      expect(quotaName(q)).not.toMatch(/\*|5h\b|weekly-opus|all models ·/);
    }
  });
  it('reads window keys as words', () => {
    expect(windowWords('5h')).toBe('5-hour');
    expect(windowWords('30d')).toBe('30-day');
    expect(windowWords('weekly-sonnet')).toBe('weekly');
    expect(windowWords('daily')).toBe('daily');
    expect(windowWords(null)).toBeNull();
  });
});

describe('modelWords', () => {
  it('reads model ids as words when the upstream gave no name', async () => {
    const { modelWords } = await import('../../src/renderer/src/components/accounts/quota-name');
    expect(modelWords('gemini-2.5-flash')).toBe('Gemini 2.5 Flash');
    expect(modelWords('claude-sonnet-4-5')).toBe('Claude Sonnet 4.5');
    expect(modelWords('gpt-5-mini')).toBe('GPT-5 Mini');
    expect(modelWords('o3')).toBe('o3');
  });
});
