// A real HTTP fake of the two plain-API-key families (shapes: docs/PROVIDERS.md):
// OpenAI `POST …/chat/completions` (Bearer key; any path prefix, so an OpenAI-compatible base
// URL such as {baseUrl}/groq/openai/v1 works too) and Anthropic `POST …/v1/messages`
// (x-api-key + anthropic-version). Minimal valid answers carry rate-limit headers in each
// family's format from per-key limits that count down per request; at 0 requests left it answers
// 429 with retry-after. Unknown keys get 401. Behaviours cover 402, 429s, statuses, garbage, hangs.
// Also `POST …/responses` (OpenAI Responses) and `POST …/v1/messages/count_tokens`; `stream: true`
// answers SSE in each family's event format (OpenAI chunks with a final usage chunk when
// stream_options.include_usage; Anthropic message_start … message_stop with usage; Responses
// events ending in response.completed). A key may instead be a Claude OAuth access token
// (`bearerToken`: Authorization: Bearer + anthropic-beta oauth-2025-04-20). Stream behaviours:
// cut midway, slow first byte, held at a gate. Every request is recorded (with `aborted` when
// the caller hung up first) and announced on `events` ('request', 'aborted', 'finished').
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeServerKit } from './fake-server-kit';

export interface FakeLimit { limit: number; remaining: number; /** Time until the window resets. */ resetMs: number }
export interface FakeLimits { requests?: FakeLimit; tokens?: FakeLimit; inputTokens?: FakeLimit; outputTokens?: FakeLimit }

export type LlmBehaviour =
  | { kind: 'normal' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** 429 rate limit (OpenAI rate_limit_exceeded / Anthropic rate_limit_error) with retry-after and the limit headers. */
  | { kind: 'rateLimited'; retryAfterSec?: number }
  /** 402 Payment Required (OpenRouter-style relays when out of credits). */
  | { kind: 'outOfCredits' }
  /** OpenAI's billing quota: 429 with code insufficient_quota. */
  | { kind: 'insufficientQuota' }
  | { kind: 'malformed' }
  /** Streams: headers at once, the first event after delayMs (non-stream: the whole answer after delayMs). */
  | { kind: 'slowFirstByte'; delayMs: number }
  /**
   * Streams: the connection is destroyed after `afterEvents` events (non-stream: after half the
   * body); with `gate`, only once it resolves (so a test can see the first bytes arrive first).
   */
  | { kind: 'cutStream'; afterEvents: number; gate?: Promise<void> }
  /** Streams: `afterEvents` (default 1) events, then nothing until `gate` resolves, then the rest. */
  | { kind: 'gated'; gate: Promise<void>; afterEvents?: number };

export interface FakeLlmKeySpec {
  key: string;
  limits?: FakeLimits;
  /** Raw headers added to every answer (garbage values, extra families). */
  extraHeaders?: Record<string, string>;
  /** Models this key may use; others get 404. Default: any. */
  models?: string[];
  behaviour?: LlmBehaviour;
  /** The answer's text, one piece per stream delta (default ["Hi"]). */
  reply?: string[];
  /**
   * Answer with this tool call (OpenAI tool_calls / Anthropic tool_use; streamed as two argument
   * deltas) while the request carries no tool result yet; then answer `reply`.
   */
  toolCall?: { id: string; name: string; arguments: string };
  /**
   * Claude OAuth instead of an API key: Anthropic requests are accepted with
   * `Authorization: Bearer <bearerToken()>` and anthropic-beta oauth-2025-04-20 (read per request,
   * so a token rotated by a refresh elsewhere is followed). `key` then only names the spec.
   */
  bearerToken?: () => string;
}

export interface LlmRequest {
  family: 'openai' | 'anthropic' | null;
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number | null;
  /** The spec key the request authenticated as (null: none). */
  key: string | null;
  /** The caller closed the connection before the answer was complete. */
  aborted: boolean;
}

export interface FakeLlmKey {
  readonly spec: FakeLlmKeySpec;
  setBehaviour(b: LlmBehaviour): void;
  setLimits(l: FakeLimits): void;
  callCount(): number;
}

export interface FakeLlmApi {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** {baseUrl}/v1, what an OpenAI account's base URL looks like. */
  openaiBaseUrl: string;
  /** {baseUrl}, what an Anthropic account's base URL looks like. */
  anthropicBaseUrl: string;
  addKey(spec: FakeLlmKeySpec): FakeLlmKey;
  requests: LlmRequest[];
  /** 'request' (body read), 'aborted' (caller hung up early), 'finished' (answer complete): each with the LlmRequest. */
  events: EventEmitter;
  /** The first recorded request (now or later) matching `pred`, once `event` has happened for it. */
  waitFor(pred: (r: LlmRequest) => boolean, event?: 'request' | 'aborted' | 'finished'): Promise<LlmRequest>;
  close(): Promise<void>;
}

export interface FakeLlmOptions {
  now?: () => number;
  /** Keep every request in `requests` (default true; a benchmark turns it off). */
  record?: boolean;
}

type Family = 'openai' | 'anthropic';
type Endpoint = 'chat' | 'responses' | 'messages' | 'count_tokens';
interface Reply { status: number; body: unknown; headers?: Record<string, string>; sse?: string[] }

/** Go-style duration as OpenAI writes it: "20ms", "1s", "59.512s", "6m0s", "1h2m3s". */
export function formatOpenAiDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Number((((ms % 60_000) / 1000)).toFixed(3));
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

const rfc3339 = (t: number): string => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const MAX_COMPLETION_ONLY = /^(o\d|gpt-5)/;

function openaiError(status: number, message: string, type: string, code: string | null, param: string | null = null): Reply {
  return { status, body: { error: { message, type, param, code } } };
}
function anthropicError(status: number, type: string, message: string): Reply {
  return { status, body: { type: 'error', error: { type, message } } };
}
const masked = (key: string): string => (key.length > 10 ? `${key.slice(0, 3)}*********${key.slice(-4)}` : '***');

const sseEvent = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

export async function startFakeLlmApi(opts: FakeLlmOptions = {}): Promise<FakeLlmApi> {
  const now = opts.now ?? (() => Date.now());
  const record = opts.record !== false;
  const keys = new Map<string, { spec: FakeLlmKeySpec; handle: FakeLlmKey }>();
  const requests: LlmRequest[] = [];
  const owner = new Map<LlmRequest, string>();
  const kit = fakeServerKit();
  const timers = kit.timers;
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const happened = new Map<LlmRequest, Set<string>>();
  let counter = 0;

  function later(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
      timers.add(t);
    });
  }

  async function writeSse(res: ServerResponse, r: Reply, b: LlmBehaviour): Promise<void> {
    res.writeHead(r.status, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', ...r.headers });
    const list = r.sse ?? [];
    if (b.kind === 'slowFirstByte') {
      res.flushHeaders();
      await later(b.delayMs);
    }
    for (let i = 0; i < list.length; i++) {
      if (res.destroyed) return;
      if (b.kind === 'gated' && i === (b.afterEvents ?? 1)) {
        await b.gate;
        if (res.destroyed) return;
      }
      if (b.kind === 'cutStream' && i + 1 === b.afterEvents) {
        // Flushed first, then the connection dies mid-stream (no terminating chunk).
        const gate = b.gate;
        res.write(list[i]!, () => {
          if (gate) void gate.then(() => res.socket?.destroy());
          else res.socket?.destroy();
        });
        return;
      }
      res.write(list[i]!);
    }
    res.end();
  }

  function send(res: ServerResponse, r: Reply, b: LlmBehaviour = { kind: 'normal' }): void {
    if (res.destroyed || res.headersSent) return;
    if (r.sse) { void writeSse(res, r, b); return; }
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    if (b.kind === 'cutStream') {
      res.writeHead(r.status, { 'Content-Type': 'application/json', ...r.headers });
      res.write(text.slice(0, text.length >> 1), () => res.socket?.destroy());
      return;
    }
    if (b.kind === 'slowFirstByte') {
      void later(b.delayMs).then(() => { if (!res.destroyed) send(res, r); });
      return;
    }
    res.writeHead(r.status, { 'Content-Type': 'application/json', ...r.headers });
    res.end(text);
  }

  function limitHeaders(family: Family, spec: FakeLlmKeySpec): Record<string, string> {
    const out: Record<string, string> = {};
    const l = spec.limits ?? {};
    const t = now();
    const entries: Array<[string, FakeLimit | undefined]> = family === 'openai'
      ? [['requests', l.requests], ['tokens', l.tokens]]
      : [['requests', l.requests], ['tokens', l.tokens], ['input-tokens', l.inputTokens], ['output-tokens', l.outputTokens]];
    for (const [name, w] of entries) {
      if (!w) continue;
      if (family === 'openai') {
        out[`x-ratelimit-limit-${name}`] = String(w.limit);
        out[`x-ratelimit-remaining-${name}`] = String(w.remaining);
        out[`x-ratelimit-reset-${name}`] = formatOpenAiDuration(w.resetMs);
      } else {
        out[`anthropic-ratelimit-${name}-limit`] = String(w.limit);
        out[`anthropic-ratelimit-${name}-remaining`] = String(w.remaining);
        out[`anthropic-ratelimit-${name}-reset`] = rfc3339(t + w.resetMs);
      }
    }
    return { ...out, ...spec.extraHeaders };
  }

  function rateLimited(family: Family, spec: FakeLlmKeySpec, retryAfterSec: number, model: string): Reply {
    const headers = { ...limitHeaders(family, spec), 'retry-after': String(retryAfterSec) };
    const r = family === 'openai'
      ? openaiError(429, `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit ${spec.limits?.requests?.limit ?? 3}, Used ${spec.limits?.requests?.limit ?? 3}, Requested 1. Please try again in ${retryAfterSec}s.`, 'requests', 'rate_limit_exceeded')
      : anthropicError(429, 'rate_limit_error', 'This request would exceed your organization\'s rate limit of requests per minute. Please try again later.');
    return { ...r, headers };
  }

  /** A successful call uses one request and some tokens; the headers describe what is left. */
  function consume(spec: FakeLlmKeySpec, input: number, output: number): void {
    const l = spec.limits;
    if (!l) return;
    const use = (w: FakeLimit | undefined, n: number): void => { if (w) w.remaining = Math.max(0, w.remaining - n); };
    use(l.requests, 1);
    use(l.tokens, input + output);
    use(l.inputTokens, input);
    use(l.outputTokens, output);
  }

  function answer(family: Family, endpoint: Endpoint, spec: FakeLlmKeySpec, body: Record<string, unknown>, headers: IncomingHttpHeaders): Reply {
    const model = body['model'];
    if (typeof model !== 'string' || model === '') {
      return family === 'openai'
        ? openaiError(400, 'you must provide a model parameter', 'invalid_request_error', null, 'model')
        : anthropicError(400, 'invalid_request_error', 'model: Field required');
    }
    if (endpoint === 'responses') {
      if (body['input'] === undefined) return openaiError(400, "Missing required parameter: 'input'.", 'invalid_request_error', 'missing_required_parameter', 'input');
    } else if (!Array.isArray(body['messages'])) {
      return family === 'openai'
        ? openaiError(400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages')
        : anthropicError(400, 'invalid_request_error', 'messages: Field required');
    }
    if (family === 'anthropic') {
      if (!headers['anthropic-version']) return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required');
      if (endpoint === 'messages' && typeof body['max_tokens'] !== 'number') return anthropicError(400, 'invalid_request_error', 'max_tokens: Field required');
    } else if (MAX_COMPLETION_ONLY.test(model) && body['max_tokens'] !== undefined) {
      return openaiError(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'invalid_request_error', 'unsupported_parameter', 'max_tokens');
    }
    if (spec.models && !spec.models.includes(model)) {
      return family === 'openai'
        ? openaiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found')
        : anthropicError(404, 'not_found_error', `model: ${model}`);
    }
    const requests = spec.limits?.requests;
    if (requests && requests.remaining <= 0) return rateLimited(family, spec, Math.max(1, Math.ceil(requests.resetMs / 1000)), model);
    if (endpoint === 'count_tokens') return { status: 200, headers: limitHeaders(family, spec), body: { input_tokens: 8 } };
    const pieces = spec.reply ?? ['Hi'];
    const out = pieces.length;
    consume(spec, 8, out);
    const id = ++counter;
    const stream = body['stream'] === true;
    const msgs = Array.isArray(body['messages']) ? (body['messages'] as Array<Record<string, unknown>>) : [];
    const answered = msgs.some((m) => m['role'] === 'tool' || (Array.isArray(m['content']) && (m['content'] as Array<Record<string, unknown>>).some((b) => b['type'] === 'tool_result')));
    if (spec.toolCall && !answered && endpoint !== 'responses') return toolAnswer(family, spec, spec.toolCall, model, id, stream, (body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true);
    if (endpoint === 'responses') return responsesAnswer(spec, model, pieces, id, stream);
    if (family === 'openai') {
      const created = Math.floor(now() / 1000);
      if (stream) {
        const so = body['stream_options'] as { include_usage?: unknown } | undefined;
        const withUsage = so?.include_usage === true;
        const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => sseEvent({
          id: `chatcmpl-fake${id}`, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices,
          ...(withUsage ? { usage: null } : {}), ...extra,
        });
        const list = [
          chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]),
          ...pieces.map((p) => chunk([{ index: 0, delta: { content: p }, logprobs: null, finish_reason: null }])),
          chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
          ...(withUsage ? [chunk([], { usage: { prompt_tokens: 8, completion_tokens: out, total_tokens: 8 + out } })] : []),
          sseEvent('[DONE]'),
        ];
        return { status: 200, headers: limitHeaders(family, spec), body: null, sse: list };
      }
      return { status: 200, headers: limitHeaders(family, spec), body: {
        id: `chatcmpl-fake${id}`, object: 'chat.completion', created, model,
        choices: [{ index: 0, message: { role: 'assistant', content: pieces.join(''), refusal: null }, logprobs: null, finish_reason: 'length' }],
        usage: { prompt_tokens: 8, completion_tokens: out, total_tokens: 8 + out }, system_fingerprint: 'fp_fake',
      } };
    }
    const headersOut = { ...limitHeaders(family, spec), 'request-id': `req_fake${id}` };
    if (stream) {
      const list = [
        sseEvent({ type: 'message_start', message: { id: `msg_fake${id}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 8, output_tokens: 1 } } }, 'message_start'),
        sseEvent({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
        sseEvent({ type: 'ping' }, 'ping'),
        ...pieces.map((p) => sseEvent({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } }, 'content_block_delta')),
        sseEvent({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
        sseEvent({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: out } }, 'message_delta'),
        sseEvent({ type: 'message_stop' }, 'message_stop'),
      ];
      return { status: 200, headers: headersOut, body: null, sse: list };
    }
    return { status: 200, headers: headersOut, body: {
      id: `msg_fake${id}`, type: 'message', role: 'assistant', model,
      content: [{ type: 'text', text: pieces.join('') }], stop_reason: 'max_tokens', stop_sequence: null,
      usage: { input_tokens: 8, output_tokens: out },
    } };
  }

  function toolAnswer(family: Family, spec: FakeLlmKeySpec, tc: NonNullable<FakeLlmKeySpec['toolCall']>, model: string, id: number, stream: boolean, withUsage: boolean): Reply {
    const half = tc.arguments.length >> 1;
    const parts = [tc.arguments.slice(0, half), tc.arguments.slice(half)];
    if (family === 'openai') {
      const created = Math.floor(now() / 1000);
      const usage = { prompt_tokens: 8, completion_tokens: 5, total_tokens: 13 };
      if (!stream) {
        return { status: 200, headers: limitHeaders(family, spec), body: {
          id: `chatcmpl-fake${id}`, object: 'chat.completion', created, model,
          choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: tc.id, type: 'function', function: { name: tc.name, arguments: tc.arguments } }] }, finish_reason: 'tool_calls' }],
          usage,
        } };
      }
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => sseEvent({ id: `chatcmpl-fake${id}`, object: 'chat.completion.chunk', created, model, choices, ...extra });
      return { status: 200, headers: limitHeaders(family, spec), body: null, sse: [
        chunk([{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }]),
        chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: tc.id, type: 'function', function: { name: tc.name, arguments: '' } }] }, finish_reason: null }]),
        ...parts.map((a) => chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: a } }] }, finish_reason: null }])),
        chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]),
        ...(withUsage ? [chunk([], { usage })] : []),
        sseEvent('[DONE]'),
      ] };
    }
    const headersOut = { ...limitHeaders(family, spec), 'request-id': `req_fake${id}` };
    if (!stream) {
      return { status: 200, headers: headersOut, body: {
        id: `msg_fake${id}`, type: 'message', role: 'assistant', model, content: [{ type: 'tool_use', id: tc.id, name: tc.name, input: JSON.parse(tc.arguments) }],
        stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 8, output_tokens: 5 },
      } };
    }
    return { status: 200, headers: headersOut, body: null, sse: [
      sseEvent({ type: 'message_start', message: { id: `msg_fake${id}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 8, output_tokens: 1 } } }, 'message_start'),
      sseEvent({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: tc.id, name: tc.name, input: {} } }, 'content_block_start'),
      ...parts.map((a) => sseEvent({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: a } }, 'content_block_delta')),
      sseEvent({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
      sseEvent({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 5 } }, 'message_delta'),
      sseEvent({ type: 'message_stop' }, 'message_stop'),
    ] };
  }

  function responsesAnswer(spec: FakeLlmKeySpec, model: string, pieces: string[], id: number, stream: boolean): Reply {
    const text = pieces.join('');
    const created = Math.floor(now() / 1000);
    const usage = { input_tokens: 8, input_tokens_details: { cached_tokens: 0 }, output_tokens: pieces.length, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 8 + pieces.length };
    const item = { type: 'message', id: `msg_fake${id}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
    const response = (status: string, done: boolean) => ({
      id: `resp_fake${id}`, object: 'response', created_at: created, status, model, output: done ? [item] : [], usage: done ? usage : null,
    });
    if (!stream) return { status: 200, headers: limitHeaders('openai', spec), body: response('completed', true) };
    let seq = 0;
    const ev = (type: string, data: Record<string, unknown>) => sseEvent({ type, sequence_number: seq++, ...data }, type);
    const list = [
      ev('response.created', { response: response('in_progress', false) }),
      ...pieces.map((p) => ev('response.output_text.delta', { item_id: `msg_fake${id}`, output_index: 0, content_index: 0, delta: p })),
      ev('response.output_text.done', { item_id: `msg_fake${id}`, output_index: 0, content_index: 0, text }),
      ev('response.completed', { response: response('completed', true) }),
    ];
    return { status: 200, headers: limitHeaders('openai', spec), body: null, sse: list };
  }

  function act(res: ServerResponse, family: Family, spec: FakeLlmKeySpec, b: LlmBehaviour, normal: () => Reply, model: string): void {
    if (b.kind === 'hang') return;
    const run = (): void => {
      if (res.destroyed) return;
      switch (b.kind) {
        case 'reset': res.socket?.destroy(); return;
        case 'status': {
          const fallback = family === 'openai' ? openaiError(b.status, `Fake error ${b.status}`, 'server_error', null) : anthropicError(b.status, b.status === 529 ? 'overloaded_error' : 'api_error', `Fake error ${b.status}`);
          send(res, { status: b.status, body: b.body ?? fallback.body, headers: { ...limitHeaders(family, spec), ...b.headers } });
          return;
        }
        case 'rateLimited': send(res, rateLimited(family, spec, b.retryAfterSec ?? 20, model)); return;
        case 'outOfCredits':
          send(res, family === 'openai'
            ? openaiError(402, 'Insufficient credits. Add more using https://example.invalid/credits', 'insufficient_credits', 'insufficient_credits')
            : anthropicError(402, 'billing_error', 'Your credit balance is too low to access the Anthropic API.'));
          return;
        case 'insufficientQuota':
          send(res, openaiError(429, 'You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'));
          return;
        case 'malformed': send(res, { status: 200, body: '{"id": "chatcmpl-fake", "choices": [', headers: limitHeaders(family, spec) }); return;
        default: send(res, normal(), b);
      }
    };
    if (b.kind === 'slow') {
      const t = setTimeout(() => { timers.delete(t); run(); }, b.delayMs);
      timers.add(t);
    } else run();
  }

  function mark(rec: LlmRequest, event: 'request' | 'aborted' | 'finished'): void {
    if (record) {
      let set = happened.get(rec);
      if (!set) happened.set(rec, (set = new Set()));
      set.add(event);
    }
    events.emit(event, rec);
  }

  /** An OAuth spec whose current token is this bearer token. */
  function byBearer(token: string): { spec: FakeLlmKeySpec; handle: FakeLlmKey } | undefined {
    for (const k of keys.values()) if (k.spec.bearerToken && k.spec.bearerToken() === token) return k;
    return undefined;
  }

  /**
   * GET …/models: the key's `models` as OpenAI's list (Bearer) or Anthropic's (x-api-key); a key
   * without a `models` list answers 404 as an upstream without the endpoint would.
   */
  function listModels(h: IncomingHttpHeaders): Reply {
    const anthropic = typeof h['x-api-key'] === 'string';
    const key = anthropic ? (h['x-api-key'] as string) : /^Bearer (.+)$/.exec(h.authorization ?? '')?.[1];
    const k = key === undefined ? undefined : keys.get(key);
    if (!k) return anthropic ? anthropicError(401, 'authentication_error', 'invalid x-api-key') : openaiError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    const models = k.spec.models;
    if (!models) return openaiError(404, 'Invalid URL (GET /models)', 'invalid_request_error', null);
    const data = anthropic
      ? models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z' }))
      : models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' }));
    return { status: 200, body: anthropic ? { data, has_more: false, first_id: models[0] ?? null, last_id: models[models.length - 1] ?? null } : { object: 'list', data } };
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const endpoint: Endpoint | null = path.endsWith('/chat/completions') ? 'chat' : path.endsWith('/responses') ? 'responses'
      : path.endsWith('/v1/messages') ? 'messages' : path.endsWith('/v1/messages/count_tokens') ? 'count_tokens' : null;
    const family: Family | null = endpoint === 'chat' || endpoint === 'responses' ? 'openai' : endpoint === null ? null : 'anthropic';
    const rec: LlmRequest = { family, path, method: req.method ?? 'GET', headers: req.headers, body: undefined, status: null, key: null, aborted: false };
    if (record) requests.push(rec);
    res.on('finish', () => { rec.status = res.statusCode; mark(rec, 'finished'); });
    res.on('close', () => {
      if (!res.writableFinished) { rec.aborted = true; mark(rec, 'aborted'); }
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try { rec.body = JSON.parse(text); } catch { rec.body = undefined; }
      if (req.method === 'GET' && path.endsWith('/models')) { mark(rec, 'request'); send(res, listModels(req.headers)); return; }
      if (req.method !== 'POST' || family === null || endpoint === null) { mark(rec, 'request'); send(res, openaiError(404, `Invalid URL (${req.method ?? ''} ${path})`, 'invalid_request_error', null)); return; }
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      let key = family === 'openai' ? bearer : (typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined);
      let k = key === undefined ? undefined : keys.get(key);
      if (k?.spec.bearerToken) k = undefined;
      if (family === 'anthropic' && key === undefined && bearer !== undefined) {
        const betas = String(req.headers['anthropic-beta'] ?? '').split(',').map((x) => x.trim());
        if (!betas.includes('oauth-2025-04-20')) { mark(rec, 'request'); send(res, anthropicError(401, 'authentication_error', 'OAuth authentication is currently not supported.')); return; }
        k = byBearer(bearer);
        key = bearer;
        if (!k) { mark(rec, 'request'); send(res, anthropicError(401, 'authentication_error', 'OAuth token has expired. Please obtain a new token or refresh your existing token.')); return; }
      }
      if (k) rec.key = k.spec.key;
      mark(rec, 'request');
      if (!k) {
        send(res, family === 'openai'
          ? openaiError(401, key ? `Incorrect API key provided: ${masked(key)}. You can find your API key at https://platform.openai.com/account/api-keys.` : "You didn't provide an API key.", 'invalid_request_error', key ? 'invalid_api_key' : null)
          : anthropicError(401, 'authentication_error', key ? 'invalid x-api-key' : 'x-api-key header is required'));
        return;
      }
      owner.set(rec, k.spec.key);
      const body = rec.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        send(res, family === 'openai'
          ? openaiError(400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null)
          : anthropicError(400, 'invalid_request_error', 'The request body is not valid JSON.'));
        return;
      }
      const b = body as Record<string, unknown>;
      const spec = k.spec;
      act(res, family, spec, spec.behaviour ?? { kind: 'normal' }, () => answer(family, endpoint, spec, b, req.headers), String(b['model'] ?? ''));
    });
  });
  kit.track(server);
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    openaiBaseUrl: `${baseUrl}/v1`,
    anthropicBaseUrl: baseUrl,
    requests,
    events,
    waitFor(pred, event = 'request') {
      for (const r of requests) if (pred(r) && happened.get(r)?.has(event)) return Promise.resolve(r);
      return new Promise((resolve) => {
        const on = (r: LlmRequest) => {
          if (!pred(r)) return;
          events.off(event, on);
          resolve(r);
        };
        events.on(event, on);
      });
    },
    addKey(input) {
      if (keys.has(input.key)) throw new Error(`fake-llm-api: duplicate key ${input.key}`);
      const spec: FakeLlmKeySpec = { ...input, ...(input.limits ? { limits: structuredClone(input.limits) } : {}) };
      const handle: FakeLlmKey = {
        spec,
        setBehaviour: (b) => { spec.behaviour = b; },
        setLimits: (l) => { spec.limits = structuredClone(l); },
        callCount: () => requests.filter((r) => owner.get(r) === spec.key).length,
      };
      keys.set(spec.key, { spec, handle });
      return handle;
    },
    close() {
      return kit.close(server);
    },
  };
}
