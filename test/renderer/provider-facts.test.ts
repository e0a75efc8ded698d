import { describe, expect, it } from 'vitest';
import { providerFacts } from '../../src/renderer/src/components/account-detail/provider-facts';

const text = (d: Parameters<typeof providerFacts>[0]) => providerFacts(d).map((f) => `${f.label}: ${f.text}`);

describe('providerFacts', () => {
  it('speaks in words and units, never raw field names', () => {
    expect(text({ subscriptionType: 'max', fiveHourUtilization: 95, sevenDayUtilization: 40.25, extraUsageEnabled: false })).toEqual([
      'Plan: max',
      '5-hour window: 95% used',
      'Weekly window: 40.3% used',
      'Extra usage: off',
    ]);
    expect(text({ usage_monthly: 12.4, limit: 50, limit_remaining: 37.6, is_free_tier: false })).toEqual([
      'Spent this month: $12.40',
      'Spending limit: $50.00',
      'Left of the limit: $37.60',
      'Free tier: no',
    ]);
  });
  it('leaves out empty values and spells unknown keys as words', () => {
    expect(text({ sevenDayOpusUtilization: null, requests_remaining: 4990, 'credits.GOOGLE_ONE_AI': '1000' })).toEqual(['Requests remaining: 4,990', 'Credits google one ai: 1000']);
  });
});
