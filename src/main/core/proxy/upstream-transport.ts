// Sends one upstream request and hands back status, headers and the body as a Node stream.
// Default: node:http(s) with keep-alive agents (the cheapest path on the hot loop). When the core
// is given a fetch port, that is used instead (same contract, via Readable.fromWeb).
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FetchFn } from '../ports';
import type { UpstreamTarget } from './upstream-request';

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

export class UpstreamNetworkError extends Error {
  /** A keep-alive socket the upstream had already closed: not the account's fault. */
  readonly staleSocket: boolean;
  readonly code: string | null;
  constructor(message: string, code: string | null, staleSocket: boolean) {
    super(message);
    this.name = 'UpstreamNetworkError';
    this.code = code;
    this.staleSocket = staleSocket;
  }
}

/**
 * One client request's cancellation: set when the client hangs up. Lighter than an
 * AbortController (EventTarget-based, costly per request); a standard AbortSignal is made only
 * when something needs one (a credential refresh, the fetch transport).
 */
export class Cancellation {
  aborted = false;
  private listeners: Array<() => void> | null = null;
  private ctrl: AbortController | null = null;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.ctrl?.abort(new Error('client disconnected'));
    const l = this.listeners;
    this.listeners = null;
    if (l) for (const fn of l) fn();
  }

  /** Calls fn on abort (at once if already aborted). */
  onAbort(fn: () => void): void {
    if (this.aborted) fn();
    else (this.listeners ??= []).push(fn);
  }

  get signal(): AbortSignal {
    if (!this.ctrl) {
      this.ctrl = new AbortController();
      if (this.aborted) this.ctrl.abort(new Error('client disconnected'));
    }
    return this.ctrl.signal;
  }
}

export class UpstreamAbortedError extends Error {
  constructor() {
    super('client disconnected');
    this.name = 'AbortError';
  }
}

export interface UpstreamTransport {
  send(t: UpstreamTarget, cancel: Cancellation): Promise<UpstreamResponse>;
  close(): void;
}

interface Origin { protocol: string; hostname: string; port: string }
const origins = new Map<string, Origin | null>();

/** Origin (parsed once per distinct origin) and path of an absolute URL; null when it is not one. */
function splitUrl(url: string): { origin: Origin; path: string } | null {
  const scheme = url.indexOf('://');
  if (scheme < 0) return null;
  const slash = url.indexOf('/', scheme + 3);
  const key = slash < 0 ? url : url.slice(0, slash);
  let origin = origins.get(key);
  if (origin === undefined) {
    try {
      const u = new URL(key);
      origin = u.protocol === 'http:' || u.protocol === 'https:' ? { protocol: u.protocol, hostname: u.hostname.replace(/^\[|\]$/g, ''), port: u.port } : null;
    } catch {
      origin = null;
    }
    if (origins.size > 1000) origins.clear();
    origins.set(key, origin);
  }
  return origin ? { origin, path: slash < 0 ? '/' : url.slice(slash) } : null;
}

/** Idle keep-alive sockets are dropped after this (below the usual 5 s server keep-alive). */
const FREE_SOCKET_TIMEOUT_MS = 4_000;

function ignore(): void {}

export function nodeHttpTransport(): UpstreamTransport {
  const opts = { keepAlive: true, scheduling: 'lifo' as const, timeout: FREE_SOCKET_TIMEOUT_MS };
  const http = new HttpAgent(opts);
  const https = new HttpsAgent(opts);
  return {
    send(t, cancel) {
      return new Promise<UpstreamResponse>((resolve, reject) => {
        const target = splitUrl(t.url);
        if (!target) {
          reject(new UpstreamNetworkError('Invalid upstream URL', 'ERR_INVALID_URL', false));
          return;
        }
        const secure = target.origin.protocol === 'https:';
        const headers: Record<string, string | number> = { ...t.headers, 'content-length': t.body.length };
        const { protocol, hostname, port } = target.origin;
        const req = (secure ? httpsRequest : httpRequest)({ protocol, hostname, port, path: target.path, method: 'POST', headers, agent: secure ? https : http });
        // A departed client destroys the upstream request (and its socket) at any stage.
        cancel.onAbort(() => req.destroy(new UpstreamAbortedError()));
        req.setNoDelay(true);
        // The agent's idle timeout also fires on active sockets: a quiet stream is not an error.
        req.on('timeout', ignore);
        req.once('response', (res) => {
          res.socket?.setNoDelay(true);
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: res });
        });
        req.once('error', (err: NodeJS.ErrnoException) => {
          if (cancel.aborted) return reject(new UpstreamAbortedError());
          reject(new UpstreamNetworkError(err.message, err.code ?? null, req.reusedSocket && err.code === 'ECONNRESET'));
        });
        req.end(t.body);
      });
    },
    close() {
      http.destroy();
      https.destroy();
    },
  };
}

export function fetchTransport(fetchFn: FetchFn): UpstreamTransport {
  return {
    async send(t, cancel) {
      let res: Response;
      try {
        res = await fetchFn(t.url, { method: 'POST', headers: t.headers, body: new Uint8Array(t.body), signal: cancel.signal });
      } catch (err) {
        if (cancel.aborted) throw new UpstreamAbortedError();
        const cause = (err as { cause?: { code?: string } }).cause;
        throw new UpstreamNetworkError((err as Error).message, cause?.code ?? null, false);
      }
      const headers: IncomingHttpHeaders = {};
      res.headers.forEach((v, k) => {
        // fetch decompresses: the length and encoding no longer describe the bytes we relay.
        if (k !== 'content-encoding' && k !== 'content-length') headers[k] = v;
      });
      const body = res.body ? Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>) : Readable.from([]);
      return { status: res.status, headers, body };
    },
    close() {},
  };
}
