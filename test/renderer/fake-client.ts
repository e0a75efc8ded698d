// An in-memory LiveClient: answers invoke() from a handler map and lets the test emit events
// and connection changes, standing in for the IPC bridge or the HTTP service.
import type { EventMap, EventName, MethodName, RequestOf, ResponseOf } from '../../src/shared/contract';
import type { ConnectionState, LiveClient } from '../../src/renderer/src/api/live-client';

type Handlers = { [M in MethodName]?: (req: RequestOf<M> | undefined) => ResponseOf<M> | Promise<ResponseOf<M>> };

export interface FakeClient extends LiveClient {
  emit<E extends EventName>(event: E, payload: EventMap[E]): void;
  setConnection(state: ConnectionState): void;
  calls: MethodName[];
  handlers: Handlers;
}

export function fakeClient(handlers: Handlers, initialState: ConnectionState = 'open'): FakeClient {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const stateListeners = new Set<(s: ConnectionState) => void>();
  let state = initialState;
  const calls: MethodName[] = [];
  return {
    kind: 'ipc',
    calls,
    handlers,
    async invoke(method, request) {
      calls.push(method);
      const h = handlers[method] as ((r: unknown) => unknown) | undefined;
      if (!h) throw new Error(`no fake handler for ${method}`);
      return (await h(request)) as never;
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
    onConnection(l) {
      stateListeners.add(l);
      l(state);
      return () => stateListeners.delete(l);
    },
    close() {},
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    setConnection(s) {
      state = s;
      for (const l of stateListeners) l(s);
    },
  };
}

/** Resolves after pending promise callbacks (the stores' fetches) have run. */
export const settle = () => new Promise<void>((r) => setTimeout(r, 0));

/** A promise with its resolve handle, to hold a fake answer back. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
