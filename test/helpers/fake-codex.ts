// A real HTTP fake of ChatGPT's Codex usage endpoint (/backend-api/wham/usage) and OpenAI's
// OAuth token endpoint (shapes: docs/PROVIDERS.md). Access and id tokens are real unsigned-style
// JWTs (base64url header.payload.signature) carrying the "https://api.openai.com/auth" claim;
// the usage endpoint checks ChatGPT-Account-Id against it. Refresh tokens rotate; reusing one
// answers refresh_token_reused, a revoked one refresh_token_expired, an unknown one invalid_grant.
// Inference: `POST /backend-api/codex/responses` (the Responses API as the Codex backend speaks
// it: Bearer + ChatGPT-Account-Id, `store: false`, `stream: true` and `instructions` required,
// sampling and token-limit parameters refused) streams response.created, output items
// (reasoning with encrypted_content, message text deltas, function_call argument deltas) and
// response.completed with usage; a 429 is `{error: {type: "usage_limit_reached", resets_in_seconds}}`.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeServerKit } from './fake-server-kit';
import type { FakeBehaviour as GoogleBehaviour } from './fake-google';

export type FakeBehaviour = Exclude<GoogleBehaviour, { kind: 'quota429' }>;
export const FAKE_CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
export const AUTH_CLAIM = 'https://api.openai.com/auth';

export interface FakeCodexWindow { used_percent: number | null; limit_window_seconds?: number; reset_after_seconds?: number; reset_at?: number }
export interface FakeCodexRateLimit {
  allowed?: boolean;
  limit_reached?: boolean;
  primary_window: FakeCodexWindow | null;
  secondary_window: FakeCodexWindow | null;
}
export interface FakeCodexCredits { has_credits: boolean; unlimited: boolean; balance: string | number | null }
export interface FakeCodexAccountSpec {
  refreshToken: string;
  accessToken?: string;
  /** chatgpt_account_id in the tokens' auth claim and the expected ChatGPT-Account-Id. */
  accountId?: string;
  email?: string;
  /** chatgpt_plan_type in the tokens' auth claim and plan_type in the usage answer (default "plus"). */
  planType?: string;
  /** Leave plan_type out of the usage answer (the id_token's claim is then the only source). */
  usageWithoutPlan?: boolean;
  /** null answers rate_limit: null. Default: a light 5 h and weekly load. */
  rateLimit?: FakeCodexRateLimit | null;
  additionalRateLimits?: { limit_name: string; metered_feature?: string; rate_limit: FakeCodexRateLimit | null }[] | null;
  credits?: FakeCodexCredits | null;
  /** Seconds issued access tokens live (their exp claim; default 10 days). */
  accessTtlSec?: number;
  /** Also answer expires_in from the token endpoint (the real one may omit it). */
  includeExpiresIn?: boolean;
  /** 'opaque' issues access tokens that are not JWTs (no exp to read). */
  accessTokenFormat?: 'jwt' | 'opaque';
  /** Usage without a matching ChatGPT-Account-Id answers 403 (default true). */
  requireAccountIdHeader?: boolean;
  behaviour?: FakeBehaviour;
  tokenBehaviour?: FakeBehaviour;
  latencyMs?: number;
  /** The Responses endpoint's behaviour (default normal). */
  responsesBehaviour?: FakeBehaviour | { kind: 'usageLimit'; resetsInSeconds: number };
  /** The answer scripted from the request body (default: one message saying "Hi"). */
  turn?: (body: Record<string, unknown>) => FakeCodexTurn | undefined;
}
export type FakeCodexItem =
  | { type: 'message'; text: string[] }
  | { type: 'function_call'; callId: string; name: string; arguments: string[] }
  | { type: 'reasoning'; summary: string[]; encrypted: string };
export interface FakeCodexTurn {
  items: FakeCodexItem[];
  usage?: { input_tokens: number; output_tokens: number };
  /** The connection is destroyed after this many events. */
  cutAfter?: number;
}
export interface FakeCodexRequest {
  path: string; method: string; authorization: string | null; accountIdHeader: string | null; contentType: string | null;
  body: string; startedAt: number; endedAt: number | null; status: number | null;
}
export interface FakeCodexAccount {
  readonly spec: FakeCodexAccountSpec;
  accessToken(): string;
  refreshToken(): string;
  idToken(): string;
  accountId(): string;
  setBehaviour(b: FakeBehaviour): void;
  setTokenBehaviour(b: FakeBehaviour): void;
  setRateLimit(rl: FakeCodexRateLimit | null): void;
  setResponsesBehaviour(b: FakeCodexAccountSpec['responsesBehaviour']): void;
  setTurn(t: FakeCodexAccountSpec['turn']): void;
  setAdditionalRateLimits(l: FakeCodexAccountSpec['additionalRateLimits']): void;
  revokeAccessToken(): void;
  revokeRefreshToken(): void;
  callCount(path?: string): number;
}
export interface FakeCodex {
  baseUrl: string;
  tokenUrl: string;
  addAccount(spec: FakeCodexAccountSpec): FakeCodexAccount;
  account(refreshToken: string): FakeCodexAccount;
  requests: FakeCodexRequest[];
  close(): Promise<void>;
}

interface Account {
  spec: FakeCodexAccountSpec & { accessToken: string; accountId: string; refreshToken: string };
  idToken: string;
  refreshRevoked: boolean;
  handle: FakeCodexAccount;
}
interface Reply { status: number; body: unknown; headers?: Record<string, string> }

const USAGE_PATH = '/backend-api/wham/usage';
const RESPONSES_PATH = '/backend-api/codex/responses';
const REFUSED_PARAMS = ['max_output_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'previous_response_id'];
const TOKEN_PATH = '/oauth/token';
const MALFORMED = '{"plan_type": "plus", "rate_limit": {"allowed": true, "primary_window": {"used_percent": ';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** A JWT-shaped token: real base64url header and payload, a random (unverifiable) signature. */
export function fakeJwt(payload: Record<string, unknown>): string {
  return `${b64({ alg: 'RS256', typ: 'JWT', kid: 'fake' })}.${b64(payload)}.${randomBytes(32).toString('base64url')}`;
}

const openaiError = (status: number, code: string, message: string): Reply => ({
  status, body: { error: { message, type: 'invalid_request_error', param: null, code } },
});

function defaultStatusBody(status: number, api: boolean): unknown {
  if (!api) return { error: { message: `Fake OAuth error ${status}.`, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null } };
  if (status === 401) return { detail: 'Could not parse your authentication token. Please try signing in again.' };
  if (status === 403) return { detail: { code: 'deactivated_workspace', message: 'This workspace has been deactivated.' } };
  if (status === 429) return { detail: 'Too many requests. Please slow down.' };
  return { detail: status >= 500 ? 'Internal Server Error' : `Fake error ${status}.` };
}

export async function startFakeCodex(opts: { defaultLatencyMs?: number } = {}): Promise<FakeCodex> {
  const byRefresh = new Map<string, Account>();
  const byAccess = new Map<string, Account>();
  const requests: FakeCodexRequest[] = [];
  const owner = new Map<FakeCodexRequest, Account>();
  const kit = fakeServerKit();
  let counter = 0;
  const rnd = () => Math.random().toString(36).slice(2, 12);

  function authClaim(s: Account['spec']): Record<string, unknown> {
    return { chatgpt_account_id: s.accountId, chatgpt_plan_type: s.planType ?? 'plus', chatgpt_user_id: `user-fake${s.accountId}` };
  }
  function newAccessToken(s: Account['spec']): string {
    counter++;
    if (s.accessTokenFormat === 'opaque') return `opaque-fake${counter}-${rnd()}`;
    const now = Math.floor(Date.now() / 1000);
    return fakeJwt({ iss: 'https://auth.openai.com', aud: ['https://api.openai.com/v1'], iat: now, exp: now + (s.accessTtlSec ?? 864_000), jti: `fake${counter}`, [AUTH_CLAIM]: authClaim(s) });
  }
  function newIdToken(s: Account['spec']): string {
    const now = Math.floor(Date.now() / 1000);
    return fakeJwt({ iss: 'https://auth.openai.com', aud: [FAKE_CODEX_CLIENT_ID], iat: now, exp: now + 3600, email: s.email ?? 'someone@example.com', [AUTH_CLAIM]: authClaim(s) });
  }

  const later = kit.later;

  function send(res: ServerResponse, r: Reply): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(r.status, { 'Content-Type': 'application/json', ...r.headers });
    res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  }

  function act(res: ServerResponse, rec: FakeCodexRequest, b: FakeBehaviour, delayMs: number, api: boolean, normal: () => Reply): void {
    if (b.kind === 'hang') return;
    later(delayMs + (b.kind === 'slow' ? b.delayMs : 0), () => {
      if (res.destroyed) return;
      if (b.kind === 'reset') { rec.endedAt = Date.now(); res.socket?.destroy(); return; }
      if (b.kind === 'status') send(res, { status: b.status, body: b.body ?? defaultStatusBody(b.status, api), ...(b.headers ? { headers: b.headers } : {}) });
      else if (b.kind === 'malformed') send(res, { status: 200, body: MALFORMED });
      else send(res, normal());
    });
  }

  function usageAnswer(a: Account): Reply {
    const s = a.spec;
    return { status: 200, body: {
      user_id: `user-fake${s.accountId}`,
      account_id: s.accountId,
      email: s.email ?? 'someone@example.com',
      ...(s.usageWithoutPlan ? {} : { plan_type: s.planType ?? 'plus' }),
      rate_limit: s.rateLimit === null ? null : { allowed: true, limit_reached: false, ...s.rateLimit },
      code_review_rate_limit: null,
      additional_rate_limits: s.additionalRateLimits ?? null,
      credits: s.credits === undefined ? { has_credits: false, unlimited: false, balance: null } : s.credits,
      promo: null,
    } };
  }

  function handleUsage(res: ServerResponse, rec: FakeCodexRequest): void {
    const delay0 = opts.defaultLatencyMs ?? 0;
    const token = /^Bearer (.+)$/.exec(rec.authorization ?? '')?.[1];
    const a = token === undefined ? undefined : byAccess.get(token);
    if (!a) { act(res, rec, { kind: 'normal' }, delay0, true, () => ({ status: 401, body: defaultStatusBody(401, true) })); return; }
    owner.set(rec, a);
    const delay = a.spec.latencyMs ?? delay0;
    if (a.spec.requireAccountIdHeader !== false && rec.accountIdHeader !== a.spec.accountId) {
      act(res, rec, { kind: 'normal' }, delay, true, () => ({ status: 403, body: { detail: { code: 'account_mismatch', message: 'ChatGPT-Account-Id is missing or does not match this token.' } } }));
      return;
    }
    act(res, rec, a.spec.behaviour ?? { kind: 'normal' }, delay, true, () => usageAnswer(a));
  }

  function responsesEvents(model: string, t: FakeCodexTurn): string[] {
    const id = `resp_fake${++counter}`;
    let seq = 0;
    const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
    const base = (status: string, output: unknown[], usage: unknown) => ({ id, object: 'response', created_at: Math.floor(Date.now() / 1000), status, model, output, usage });
    const out = [ev('response.created', { response: base('in_progress', [], null) }), ev('response.in_progress', { response: base('in_progress', [], null) })];
    const done: unknown[] = [];
    t.items.forEach((it, output_index) => {
      if (it.type === 'message') {
        const item_id = `msg_fake${++counter}`;
        const text = it.text.join('');
        out.push(ev('response.output_item.added', { output_index, item: { type: 'message', id: item_id, status: 'in_progress', role: 'assistant', content: [] } }));
        out.push(ev('response.content_part.added', { item_id, output_index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }));
        for (const d of it.text) out.push(ev('response.output_text.delta', { item_id, output_index, content_index: 0, delta: d }));
        out.push(ev('response.output_text.done', { item_id, output_index, content_index: 0, text }));
        const item = { type: 'message', id: item_id, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
        out.push(ev('response.output_item.done', { output_index, item }));
        done.push(item);
      } else if (it.type === 'function_call') {
        const item_id = `fc_fake${++counter}`;
        out.push(ev('response.output_item.added', { output_index, item: { type: 'function_call', id: item_id, call_id: it.callId, name: it.name, arguments: '', status: 'in_progress' } }));
        for (const d of it.arguments) out.push(ev('response.function_call_arguments.delta', { item_id, output_index, delta: d }));
        const item = { type: 'function_call', id: item_id, call_id: it.callId, name: it.name, arguments: it.arguments.join(''), status: 'completed' };
        out.push(ev('response.function_call_arguments.done', { item_id, output_index, arguments: item.arguments }));
        out.push(ev('response.output_item.done', { output_index, item }));
        done.push(item);
      } else {
        const item_id = `rs_fake${++counter}`;
        out.push(ev('response.output_item.added', { output_index, item: { type: 'reasoning', id: item_id, summary: [] } }));
        for (const d of it.summary) out.push(ev('response.reasoning_summary_text.delta', { item_id, output_index, summary_index: 0, delta: d }));
        const item = { type: 'reasoning', id: item_id, summary: [{ type: 'summary_text', text: it.summary.join('') }], encrypted_content: it.encrypted };
        out.push(ev('response.output_item.done', { output_index, item }));
        done.push(item);
      }
    });
    const u = t.usage ?? { input_tokens: 10, output_tokens: 3 };
    const usage = { input_tokens: u.input_tokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: u.output_tokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.input_tokens + u.output_tokens };
    out.push(ev('response.completed', { response: base('completed', done, usage) }));
    return out;
  }

  function handleResponses(res: ServerResponse, rec: FakeCodexRequest): void {
    const delay0 = opts.defaultLatencyMs ?? 0;
    const token = /^Bearer (.+)$/.exec(rec.authorization ?? '')?.[1];
    const a = token === undefined ? undefined : byAccess.get(token);
    if (!a) { act(res, rec, { kind: 'normal' }, delay0, true, () => ({ status: 401, body: defaultStatusBody(401, true) })); return; }
    owner.set(rec, a);
    const delay = a.spec.latencyMs ?? delay0;
    let body: Record<string, unknown> | null = null;
    try { const v: unknown = JSON.parse(rec.body); if (v && typeof v === 'object' && !Array.isArray(v)) body = v as Record<string, unknown>; } catch { body = null; }
    const refuse = (detail: string): void => act(res, rec, { kind: 'normal' }, delay, true, () => ({ status: 400, body: { detail } }));
    if (rec.accountIdHeader !== a.spec.accountId) { act(res, rec, { kind: 'normal' }, delay, true, () => ({ status: 403, body: { detail: { code: 'account_mismatch', message: 'ChatGPT-Account-Id is missing or does not match this token.' } } })); return; }
    if (!body) return refuse('Invalid JSON body');
    if (body['store'] !== false) return refuse('Store must be set to false');
    if (body['stream'] !== true) return refuse('Stream must be set to true');
    if (typeof body['instructions'] !== 'string') return refuse('Instructions are required');
    if (!Array.isArray(body['input'])) return refuse('Input must be a list');
    const refused = REFUSED_PARAMS.find((k) => body![k] !== undefined);
    if (refused) return refuse(`Unsupported parameter: ${refused}`);
    const b = a.spec.responsesBehaviour ?? { kind: 'normal' };
    if (b.kind === 'usageLimit') {
      act(res, rec, { kind: 'normal' }, delay, true, () => ({ status: 429, body: { error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', plan_type: a.spec.planType ?? 'plus', resets_in_seconds: b.resetsInSeconds } } }));
      return;
    }
    if (b.kind !== 'normal') { act(res, rec, b, delay, true, () => ({ status: 500, body: { detail: 'unreachable' } })); return; }
    const turn = a.spec.turn?.(body) ?? { items: [{ type: 'message', text: ['Hi'] }] };
    const events = responsesEvents(String(body['model']), turn);
    later(delay, () => {
      if (res.destroyed) return;
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      for (let i = 0; i < events.length; i++) {
        if (turn.cutAfter !== undefined && i === turn.cutAfter) { res.write('', () => res.socket?.destroy()); return; }
        res.write(events[i]!);
      }
      res.end();
    });
  }

  function handleToken(req: IncomingMessage, res: ServerResponse, rec: FakeCodexRequest): void {
    let body: Record<string, unknown> = {};
    let parsed = true;
    try {
      body = (req.headers['content-type'] ?? '').includes('json')
        ? (JSON.parse(rec.body) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(rec.body));
    } catch { parsed = false; }
    const given = typeof body['refresh_token'] === 'string' ? body['refresh_token'] : '';
    const a = byRefresh.get(given);
    if (a) owner.set(rec, a);
    act(res, rec, a?.spec.tokenBehaviour ?? { kind: 'normal' }, a?.spec.latencyMs ?? opts.defaultLatencyMs ?? 0, false, () => {
      if (!parsed) return openaiError(400, 'invalid_json', 'We could not parse the JSON body of your request.');
      if (body['grant_type'] !== 'refresh_token') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' } };
      if (body['client_id'] !== FAKE_CODEX_CLIENT_ID) return { status: 401, body: { error: 'invalid_client', error_description: 'Unknown client' } };
      if (!a) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh token' } };
      if (a.refreshRevoked) return openaiError(401, 'refresh_token_expired', 'Your refresh token has expired. Please try signing in again.');
      if (a.spec.refreshToken !== given) return openaiError(401, 'refresh_token_reused', 'Your refresh token has already been used to generate a new access token. Please try signing in again.');
      byAccess.delete(a.spec.accessToken);
      a.spec.accessToken = newAccessToken(a.spec);
      byAccess.set(a.spec.accessToken, a);
      a.spec.refreshToken = `rt-fake${++counter}-${rnd()}`;
      byRefresh.set(a.spec.refreshToken, a);
      a.idToken = newIdToken(a.spec);
      return { status: 200, body: {
        id_token: a.idToken,
        access_token: a.spec.accessToken,
        refresh_token: a.spec.refreshToken,
        ...(a.spec.includeExpiresIn ? { expires_in: a.spec.accessTtlSec ?? 864_000 } : {}),
      } };
    });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const rec: FakeCodexRequest = {
      path, method: req.method ?? 'GET', authorization: req.headers.authorization ?? null,
      accountIdHeader: (req.headers['chatgpt-account-id'] as string | undefined) ?? null, contentType: req.headers['content-type'] ?? null,
      body: '', startedAt: Date.now(), endedAt: null, status: null,
    };
    requests.push(rec);
    res.on('finish', () => { rec.endedAt = Date.now(); rec.status = res.statusCode; });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      rec.body = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'GET' && path === USAGE_PATH) handleUsage(res, rec);
      else if (req.method === 'POST' && path === TOKEN_PATH) handleToken(req, res, rec);
      else if (req.method === 'POST' && path === RESPONSES_PATH) handleResponses(res, rec);
      else act(res, rec, { kind: 'normal' }, 0, true, () => ({ status: 404, body: { detail: 'Not Found' } }));
    });
  });
  kit.track(server);
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function addAccount(input: FakeCodexAccountSpec): FakeCodexAccount {
    if (byRefresh.has(input.refreshToken)) throw new Error(`fake-codex: duplicate refresh token ${input.refreshToken}`);
    const nowSec = Math.floor(Date.now() / 1000);
    const spec: Account['spec'] = {
      ...input,
      accountId: input.accountId ?? `acct-${(++counter).toString(16).padStart(8, '0')}-fake`,
      accessToken: '',
      rateLimit: input.rateLimit === undefined
        ? {
            primary_window: { used_percent: 10, limit_window_seconds: 18_000, reset_after_seconds: 3_600, reset_at: nowSec + 3_600 },
            secondary_window: { used_percent: 20, limit_window_seconds: 604_800, reset_after_seconds: 86_400, reset_at: nowSec + 86_400 },
          }
        : input.rateLimit,
    };
    spec.accessToken = input.accessToken ?? newAccessToken(spec);
    const a: Account = { spec, idToken: newIdToken(spec), refreshRevoked: false, handle: undefined as unknown as FakeCodexAccount };
    a.handle = {
      spec,
      accessToken: () => a.spec.accessToken,
      refreshToken: () => a.spec.refreshToken,
      idToken: () => a.idToken,
      accountId: () => a.spec.accountId,
      setBehaviour: (b) => { a.spec.behaviour = b; },
      setTokenBehaviour: (b) => { a.spec.tokenBehaviour = b; },
      setRateLimit: (rl) => { a.spec.rateLimit = rl; },
      setResponsesBehaviour: (b) => { a.spec.responsesBehaviour = b; },
      setTurn: (t) => { a.spec.turn = t; },
      setAdditionalRateLimits: (l) => { a.spec.additionalRateLimits = l; },
      revokeAccessToken: () => { byAccess.delete(a.spec.accessToken); },
      revokeRefreshToken: () => { a.refreshRevoked = true; },
      callCount: (p) => requests.filter((r) => owner.get(r) === a && r.path === (p ?? USAGE_PATH)).length,
    };
    byRefresh.set(spec.refreshToken, a);
    byAccess.set(spec.accessToken, a);
    return a.handle;
  }

  return {
    baseUrl,
    tokenUrl: `${baseUrl}${TOKEN_PATH}`,
    addAccount,
    account(refreshToken) {
      const a = byRefresh.get(refreshToken);
      if (!a) throw new Error(`fake-codex: unknown refresh token ${refreshToken}`);
      return a.handle;
    },
    requests,
    close() {
      return kit.close(server);
    },
  };
}
