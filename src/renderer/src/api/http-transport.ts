// Web-mode transport for the headless service: `POST /api/<method>` with the bearer control
// token, and the event feed read from `GET /api/events` with a streaming fetch (EventSource
// cannot send an Authorization header). The feed reconnects with jittered exponential backoff
// and treats 45 s of silence (the service pings every 15 s) as a dead connection.
import type { EventMap, EventName } from '../../../shared/contract';
import { ContractError, EVENT_NAMES, type Envelope } from '../../../shared/contract-wire';
import { asContractError, unwrap } from './envelope';
import type { ConnectionState, LiveClient } from './live-client';
import { createSseParser } from './sse-parser';

export interface HttpTransportOptions {
  /** Service origin, e.g. "http://127.0.0.1:4820"; "" means the page's own origin. */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** First reconnect delay and its ceiling. */
  backoff?: { initialMs: number; maxMs: number };
  idleTimeoutMs?: number;
  random?: () => number;
}

const eventNames = new Set<string>(EVENT_NAMES);
/** `domain:verb`, the form of every contract method name. */
const METHOD_SHAPE = /^[a-z]+:[A-Za-z]+$/;
type AnyListener = (payload: unknown) => void;

export function createHttpTransport(opts: HttpTransportOptions): LiveClient {
  const doFetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const { initialMs, maxMs } = opts.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const idleTimeoutMs = opts.idleTimeoutMs ?? 45_000;
  const random = opts.random ?? Math.random;
  const auth = { Authorization: `Bearer ${opts.token}` };
  const url = (path: string) => `${opts.baseUrl.replace(/\/$/, '')}${path}`;

  const listeners = new Map<string, Set<AnyListener>>();
  const stateListeners = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = 'closed';
  let running = false;
  let closed = false;
  let abort: AbortController | null = null;
  let wake: (() => void) | null = null;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const l of [...stateListeners]) l(next);
  };

  const dispatch = (event: string, data: string) => {
    const set = listeners.get(event);
    if (!set || set.size === 0 || !eventNames.has(event)) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return; // a malformed event must not kill the feed
    }
    for (const l of [...set]) l(payload);
  };

  const hasListeners = () => [...listeners.values()].some((s) => s.size > 0);

  /** One connection: resolves when the stream ends or is aborted. */
  async function connectOnce(ctrl: AbortController): Promise<void> {
    const res = await doFetch(url('/api/events'), { headers: { ...auth, Accept: 'text/event-stream' }, signal: ctrl.signal, cache: 'no-store' });
    if (res.status === 401) {
      setState('unauthorized');
      await res.body?.cancel().catch(() => {});
      return;
    }
    if (!res.ok || !res.body) throw new Error(`event stream answered HTTP ${res.status}`);
    setState('open');
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const parser = createSseParser((m) => dispatch(m.event, m.data));
    let idle = setTimeout(() => ctrl.abort(), idleTimeoutMs);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        clearTimeout(idle);
        if (done) break;
        idle = setTimeout(() => ctrl.abort(), idleTimeoutMs);
        parser.push(decoder.decode(value, { stream: true }));
      }
      parser.push(decoder.decode());
      parser.end();
    } finally {
      clearTimeout(idle);
      reader.releaseLock();
    }
  }

  async function run(): Promise<void> {
    running = true;
    let delay = initialMs;
    setState('connecting');
    while (!closed && hasListeners()) {
      const ctrl = new AbortController();
      abort = ctrl;
      let wasOpen = false;
      try {
        await connectOnce(ctrl);
        wasOpen = state === 'open';
      } catch {
        wasOpen = state === 'open';
      }
      abort = null;
      if (closed || !hasListeners()) break;
      // A refused token does not fix itself quickly: wait the longest delay, stay 'unauthorized'.
      if (state === 'unauthorized') delay = maxMs;
      else {
        if (wasOpen) delay = initialMs;
        setState('reconnecting');
      }
      await sleep(delay * (0.75 + random() * 0.5));
      delay = Math.min(delay * 2, maxMs);
    }
    running = false;
    if (!closed) setState('closed');
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  function ensureRunning() {
    if (!running && !closed) void run();
  }

  return {
    kind: 'http',
    async invoke(method, request) {
      // Only the shape is checked here (the list of names lives with the zod schemas, which the
      // entry chunk does not load); the service answers any other name with unknown_method.
      if (typeof method !== 'string' || !METHOD_SHAPE.test(method)) throw new ContractError({ code: 'unknown_method', message: `Unknown method: ${String(method)}` });
      let res: Response;
      try {
        res = await doFetch(url(`/api/${method}`), {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: request === undefined ? undefined : JSON.stringify(request),
          cache: 'no-store',
        });
      } catch (err) {
        throw asContractError(err, 'Cannot reach the QuotaDeck service');
      }
      let env: Envelope<never>;
      try {
        env = (await res.json()) as Envelope<never>;
      } catch {
        throw new ContractError({ code: res.status === 401 ? 'unauthorized' : 'internal', message: `QuotaDeck answered HTTP ${res.status} without an envelope` });
      }
      if (res.status === 401) setState('unauthorized');
      return unwrap(env);
    },
    on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as AnyListener;
      set.add(l);
      ensureRunning();
      return () => {
        set.delete(l);
        // Checked a tick later so an immediate resubscribe (React StrictMode remounts)
        // keeps the connection instead of dropping and reopening it.
        setTimeout(() => {
          if (hasListeners()) return;
          abort?.abort();
          wake?.();
        }, 0);
      };
    },
    onConnection(listener) {
      stateListeners.add(listener);
      listener(state);
      return () => stateListeners.delete(listener);
    },
    close() {
      closed = true;
      abort?.abort();
      wake?.();
      setState('closed');
      listeners.clear();
      stateListeners.clear();
    },
  };
}
