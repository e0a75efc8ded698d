// Google API error bodies: durations like "3h12m5.5s" / "510.79ms", ErrorInfo quota reset hints,
// RetryInfo, and the classification of a failed v1internal call.
import { safeUpstreamText } from '../log/redact';
import { ProviderError } from './provider-error';
import { parseRetryAfter } from './http';

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
const MIN_DELAY_MS = 2000;

/** Parses Go-style durations ("2h1m1s", "11525.5s", "510.79ms"); null when unreadable. */
export function parseGoogleDuration(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const str = s.trim();
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(str)) return null;
  let ms = 0;
  for (const m of str.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}

interface GoogleErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: Array<{ '@type'?: string; reason?: string; retryDelay?: string; metadata?: Record<string, string> }>;
  };
}

function details(body: unknown): NonNullable<NonNullable<GoogleErrorBody['error']>['details']> {
  const d = (body as GoogleErrorBody | undefined)?.error?.details;
  return Array.isArray(d) ? d.filter((x) => x && typeof x === 'object') : [];
}

/** The time a Google 429 says the quota comes back (epoch ms), floored at 2 s from now. */
export function googleResetAt(body: unknown, retryAfterHeader: string | null, now: number): number | null {
  let at: number | null = null;
  for (const d of details(body)) {
    const ts = d.metadata?.quotaResetTimeStamp;
    if (ts && !Number.isNaN(Date.parse(ts))) at = Math.max(at ?? 0, Date.parse(ts));
    const delay = parseGoogleDuration(d.metadata?.quotaResetDelay) ?? parseGoogleDuration(d.retryDelay);
    if (delay !== null) at = Math.max(at ?? 0, now + delay);
  }
  at ??= parseRetryAfter(retryAfterHeader, now);
  return at === null ? null : Math.max(at, now + MIN_DELAY_MS);
}

function withoutKnownSecrets(s: unknown, secrets: readonly (string | undefined)[]): string | undefined {
  if (typeof s !== 'string' || s.length > 2000) return undefined;
  let out = s;
  for (const secret of secrets) if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out;
}

function errorText(body: unknown, fallback: string, secrets: readonly (string | undefined)[]): string {
  const e = (body as GoogleErrorBody | undefined)?.error;
  return safeUpstreamText(e?.message, secrets) || fallback;
}

export function classifyGoogleFailure(status: number, body: unknown, headers: Headers, now: number, what: string, secrets: readonly (string | undefined)[] = []): ProviderError {
  if (status === 401) {
    return new ProviderError({ kind: 'auth', code: 'unauthorized', status, message: `${what}: access token rejected (401)` });
  }
  if (status === 403) {
    const info = details(body).find((d) => d.reason);
    // The verification link is kept as Google sent it (the user needs it whole), minus any known secret.
    const url = withoutKnownSecrets(info?.metadata?.validation_url ?? info?.metadata?.validationUrl, secrets);
    const reason = safeUpstreamText(info?.reason, secrets, 64) || 'PERMISSION_DENIED';
    return new ProviderError({
      kind: 'permanent',
      code: 'permission_denied',
      status,
      accountStatus: 'suspended',
      message: `Google refused access (${reason})${url ? `; verify the account at ${url}` : ''}: ${errorText(body, 'permission denied', secrets)}`,
    });
  }
  if (status === 429) {
    return new ProviderError({
      kind: 'transient',
      code: 'rate_limited',
      status,
      retryAt: googleResetAt(body, headers.get('retry-after'), now),
      message: `${what}: rate limited (429)`,
    });
  }
  if (status >= 500) {
    return new ProviderError({ kind: 'transient', code: 'upstream_unavailable', status, retryAt: parseRetryAfter(headers.get('retry-after'), now), message: `${what}: upstream error ${status}` });
  }
  return new ProviderError({ kind: 'transient', code: `http_${status}`, status, message: `${what}: HTTP ${status}: ${errorText(body, 'unexpected status', secrets)}` });
}
