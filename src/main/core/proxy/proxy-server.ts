// The local proxy AI clients point at (node:http, 127.0.0.1 by default; the control API is on
// its own port). Each request: the hardened front's guards (net/http-front.ts: Host, Origin,
// proxy key, size, timeouts — shared with the control API), the route, the body, then the
// dispatch loop, which picks accounts and relays the upstream answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Clock, FetchFn, Logger } from '../ports';
import type { ProviderRegistry } from '../providers/provider-adapter';
import type { UsageLedgerPort, UsageLimitsPort } from '../usage/usage-ports';
import { Dispatcher, type ProxyServices } from './dispatch-loop';
import { errorBody, sendJson } from './proxy-answers';
import {
  closeFront, corsHeaders, createFrontServer, declaredTooLarge, guardConfig, HEADERS_TIMEOUT_MS, hostAllowed, keyBytes, keyMatches, listenFront, MAX_BODY_BYTES,
  originAllowed, preflightHeaders, readBody, refuseOversized,
} from '../net/http-front';
import { matchRoute, type ApiFamily } from './proxy-routes';
import { ModelCatalog } from './model-catalog';
import { modelsAnswer } from './models-endpoint';
import { forwardedSearch } from './upstream-request';
import { Cancellation, fetchTransport, nodeHttpTransport } from './upstream-transport';

export interface ProxyDeps {
  services: ProxyServices;
  registry: ProviderRegistry;
  ledger: UsageLedgerPort;
  limits: UsageLimitsPort;
  /** The proxy key clients present (see proxy-key.ts); setKey() replaces it at run time. */
  key: string;
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  clock: Clock;
  log: Logger;
  /**
   * Upstream HTTP through this fetch instead of the proxy's own node:http keep-alive agents. It
   * must stream response bodies (a WHATWG fetch such as globalThis.fetch); leave it unset in the
   * app: the core's lean polling client reads bodies whole, which would buffer streams.
   */
  fetch?: FetchFn;
  /** Browser origins allowed to call (exact, e.g. "http://localhost:5173"); none by default. */
  allowedOrigins?: readonly string[];
  /** Host names accepted in the Host header; loopback names by default. */
  allowedHosts?: readonly string[];
  /** Request headers must arrive within this (slowloris guard; default 8 s, see net/http-front.ts). */
  headersTimeoutMs?: number;
  /** Largest request body (default 32 MiB). */
  maxBodyBytes?: number;
  /** No new attempt starts this long after the request arrived (default 30 s). */
  retryBudgetMs?: number;
  /** The app's model catalog (default: one over the same services and registry). */
  catalog?: ModelCatalog;
}

export interface ProxyServer {
  url: string;
  port: number;
  /** Replaces the proxy key (after regenerateProxyKey); the old one stops working at once. */
  setKey(key: string): void;
  /** Stops at once: connections closed, upstream calls aborted; waits up to `graceMs` for requests to finish. */
  close(graceMs?: number): Promise<void>;
}

const MAX_MODEL_LENGTH = 200;
/** How long a stop waits for requests in flight to finish once their connections are closed. */
const CLOSE_GRACE_MS = 1_500;

function clientProduct(ua: string | undefined): string | null {
  if (!ua) return null;
  const s = ua.trim();
  const sp = s.indexOf(' ');
  const first = sp < 0 ? s : s.slice(0, sp);
  return first ? first.slice(0, 80) : null;
}

/** The proxy's own milliseconds on answers it writes itself. */
function own(t0: number, extra: Record<string, string>): Record<string, string> {
  return { ...extra, 'x-quotadeck-proxy-ms': (performance.now() - t0).toFixed(3) };
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function familyHint(path: string): ApiFamily | null {
  if (path.startsWith('/v1beta/') || path.startsWith('/v1alpha/')) return 'gemini';
  return null;
}

function refuse(res: ServerResponse, path: string, status: number, type: string, code: string, message: string, extra: Record<string, string>): void {
  sendJson(res, status, errorBody(familyHint(path), status, type, code, message), extra);
}

function badRequest(res: ServerResponse, family: ApiFamily, message: string, extra: Record<string, string>): void {
  sendJson(res, 400, errorBody(family, 400, 'invalid_request_error', 'bad_request', message), extra);
}

function tooLarge(req: IncomingMessage, res: ServerResponse, family: ApiFamily, max: number, extra: Record<string, string>): void {
  refuseOversized(req, res, JSON.stringify(errorBody(family, 413, 'request_too_large', 'request_too_large', `Request body over ${max} bytes`)), extra);
}

export async function startProxyServer(deps: ProxyDeps): Promise<ProxyServer> {
  const log = deps.log;
  const host = deps.host ?? '127.0.0.1';
  const maxBody = deps.maxBodyBytes ?? MAX_BODY_BYTES;
  const headersTimeoutMs = deps.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const cfg = guardConfig(deps.allowedHosts, deps.allowedOrigins);
  let expectedKey = keyBytes(deps.key);
  const transport = deps.fetch ? fetchTransport(deps.fetch) : nodeHttpTransport();
  const { store, engine, settings } = deps.services;
  const catalog = deps.catalog ?? new ModelCatalog({ store, engine, settings, registry: deps.registry });
  const dispatcher = new Dispatcher({
    services: deps.services,
    registry: deps.registry,
    ledger: deps.ledger,
    limits: deps.limits,
    clock: deps.clock,
    log,
    transport,
    catalog,
    retryBudgetMs: deps.retryBudgetMs ?? 30_000,
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);

    if (!hostAllowed(req, cfg)) return refuse(res, path, 403, 'permission_error', 'host_not_allowed', 'Host not allowed', own(t0, NO_HEADERS));
    if (!originAllowed(req, cfg)) return refuse(res, path, 403, 'permission_error', 'origin_not_allowed', 'Origin not allowed', own(t0, NO_HEADERS));
    const cors = req.headers.origin === undefined ? NO_HEADERS : corsHeaders(req);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, preflightHeaders(req));
      res.end();
      return;
    }
    if (!keyMatches(req, expectedKey)) {
      return refuse(res, path, 401, 'authentication_error', 'invalid_proxy_key', 'Missing or wrong proxy key (Authorization: Bearer, x-api-key or x-goog-api-key)', own(t0, { ...cors, 'www-authenticate': 'Bearer' }));
    }
    if (path.charCodeAt(0) !== 47 /* / */) return refuse(res, path, 404, 'not_found_error', 'not_found', 'No such endpoint', own(t0, cors));
    const search = q < 0 ? null : new URLSearchParams(url.slice(q + 1));
    const route = matchRoute(req.method ?? 'GET', path, search);
    if (!route) return refuse(res, path, 404, 'not_found_error', 'not_found', `No such endpoint: ${req.method ?? ''} ${path}`.slice(0, 300), own(t0, cors));
    if (route.kind === 'models') {
      const a = modelsAnswer(catalog, req.headers['anthropic-version'] !== undefined, route.id);
      return sendJson(res, a.status, a.body, own(t0, cors));
    }

    if (declaredTooLarge(req, maxBody)) return tooLarge(req, res, route.family, maxBody, own(t0, cors));
    const read = await readBody(req, maxBody);
    if (!read.ok) {
      if (read.reason === 'too_large') tooLarge(req, res, route.family, maxBody, own(t0, cors));
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(read.body.toString('utf8'));
    } catch {
      return badRequest(res, route.family, 'Request body is not valid JSON', own(t0, cors));
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return badRequest(res, route.family, 'Request body must be a JSON object', own(t0, cors));
    const body = json as Record<string, unknown>;
    const model = route.pathModel ?? body['model'];
    if (typeof model !== 'string' || model.trim() === '' || model.length > MAX_MODEL_LENGTH) return badRequest(res, route.family, 'The request names no model', own(t0, cors));

    const cancel = new Cancellation();
    res.on('close', () => {
      if (!res.writableFinished) cancel.abort();
    });
    await dispatcher.run({
      res,
      headers: req.headers,
      route,
      model,
      body: read.body,
      json: body,
      search: forwardedSearch(search),
      client: clientProduct(req.headers['user-agent']),
      t0,
      cancel,
      extraHeaders: cors,
    });
  }

  // Requests being handled: a stop waits (bounded) for them to finish their ledger rows.
  const inFlight = new Set<Promise<void>>();
  const server = createFrontServer(
    (req, res) => {
      const p = handle(req, res).catch((err) => {
        log.error('proxy request failed', err);
        if (res.headersSent) res.destroy();
        else if (!res.destroyed) sendJson(res, 500, errorBody(null, 500, 'api_error', 'internal', 'Internal proxy error (see the QuotaDeck log)'));
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    },
    { headersTimeoutMs },
  );
  const port = await listenFront(server, deps.port, host);
  server.on('error', (err) => log.error('proxy server error', err));
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}`;
  log.info(`proxy listening on ${url}`);

  return {
    url,
    port,
    setKey(next: string) {
      expectedKey = keyBytes(next);
    },
    // Every client connection ends (its request's cancellation aborts the upstream call) and
    // the upstream sockets are destroyed, so a hung upstream cannot hold the stop; then the
    // requests in flight finish (their ledger rows completed as failed), within `graceMs`.
    async close(graceMs = CLOSE_GRACE_MS) {
      const closing = closeFront(server, graceMs);
      transport.close();
      await closing;
      if (inFlight.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs)));
      const done = await Promise.race([Promise.all(inFlight).then(() => 'done' as const), late]);
      clearTimeout(timer);
      if (done === 'late') log.warn(`proxy stopped with ${inFlight.size} request(s) still unfinished after ${graceMs} ms`);
    },
  };
}
