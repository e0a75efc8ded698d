// The answers the proxy writes itself (refusals, "no account left", local limits), in the
// client's own shape: OpenAI `{error: {message, type, param, code}}`, Anthropic `{type: "error",
// error: {type, message}}` (with `code`), Google `{error: {code, message, status}}`.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { LimitBreach } from '../usage/usage-ports';
import type { ApiFamily } from './proxy-routes';

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE',
};

export function errorBody(family: ApiFamily | null, status: number, type: string, code: string, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  if (family === 'gemini') return { error: { code: status, message, status: GOOGLE_STATUS[status] ?? 'UNKNOWN', reason: code }, ...extra };
  if (family === 'openai') return { error: { message, type, param: null, code }, ...extra };
  // Anthropic's shape; also what a route-less refusal answers (every SDK reads error.message).
  return { type: 'error', error: { type, code, message }, ...extra };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function retryAfterHeader(at: number | null, now: number): Record<string, string> {
  return at === null ? {} : { 'retry-after': String(Math.max(1, Math.ceil((at - now) / 1000))) };
}

/** 429 when no account is left for the model: names the earliest reset known. */
export function noAccountBody(family: ApiFamily, model: string, earliestResetAt: number | null): Record<string, unknown> {
  const when = earliestResetAt === null ? 'no reset time is known' : `the earliest reset is at ${iso(earliestResetAt)}`;
  return errorBody(family, 429, 'rate_limit_error', 'no_account_available', `No account is available for model "${model}"; ${when}`, {
    earliestResetAt: iso(earliestResetAt),
  });
}

/** 429 when a local usage limit refuses the request: `{error, limit, used, resetAt}`. */
export function limitBody(family: ApiFamily, b: LimitBreach): Record<string, unknown> {
  const who = b.scope === 'global' ? 'the global' : "every candidate account's";
  return errorBody(family, 429, 'rate_limit_error', 'usage_limit_exceeded', `Request refused by ${who} local usage limit ${b.limit} (${b.used} of ${b.max}); it frees up at ${iso(b.resetAt)}`, {
    limit: b.limit,
    scope: b.scope,
    max: b.max,
    used: b.used,
    resetAt: iso(b.resetAt),
  });
}

export function limitText(b: LimitBreach): string {
  return `${b.scope} limit ${b.limit} reached (${b.used}/${b.max})`;
}
