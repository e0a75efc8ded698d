// A real HTTP fake of Google's Cloud Code `v1internal` API and OAuth token endpoint
// (shapes: docs/PROVIDERS.md). Tests and benchmarks point the product at `baseUrl`/`tokenUrl`.
// Inference too: `:generateContent` answers `{response: {candidates, usageMetadata, …}}` and
// `:streamGenerateContent?alt=sse` streams `data: {"response": {…}}` events (the last one with
// the usage), for a body `{model, project, request: {contents}}`. A spec's `turn` scripts the
// answer from the request: several parts per event (text, `thought: true` parts with a
// thoughtSignature, `functionCall {name, args, id}` parts), the finishReason, the usage, and a
// cut after some events (the connection dies mid-stream).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeServerKit } from './fake-server-kit';

export type FakeBehaviour =
  | { kind: 'normal' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'quota429'; resetDelay: string; resetTimestamp?: string; retryDelay?: string }
  | { kind: 'malformed' };
export interface FakeModel { displayName?: string; remainingFraction?: number; resetTime?: string; omitQuotaInfo?: boolean }
/** A retrieveUserQuotaSummary group, sent as given (fields left out are left out). */
export interface FakeSummaryGroup {
  displayName?: string;
  buckets?: { bucketId?: string; window?: string; remainingFraction?: number; resetTime?: string }[];
}
/** A retrieveUserQuota bucket, sent as given. */
export interface FakeQuotaBucket { modelId?: string; tokenType?: string; remainingFraction?: number; resetTime?: string }
/** The v1internal methods, for per-method behaviour. */
export type FakeApiMethod = 'loadCodeAssist' | 'fetchAvailableModels' | 'retrieveUserQuotaSummary' | 'retrieveUserQuota' | 'generateContent' | 'streamGenerateContent';
export interface FakeAccountSpec {
  refreshToken: string;
  accessToken?: string;
  projectId?: string;
  tierId?: string; tierName?: string;
  paidTierId?: string; paidTierName?: string;
  credits?: { creditType: string; creditAmount: string }[];
  models?: Record<string, FakeModel>;
  /** Replace the groups retrieveUserQuotaSummary derives from `models`. */
  summaryGroups?: FakeSummaryGroup[];
  /** Replace the buckets retrieveUserQuota derives from `models`. */
  quotaBuckets?: FakeQuotaBucket[];
  behaviour?: FakeBehaviour;
  /** Behaviour of one v1internal method, before `behaviour` (which applies to all of them). */
  methodBehaviour?: Partial<Record<FakeApiMethod, FakeBehaviour>>;
  tokenBehaviour?: FakeBehaviour;
  latencyMs?: number;
  /** generateContent's answer text, one piece per streamed event (default ["Hi"]). */
  reply?: string[];
  /** The answer scripted from the request (undefined: the `reply` text). */
  turn?: (req: { model: string; request: Record<string, unknown> }) => FakeTurn | undefined;
}
/** A scripted answer: each entry of `chunks` is one streamed event's parts (non-stream: all parts in order). */
export interface FakeTurn {
  chunks: Array<Array<Record<string, unknown>>>;
  finishReason?: string;
  usage?: { promptTokenCount: number; candidatesTokenCount: number; thoughtsTokenCount?: number };
  /** Streams: the connection is destroyed after this many events (no finishReason is sent). */
  cutAfter?: number;
}
export interface RecordedRequest {
  path: string; method: string; authorization: string | null; body: string; startedAt: number; endedAt: number | null; status: number | null;
  /** The caller closed the connection before the answer was complete. */
  aborted?: boolean;
}
export interface FakeGoogle {
  baseUrl: string;
  tokenUrl: string;
  addAccount(spec: FakeAccountSpec): FakeAccountHandle;
  account(refreshToken: string): FakeAccountHandle;
  requests: RecordedRequest[];
  maxConcurrent(): number;
  inFlight(): number;
  resetStats(): void;
  close(): Promise<void>;
}
export interface FakeAccountHandle {
  readonly spec: FakeAccountSpec;
  accessToken(): string;
  setBehaviour(b: FakeBehaviour): void;
  /** One method's behaviour; undefined falls back to setBehaviour's. */
  setMethodBehaviour(method: FakeApiMethod, b: FakeBehaviour | undefined): void;
  setSummaryGroups(groups: FakeSummaryGroup[] | undefined): void;
  setQuotaBuckets(buckets: FakeQuotaBucket[] | undefined): void;
  setTokenBehaviour(b: FakeBehaviour): void;
  setModels(models: Record<string, FakeModel>): void;
  setTurn(turn: FakeAccountSpec['turn']): void;
  setModel(id: string, m: FakeModel): void;
  revokeAccessToken(): void;
  revokeRefreshToken(): void;
  callCount(path?: string): number;
}

interface Account { spec: FakeAccountSpec & { accessToken: string; projectId: string }; refreshRevoked: boolean; handle: FakeAccountHandle }
interface Reply { status: number; body: unknown; headers?: Record<string, string>; sse?: string[]; cutAfter?: number }

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 501: 'NOT_IMPLEMENTED', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};
const UNAUTHENTICATED = 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile openid';
const MALFORMED = '{"models": {"gemini-3-pro-high": {"displayName": "Gemini 3 Pro';
const API_PATHS = ['loadCodeAssist', 'fetchAvailableModels', 'retrieveUserQuotaSummary', 'retrieveUserQuota', 'generateContent', 'streamGenerateContent'].map((m) => `/v1internal:${m}`);

const googleError = (code: number, message: string, details?: unknown[]): Reply => ({
  status: code,
  body: { error: { code, message, status: STATUS_NAMES[code] ?? (code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'), ...(details ? { details } : {}) } },
});
const oauthError = (status: number, error: string, description: string): Reply => ({ status, body: { error, error_description: description } });

function defaultStatusBody(status: number, api: boolean): unknown {
  if (!api) return oauthError(status, status >= 500 ? 'internal_failure' : 'invalid_request', `Fake OAuth error ${status}.`).body;
  if (status === 403) {
    return googleError(403, 'Verify your account to continue.', [{
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'VALIDATION_REQUIRED', domain: 'cloudcode-pa.googleapis.com',
      metadata: { validation_url: 'https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=fake' },
    }]).body;
  }
  return googleError(status, status >= 500 ? 'The service is currently unavailable.' : `Fake error ${status}.`).body;
}

function quotaBody(b: Extract<FakeBehaviour, { kind: 'quota429' }>): unknown {
  const metadata: Record<string, string> = { quotaResetDelay: b.resetDelay };
  if (b.resetTimestamp !== undefined) metadata['quotaResetTimeStamp'] = b.resetTimestamp;
  const details: unknown[] = [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'QUOTA_EXHAUSTED', domain: 'cloudcode-pa.googleapis.com', metadata }];
  if (b.retryDelay !== undefined) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: b.retryDelay });
  return googleError(429, `You have exhausted your capacity on this model. Your quota will reset after ${b.resetDelay}.`, details).body;
}

function tier(id: string, name: string): Record<string, unknown> {
  return { id, name, quotaTier: id, slug: id.replace(/-tier$/, '') };
}

export async function startFakeGoogle(opts: { defaultLatencyMs?: number } = {}): Promise<FakeGoogle> {
  const accounts = new Map<string, Account>();   // by refresh token
  const byAccess = new Map<string, Account>();   // valid access tokens only
  const requests: RecordedRequest[] = [];
  const owner = new Map<RecordedRequest, Account>();
  const kit = fakeServerKit();
  let counter = 0, inFlight = 0, maxConcurrent = 0;
  const newAccessToken = (): string => `ya29.fake-${++counter}-${Math.random().toString(36).slice(2, 10)}`;

  const later = kit.later;

  function send(res: ServerResponse, r: Reply): void {
    if (res.destroyed || res.headersSent) return;
    if (r.sse) {
      res.writeHead(r.status, { 'Content-Type': 'text/event-stream', ...r.headers });
      for (let i = 0; i < r.sse.length; i++) {
        if (r.cutAfter !== undefined && i === r.cutAfter) {
          res.write('', () => res.socket?.destroy());
          return;
        }
        res.write(r.sse[i]!);
      }
      res.end();
      return;
    }
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    res.writeHead(r.status, { 'Content-Type': 'application/json; charset=UTF-8', ...r.headers });
    res.end(text);
  }

  /** Waits `delayMs`, then answers according to `b` (`normal` computes the regular answer). */
  function act(res: ServerResponse, rec: RecordedRequest, b: FakeBehaviour, delayMs: number, api: boolean, normal: () => Reply): void {
    if (b.kind === 'hang') return;
    later(delayMs + (b.kind === 'slow' ? b.delayMs : 0), () => {
      if (res.destroyed) return;
      if (b.kind === 'reset') { rec.endedAt = Date.now(); res.socket?.destroy(); return; }
      if (b.kind === 'status') send(res, { status: b.status, body: b.body ?? defaultStatusBody(b.status, api), ...(b.headers ? { headers: b.headers } : {}) });
      else if (b.kind === 'quota429') send(res, { status: 429, body: quotaBody(b) });
      else if (b.kind === 'malformed') send(res, { status: 200, body: MALFORMED });
      else send(res, normal());
    });
  }

  function models(a: Account): Record<string, FakeModel> { return a.spec.models ?? {}; }

  function generateAnswer(a: Account, body: Record<string, unknown>, stream: boolean): Reply {
    const model = body['model'];
    const request = body['request'] as { contents?: unknown } | undefined;
    if (typeof model !== 'string' || model === '') return googleError(400, 'Invalid JSON payload received. Missing "model".');
    if (typeof request !== 'object' || request === null || !Array.isArray(request.contents)) {
      return googleError(400, 'Invalid JSON payload received. "request.contents" is required.');
    }
    if (!(model in models(a))) return googleError(404, `Requested entity was not found: model ${model}.`);
    const turn = a.spec.turn?.({ model, request: request as Record<string, unknown> });
    if (turn) return scripted(turn, model, stream);
    const pieces = a.spec.reply ?? ['Hi'];
    const usage = { promptTokenCount: 8, candidatesTokenCount: pieces.length, totalTokenCount: 8 + pieces.length };
    const responseId = `fake-resp-${++counter}`;
    const candidate = (text: string, done: boolean) => ({ content: { role: 'model', parts: [{ text }] }, ...(done ? { finishReason: 'STOP' } : {}) });
    if (!stream) {
      return { status: 200, body: { response: { candidates: [candidate(pieces.join(''), true)], usageMetadata: usage, modelVersion: model, responseId }, traceId: 'fake-trace' } };
    }
    const events = pieces.map((p, i) => {
      const last = i === pieces.length - 1;
      const response = { candidates: [candidate(p, last)], ...(last ? { usageMetadata: usage } : {}), modelVersion: model, responseId };
      return `data: ${JSON.stringify({ response, traceId: 'fake-trace' })}\r\n\r\n`;
    });
    return { status: 200, body: null, sse: events };
  }

  function scripted(t: FakeTurn, model: string, stream: boolean): Reply {
    const responseId = `fake-resp-${++counter}`;
    const usage = { ...(t.usage ?? { promptTokenCount: 8, candidatesTokenCount: t.chunks.length }), totalTokenCount: 0 };
    usage.totalTokenCount = usage.promptTokenCount + usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0);
    const finishReason = t.finishReason ?? 'STOP';
    if (!stream) {
      const parts = t.chunks.flat();
      return { status: 200, body: { response: { candidates: [{ content: { role: 'model', parts }, finishReason }], usageMetadata: usage, modelVersion: model, responseId }, traceId: 'fake-trace' } };
    }
    const events = t.chunks.map((parts, i) => {
      const last = i === t.chunks.length - 1;
      const response = { candidates: [{ content: { role: 'model', parts }, ...(last ? { finishReason } : {}) }], ...(last ? { usageMetadata: usage } : {}), modelVersion: model, responseId };
      return `data: ${JSON.stringify({ response, traceId: 'fake-trace' })}\r\n\r\n`;
    });
    return { status: 200, body: null, sse: events, ...(t.cutAfter !== undefined ? { cutAfter: t.cutAfter } : {}) };
  }

  function apiAnswer(a: Account, path: string, body?: Record<string, unknown>): Reply {
    const s = a.spec;
    if (path.endsWith(':generateContent')) return generateAnswer(a, body ?? {}, false);
    if (path.endsWith(':streamGenerateContent')) return generateAnswer(a, body ?? {}, true);
    if (path.endsWith(':loadCodeAssist')) {
      const current = tier(s.tierId ?? 'free-tier', s.tierName ?? (s.tierId === undefined ? 'Free' : s.tierId));
      const paid = s.paidTierId === undefined ? undefined
        : { ...tier(s.paidTierId, s.paidTierName ?? s.paidTierId), ...(s.credits ? { availableCredits: s.credits } : {}) };
      return { status: 200, body: {
        cloudaicompanionProject: s.projectId, currentTier: current, ...(paid ? { paidTier: paid } : {}),
        allowedTiers: [{ ...current, isDefault: true, userDefinedCloudaicompanionProject: false }], ineligibleTiers: [],
      } };
    }
    const entries = Object.entries(models(a));
    const quota = (m: FakeModel): Record<string, unknown> => ({
      ...(m.remainingFraction !== undefined ? { remainingFraction: m.remainingFraction } : {}),
      ...(m.resetTime !== undefined ? { resetTime: m.resetTime } : {}),
    });
    if (path.endsWith(':fetchAvailableModels')) {
      const out: Record<string, unknown> = {};
      for (const [id, m] of entries) out[id] = { displayName: m.displayName ?? id, ...(m.omitQuotaInfo ? {} : { quotaInfo: quota(m) }) };
      return { status: 200, body: { models: out, deprecatedModelIds: {} } };
    }
    const withQuota = entries.filter(([, m]) => !m.omitQuotaInfo);
    const bump = (m: FakeModel): FakeModel =>
      m.remainingFraction === undefined ? m : { ...m, remainingFraction: Math.min(1, m.remainingFraction + 0.1) };
    if (path.endsWith(':retrieveUserQuotaSummary') && s.summaryGroups) return { status: 200, body: { groups: s.summaryGroups } };
    if (path.endsWith(':retrieveUserQuota') && s.quotaBuckets) return { status: 200, body: { buckets: s.quotaBuckets } };
    if (path.endsWith(':retrieveUserQuotaSummary')) {
      const weekReset = new Date(Date.now() + 7 * 86_400_000).toISOString();
      return { status: 200, body: { groups: withQuota.map(([id, m]) => ({
        displayName: m.displayName ?? id,
        buckets: [
          { bucketId: `${id}-5h`, window: '5h', ...quota(m) },
          { bucketId: `${id}-weekly`, window: 'weekly', ...quota({ ...bump(m), resetTime: weekReset }) },
        ],
      })) } };
    }
    // retrieveUserQuota: two buckets per model; the REQUESTS one is the lowest.
    return { status: 200, body: { buckets: withQuota.flatMap(([id, m]) => [
      { ...quota(m), modelId: id, tokenType: 'REQUESTS' },
      { ...quota(bump(m)), modelId: id, tokenType: 'INPUT_TOKENS' },
    ]) } };
  }

  function handleApi(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, path: string): void {
    const auth = /^Bearer (.+)$/.exec(rec.authorization ?? '');
    const a = auth?.[1] === undefined ? undefined : byAccess.get(auth[1]);
    if (!a) { act(res, rec, { kind: 'normal' }, opts.defaultLatencyMs ?? 0, true, () => googleError(401, UNAUTHENTICATED)); return; }
    owner.set(rec, a);
    const delay = a.spec.latencyMs ?? opts.defaultLatencyMs ?? 0;
    let invalid: Reply | undefined;
    let body: unknown;
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      invalid = googleError(400, 'Invalid Content-Type: expected application/json.');
    } else {
      try { body = rec.body === '' ? {} : JSON.parse(rec.body); } catch { body = undefined; }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) invalid = googleError(400, 'Invalid JSON payload received.');
      else {
        const project = (body as Record<string, unknown>)['project'];
        if (project !== undefined && project !== a.spec.projectId && !path.endsWith(':loadCodeAssist')) {
          invalid = googleError(403, `Permission denied on resource project ${String(project)}.`);
        }
      }
    }
    if (invalid) { const r = invalid; act(res, rec, { kind: 'normal' }, delay, true, () => r); return; }
    const method = path.slice(path.indexOf(':') + 1) as FakeApiMethod;
    act(res, rec, a.spec.methodBehaviour?.[method] ?? a.spec.behaviour ?? { kind: 'normal' }, delay, true, () => apiAnswer(a, path, body as Record<string, unknown>));
  }

  function handleToken(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest): void {
    const json = (req.headers['content-type'] ?? '').includes('json');
    let form: URLSearchParams;
    try { form = json ? new URLSearchParams(JSON.parse(rec.body) as Record<string, string>) : new URLSearchParams(rec.body); } catch { form = new URLSearchParams(); }
    const a = accounts.get(form.get('refresh_token') ?? '');
    if (a) owner.set(rec, a);
    const delay = a?.spec.latencyMs ?? opts.defaultLatencyMs ?? 0;
    act(res, rec, a?.spec.tokenBehaviour ?? { kind: 'normal' }, delay, false, () => {
      if (form.get('grant_type') !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') ?? ''}`);
      if (!form.get('client_id')) return oauthError(400, 'invalid_request', 'Could not determine client ID from request.');
      if (!a || a.refreshRevoked) return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
      byAccess.delete(a.spec.accessToken);
      a.spec.accessToken = newAccessToken();
      byAccess.set(a.spec.accessToken, a);
      return { status: 200, body: { access_token: a.spec.accessToken, expires_in: 3599, token_type: 'Bearer', scope: SCOPE } };
    });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const rec: RecordedRequest = {
      path, method: req.method ?? 'GET', authorization: req.headers.authorization ?? null,
      body: '', startedAt: Date.now(), endedAt: null, status: null,
    };
    requests.push(rec);
    inFlight++;
    maxConcurrent = Math.max(maxConcurrent, inFlight);
    let open = true;
    res.on('finish', () => { rec.endedAt = Date.now(); rec.status = res.statusCode; });
    res.on('close', () => {
      if (!res.writableFinished) rec.aborted = true;
      if (open) { open = false; inFlight--; }
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      rec.body = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'POST' && API_PATHS.includes(path)) handleApi(req, res, rec, path);
      else if (req.method === 'POST' && path === '/token') handleToken(req, res, rec);
      else act(res, rec, { kind: 'normal' }, opts.defaultLatencyMs ?? 0, true, () => googleError(404, `Method not found: ${req.method ?? ''} ${path}`));
    });
  });
  kit.track(server);
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function addAccount(input: FakeAccountSpec): FakeAccountHandle {
    if (accounts.has(input.refreshToken)) throw new Error(`fake-google: duplicate refresh token ${input.refreshToken}`);
    const n = ++counter;
    const resetTime = new Date(Math.ceil((Date.now() + 5 * 3_600_000) / 60_000) * 60_000).toISOString();
    const spec = {
      ...input,
      accessToken: input.accessToken ?? newAccessToken(),
      projectId: input.projectId ?? `proj-${n}`,
      models: { ...(input.models ?? {
        'gemini-3-pro-high': { displayName: 'Gemini 3 Pro (High)', remainingFraction: 0.8, resetTime },
        'claude-sonnet-4-5': { displayName: 'Claude Sonnet 4.5', remainingFraction: 0.5, resetTime },
      }) },
    };
    const a: Account = { spec, refreshRevoked: false, handle: undefined as unknown as FakeAccountHandle };
    a.handle = {
      spec,
      accessToken: () => a.spec.accessToken,
      setBehaviour: (b) => { a.spec.behaviour = b; },
      setMethodBehaviour: (m, b) => {
        const next = { ...a.spec.methodBehaviour };
        if (b) next[m] = b; else delete next[m];
        a.spec.methodBehaviour = next;
      },
      setSummaryGroups: (g) => { if (g) a.spec.summaryGroups = g; else delete a.spec.summaryGroups; },
      setQuotaBuckets: (q) => { if (q) a.spec.quotaBuckets = q; else delete a.spec.quotaBuckets; },
      setTokenBehaviour: (b) => { a.spec.tokenBehaviour = b; },
      setModels: (m) => { a.spec.models = { ...m }; },
      setTurn: (t) => { if (t) a.spec.turn = t; else delete a.spec.turn; },
      setModel: (id, m) => { a.spec.models = { ...models(a), [id]: m }; },
      revokeAccessToken: () => { byAccess.delete(a.spec.accessToken); },
      revokeRefreshToken: () => { a.refreshRevoked = true; },
      callCount: (p) => requests.filter((r) => owner.get(r) === a
        && (p === undefined ? r.path !== '/token' : r.path === p || r.path.endsWith(`:${p}`))).length,
    };
    accounts.set(spec.refreshToken, a);
    byAccess.set(spec.accessToken, a);
    return a.handle;
  }

  return {
    baseUrl,
    tokenUrl: `${baseUrl}/token`,
    addAccount,
    account(refreshToken) {
      const a = accounts.get(refreshToken);
      if (!a) throw new Error(`fake-google: unknown refresh token ${refreshToken}`);
      return a.handle;
    },
    requests,
    maxConcurrent: () => maxConcurrent,
    inFlight: () => inFlight,
    resetStats() { requests.length = 0; owner.clear(); maxConcurrent = inFlight; },
    close() {
      return kit.close(server);
    },
  };
}
