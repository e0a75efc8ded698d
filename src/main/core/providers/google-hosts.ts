// The Cloud Code (v1internal) hosts an Antigravity account can be served by, in the order the
// nearest peer tries them when one answers 429/5xx or cannot be reached.

export const GOOGLE_CLOUD_CODE_URL = 'https://cloudcode-pa.googleapis.com';

/** Tried after the default host, in this order. */
export const GOOGLE_FALLBACK_URLS: readonly string[] = [
  'https://daily-cloudcode-pa.googleapis.com',
  'https://daily-cloudcode-pa.sandbox.googleapis.com',
];

const trim = (u: string): string => u.trim().replace(/\/+$/, '');

/**
 * The hosts to try for one base URL: the default host is followed by the two daily hosts; a
 * custom base URL (a relay, a test) stands alone, because its user chose where traffic goes.
 * `extra` (explicit fallbacks) is appended either way; duplicates are dropped.
 */
export function googleHosts(baseUrl: string, extra: readonly string[] = []): string[] {
  const base = trim(baseUrl);
  const list = base.toLowerCase() === GOOGLE_CLOUD_CODE_URL ? [base, ...GOOGLE_FALLBACK_URLS] : [base];
  for (const u of extra) list.push(trim(u));
  const seen = new Set<string>();
  return list.filter((u) => u !== '' && !seen.has(u.toLowerCase()) && seen.add(u.toLowerCase()));
}
