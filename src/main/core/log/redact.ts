// The one redaction (issue 14). Every text that leaves an upstream (adapters' error messages, the
// probe, the proxy's stored and relayed error bodies) and every log line goes through here:
// secrets are removed FIRST — every known secret of the account, then every token-shaped
// substring (bearer headers, Google/OpenAI/Anthropic keys, JWTs, long opaque runs) — and only
// THEN is the text cut (safeUpstreamText), so a cut can never leave part of a secret behind.
// Logged objects also lose the values under secret-looking keys; emails are partly masked.

const SECRET_KEY = /(token|secret|password|passwd|authorization|api[-_]?key|apikey|cookie|credential|^key$|private|^auth$|^pwd$|^session$)/i;

const PATTERNS: Array<[RegExp, string]> = [
  [/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/ya29\.[A-Za-z0-9._-]+/g, '[redacted]'],
  [/\b1\/\/[A-Za-z0-9._-]{8,}/g, '[redacted]'],
  [/\bsk-(?:or-v1-|ant-|proj-)?[A-Za-z0-9_-]{8,}/g, '[redacted]'],
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted]'],
  [/((?:refresh_token|access_token|id_token|client_secret|api_key|apikey|token|key)=)[^&\s"]+/gi, '$1[redacted]'],
  [/("(?:refresh_?token|access_?token|id_?token|client_?secret|api_?key|apiKey|password|secret|token)"\s*:\s*")[^"]*"/gi, '$1[redacted]"'],
  [/\b((?:refresh_token|access_token|id_token|client_secret|api_key|password)\s*:\s*)[^\s,;"'}]+/gi, '$1[redacted]'],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, '[redacted]'],
  // Anything long and opaque (40+ token characters in one run) is treated as a credential, except
  // a URL's own path segment or query value (`…/continue?plt=…`: links the user must follow).
  [/(?<![=/\w-])[A-Za-z0-9_-]{40,}/g, '[redacted]'],
];

const EMAIL = /\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g;

/** Known secrets shorter than this are not searched for (they would match ordinary words). */
const MIN_SECRET_CHARS = 8;
/** How much of an upstream's text is kept (after scrubbing). */
export const UPSTREAM_TEXT_MAX = 200;
/** Upstream text past this is not even scrubbed (a few KB of message is plenty). */
const UPSTREAM_SCAN_MAX = 16 * 1024;

/**
 * Removes secrets from a text, whole: each known secret (as is and URL-encoded) first, then every
 * token-shaped substring, then emails are masked. Never cuts.
 */
export function scrubSecrets(s: string, secrets: readonly (string | null | undefined)[] = []): string {
  let out = s;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_CHARS) continue;
    out = out.split(secret).join('[redacted]');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join('[redacted]');
  }
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out.replace(EMAIL, '$1***$2');
}

export function redactString(s: string): string {
  return scrubSecrets(s);
}

/**
 * An upstream's text made safe to store, show and log: secrets removed first (the account's
 * known ones and every token shape), whitespace collapsed, and only then cut to `max`
 * characters. Anything that is not a string is ''.
 */
export function safeUpstreamText(text: unknown, secrets: readonly (string | null | undefined)[] = [], max = UPSTREAM_TEXT_MAX): string {
  if (typeof text !== 'string' || text.length === 0) return '';
  let s = text;
  let clipped = false;
  if (s.length > UPSTREAM_SCAN_MAX) {
    s = s.slice(0, UPSTREAM_SCAN_MAX);
    clipped = true;
  }
  s = scrubSecrets(s, secrets);
  // A very long text was clipped before scrubbing: its last word may be part of a secret cut
  // there, so it goes too.
  if (clipped) s = s.replace(/\S+$/, '');
  s = s.replace(/\s+/g, ' ').trim();
  if (s.length <= max) return s;
  return `${s.slice(0, max - 1).trimEnd()}…`;
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[…]';
  if (value instanceof Error) {
    const e = new Error(redactString(value.message));
    e.name = value.name;
    e.stack = value.stack ? redactString(value.stack) : undefined;
    return e;
  }
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' && typeof v !== 'number' ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

/** Masks a credential for display: a few characters at each end, never the middle. */
export function maskSecret(secret: string | null | undefined): string {
  if (!secret) return '';
  if (secret.length <= 10) return '•'.repeat(4);
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}
