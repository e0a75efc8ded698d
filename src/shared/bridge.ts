// The one object the preload exposes to the renderer (window.quotadeck): contract calls that
// answer with the Envelope, and event subscriptions. Nothing else crosses the bridge.
import type { Envelope, EventMap, EventName, MethodName, RequestOf, ResponseOf } from './contract';

/** IPC channel names, shared by the preload and the main-process handler. */
export const IPC_INVOKE_CHANNEL = 'qd:invoke';
export const IPC_EVENT_CHANNEL = 'qd:event';

export interface QuotaDeckBridge {
  invoke<M extends MethodName>(method: M, request?: RequestOf<M>): Promise<Envelope<ResponseOf<M>>>;
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
}

declare global {
  interface Window {
    quotadeck?: QuotaDeckBridge;
  }
}
