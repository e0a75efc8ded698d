import { describe, expect, it } from 'vitest';
import { quotaName } from '../../src/renderer/src/components/accounts-table';

describe('quotaName', () => {
  it('names exact models by display name, and glob readings as shared windows', () => {
    expect(quotaName({ model: 'gemini-3-pro-high', displayName: 'Gemini 3 Pro', window: null })).toBe('Gemini 3 Pro');
    expect(quotaName({ model: 'gpt-5', displayName: null, window: null })).toBe('gpt-5');
    expect(quotaName({ model: '*', displayName: null, window: '5h' })).toBe('all models · 5h window');
    expect(quotaName({ model: '*opus*', displayName: null, window: 'weekly-opus' })).toBe('opus · weekly-opus window');
    expect(quotaName({ model: '*gemini*pro*', displayName: 'Gemini Pro', window: 'weekly' })).toBe('Gemini Pro · weekly window');
  });
});
