// Rate-limit response headers of API-key services, parsed into windows and one combined reading:
// OpenAI `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (reset: a duration "6m0s"),
// Anthropic `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
// (reset: RFC 3339), OpenRouter `X-RateLimit-{Limit,Remaining,Reset}` (reset: epoch ms or s) and
// `retry-after` / `retry-after-ms` on a 429. Pure: garbage values are ignored, nothing throws.
import type { QuotaSource } from '../../../shared/types';
import type { QuotaInfo } from '../model';
import { parseRetryAfter } from './http';
import type { DetailValue } from './provider-adapter';

export type RateLimitFamily = 'openai' | 'anthropic' | 'openrouter';

export interface RateLimitWindow {
  family: RateLimitFamily;
  /** 'requests', 'tokens', 'input-tokens', 'output-tokens'. */
  name: string;
  limit: number | null;
  remaining: number | null;
  resetAt: number | null;
}

export interface HeaderReadingOptions {
  accountId: string;
  /** "*" (every model of the account) or an exact model id. */
  model: string;
  source: QuotaSource;
  /** The response status; a 429 makes the reading exhausted until the retry time. */
  status?: number;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
const DURATION = /^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/;

/** OpenAI reset durations ("1s", "6m0s", "59.512s", "20ms", "1h2m3s") to ms; null when unreadable. */
export function parseOpenAiDuration(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (!DURATION.test(s)) return null;
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Number.isFinite(ms) ? ms : null;
}

function parseCount(value: string | null): number | null {
  if (value === null) return null;
  const s = value.trim();
  if (!/^\d+(\.\d+)?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/**
 * Any reset notation seen in the wild, to epoch ms: a Go-style duration, an RFC 3339 time, or a
 * bare number (epoch ms from 1e12, epoch seconds from 1e9, else seconds from now).
 */
function parseReset(value: string | null, now: number): number | null {
  const t = parseResetRaw(value, now);
  // Beyond what a Date can hold is garbage, not a time.
  return t !== null && Number.isFinite(t) && Math.abs(t) <= MAX_TIME ? t : null;
}

const MAX_TIME = 8.64e15;

function parseResetRaw(value: string | null, now: number): number | null {
  if (value === null) return null;
  const s = value.trim();
  if (s === '') return null;
  const d = parseOpenAiDuration(s);
  if (d !== null) return now + d;
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    if (!Number.isFinite(n)) return null;
    if (n >= 1e12) return Math.round(n);
    if (n >= 1e9) return Math.round(n * 1000);
    return now + n * 1000;
  }
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

interface FamilySpec {
  family: RateLimitFamily;
  names: readonly string[];
  header: (name: string, field: 'limit' | 'remaining' | 'reset') => string;
}

const FAMILIES: readonly FamilySpec[] = [
  { family: 'openai', names: ['requests', 'tokens'], header: (n, f) => `x-ratelimit-${f}-${n}` },
  {
    family: 'anthropic',
    names: ['requests', 'tokens', 'input-tokens', 'output-tokens'],
    header: (n, f) => `anthropic-ratelimit-${n}-${f}`,
  },
  // OpenRouter's single window counts requests.
  { family: 'openrouter', names: ['requests'], header: (_n, f) => `x-ratelimit-${f}` },
];

/** Every rate-limit window the headers describe (one with a usable limit or remaining). */
export function parseRateLimitWindows(headers: Headers, now: number): RateLimitWindow[] {
  const out: RateLimitWindow[] = [];
  for (const f of FAMILIES) {
    for (const name of f.names) {
      const limit = parseCount(safeGet(headers, f.header(name, 'limit')));
      const remaining = parseCount(safeGet(headers, f.header(name, 'remaining')));
      if (limit === null && remaining === null) continue;
      out.push({ family: f.family, name, limit, remaining, resetAt: parseReset(safeGet(headers, f.header(name, 'reset')), now) });
    }
  }
  return out;
}

function safeGet(headers: Headers, name: string): string | null {
  try {
    return headers.get(name);
  } catch {
    return null;
  }
}

/** remaining/limit clamped to 0..1; null when either is unknown or the limit is not positive. */
export function windowFraction(w: RateLimitWindow): number | null {
  if (w.limit === null || w.remaining === null || w.limit <= 0) return null;
  return Math.min(1, Math.max(0, w.remaining / w.limit));
}

/** The window with the lowest remaining fraction; on a tie the one that resets later. */
export function tightestWindow(windows: readonly RateLimitWindow[]): RateLimitWindow | null {
  let best: RateLimitWindow | null = null;
  let bestFraction = Infinity;
  for (const w of windows) {
    const f = windowFraction(w);
    if (f === null) continue;
    const later = (w.resetAt ?? -Infinity) > (best?.resetAt ?? -Infinity);
    if (f < bestFraction || (f === bestFraction && later)) {
      best = w;
      bestFraction = f;
    }
  }
  return best;
}

/**
 * When a rate-limited caller may try again (epoch ms): the latest of `retry-after-ms`,
 * `retry-after` and the resets of exhausted windows; null when nothing says.
 */
export function retryAtFromHeaders(headers: Headers, now: number, windows = parseRateLimitWindows(headers, now)): number | null {
  const candidates: number[] = [];
  const ms = parseCount(safeGet(headers, 'retry-after-ms'));
  if (ms !== null && ms <= MAX_TIME) candidates.push(now + ms);
  const ra = parseRetryAfter(safeGet(headers, 'retry-after')?.trim() || null, now);
  if (ra !== null && Number.isFinite(ra) && Math.abs(ra) <= MAX_TIME) candidates.push(ra);
  for (const w of windows) if (w.remaining === 0 && w.resetAt !== null) candidates.push(w.resetAt);
  return candidates.length > 0 ? Math.max(...candidates) : null;
}

/**
 * One combined reading from the headers: the tightest window (lowest remaining/limit) with its
 * reset and name. On a 429 the reading is exhausted until the retry time. Empty when the headers
 * say nothing usable.
 */
export function readingsFromHeaders(headers: Headers, now: number, opts: HeaderReadingOptions): QuotaInfo[] {
  const windows = parseRateLimitWindows(headers, now);
  const base = { accountId: opts.accountId, model: opts.model, displayName: null, fetchedAt: now, source: opts.source };
  if (opts.status === 429) {
    // Name the window only when one says it is empty; otherwise the 429 is its own reason.
    const exhausted = tightestWindow(windows.filter((w) => w.remaining === 0));
    return [{
      ...base,
      remainingFraction: 0,
      resetAt: retryAtFromHeaders(headers, now, windows),
      window: exhausted?.name ?? null,
      limit: exhausted?.limit ?? null,
      remaining: 0,
    }];
  }
  const w = tightestWindow(windows);
  if (!w) return [];
  return [{ ...base, remainingFraction: windowFraction(w), resetAt: w.resetAt, window: w.name, limit: w.limit, remaining: w.remaining }];
}

/** Flat, display-ready facts: `requests_limit`, `input_tokens_remaining`, `tokens_reset` (ISO). */
export function windowsToDetails(windows: readonly RateLimitWindow[]): Record<string, DetailValue> {
  const out: Record<string, DetailValue> = {};
  for (const w of windows) {
    const k = w.name.replace(/-/g, '_');
    out[`${k}_limit`] = w.limit;
    out[`${k}_remaining`] = w.remaining;
    out[`${k}_reset`] = w.resetAt === null ? null : new Date(w.resetAt).toISOString();
  }
  return out;
}
