// The headless control API on 127.0.0.1: `POST /api/<method>` speaks the shared contract
// (bearer control token, envelope answers), `GET /api/events` streams contract events as SSE,
// `POST /v1/token` and `/v1/report` serve external proxies, and `/` serves the built renderer.
// It stands behind the same hardened front as the proxy (net/http-front.ts): Host guard, Origin
// (same origin only), constant-time token check, body cap, header/request timeouts, keep-alive.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { z } from 'zod';
import { retryAfterSchema, type ErrorCode } from '../../../shared/contract';
import type { CoreApp } from '../core-app';
import { AppError, NoAccountAvailableError } from '../errors';
import type { Logger } from '../ports';
import { toProviderError } from '../providers/provider-error';
import { closeFront, createFrontServer, guardConfig, hostAllowed, keyBytes, keyMatches, listenFront, originAllowed, refuseOversized } from '../net/http-front';
import { PayloadTooLargeError, readJsonBody, sendJson, sendJsonCompressed } from './http-util';
import { serveStatic } from './static-files';

export interface ControlServerOptions {
  app: CoreApp;
  token: string;
  port: number;
  host?: string;
  rendererDir: string | null;
  log: Logger;
  /** Largest accepted request body (import documents can be big). */
  maxBodyBytes?: number;
  /** Request headers must arrive within this (slowloris guard; default from net/http-front.ts). */
  headersTimeoutMs?: number;
}

export interface ControlServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  import_invalid: 400,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  no_account_available: 429,
  rate_limited: 429,
  unsupported_provider: 400,
  payload_too_large: 413,
  unknown_method: 404,
  internal: 500,
};

const tokenRequest = z.object({ model: z.string().min(1).max(200) }).strict();
/** /v1/report: the quota:report fields plus what the request cost (all optional). */
const reportRequest = z
  .object({
    accountId: z.string().min(1).max(200),
    model: z.string().min(1).max(200),
    outcome: z.enum(['ok', '429', 'unavailable']),
    retryAfter: retryAfterSchema.optional(),
    status: z.number().int().min(100).max(599).optional(),
    inputTokens: z.number().int().min(0).max(1e9).optional(),
    outputTokens: z.number().int().min(0).max(1e9).optional(),
    client: z.string().max(100).optional(),
  })
  .strict();
const MAX_TOKEN_ATTEMPTS = 5;

export async function startControlServer(o: ControlServerOptions): Promise<ControlServer> {
  const maxBody = o.maxBodyBytes ?? 16 * 1024 * 1024;
  const guard = guardConfig();
  const token = keyBytes(o.token);
  const sse = new Set<ServerResponse>();

  const fail = (res: ServerResponse, code: ErrorCode, message: string, extra: Record<string, unknown> = {}) =>
    sendJson(res, STATUS[code], { ok: false, error: { code, message, ...extra } });

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string) {
    const body = await readJsonBody(req, maxBody);
    const env = await o.app.api.call(method, body);
    if (env.ok) return sendJsonCompressed(req, res, 200, env);
    // A 429 carries the reset it learned as Retry-After too.
    const wait = (env.error.details as { retryAfterSec?: unknown } | undefined)?.retryAfterSec;
    sendJson(res, STATUS[env.error.code], env, env.error.code === 'rate_limited' && typeof wait === 'number' ? { 'Retry-After': String(wait) } : {});
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(': connected\n\n');
    sse.add(res);
    const off = o.app.events.onAny((event, payload) => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ping.unref();
    req.on('close', () => {
      off();
      clearInterval(ping);
      sse.delete(res);
    });
  }

  async function handleToken(req: IncomingMessage, res: ServerResponse) {
    const parsed = tokenRequest.safeParse(await readJsonBody(req, 64 * 1024));
    if (!parsed.success) return fail(res, 'bad_request', 'Body must be {"model": "<model id>"}');
    const { model } = parsed.data;
    const { selector, quota } = o.app.services;
    const tried = new Set<string>();
    for (let attempt = 0; attempt < MAX_TOKEN_ATTEMPTS; attempt++) {
      let pick;
      try {
        pick = selector.select(model, tried);
      } catch (err) {
        if (err instanceof NoAccountAvailableError) {
          const earliestResetAt = err.earliestResetAt === null ? null : new Date(err.earliestResetAt).toISOString();
          return sendJson(res, 429, { error: { code: 'no_account_available', message: err.message, earliestResetAt } }, earliestResetAt ? { 'Retry-After': String(Math.max(1, Math.ceil((err.earliestResetAt! - Date.now()) / 1000))) } : {});
        }
        throw err;
      }
      tried.add(pick.account.id);
      try {
        // Refreshed under the sync timeout; a permanent refusal marks (and announces) the account.
        const creds = await quota.credentials(pick.account);
        return sendJson(res, 200, {
          accountId: pick.account.id,
          provider: pick.account.provider,
          label: pick.account.label,
          email: pick.account.email,
          projectId: pick.account.projectId,
          accessToken: creds.accessToken ?? creds.apiKey ?? null,
          expiresAt: creds.accessTokenExpiresAt ? new Date(creds.accessTokenExpiresAt).toISOString() : null,
          model,
          decision: { kind: pick.decision.kind, remainingFraction: pick.decision.remainingFraction, resetAt: pick.decision.resetAt === null ? null : new Date(pick.decision.resetAt).toISOString() },
        });
      } catch (err) {
        const e = toProviderError(err);
        o.log.warn(`token for ${pick.account.label} unavailable (${e.code}); trying the next account`);
      }
    }
    return fail(res, 'no_account_available', `No account could produce a token for "${model}"`, { earliestResetAt: null });
  }

  async function handleReport(req: IncomingMessage, res: ServerResponse) {
    const parsed = reportRequest.safeParse(await readJsonBody(req, 64 * 1024));
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const field = first ? first.path.join('.') || '(body)' : '(body)';
      return sendJson(res, 400, { error: { code: 'bad_request', message: `Invalid report: ${first ? `${field}: ${first.message}` : 'bad body'}`, field } });
    }
    const { inputTokens, outputTokens, client, ...quota } = parsed.data;
    const { status } = quota;
    const env = await o.app.api.call('quota:report', quota);
    if (!env.ok) return sendJson(res, STATUS[env.error.code], { error: env.error });
    // The external proxy's traffic lands in the same ledger as our own proxy's.
    const account = o.app.services.store.get(quota.accountId);
    const now = Date.now();
    const start = { requestId: randomUUID(), attempt: 1, accountId: quota.accountId, provider: account?.provider ?? null, model: quota.model, client: client ?? 'token-api', route: 'token-api', startedAt: now };
    const ok = quota.outcome === 'ok' && (status === undefined || status < 400);
    const rowId = o.app.services.ledger.begin(start);
    o.app.services.ledger.complete(rowId, {
      status: ok ? 'completed' : 'failed',
      httpStatus: status ?? (quota.outcome === '429' ? 429 : quota.outcome === 'unavailable' ? null : 200),
      inputTokens: inputTokens ?? null,
      outputTokens: outputTokens ?? null,
      endedAt: now,
      error: ok ? null : status !== undefined && status >= 400 ? `HTTP ${status}` : quota.outcome === '429' ? 'rate limited (reported)' : 'unavailable (reported)',
    });
    sendJson(res, 200, env.result);
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    if (!hostAllowed(req, guard)) return fail(res, 'forbidden', 'Host not allowed');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (path === '/healthz') return sendJson(res, 200, { ok: true, version: o.app.info.version });
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const isApi = path.startsWith('/api/') || path.startsWith('/v1/');
    if (isApi) {
      // No CORS: a foreign page may not drive the API even with a stolen token in hand.
      if (!originAllowed(req, guard, true)) return fail(res, 'forbidden', 'Origin not allowed');
      if (!keyMatches(req, token, true)) return fail(res, 'unauthorized', 'Missing or wrong control token (Authorization: Bearer <token>)');
      if (path === '/api/events' && req.method === 'GET') return handleEvents(req, res);
      if (req.method !== 'POST') return fail(res, 'bad_request', 'Use POST');
      if (path === '/v1/token') return handleToken(req, res);
      if (path === '/v1/report') return handleReport(req, res);
      if (path.startsWith('/api/')) return handleApi(req, res, decodeURIComponent(path.slice(5)));
      return fail(res, 'not_found', 'No such endpoint');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 'not_found', 'No such endpoint');
    if (!serveStatic(o.rendererDir, req, path, res)) fail(res, 'not_found', 'Not found');
  }

  const server = createFrontServer(
    (req, res) => {
      route(req, res).catch((err) => {
        if (res.headersSent) return res.destroy();
        // Past the body cap: 413 without reading the rest, like the proxy.
        if (err instanceof PayloadTooLargeError) return refuseOversized(req, res, JSON.stringify({ ok: false, error: { code: err.code, message: err.message } }), {});
        if (err instanceof AppError) return fail(res, err.code, err.message);
        o.log.error('control API request failed', err);
        fail(res, 'internal', 'Internal error (see the QuotaDeck log)');
      });
    },
    { headersTimeoutMs: o.headersTimeoutMs },
  );
  const port = await listenFront(server, o.port, o.host ?? '127.0.0.1');
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    // SSE streams are ended, every other connection (keep-alive, a request in progress) is
    // closed; never waits on a client for more than a second.
    close: () => {
      for (const res of sse) res.end();
      return closeFront(server);
    },
  };
}

