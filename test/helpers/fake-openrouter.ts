// A real HTTP fake of OpenRouter's key and credits endpoints (shapes: docs/PROVIDERS.md).
// `baseUrl` ends in /api like the real one: GET {baseUrl}/v1/key and {baseUrl}/v1/credits with
// `Authorization: Bearer sk-or-v1-…`. Unknown keys get 401; behaviours per key cover 402, 429
// (with X-RateLimit-* headers), other statuses, garbage, hangs and dropped connections.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeServerKit } from './fake-server-kit';

export type OpenRouterBehaviour =
  | { kind: 'normal' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** 402 as OpenRouter sends it when the account has no credits left. */
  | { kind: 'outOfCredits' }
  /** 429 with X-RateLimit-Limit/Remaining(0)/Reset (epoch ms) and optionally Retry-After. */
  | { kind: 'rateLimited'; limit?: number; resetAt: number; retryAfterSec?: number }
  | { kind: 'malformed' };

export interface FakeOpenRouterKeySpec {
  key: string;
  label?: string;
  /** null: unlimited (the default). */
  limit?: number | null;
  limitRemaining?: number | null;
  limitReset?: 'daily' | 'weekly' | 'monthly' | null;
  usage?: number;
  usageDaily?: number;
  usageWeekly?: number;
  usageMonthly?: number;
  isFreeTier?: boolean;
  totalCredits?: number;
  totalUsage?: number;
  /** For GET /v1/key. */
  behaviour?: OpenRouterBehaviour;
  /** For GET /v1/credits. */
  creditsBehaviour?: OpenRouterBehaviour;
}

export interface OpenRouterRequest { path: string; method: string; authorization: string | null; startedAt: number; status: number | null }

export interface FakeOpenRouterKey {
  readonly spec: FakeOpenRouterKeySpec;
  setBehaviour(b: OpenRouterBehaviour): void;
  setCreditsBehaviour(b: OpenRouterBehaviour): void;
  update(patch: Partial<Omit<FakeOpenRouterKeySpec, 'key'>>): void;
  callCount(path?: '/v1/key' | '/v1/credits'): number;
}

export interface FakeOpenRouter {
  /** http://127.0.0.1:<port>/api */
  baseUrl: string;
  addKey(spec: FakeOpenRouterKeySpec): FakeOpenRouterKey;
  requests: OpenRouterRequest[];
  close(): Promise<void>;
}

interface Reply { status: number; body: unknown; headers?: Record<string, string> }

const MALFORMED = '{"data": {"label": "sk-or-v1-abc...", "limit": 10, "usage"';
const orError = (status: number, message: string, metadata?: unknown): Reply => ({
  status,
  body: { error: { message, code: status, ...(metadata === undefined ? {} : { metadata }) } },
});

export async function startFakeOpenRouter(): Promise<FakeOpenRouter> {
  const keys = new Map<string, { spec: FakeOpenRouterKeySpec; handle: FakeOpenRouterKey }>();
  const requests: OpenRouterRequest[] = [];
  const owner = new Map<OpenRouterRequest, string>();
  const kit = fakeServerKit();
  const timers = kit.timers;

  function send(res: ServerResponse, r: Reply): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(r.status, { 'Content-Type': 'application/json', ...r.headers });
    res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  }

  function act(res: ServerResponse, b: OpenRouterBehaviour, normal: () => Reply): void {
    if (b.kind === 'hang') return;
    const run = (): void => {
      if (res.destroyed) return;
      switch (b.kind) {
        case 'reset': res.socket?.destroy(); return;
        case 'status': send(res, { status: b.status, body: b.body ?? orError(b.status, `Fake error ${b.status}`).body, ...(b.headers ? { headers: b.headers } : {}) }); return;
        case 'outOfCredits':
          send(res, orError(402, 'Insufficient credits. This account never purchased credits. Make sure your key is on the correct account or org, and if so, purchase more at https://openrouter.ai/settings/credits'));
          return;
        case 'rateLimited': {
          const headers: Record<string, string> = {
            'X-RateLimit-Limit': String(b.limit ?? 20),
            'X-RateLimit-Remaining': '0',
            'X-RateLimit-Reset': String(b.resetAt),
          };
          if (b.retryAfterSec !== undefined) headers['Retry-After'] = String(b.retryAfterSec);
          send(res, { ...orError(429, 'Rate limit exceeded: limit_rpm/fake/20', { headers }), headers });
          return;
        }
        case 'malformed': send(res, { status: 200, body: MALFORMED }); return;
        default: send(res, normal());
      }
    };
    if (b.kind === 'slow') {
      const t = setTimeout(() => { timers.delete(t); run(); }, b.delayMs);
      timers.add(t);
    } else run();
  }

  function keyAnswer(s: FakeOpenRouterKeySpec): Reply {
    const limit = s.limit ?? null;
    return { status: 200, body: { data: {
      label: s.label ?? `${s.key.slice(0, 12)}...${s.key.slice(-3)}`,
      limit,
      limit_remaining: limit === null ? null : (s.limitRemaining ?? limit),
      limit_reset: s.limitReset ?? null,
      include_byok_in_limit: false,
      usage: s.usage ?? 0,
      usage_daily: s.usageDaily ?? 0,
      usage_weekly: s.usageWeekly ?? 0,
      usage_monthly: s.usageMonthly ?? 0,
      byok_usage: 0,
      is_free_tier: s.isFreeTier ?? false,
    } } };
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const rec: OpenRouterRequest = { path, method: req.method ?? 'GET', authorization: req.headers.authorization ?? null, startedAt: Date.now(), status: null };
    requests.push(rec);
    res.on('finish', () => { rec.status = res.statusCode; });
    req.resume();
    req.on('end', () => {
      const bearer = /^Bearer (.+)$/.exec(rec.authorization ?? '')?.[1];
      const k = bearer === undefined ? undefined : keys.get(bearer);
      const known = req.method === 'GET' && (path === '/api/v1/key' || path === '/api/v1/credits');
      if (!known) { send(res, orError(404, 'Not Found')); return; }
      if (!bearer) { send(res, orError(401, 'No auth credentials found')); return; }
      if (!k) { send(res, orError(401, 'User not found.')); return; }
      owner.set(rec, k.spec.key);
      const s = k.spec;
      if (path === '/api/v1/key') act(res, s.behaviour ?? { kind: 'normal' }, () => keyAnswer(s));
      else act(res, s.creditsBehaviour ?? { kind: 'normal' }, () => ({ status: 200, body: { data: { total_credits: s.totalCredits ?? 0, total_usage: s.totalUsage ?? 0 } } }));
    });
  });
  kit.track(server);
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: `${origin}/api`,
    requests,
    addKey(input) {
      if (keys.has(input.key)) throw new Error(`fake-openrouter: duplicate key ${input.key}`);
      const spec = { ...input };
      const handle: FakeOpenRouterKey = {
        spec,
        setBehaviour: (b) => { spec.behaviour = b; },
        setCreditsBehaviour: (b) => { spec.creditsBehaviour = b; },
        update: (patch) => { Object.assign(spec, patch); },
        callCount: (p) => requests.filter((r) => owner.get(r) === spec.key && (p === undefined || r.path === `/api${p}`)).length,
      };
      keys.set(spec.key, { spec, handle });
      return handle;
    },
    close() {
      return kit.close(server);
    },
  };
}
