import { describe, expect, it } from 'vitest';
import {
  parseOpenAiDuration,
  parseRateLimitWindows,
  readingsFromHeaders,
  retryAtFromHeaders,
  tightestWindow,
  windowsToDetails,
} from '../../src/main/core/providers/rate-limit-headers';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const OPTS = { accountId: 'acc-1', model: 'gpt-4o-mini', source: 'poll' as const };
const h = (o: Record<string, string>): Headers => new Headers(o);

describe('parseOpenAiDuration', () => {
  it.each([
    ['1s', 1000],
    ['6m0s', 360_000],
    ['59.512s', 59_512],
    ['20ms', 20],
    ['1h2m3s', 3_723_000],
    ['2m59.56s', 179_560],
    ['0s', 0],
    [' 7.66s ', 7660],
  ])('%s → %d ms', (s, ms) => {
    expect(parseOpenAiDuration(s)).toBeCloseTo(ms, 6);
  });

  it.each(['', 'soon', '1d', '-1s', '1.2.3s', 's', '12', 'NaNs', '1s garbage'])('rejects %j', (s) => {
    expect(parseOpenAiDuration(s)).toBeNull();
  });

  it('rejects non-strings', () => {
    expect(parseOpenAiDuration(undefined)).toBeNull();
    expect(parseOpenAiDuration(5)).toBeNull();
  });
});

describe('OpenAI headers', () => {
  const headers = h({
    'x-ratelimit-limit-requests': '500',
    'x-ratelimit-remaining-requests': '499',
    'x-ratelimit-reset-requests': '120ms',
    'x-ratelimit-limit-tokens': '200000',
    'x-ratelimit-remaining-tokens': '20000',
    'x-ratelimit-reset-tokens': '6m0s',
  });

  it('finds both windows with their resets as durations from now', () => {
    expect(parseRateLimitWindows(headers, NOW)).toEqual([
      { family: 'openai', name: 'requests', limit: 500, remaining: 499, resetAt: NOW + 120 },
      { family: 'openai', name: 'tokens', limit: 200_000, remaining: 20_000, resetAt: NOW + 360_000 },
    ]);
  });

  it('the reading is the tightest window (tokens at 10 %)', () => {
    expect(readingsFromHeaders(headers, NOW, OPTS)).toEqual([{
      accountId: 'acc-1', model: 'gpt-4o-mini', displayName: null, remainingFraction: 0.1, resetAt: NOW + 360_000,
      fetchedAt: NOW, source: 'poll', window: 'tokens', limit: 200_000, remaining: 20_000,
    }]);
  });

  it('keys the reading as asked and keeps the source', () => {
    const [r] = readingsFromHeaders(headers, NOW, { accountId: 'x', model: '*', source: 'headers' });
    expect(r).toMatchObject({ accountId: 'x', model: '*', source: 'headers' });
  });
});

describe('Anthropic headers', () => {
  const reset = (s: number): string => new Date(NOW + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const headers = h({
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '49',
    'anthropic-ratelimit-requests-reset': reset(1),
    'anthropic-ratelimit-tokens-limit': '90000',
    'anthropic-ratelimit-tokens-remaining': '80000',
    'anthropic-ratelimit-tokens-reset': reset(7),
    'anthropic-ratelimit-input-tokens-limit': '50000',
    'anthropic-ratelimit-input-tokens-remaining': '5000',
    'anthropic-ratelimit-input-tokens-reset': reset(54),
    'anthropic-ratelimit-output-tokens-limit': '10000',
    'anthropic-ratelimit-output-tokens-remaining': '9999',
    'anthropic-ratelimit-output-tokens-reset': reset(1),
  });

  it('finds all four windows with RFC 3339 resets', () => {
    const w = parseRateLimitWindows(headers, NOW);
    expect(w.map((x) => x.name)).toEqual(['requests', 'tokens', 'input-tokens', 'output-tokens']);
    expect(w.every((x) => x.family === 'anthropic')).toBe(true);
    expect(w[2]).toEqual({ family: 'anthropic', name: 'input-tokens', limit: 50_000, remaining: 5000, resetAt: NOW + 54_000 });
  });

  it('the reading is the input-tokens window (10 %)', () => {
    const [r] = readingsFromHeaders(headers, NOW, OPTS);
    expect(r).toMatchObject({ remainingFraction: 0.1, window: 'input-tokens', limit: 50_000, remaining: 5000, resetAt: NOW + 54_000 });
  });

  it('accepts offsets and fractional seconds', () => {
    const w = parseRateLimitWindows(h({
      'anthropic-ratelimit-requests-limit': '10',
      'anthropic-ratelimit-requests-remaining': '3',
      'anthropic-ratelimit-requests-reset': '2026-11-23T11:00:00.500+01:00',
    }), NOW);
    expect(w[0]?.resetAt).toBe(NOW + 500);
  });
});

describe('OpenRouter headers', () => {
  it('reset in epoch ms', () => {
    const [r] = readingsFromHeaders(h({ 'X-RateLimit-Limit': '20', 'X-RateLimit-Remaining': '5', 'X-RateLimit-Reset': String(NOW + 30_000) }), NOW, OPTS);
    expect(r).toMatchObject({ remainingFraction: 0.25, resetAt: NOW + 30_000, window: 'requests', limit: 20, remaining: 5 });
  });

  it('reset in epoch seconds', () => {
    const w = parseRateLimitWindows(h({ 'X-RateLimit-Limit': '20', 'X-RateLimit-Remaining': '20', 'X-RateLimit-Reset': String(NOW / 1000 + 60) }), NOW);
    expect(w).toEqual([{ family: 'openrouter', name: 'requests', limit: 20, remaining: 20, resetAt: NOW + 60_000 }]);
  });
});

describe('tightest window', () => {
  it('ties go to the window that resets later', () => {
    const w = tightestWindow([
      { family: 'openai', name: 'requests', limit: 10, remaining: 0, resetAt: NOW + 1000 },
      { family: 'openai', name: 'tokens', limit: 100, remaining: 0, resetAt: NOW + 60_000 },
    ]);
    expect(w?.name).toBe('tokens');
  });

  it('windows without a usable fraction are skipped', () => {
    const w = tightestWindow([
      { family: 'openai', name: 'requests', limit: null, remaining: 0, resetAt: NOW },
      { family: 'openai', name: 'tokens', limit: 0, remaining: 0, resetAt: NOW },
      { family: 'openai', name: 'x', limit: 10, remaining: 9, resetAt: null },
    ]);
    expect(w?.name).toBe('x');
  });

  it('remaining above the limit clamps to 1', () => {
    const [r] = readingsFromHeaders(h({ 'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '15' }), NOW, OPTS);
    expect(r?.remainingFraction).toBe(1);
    expect(r?.resetAt).toBeNull();
  });

  it('an exhausted window reads 0', () => {
    const [r] = readingsFromHeaders(h({
      'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '59.512s',
      'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': '900', 'x-ratelimit-reset-tokens': '1s',
    }), NOW, OPTS);
    expect(r).toMatchObject({ remainingFraction: 0, window: 'requests', resetAt: NOW + 59_512, remaining: 0 });
  });
});

describe('429 and retry-after', () => {
  it('a 429 reads 0 until Retry-After (seconds)', () => {
    const headers = h({ 'retry-after': '20', 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': '5s' });
    const [r] = readingsFromHeaders(headers, NOW, { ...OPTS, status: 429 });
    expect(r).toMatchObject({ remainingFraction: 0, resetAt: NOW + 20_000, remaining: 0, window: null, limit: null });
  });

  it('a 429 names the window that is empty', () => {
    const headers = h({
      'retry-after': '2',
      'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '10',
      'anthropic-ratelimit-output-tokens-limit': '8000', 'anthropic-ratelimit-output-tokens-remaining': '0',
      'anthropic-ratelimit-output-tokens-reset': '2026-11-23T10:00:30Z',
    });
    const [r] = readingsFromHeaders(headers, NOW, { ...OPTS, status: 429 });
    expect(r).toMatchObject({ remainingFraction: 0, resetAt: NOW + 30_000, window: 'output-tokens', limit: 8000, remaining: 0 });
  });

  it('Retry-After as an HTTP date', () => {
    expect(retryAtFromHeaders(h({ 'retry-after': new Date(NOW + 90_000).toUTCString() }), NOW)).toBe(NOW + 90_000);
  });

  it('retry-after-ms and exhausted windows: the latest wins', () => {
    const headers = h({
      'retry-after-ms': '1500', 'retry-after': '1',
      'x-ratelimit-limit-tokens': '100', 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '3s',
    });
    expect(retryAtFromHeaders(headers, NOW)).toBe(NOW + 3000);
  });

  it('a 429 without any hint reads 0 with no reset', () => {
    expect(readingsFromHeaders(h({}), NOW, { ...OPTS, status: 429 })).toEqual([{
      accountId: 'acc-1', model: 'gpt-4o-mini', displayName: null, remainingFraction: 0, resetAt: null,
      fetchedAt: NOW, source: 'poll', window: null, limit: null, remaining: 0,
    }]);
  });

  it('retry-after alone on a 200 is no reading', () => {
    expect(readingsFromHeaders(h({ 'retry-after': '5' }), NOW, OPTS)).toEqual([]);
  });
});

describe('garbage is ignored, never thrown', () => {
  it('no headers, no readings', () => {
    expect(parseRateLimitWindows(h({}), NOW)).toEqual([]);
    expect(readingsFromHeaders(h({ 'content-type': 'application/json' }), NOW, OPTS)).toEqual([]);
  });

  it.each([
    ['x-ratelimit-limit-requests', 'lots'],
    ['x-ratelimit-limit-requests', '-5'],
    ['x-ratelimit-limit-requests', '1e400'],
    ['x-ratelimit-limit-requests', '12abc'],
  ])('%s: %s', (name, value) => {
    const w = parseRateLimitWindows(h({ [name]: value, 'x-ratelimit-remaining-requests': '4', 'x-ratelimit-reset-requests': '1s' }), NOW);
    expect(w).toEqual([{ family: 'openai', name: 'requests', limit: null, remaining: 4, resetAt: NOW + 1000 }]);
    expect(readingsFromHeaders(h({ [name]: value, 'x-ratelimit-remaining-requests': '4' }), NOW, OPTS)).toEqual([]);
  });

  it('unreadable resets become null while the counts stay', () => {
    for (const reset of ['whenever', '1d', '2026-13-45T99:99:99Z', '99999999999999999999999', 'Tuesday']) {
      const w = parseRateLimitWindows(h({ 'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '5', 'x-ratelimit-reset-requests': reset }), NOW);
      expect(w[0]).toMatchObject({ limit: 10, remaining: 5, resetAt: null });
    }
  });

  it('garbage Retry-After is ignored', () => {
    expect(retryAtFromHeaders(h({ 'retry-after': 'soon', 'retry-after-ms': 'x' }), NOW)).toBeNull();
    const [r] = readingsFromHeaders(h({ 'retry-after': 'soon' }), NOW, { ...OPTS, status: 429 });
    expect(r?.resetAt).toBeNull();
  });

  it('a good window survives garbage in another', () => {
    const [r] = readingsFromHeaders(h({
      'anthropic-ratelimit-requests-limit': 'NaN', 'anthropic-ratelimit-requests-remaining': 'none',
      'anthropic-ratelimit-tokens-limit': '1000', 'anthropic-ratelimit-tokens-remaining': '250', 'anthropic-ratelimit-tokens-reset': 'garbage',
    }), NOW, OPTS);
    expect(r).toMatchObject({ remainingFraction: 0.25, window: 'tokens', resetAt: null });
  });
});

describe('windowsToDetails', () => {
  it('flattens windows into display facts', () => {
    expect(windowsToDetails([
      { family: 'anthropic', name: 'input-tokens', limit: 10, remaining: 5, resetAt: NOW },
      { family: 'anthropic', name: 'requests', limit: 50, remaining: null, resetAt: null },
    ])).toEqual({
      input_tokens_limit: 10, input_tokens_remaining: 5, input_tokens_reset: '2026-11-23T10:00:00.000Z',
      requests_limit: 50, requests_remaining: null, requests_reset: null,
    });
  });
});
