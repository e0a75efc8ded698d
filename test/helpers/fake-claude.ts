// A real HTTP fake of Anthropic's Claude OAuth usage endpoint and its OAuth token endpoint
// (shapes: docs/PROVIDERS.md). Accounts are told, per access token, to answer normally, slowly,
// hang, reset, return a status (401/403/429 with Retry-After, 5xx) or malformed JSON.
// Refresh tokens rotate like Anthropic's: the old one answers invalid_grant once used.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeServerKit } from './fake-server-kit';
import type { FakeBehaviour as GoogleBehaviour } from './fake-google';

export type FakeBehaviour = Exclude<GoogleBehaviour, { kind: 'quota429' }>;
export const FAKE_CLAUDE_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
export const CLAUDE_WINDOW_KEYS = ['five_hour', 'seven_day', 'seven_day_oauth_apps', 'seven_day_opus', 'seven_day_sonnet'] as const;
export type ClaudeWindowKey = (typeof CLAUDE_WINDOW_KEYS)[number];
export interface FakeClaudeWindow { utilization: number | null; resets_at: string | null }
export type FakeClaudeWindows = Partial<Record<ClaudeWindowKey, FakeClaudeWindow | null>>;
export interface FakeExtraUsage { is_enabled: boolean; monthly_limit: number | null; used_credits: number | null; utilization: number | null }

export interface FakeClaudeProfile {
  organizationType?: string | null;
  rateLimitTier?: string | null;
  hasClaudeMax?: boolean;
  hasClaudePro?: boolean;
  behaviour?: FakeBehaviour;
}

export interface FakeClaudeAccountSpec {
  refreshToken: string;
  accessToken?: string;
  /** Windows as the API answers them; a missing key answers null. Default: a light 5 h and 7 d load. */
  windows?: FakeClaudeWindows;
  extraUsage?: FakeExtraUsage | null;
  /** Included in the usage answer as subscription_type when set. */
  subscriptionType?: string;
  /**
   * What GET /api/oauth/profile answers about the plan (organization.organization_type,
   * organization.rate_limit_tier, account.has_claude_max/pro). Without it the profile answers 404.
   */
  profile?: FakeClaudeProfile;
  /** Granted scopes; without user:profile the usage endpoint answers 403 (setup tokens). */
  scopes?: string[];
  /** expires_in of issued access tokens (default 28800 s). */
  expiresIn?: number;
  /** Issue a new refresh token on every refresh (default true, as Anthropic does). */
  rotateRefreshToken?: boolean;
  behaviour?: FakeBehaviour;
  tokenBehaviour?: FakeBehaviour;
  latencyMs?: number;
}
export interface FakeClaudeRequest {
  path: string; method: string; authorization: string | null; beta: string | null; contentType: string | null;
  body: string; startedAt: number; endedAt: number | null; status: number | null;
}
export interface FakeClaudeAccount {
  readonly spec: FakeClaudeAccountSpec;
  accessToken(): string;
  refreshToken(): string;
  setBehaviour(b: FakeBehaviour): void;
  setTokenBehaviour(b: FakeBehaviour): void;
  setWindows(w: FakeClaudeWindows): void;
  setWindow(key: ClaudeWindowKey, w: FakeClaudeWindow | null): void;
  setProfile(p: FakeClaudeProfile): void;
  revokeAccessToken(): void;
  revokeRefreshToken(): void;
  /** Requests this account made: usage calls, or another path's ('/v1/oauth/token', '/api/oauth/profile'). */
  callCount(path?: string): number;
}
export interface FakeClaude {
  baseUrl: string;
  tokenUrl: string;
  addAccount(spec: FakeClaudeAccountSpec): FakeClaudeAccount;
  /** By its first or current refresh token. */
  account(refreshToken: string): FakeClaudeAccount;
  requests: FakeClaudeRequest[];
  close(): Promise<void>;
}

interface Account { spec: FakeClaudeAccountSpec & { accessToken: string; refreshToken: string }; refreshRevoked: boolean; handle: FakeClaudeAccount }
interface Reply { status: number; body: unknown; headers?: Record<string, string> }

const USAGE_PATH = '/api/oauth/usage';
const PROFILE_PATH = '/api/oauth/profile';
const TOKEN_PATH = '/v1/oauth/token';
const BETA = 'oauth-2025-04-20';
const MALFORMED = '{"five_hour": {"utilization": 12.0, "resets_at": "2026-';
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
  413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error',
};

const apiError = (status: number, message: string): Reply => ({
  status,
  body: { type: 'error', error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message }, request_id: `req_fake${status}` },
});
const oauthError = (status: number, error: string, description: string): Reply => ({ status, body: { error, error_description: description } });

function defaultStatusBody(status: number, api: boolean): unknown {
  if (!api) return oauthError(status, status >= 500 ? 'server_error' : 'invalid_request', `Fake OAuth error ${status}.`).body;
  const messages: Record<number, string> = {
    401: 'OAuth token has expired. Please obtain a new token or refresh your existing token.',
    403: 'Your account does not have access to Claude. Please contact support.',
    429: 'Rate limited. Please try again later.',
    529: 'Overloaded',
  };
  return apiError(status, messages[status] ?? (status >= 500 ? 'Internal server error' : `Fake error ${status}.`)).body;
}

export async function startFakeClaude(opts: { defaultLatencyMs?: number } = {}): Promise<FakeClaude> {
  const byRefresh = new Map<string, Account>();  // first and current refresh tokens
  const byAccess = new Map<string, Account>();   // valid access tokens only
  const accounts: Account[] = [];
  const requests: FakeClaudeRequest[] = [];
  const owner = new Map<FakeClaudeRequest, Account>();
  const kit = fakeServerKit();
  let counter = 0;
  const rnd = () => Math.random().toString(36).slice(2, 12);
  const newAccessToken = () => `sk-ant-oat01-fake${++counter}-${rnd()}`;
  const newRefreshToken = () => `sk-ant-ort01-fake${++counter}-${rnd()}`;

  const later = kit.later;

  function send(res: ServerResponse, r: Reply): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(r.status, { 'Content-Type': 'application/json', ...r.headers });
    res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  }

  function act(res: ServerResponse, rec: FakeClaudeRequest, b: FakeBehaviour, delayMs: number, api: boolean, normal: () => Reply): void {
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
    const body: Record<string, unknown> = {};
    for (const k of CLAUDE_WINDOW_KEYS) body[k] = s.windows?.[k] ?? null;
    body['extra_usage'] = s.extraUsage === undefined
      ? { is_enabled: false, monthly_limit: null, used_credits: null, utilization: null }
      : s.extraUsage;
    if (s.subscriptionType !== undefined) body['subscription_type'] = s.subscriptionType;
    return { status: 200, body };
  }

  function handleUsage(res: ServerResponse, rec: FakeClaudeRequest): void {
    const delay0 = opts.defaultLatencyMs ?? 0;
    const token = /^Bearer (.+)$/.exec(rec.authorization ?? '')?.[1];
    const a = token === undefined ? undefined : byAccess.get(token);
    if (a) owner.set(rec, a);
    if (rec.beta?.split(',').map((s) => s.trim()).includes(BETA) !== true) {
      act(res, rec, { kind: 'normal' }, delay0, true, () => apiError(401, 'OAuth authentication is currently not supported.'));
      return;
    }
    if (!a) { act(res, rec, { kind: 'normal' }, delay0, true, () => apiError(401, 'Invalid bearer token')); return; }
    const delay = a.spec.latencyMs ?? delay0;
    if (!(a.spec.scopes ?? ['user:inference', 'user:profile']).includes('user:profile')) {
      act(res, rec, { kind: 'normal' }, delay, true, () => apiError(403, 'OAuth token does not meet scope requirement user:profile'));
      return;
    }
    act(res, rec, a.spec.behaviour ?? { kind: 'normal' }, delay, true, () => usageAnswer(a));
  }

  function profileAnswer(a: Account): Reply {
    const p = a.spec.profile ?? {};
    const n = accounts.indexOf(a) + 1;
    return { status: 200, body: {
      account: {
        uuid: `acct-fake-${n}`, email: 'someone@example.com', full_name: 'Some One', display_name: 'Some',
        has_claude_max: p.hasClaudeMax ?? p.organizationType === 'claude_max',
        has_claude_pro: p.hasClaudePro ?? p.organizationType === 'claude_pro',
      },
      organization: {
        uuid: 'org-fake', name: 'Fake Org', organization_type: p.organizationType ?? null,
        billing_type: p.organizationType ? 'stripe_subscription' : null, rate_limit_tier: p.rateLimitTier ?? null,
      },
    } };
  }

  function handleProfile(res: ServerResponse, rec: FakeClaudeRequest): void {
    const token = /^Bearer (.+)$/.exec(rec.authorization ?? '')?.[1];
    const a = token === undefined ? undefined : byAccess.get(token);
    if (a) owner.set(rec, a);
    if (!a) { act(res, rec, { kind: 'normal' }, 0, true, () => apiError(401, 'Invalid bearer token')); return; }
    // An account told nothing about its profile answers as the fake always did (404), so older
    // tests see no plan and no profile email.
    if (!a.spec.profile) { act(res, rec, { kind: 'normal' }, 0, true, () => apiError(404, `Not found: GET ${PROFILE_PATH}`)); return; }
    act(res, rec, a.spec.profile.behaviour ?? { kind: 'normal' }, a.spec.latencyMs ?? opts.defaultLatencyMs ?? 0, true, () => profileAnswer(a));
  }

  function handleToken(req: IncomingMessage, res: ServerResponse, rec: FakeClaudeRequest): void {
    // Claude Code sends JSON; a form body is accepted too.
    let form: URLSearchParams;
    try {
      form = (req.headers['content-type'] ?? '').includes('json')
        ? new URLSearchParams(JSON.parse(rec.body) as Record<string, string>)
        : new URLSearchParams(rec.body);
    } catch { form = new URLSearchParams(); }
    const a = byRefresh.get(form.get('refresh_token') ?? '');
    if (a) owner.set(rec, a);
    act(res, rec, a?.spec.tokenBehaviour ?? { kind: 'normal' }, a?.spec.latencyMs ?? opts.defaultLatencyMs ?? 0, false, () => {
      if (form.get('grant_type') !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', `Grant type "${form.get('grant_type') ?? ''}" not supported`);
      if (form.get('client_id') !== FAKE_CLAUDE_CLIENT_ID) return oauthError(401, 'invalid_client', 'Client authentication failed');
      if (!form.get('refresh_token')) return oauthError(400, 'invalid_request', 'Missing refresh_token');
      if (!a || a.refreshRevoked || a.spec.refreshToken !== form.get('refresh_token')) return oauthError(400, 'invalid_grant', 'Invalid refresh token');
      byAccess.delete(a.spec.accessToken);
      a.spec.accessToken = newAccessToken();
      byAccess.set(a.spec.accessToken, a);
      if (a.spec.rotateRefreshToken !== false) {
        a.spec.refreshToken = newRefreshToken();
        byRefresh.set(a.spec.refreshToken, a);
      }
      return { status: 200, body: {
        token_type: 'Bearer',
        access_token: a.spec.accessToken,
        expires_in: a.spec.expiresIn ?? 28_800,
        ...(a.spec.rotateRefreshToken !== false ? { refresh_token: a.spec.refreshToken } : {}),
        scope: (a.spec.scopes ?? ['user:inference', 'user:profile']).join(' '),
        organization: { uuid: 'org-fake', name: 'Fake Org' },
        account: { uuid: `acct-fake-${accounts.indexOf(a) + 1}`, email_address: 'someone@example.com' },
      } };
    });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const rec: FakeClaudeRequest = {
      path, method: req.method ?? 'GET', authorization: req.headers.authorization ?? null,
      beta: (req.headers['anthropic-beta'] as string | undefined) ?? null, contentType: req.headers['content-type'] ?? null,
      body: '', startedAt: Date.now(), endedAt: null, status: null,
    };
    requests.push(rec);
    res.on('finish', () => { rec.endedAt = Date.now(); rec.status = res.statusCode; });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      rec.body = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'GET' && path === USAGE_PATH) handleUsage(res, rec);
      else if (req.method === 'GET' && path === PROFILE_PATH) handleProfile(res, rec);
      else if (req.method === 'POST' && path === TOKEN_PATH) handleToken(req, res, rec);
      else act(res, rec, { kind: 'normal' }, 0, true, () => apiError(404, `Not found: ${req.method ?? ''} ${path}`));
    });
  });
  kit.track(server);
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function addAccount(input: FakeClaudeAccountSpec): FakeClaudeAccount {
    if (byRefresh.has(input.refreshToken)) throw new Error(`fake-claude: duplicate refresh token ${input.refreshToken}`);
    const hour = (h: number) => new Date(Math.ceil((Date.now() + h * 3_600_000) / 60_000) * 60_000).toISOString();
    const spec = {
      ...input,
      accessToken: input.accessToken ?? newAccessToken(),
      windows: { ...(input.windows ?? { five_hour: { utilization: 12, resets_at: hour(5) }, seven_day: { utilization: 30, resets_at: hour(120) } }) },
    };
    const a: Account = { spec, refreshRevoked: false, handle: undefined as unknown as FakeClaudeAccount };
    a.handle = {
      spec,
      accessToken: () => a.spec.accessToken,
      refreshToken: () => a.spec.refreshToken,
      setBehaviour: (b) => { a.spec.behaviour = b; },
      setTokenBehaviour: (b) => { a.spec.tokenBehaviour = b; },
      setWindows: (w) => { a.spec.windows = { ...w }; },
      setWindow: (k, w) => { a.spec.windows = { ...a.spec.windows, [k]: w }; },
      setProfile: (p) => { a.spec.profile = { ...p }; },
      revokeAccessToken: () => { byAccess.delete(a.spec.accessToken); },
      revokeRefreshToken: () => { a.refreshRevoked = true; },
      callCount: (p) => requests.filter((r) => owner.get(r) === a && r.path === (p ?? USAGE_PATH)).length,
    };
    accounts.push(a);
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
      if (!a) throw new Error(`fake-claude: unknown refresh token ${refreshToken}`);
      return a.handle;
    },
    requests,
    close() {
      return kit.close(server);
    },
  };
}
