import { describe, expect, it } from 'vitest';
import { classifyGoogleFailure, googleResetAt, parseGoogleDuration } from '../../src/main/core/providers/google-errors';
import { mapGoogleTier } from '../../src/main/core/providers/antigravity';
import { ProviderError } from '../../src/main/core/providers/provider-error';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const VALIDATION_URL = 'https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=fake';

/** A Google error body as cloudcode-pa sends it. */
function googleError(code: number, message: string, details?: unknown[]) {
  return { error: { code, message, status: 'SOME_STATUS', ...(details ? { details } : {}) } };
}
const errorInfo = (metadata: Record<string, string>, reason = 'QUOTA_EXHAUSTED') => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason,
  domain: 'cloudcode-pa.googleapis.com',
  metadata,
});
const retryInfo = (retryDelay: string) => ({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay });

describe('parseGoogleDuration', () => {
  it.each([
    ['3h12m5.5s', 3 * 3_600_000 + 12 * 60_000 + 5_500],
    ['11525.5s', 11_525_500],
    ['510.79ms', 510.79],
    ['2h1m1s', 2 * 3_600_000 + 60_000 + 1_000],
    ['1m30s', 90_000],
    ['5m0.5ms', 300_000.5],
    ['0s', 0],
    ['  45s  ', 45_000],
    ['1500us', 1.5],
  ])('%j is %d ms', (input, ms) => {
    expect(parseGoogleDuration(input)).toBeCloseTo(ms, 9);
  });

  it.each([['garbage'], [''], ['5'], ['s'], ['-3s'], ['1h 2m'], ['3x'], ['1.s'], ['.5s'], ['1h2'], ['P1D'], [null], [undefined], [42], [{}]])(
    '%j is unreadable (null)',
    (input) => {
      expect(parseGoogleDuration(input)).toBeNull();
    },
  );
});

describe('googleResetAt', () => {
  it('uses quotaResetTimeStamp', () => {
    const ts = '2026-11-23T13:12:05Z';
    const body = googleError(429, 'exhausted', [errorInfo({ quotaResetTimeStamp: ts })]);
    expect(googleResetAt(body, null, NOW)).toBe(Date.parse(ts));
  });

  it('uses quotaResetDelay from now', () => {
    const body = googleError(429, 'exhausted', [errorInfo({ quotaResetDelay: '3h12m5.5s' })]);
    expect(googleResetAt(body, null, NOW)).toBe(NOW + 11_525_500);
  });

  it('takes the later of a timestamp and a delay', () => {
    const body = googleError(429, 'exhausted', [
      errorInfo({ quotaResetDelay: '1h', quotaResetTimeStamp: new Date(NOW + 2 * 3_600_000).toISOString() }),
    ]);
    expect(googleResetAt(body, null, NOW)).toBe(NOW + 2 * 3_600_000);
    const later = googleError(429, 'exhausted', [
      errorInfo({ quotaResetDelay: '3h', quotaResetTimeStamp: new Date(NOW + 2 * 3_600_000).toISOString() }),
    ]);
    expect(googleResetAt(later, null, NOW)).toBe(NOW + 3 * 3_600_000);
  });

  it('uses RetryInfo.retryDelay', () => {
    const body = googleError(429, 'slow down', [retryInfo('30s')]);
    expect(googleResetAt(body, null, NOW)).toBe(NOW + 30_000);
  });

  it('prefers the body over the Retry-After header', () => {
    const body = googleError(429, 'exhausted', [errorInfo({ quotaResetDelay: '10m' })]);
    expect(googleResetAt(body, '5', NOW)).toBe(NOW + 600_000);
  });

  it('falls back to Retry-After in seconds or as an HTTP date', () => {
    expect(googleResetAt(googleError(429, 'no hints'), '120', NOW)).toBe(NOW + 120_000);
    const date = new Date(NOW + 300_000).toUTCString();
    expect(googleResetAt(undefined, date, NOW)).toBe(NOW + 300_000);
    // Unreadable hints in the body do not shadow the header.
    expect(googleResetAt(googleError(429, 'x', [errorInfo({ quotaResetDelay: 'soon' })]), '60', NOW)).toBe(NOW + 60_000);
    expect(googleResetAt('not json', '60', NOW)).toBe(NOW + 60_000);
  });

  it('is null with no hint anywhere', () => {
    expect(googleResetAt(googleError(429, 'no hints'), null, NOW)).toBeNull();
    expect(googleResetAt(undefined, null, NOW)).toBeNull();
    expect(googleResetAt({ error: { details: 'nope' } }, 'garbage', NOW)).toBeNull();
  });

  it('is floored at 2 s from now', () => {
    expect(googleResetAt(googleError(429, 'x', [errorInfo({ quotaResetDelay: '510.79ms' })]), null, NOW)).toBe(NOW + 2000);
    expect(googleResetAt(googleError(429, 'x', [errorInfo({ quotaResetTimeStamp: new Date(NOW - 60_000).toISOString() })]), null, NOW)).toBe(NOW + 2000);
    expect(googleResetAt(undefined, '0', NOW)).toBe(NOW + 2000);
    expect(googleResetAt(googleError(429, 'x', [retryInfo('2.001s')]), null, NOW)).toBe(NOW + 2001);
  });
});

describe('classifyGoogleFailure', () => {
  const noHeaders = new Headers();

  it('401 is an auth error (refresh once)', () => {
    const e = classifyGoogleFailure(401, googleError(401, 'Request had invalid authentication credentials.'), noHeaders, NOW, 'fetchAvailableModels');
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({ kind: 'auth', code: 'unauthorized', status: 401, retryAt: null });
    expect(e.message).toContain('fetchAvailableModels');
  });

  it('403 with a validation_url suspends the account and names the link', () => {
    const body = googleError(403, 'Verify your account to continue.', [errorInfo({ validation_url: VALIDATION_URL }, 'VALIDATION_REQUIRED')]);
    const e = classifyGoogleFailure(403, body, noHeaders, NOW, 'loadCodeAssist');
    expect(e).toMatchObject({ kind: 'permanent', code: 'permission_denied', status: 403, accountStatus: 'suspended' });
    expect(e.message).toContain('VALIDATION_REQUIRED');
    expect(e.message).toContain(VALIDATION_URL);
    expect(e.message).toContain('Verify your account to continue.');
  });

  it('403 reads a camelCase validationUrl too', () => {
    const body = googleError(403, 'Verify.', [errorInfo({ validationUrl: VALIDATION_URL }, 'VALIDATION_REQUIRED')]);
    expect(classifyGoogleFailure(403, body, noHeaders, NOW, 'x').message).toContain(VALIDATION_URL);
  });

  it('403 without details is still permanent, reason PERMISSION_DENIED and no link', () => {
    const e = classifyGoogleFailure(403, googleError(403, 'The caller does not have permission'), noHeaders, NOW, 'x');
    expect(e).toMatchObject({ kind: 'permanent', code: 'permission_denied', accountStatus: 'suspended' });
    expect(e.message).toContain('PERMISSION_DENIED');
    expect(e.message).toContain('The caller does not have permission');
    expect(e.message).not.toMatch(/https?:/);
  });

  it('429 is transient with the reset time from the body', () => {
    const body = googleError(429, 'You have exhausted your capacity.', [errorInfo({ quotaResetDelay: '1h' })]);
    const e = classifyGoogleFailure(429, body, new Headers({ 'retry-after': '5' }), NOW, 'fetchAvailableModels');
    expect(e).toMatchObject({ kind: 'transient', code: 'rate_limited', status: 429, retryAt: NOW + 3_600_000 });
    expect(e.accountStatus).toBeUndefined();
  });

  it('429 without body hints takes Retry-After', () => {
    const e = classifyGoogleFailure(429, undefined, new Headers({ 'Retry-After': '90' }), NOW, 'x');
    expect(e.retryAt).toBe(NOW + 90_000);
  });

  it.each([500, 502, 503, 504])('%d is transient upstream_unavailable', (status) => {
    const e = classifyGoogleFailure(status, googleError(status, 'The service is currently unavailable.'), noHeaders, NOW, 'x');
    expect(e).toMatchObject({ kind: 'transient', code: 'upstream_unavailable', status, retryAt: null });
    const withHeader = classifyGoogleFailure(status, undefined, new Headers({ 'retry-after': '30' }), NOW, 'x');
    expect(withHeader.retryAt).toBe(NOW + 30_000);
  });

  it('any other status is a transient http_<status> carrying the upstream message', () => {
    const e = classifyGoogleFailure(400, googleError(400, 'Invalid project resource name'), noHeaders, NOW, 'fetchAvailableModels');
    expect(e).toMatchObject({ kind: 'transient', code: 'http_400', status: 400 });
    expect(e.message).toContain('Invalid project resource name');
    const bare = classifyGoogleFailure(404, 'not json at all', noHeaders, NOW, 'x');
    expect(bare).toMatchObject({ kind: 'transient', code: 'http_404' });
    expect(bare.message).toContain('unexpected status');
  });

  it('caps a huge upstream message', () => {
    const e = classifyGoogleFailure(400, googleError(400, 'x'.repeat(5000)), noHeaders, NOW, 'x');
    expect(e.message.length).toBeLessThan(400);
  });
});

describe('mapGoogleTier', () => {
  it.each([
    [{ id: 'g1-ultra-tier' }, 'ultra'],
    [{ name: 'Google AI Ultra' }, 'ultra'],
    [{ id: 'g1-pro-tier' }, 'pro'],
    [{ name: 'Gemini Code Assist Pro' }, 'pro'],
    [{ id: 'standard-tier' }, 'pro'],
    [{ id: 'free-tier', name: 'Free' }, 'free'],
    [{ id: 'free-tier' }, 'free'],
    // The name is read first; an uninformative name falls back to the id.
    [{ id: 'g1-ultra-tier', name: 'Google One AI Premium' }, 'ultra'],
    [{ id: 'free-tier', name: 'Google AI Pro' }, 'pro'],
  ] as const)('%j → %s', (tier, expected) => {
    expect(mapGoogleTier(tier)).toBe(expected);
  });

  it.each([[undefined], [{}], [{ id: 'legacy-tier' }], [{ id: '', name: '' }]])('%j → null', (tier) => {
    expect(mapGoogleTier(tier)).toBeNull();
  });
});
