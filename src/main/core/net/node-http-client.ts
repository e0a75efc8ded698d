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
  headers: Headers;
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

function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else h.set(k, v);
  }
  return h;
}

function plainHeaders(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!init) return out;
  new Headers(init).forEach((v, k) => (out[k] = v));
  return out;
}

export function createNodeHttpClient(opts: { maxSockets?: number } = {}): LeanFetch {
  const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 256, maxFreeSockets: 64, scheduling: 'lifo' as const };
  const agents = { http: new http.Agent(agentOpts), https: new https.Agent(agentOpts) };

  function send(url: string, req: Omit<LeanRequest, 'maxBodyBytes'>, onResponse: (res: http.IncomingMessage) => void, onError: (e: Error) => void): void {
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    if (!secure && u.protocol !== 'http:') return onError(new TypeError(`Unsupported protocol ${u.protocol}`));
    if (req.signal.aborted) return onError(abortError(req.signal));
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const r = (secure ? https : http).request(u, { method: req.method ?? 'GET', headers, agent: secure ? agents.https : agents.http, signal: req.signal }, onResponse);
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
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: toHeaders(res.headers), body: Buffer.concat(chunks) }));
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
          resolve(new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream), { status, statusText: res.statusMessage, headers: toHeaders(res.headers) }));
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
