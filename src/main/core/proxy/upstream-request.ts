// One upstream request per attempt, built per provider: the URL under the account's resolved base
// URL, the account's credential injected (the client's proxy key stripped), and the body as the
// upstream wants it. Also says how the answer must be relayed (plain, OpenAI usage chunk
// stripped, Cloud Code envelope unwrapped).
import type { IncomingHttpHeaders } from 'node:http';
import type { AccountRecord, Credentials } from '../model';
import { USER_AGENT } from '../providers/provider-adapter';
import { CLAUDE_OAUTH_BETA } from '../providers/claude';
import type { ProxyRoute } from './proxy-routes';
import type { TranslatedAttempt } from './translate/translated-attempt';

export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/** How the answer is handed to the client. */
export type ResponseShape =
  /** Passed through as is (JSON or SSE); usage read on the side. */
  | { kind: 'plain' }
  /** OpenAI SSE where the proxy asked for the usage chunk the client did not: that chunk is dropped. */
  | { kind: 'openai-strip-usage' }
  /** Cloud Code `{response: …}` answer: unwrapped. */
  | { kind: 'cloudcode-json' }
  /** Cloud Code SSE: each event unwrapped; re-framed as a JSON array when the client did not ask for SSE. */
  | { kind: 'cloudcode-stream'; clientSse: boolean }
  /** Another protocol's answer: translated into the client's (translate/). */
  | { kind: 'translated'; attempt: TranslatedAttempt };

export interface UpstreamTarget {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  shape: ResponseShape;
}

export interface BuildInput {
  route: ProxyRoute;
  account: AccountRecord;
  credentials: Credentials;
  /** resolveBaseUrl(adapter, settings, account): no trailing slash. */
  baseUrl: string;
  clientHeaders: IncomingHttpHeaders;
  /** The client's query string without `key` ("" or "?beta=true"). */
  search: string;
  body: Buffer;
  json: Record<string, unknown>;
  model: string;
}

export class MissingCredentialError extends Error {
  constructor(what: string) {
    super(`The account has no ${what}`);
    this.name = 'MissingCredentialError';
  }
}

/** Client headers never forwarded: hop-by-hop, the proxy key, browser context, encodings. */
const DROP = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding',
  'upgrade', 'expect', 'http2-settings', 'content-length', 'authorization', 'x-api-key', 'x-goog-api-key', 'cookie',
  'origin', 'referer', 'accept-encoding', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto',
  'x-real-ip',
]);

/** The client's headers worth passing on (its User-Agent, anthropic-version/-beta, OpenAI-Beta, …). */
export function forwardableHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in h) {
    if (DROP.has(name) || name.startsWith('x-quotadeck-') || name.startsWith('sec-')) continue;
    const v = h[name];
    if (v === undefined) continue;
    out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Comma-separated beta flags with `flag` added once. */
function withBeta(existing: string | undefined, flag: string): string {
  const parts = (existing ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.includes(flag)) parts.push(flag);
  return parts.join(',');
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new MissingCredentialError(what);
  return value;
}

const STREAM_USAGE_MEMBER = Buffer.from(',"stream_options":{"include_usage":true}');

/**
 * A JSON object's bytes with one more member before its closing brace (the client's JSON is
 * not re-encoded); null when the bytes do not end with `}` (then the caller re-encodes).
 * Only for an object that has other members and not this one's key.
 */
export function withMember(body: Buffer, member: Buffer): Buffer | null {
  let end = body.length - 1;
  while (end >= 0 && (body[end] === 0x20 || body[end] === 0x0a || body[end] === 0x0d || body[end] === 0x09)) end--;
  if (end < 1 || body[end] !== 0x7d /* } */) return null;
  return Buffer.concat([body.subarray(0, end), member, body.subarray(end)]);
}

export function buildUpstream(i: BuildInput): UpstreamTarget {
  const { route, account, credentials: c, baseUrl } = i;
  switch (route.family) {
    case 'openai': {
      const headers = forwardableHeaders(i.clientHeaders);
      headers['authorization'] = `Bearer ${need(c.apiKey ?? c.accessToken, 'API key')}`;
      headers['content-type'] = 'application/json';
      headers['accept-encoding'] = 'identity';
      // The account's base URL already ends in /v1 for 'openai'; OpenRouter's is …/api.
      const prefix = account.provider === 'openrouter' ? `${baseUrl}/v1` : baseUrl;
      const path = route.op === 'openai.responses' ? '/responses' : '/chat/completions';
      let body = i.body;
      let shape: ResponseShape = { kind: 'plain' };
      if (route.op === 'openai.chat' && i.json['stream'] === true) {
        const so = i.json['stream_options'];
        const asked = typeof so === 'object' && so !== null && (so as Record<string, unknown>)['include_usage'] === true;
        if (!asked) {
          // Ask for the final usage chunk so the ledger gets the tokens; the client never sees it.
          const spliced = so === undefined ? withMember(i.body, STREAM_USAGE_MEMBER) : null;
          const opts = typeof so === 'object' && so !== null ? so : {};
          body = spliced ?? Buffer.from(JSON.stringify({ ...i.json, stream_options: { ...opts, include_usage: true } }));
          shape = { kind: 'openai-strip-usage' };
        }
      }
      return { url: `${prefix}${path}${i.search}`, headers, body, shape };
    }
    case 'anthropic': {
      const headers = forwardableHeaders(i.clientHeaders);
      headers['content-type'] = 'application/json';
      headers['accept-encoding'] = 'identity';
      headers['anthropic-version'] ??= DEFAULT_ANTHROPIC_VERSION;
      if (account.provider === 'claude') {
        headers['authorization'] = `Bearer ${need(c.accessToken, 'access token')}`;
        headers['anthropic-beta'] = withBeta(headers['anthropic-beta'], CLAUDE_OAUTH_BETA);
      } else {
        headers['x-api-key'] = need(c.apiKey, 'API key');
      }
      const path = route.op === 'anthropic.count_tokens' ? '/v1/messages/count_tokens' : '/v1/messages';
      return { url: `${baseUrl}${path}${i.search}`, headers, body: i.body, shape: { kind: 'plain' } };
    }
    case 'gemini': {
      const stream = route.op === 'gemini.stream';
      const headers: Record<string, string> = {
        authorization: `Bearer ${need(c.accessToken, 'access token')}`,
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
        'accept-encoding': 'identity',
        'user-agent': USER_AGENT,
      };
      // {model, project, request: <the client's body>}: spliced, the client's JSON is not re-encoded.
      const project = account.projectId === null ? '' : `,"project":${JSON.stringify(account.projectId)}`;
      const body = Buffer.concat([Buffer.from(`{"model":${JSON.stringify(i.model)}${project},"request":`), i.body, Buffer.from('}')]);
      const url = `${baseUrl}/v1internal:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
      return { url, headers, body, shape: stream ? { kind: 'cloudcode-stream', clientSse: route.clientSse } : { kind: 'cloudcode-json' } };
    }
  }
}

/** The client's query string minus any `key` parameter (a credential never travels in a URL). */
export function forwardedSearch(search: URLSearchParams | null): string {
  if (!search) return '';
  search.delete('key');
  search.delete('alt');
  const s = search.toString();
  return s ? `?${s}` : '';
}
