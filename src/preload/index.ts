// Sandboxed preload: exposes window.quotadeck = { invoke, on } and nothing else. Names are
// checked against the contract here too, so a compromised renderer cannot reach other
// channels through this bridge (main checks again; it trusts no renderer).
import '../shared/zod-jitless'; // first: before the contract builds its schemas
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, isMethodName, type EventMap, type EventName } from '../shared/contract';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type QuotaDeckBridge } from '../shared/bridge';

const eventNames = new Set<string>(EVENT_NAMES);

const bridge: QuotaDeckBridge = {
  invoke(method, request) {
    if (typeof method !== 'string' || !isMethodName(method)) {
      return Promise.reject(new TypeError(`Unknown QuotaDeck method: ${String(method)}`));
    }
    return ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, request);
  },
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) {
    if (typeof event !== 'string' || !eventNames.has(event)) throw new TypeError(`Unknown QuotaDeck event: ${String(event)}`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    // The IpcRendererEvent (with its sender) is never handed to the page.
    const handler = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload as EventMap[E]);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('quotadeck', bridge);
