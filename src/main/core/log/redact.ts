// Scrubs secrets out of anything about to be logged: values under secret-looking keys, and
// token-shaped substrings anywhere in strings (bearer headers, Google/OpenAI/Anthropic keys, JWTs).
// Emails are partly masked. Every logger in the app (electron-log, headless, tests) goes through it.

const SECRET_KEY = /(token|secret|password|passwd|authorization|api[-_]?key|apikey|cookie|credential|^key$|private|^auth$|^pwd$|^session$)/i;

const PATTERNS: Array<[RegExp, string]> = [
  [/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\bya29\.[A-Za-z0-9._-]+/g, '[redacted]'],
  [/\b1\/\/[A-Za-z0-9._-]{8,}/g, '[redacted]'],
  [/\bsk-(?:or-v1-|ant-|proj-)?[A-Za-z0-9_-]{8,}/g, '[redacted]'],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted]'],
  [/((?:refresh_token|access_token|id_token|client_secret|api_key|apikey|token|key)=)[^&\s"]+/gi, '$1[redacted]'],
  [/("(?:refresh_?token|access_?token|id_?token|client_?secret|api_?key|apiKey|password|secret|token)"\s*:\s*")[^"]*"/gi, '$1[redacted]"'],
  [/\b((?:refresh_token|access_token|id_token|client_secret|api_key|password)\s*:\s*)[^\s,;"'}]+/gi, '$1[redacted]'],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, '[redacted]'],
];

const EMAIL = /\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g;

export function redactString(s: string): string {
  let out = s;
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out.replace(EMAIL, '$1***$2');
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
