// The sync's caps bound upstream REQUESTS, not accounts: a fetch wrapper that lets at most
// `perHost` requests be in flight to one host (host:port) and at most `total` across all hosts.
// An account whose adapter sends two requests at once takes two slots. A request waits for a
// host slot first, then a global one (a host's queue never holds global slots idle); a waiting
// request whose signal aborts leaves the queue. The lean path (node-http-client's LEAN) holds
// its slot until the whole body is read; a plain fetch until its headers arrive.
import type { FetchFn } from '../ports';
import { LEAN, type LeanFetch, type LeanRequest, type LeanResponse } from './node-http-client';

export interface RequestCaps {
  perHost: number;
  total: number;
}

class Gate {
  active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly cap: () => number) {}

  /** Resolves when a slot is taken; rejects (and leaves the queue) when `signal` aborts first. */
  acquire(signal: AbortSignal | null | undefined): Promise<void> {
    if (this.active < this.cap() && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortReason(signal!));
      };
      if (signal?.aborted) return reject(abortReason(signal));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
  }

  release(): void {
    this.active--;
    while (this.active < this.cap() && this.waiting.length > 0) this.waiting.shift()!();
  }
}

function abortReason(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

export interface RequestLimiter {
  fetch: FetchFn;
  /** Requests in flight now, all hosts (diagnostics). */
  inFlight(): number;
}

export function limitRequests(inner: FetchFn, caps: () => RequestCaps): RequestLimiter {
  const hosts = new Map<string, Gate>();
  const global = new Gate(() => Math.max(1, caps().total));
  const gateFor = (url: string): Gate => {
    const host = hostOf(url);
    let g = hosts.get(host);
    if (!g) hosts.set(host, (g = new Gate(() => Math.max(1, caps().perHost))));
    return g;
  };

  async function slot(url: string, signal: AbortSignal | null | undefined): Promise<() => void> {
    const host = gateFor(url);
    await host.acquire(signal);
    try {
      await global.acquire(signal);
    } catch (err) {
      host.release();
      throw err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      global.release();
      host.release();
    };
  }

  const limited = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const release = await slot(url, init?.signal);
    try {
      return await inner(input, init);
    } finally {
      release();
    }
  }) as FetchFn & Partial<LeanFetch>;
  const lean = (inner as Partial<LeanFetch>)[LEAN];
  if (lean) {
    limited[LEAN] = async (url: string, req: LeanRequest): Promise<LeanResponse> => {
      const release = await slot(url, req.signal);
      try {
        return await lean(url, req);
      } finally {
        release();
      }
    };
  }
  return { fetch: limited, inFlight: () => global.active };
}

function hostOf(url: string): string {
  const start = url.indexOf('//');
  if (start < 0) return url;
  const end = url.indexOf('/', start + 2);
  return url.slice(start + 2, end < 0 ? undefined : end).toLowerCase();
}
