// A real HTTP fake of the two plain-API-key families (shapes: docs/PROVIDERS.md):
// OpenAI `POST …/chat/completions` (Bearer key; any path prefix, so an OpenAI-compatible base
// URL such as {baseUrl}/groq/openai/v1 works too) and Anthropic `POST …/v1/messages`
// (x-api-key + anthropic-version). Minimal valid answers carry rate-limit headers in each
// family's format from per-key limits that count down per request; at 0 requests left it answers
// 429 with retry-after. Unknown keys get 401. Behaviours cover 402, 429s, statuses, garbage, hangs.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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
  | { kind: 'malformed' };

export interface FakeLlmKeySpec {
  key: string;
  limits?: FakeLimits;
  /** Raw headers added to every answer (garbage values, extra families). */
  extraHeaders?: Record<string, string>;
  /** Models this key may use; others get 404. Default: any. */
  models?: string[];
  behaviour?: LlmBehaviour;
}

export interface LlmRequest {
  family: 'openai' | 'anthropic' | null;
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number | null;
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
  close(): Promise<void>;
}

type Family = 'openai' | 'anthropic';
interface Reply { status: number; body: unknown; headers?: Record<string, string> }

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

export async function startFakeLlmApi(opts: { now?: () => number } = {}): Promise<FakeLlmApi> {
  const now = opts.now ?? (() => Date.now());
  const keys = new Map<string, { spec: FakeLlmKeySpec; handle: FakeLlmKey }>();
  const requests: LlmRequest[] = [];
  const owner = new Map<LlmRequest, string>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let counter = 0;

  function send(res: ServerResponse, r: Reply): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(r.status, { 'Content-Type': 'application/json', ...r.headers });
    res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
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

  function answer(family: Family, spec: FakeLlmKeySpec, body: Record<string, unknown>, headers: IncomingHttpHeaders): Reply {
    const model = body['model'];
    if (typeof model !== 'string' || model === '') {
      return family === 'openai'
        ? openaiError(400, 'you must provide a model parameter', 'invalid_request_error', null, 'model')
        : anthropicError(400, 'invalid_request_error', 'model: Field required');
    }
    if (!Array.isArray(body['messages'])) {
      return family === 'openai'
        ? openaiError(400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages')
        : anthropicError(400, 'invalid_request_error', 'messages: Field required');
    }
    if (family === 'anthropic') {
      if (!headers['anthropic-version']) return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required');
      if (typeof body['max_tokens'] !== 'number') return anthropicError(400, 'invalid_request_error', 'max_tokens: Field required');
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
    consume(spec, 8, 1);
    const id = ++counter;
    if (family === 'openai') {
      return { status: 200, headers: limitHeaders(family, spec), body: {
        id: `chatcmpl-fake${id}`, object: 'chat.completion', created: Math.floor(now() / 1000), model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, logprobs: null, finish_reason: 'length' }],
        usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 }, system_fingerprint: 'fp_fake',
      } };
    }
    return { status: 200, headers: { ...limitHeaders(family, spec), 'request-id': `req_fake${id}` }, body: {
      id: `msg_fake${id}`, type: 'message', role: 'assistant', model,
      content: [{ type: 'text', text: 'Hi' }], stop_reason: 'max_tokens', stop_sequence: null,
      usage: { input_tokens: 8, output_tokens: 1 },
    } };
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
        default: send(res, normal());
      }
    };
    if (b.kind === 'slow') {
      const t = setTimeout(() => { timers.delete(t); run(); }, b.delayMs);
      timers.add(t);
    } else run();
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const family: Family | null = path.endsWith('/chat/completions') ? 'openai' : path.endsWith('/v1/messages') ? 'anthropic' : null;
    const rec: LlmRequest = { family, path, method: req.method ?? 'GET', headers: req.headers, body: undefined, status: null };
    requests.push(rec);
    res.on('finish', () => { rec.status = res.statusCode; });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try { rec.body = JSON.parse(text); } catch { rec.body = undefined; }
      if (req.method !== 'POST' || family === null) { send(res, openaiError(404, `Invalid URL (${req.method ?? ''} ${path})`, 'invalid_request_error', null)); return; }
      const key = family === 'openai'
        ? /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
        : (typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined);
      const k = key === undefined ? undefined : keys.get(key);
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
      act(res, family, k.spec, k.spec.behaviour ?? { kind: 'normal' }, () => answer(family, k.spec, b, req.headers), String(b['model'] ?? ''));
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    openaiBaseUrl: `${baseUrl}/v1`,
    anthropicBaseUrl: baseUrl,
    requests,
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
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
    },
  };
}
