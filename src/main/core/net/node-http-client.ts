// The default HTTP client of the core: node:http(s) with keep-alive agents. Polling thousands
// of accounts spends most of its CPU and memory in the HTTP client, and undici's fetch costs
// ~2.5x the CPU and ~2x the memory of node:http for the same small JSON requests. It is still
// a `fetch` (the FetchFn port), so anything can call it; httpRequest takes its direct path.
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { FetchFn } from '../ports';

export interface LeanResponse {
  status: number;
  /** The headers as node:http parsed them; `headersOf` turns them into a fetch Headers. */
  rawHeaders: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface LeanRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  maxBodyBytes: number;
}

export const LEAN = Symbol.for('quotadeck.leanHttp');

export interface LeanFetch extends FetchFn {
  [LEAN]: (url: string, req: LeanRequest) => Promise<LeanResponse>;
  close(): void;
}

export class BodyTooLargeError extends Error {
  constructor(readonly size: number) {
    super(`answer larger than allowed (${size} bytes)`);
    this.name = 'BodyTooLargeError';
  }
}

/** A fetch Headers from node:http's parsed headers (built only when a caller reads them). */
export function headersOf(raw: http.IncomingHttpHeaders): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else h.set(k, v);
  }
  return h;
}

/** Request headers as a plain object with lower-case names (what node:http takes). */
export function plainHeaders(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!init) return out;
  if (init instanceof Headers || Array.isArray(init) || Object.getPrototypeOf(init) !== Object.prototype) {
    new Headers(init).forEach((v, k) => (out[k] = v));
    return out;
  }
  // A plain record, as every adapter passes: no Headers object per request. Same result as
  // Headers: names lower-cased, values trimmed, repeated names joined.
  for (const name in init) {
    const v = String((init as Record<string, string>)[name]).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
    const k = name.toLowerCase();
    out[k] = Object.prototype.hasOwnProperty.call(out, k) ? `${out[k]}, ${v}` : v;
  }
  return out;
}

interface Target {
  secure: boolean;
  protocol: string;
  hostname: string;
  port: string;
  path: string;
  auth?: string;
}

/** Parsed request targets by URL: a poll cycle sends thousands of requests to a handful of URLs. */
const targets = new Map<string, Target>();

function target(url: string): Target {
  let t = targets.get(url);
  if (t) return t;
  const u = new URL(url);
  t = {
    secure: u.protocol === 'https:',
    protocol: u.protocol,
    // node:http wants an IPv6 literal without its brackets (what urlToHttpOptions does).
    hostname: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
    port: u.port,
    path: `${u.pathname}${u.search}`,
  };
  // Credentials in the URL (no adapter sends them): used, as urlToHttpOptions does, but not cached.
  if (u.username || u.password) return { ...t, auth: `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` };
  if (targets.size >= 256) targets.clear();
  targets.set(url, t);
  return t;
}

export function createNodeHttpClient(opts: { maxSockets?: number } = {}): LeanFetch {
  const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 256, maxFreeSockets: 64, scheduling: 'lifo' as const };
  const agents = { http: new http.Agent(agentOpts), https: new https.Agent(agentOpts) };

  function send(url: string, req: Omit<LeanRequest, 'maxBodyBytes'>, onResponse: (res: http.IncomingMessage) => void, onError: (e: Error) => void): void {
    let t: Target;
    try {
      t = target(url);
    } catch (e) {
      return onError(e as Error);
    }
    if (!t.secure && t.protocol !== 'http:') return onError(new TypeError(`Unsupported protocol ${t.protocol}`));
    if (req.signal.aborted) return onError(abortError(req.signal));
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const r = (t.secure ? https : http).request(
      { protocol: t.protocol, hostname: t.hostname, port: t.port, path: t.path, auth: t.auth, method: req.method ?? 'GET', headers, agent: t.secure ? agents.https : agents.http, signal: req.signal },
      onResponse,
    );
    r.on('error', (e) => onError(req.signal.aborted ? abortError(req.signal) : e));
    r.end(req.body);
  }

  const lean = (url: string, req: LeanRequest) =>
    new Promise<LeanResponse>((resolve, reject) => {
      send(
        url,
        req,
        (res) => {
          const declared = Number(res.headers['content-length'] ?? 0);
          if (declared > req.maxBodyBytes) {
            reject(new BodyTooLargeError(declared));
            res.destroy();
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > req.maxBodyBytes) {
              // Settle first: destroying the socket emits 'aborted' synchronously.
              reject(new BodyTooLargeError(size));
              res.destroy();
              return;
            }
            chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) }));
          res.on('error', (e) => reject(req.signal.aborted ? abortError(req.signal) : e));
          res.on('aborted', () => reject(new Error('connection closed before the answer ended')));
        },
        reject,
      );
    });

  const fetchLike = ((input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const body = init.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? init.body : String(init.body);
      send(
        url,
        { method: init.method, headers: plainHeaders(init.headers), body, signal: init.signal ?? new AbortController().signal },
        (res) => {
          const status = res.statusCode ?? 0;
          const noBody = status === 204 || status === 304 || init.method === 'HEAD';
          if (noBody) res.resume();
          resolve(new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream), { status, statusText: res.statusMessage, headers: headersOf(res.headers) }));
        },
        reject,
      );
    })) as LeanFetch;
  fetchLike[LEAN] = lean;
  fetchLike.close = () => {
    agents.http.destroy();
    agents.https.destroy();
  };
  return fetchLike;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason as Error | undefined;
  if (reason instanceof Error) return reason;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}
