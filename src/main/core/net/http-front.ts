// The one hardened HTTP front (issue 14) both servers on 127.0.0.1 stand behind — the control
// API (server/control-server.ts) and the proxy (proxy/proxy-server.ts) — so the two cannot drift:
// - the server itself (createFrontServer): request headers within 8 s and the whole request
//   within 120 s, checked every second (a slowloris client is dropped within 10 s), keep-alive
//   sockets closed after 5 s idle and after 1,000 requests, at most 100 headers;
// - the Host check (DNS rebinding) and the Origin allow-list (no wildcard CORS);
// - the key check: the key or token presented (Authorization: Bearer; for the proxy also
//   x-api-key or x-goog-api-key), compared in constant time, never read from a query string;
// - the body cap: a declared or streamed body over the ceiling is refused with 413 without
//   reading the rest.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** A client has this long to send its request headers (slowloris guard). */
export const HEADERS_TIMEOUT_MS = 8_000;
/** ... and this long for the whole request, body included. */
export const REQUEST_TIMEOUT_MS = 120_000;
/** How often node:http checks those two deadlines (its default, 30 s, let slowloris linger). */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;
/** An idle keep-alive socket is closed after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** A keep-alive socket serves at most this many requests (the last answer says Connection: close). */
export const MAX_REQUESTS_PER_SOCKET = 1_000;
/** Request headers beyond this count are dropped by node:http. */
export const MAX_HEADERS_COUNT = 100;
/** After a 413 the connection is closed at the latest this long later. */
const REFUSED_LINGER_MS = 10_000;

export const DEFAULT_ALLOWED_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

export interface GuardConfig {
  /** Host names (without port) a request may name; loopback names by default. */
  allowedHosts: ReadonlySet<string>;
  /** Exact origins ("http://localhost:5173") allowed to call from a browser; none by default. */
  allowedOrigins: ReadonlySet<string>;
}

export function guardConfig(allowedHosts: readonly string[] = DEFAULT_ALLOWED_HOSTS, allowedOrigins: readonly string[] = []): GuardConfig {
  return {
    allowedHosts: new Set(allowedHosts.map((h) => h.toLowerCase())),
    allowedOrigins: new Set(allowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, ''))),
  };
}

/** Only the names we serve: a rebound DNS name pointing at 127.0.0.1 is refused. */
export function hostAllowed(req: IncomingMessage, cfg: GuardConfig): boolean {
  const host = req.headers.host;
  if (!host) return false;
  let name: string;
  if (host.charCodeAt(0) === 91 /* [ */) name = host.slice(0, host.indexOf(']') + 1);
  else {
    const colon = host.indexOf(':');
    name = colon < 0 ? host : host.slice(0, colon);
  }
  return cfg.allowedHosts.has(name) || cfg.allowedHosts.has(name.toLowerCase());
}

/**
 * No Origin (SDKs, CLIs) is fine; a browser's Origin must be on the list — or, with `sameOrigin`
 * (the control API serving its own web UI), be this very server as the Host header names it.
 */
export function originAllowed(req: IncomingMessage, cfg: GuardConfig, sameOrigin = false): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const o = origin.toLowerCase();
  if (sameOrigin && req.headers.host !== undefined && o === `http://${req.headers.host.toLowerCase()}`) return true;
  return cfg.allowedOrigins.has(o);
}

/** CORS headers for an allowed browser origin (echoed, never "*"). */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  return origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {};
}

export function preflightHeaders(req: IncomingMessage): Record<string, string> {
  const asked = req.headers['access-control-request-headers'];
  return {
    ...corsHeaders(req),
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': typeof asked === 'string' && asked.length <= 2000 ? asked : 'authorization, content-type, x-api-key, x-goog-api-key, anthropic-version, anthropic-beta',
    'Access-Control-Max-Age': '600',
  };
}

/** The key or token as compared (its bytes). */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'utf8');
}

/**
 * Constant-time comparison. Only the length can differ quickly, and the key's length is no
 * secret (every key has the same format), so no hashing is needed on the hot path.
 */
function same(given: string, expected: Buffer): boolean {
  if (given.length !== expected.length) return false;
  const b = Buffer.from(given, 'utf8');
  return b.length === expected.length && timingSafeEqual(b, expected);
}

/**
 * True when one of the credentials the client sent is the key. Every presented header is
 * compared (constant time); a `key=` query parameter is never looked at. `bearerOnly` (the
 * control API) reads Authorization: Bearer alone.
 */
export function keyMatches(req: IncomingMessage, expected: Buffer, bearerOnly = false): boolean {
  const h = req.headers;
  let ok = false;
  const auth = h.authorization;
  if (typeof auth === 'string' && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ' && same(auth.slice(7).trim(), expected)) ok = true;
  if (bearerOnly) return ok;
  const xApiKey = h['x-api-key'];
  if (typeof xApiKey === 'string' && same(xApiKey.trim(), expected)) ok = true;
  const goog = h['x-goog-api-key'];
  if (typeof goog === 'string' && same(goog.trim(), expected)) ok = true;
  return ok;
}

/** The declared body length is already over the ceiling. */
export function declaredTooLarge(req: IncomingMessage, max: number): boolean {
  const cl = req.headers['content-length'];
  if (cl === undefined) return false;
  const n = Number(cl);
  return !Number.isFinite(n) || n > max;
}

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

/** Collects one request body (listeners are bound methods: nothing allocated per chunk). */
class BodyReader {
  private readonly chunks: Buffer[] = [];
  private total = 0;
  private done = false;
  private resolve!: (r: BodyResult) => void;
  private readonly onData = this.data.bind(this);
  private readonly onEnd = this.end.bind(this);
  private readonly onError = this.error.bind(this);
  private readonly onClose = this.close.bind(this);
  readonly result: Promise<BodyResult>;

  constructor(
    private readonly req: IncomingMessage,
    private readonly max: number,
  ) {
    this.result = new Promise<BodyResult>((resolve) => {
      this.resolve = resolve;
    });
    req.on('data', this.onData);
    req.on('end', this.onEnd);
    req.on('error', this.onError);
    req.on('close', this.onClose);
  }

  private finish(r: BodyResult): void {
    if (this.done) return;
    this.done = true;
    const req = this.req;
    req.off('data', this.onData);
    req.off('end', this.onEnd);
    req.off('error', this.onError);
    req.off('close', this.onClose);
    this.resolve(r);
  }

  private body(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.total);
  }

  private data(c: Buffer): void {
    this.total += c.length;
    if (this.total > this.max) {
      this.req.pause();
      this.chunks.length = 0;
      this.finish({ ok: false, reason: 'too_large' });
      return;
    }
    this.chunks.push(c);
  }

  private end(): void {
    this.finish({ ok: true, body: this.body() });
  }

  private error(): void {
    this.finish({ ok: false, reason: 'aborted' });
  }

  private close(): void {
    this.finish(this.req.complete ? { ok: true, body: this.body() } : { ok: false, reason: 'aborted' });
  }
}

/**
 * Reads the request body up to `max` bytes. Past the ceiling it stops reading at once (the
 * stream is paused, so the socket stops being read once its small buffer fills) and drops what
 * it had: the caller answers 413 with refuseOversized().
 */
export function readBody(req: IncomingMessage, max: number): Promise<BodyResult> {
  return new BodyReader(req, max).result;
}

/**
 * Answers 413 without reading the rest of the body: the request stays paused, the answer is
 * written and the write side closed (FIN), so the client reads the 413 rather than a reset; the
 * socket is destroyed when the client hangs up, or after a short linger.
 */
export function refuseOversized(req: IncomingMessage, res: ServerResponse, body: string, extra: Record<string, string>): void {
  req.pause();
  const socket = req.socket;
  res.writeHead(413, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    Connection: 'close',
    ...extra,
  });
  // Not res.end(): finishing the response would make node:http drain (read) the remaining body.
  res.write(body);
  socket.end();
  const t = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
  t.unref();
  socket.once('close', () => clearTimeout(t));
}

export interface FrontOptions {
  /** Request headers must arrive within this (default HEADERS_TIMEOUT_MS). */
  headersTimeoutMs?: number;
  /** The whole request within this (default REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

/**
 * An HTTP server with the front's limits: headers and request deadlines checked every second
 * (never less often than half the header deadline), keep-alive limits, a header count cap, no
 * Nagle delay. Answers stay unbounded in time: streams may be quiet for long stretches (a model
 * thinking), so sockets have no idle timeout while a response is open.
 */
export function createFrontServer(handler: RequestListener, o: FrontOptions = {}): Server {
  const headersTimeout = o.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const requestTimeout = Math.max(o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, headersTimeout + 1);
  const server = createServer(
    {
      noDelay: true,
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: Math.max(50, Math.min(CONNECTIONS_CHECKING_INTERVAL_MS, Math.floor(headersTimeout / 2))),
    },
    handler,
  );
  server.timeout = 0;
  server.maxRequestsPerSocket = MAX_REQUESTS_PER_SOCKET;
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  // Every socket, from its first byte on (closeFront destroys them all, whatever their state).
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  frontSockets.set(server, sockets);
  return server;
}

const frontSockets = new WeakMap<Server, Set<Socket>>();

/**
 * Stops listening and ends every connection now (keep-alive, streaming, SSE, half-read ones):
 * node's closeIdleConnections/closeAllConnections, then any socket they do not track is
 * destroyed. Resolves when the server has closed, or after `graceMs` at the latest: a stop
 * never waits on a client.
 */
export function closeFront(server: Server, graceMs = 1_000): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, graceMs);
    t.unref();
    server.close(() => {
      clearTimeout(t);
      resolve();
    });
    server.closeIdleConnections();
    server.closeAllConnections();
    for (const s of frontSockets.get(server) ?? []) s.destroy();
  });
}

/** Listens on host:port (0 picks a free port); answers the port. A listen error rejects. */
export function listenFront(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
