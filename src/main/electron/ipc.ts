// IPC binding of the contract: one 'qd:invoke' handler in front of the core's dispatcher, and
// every contract event forwarded to the window. Electron objects arrive as small structural
// ports, so this file is tested in plain Node.
import { EVENT_NAMES, isMethodName, type Envelope } from '../../shared/contract';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../shared/bridge';
import type { CoreApp } from '../core/app';

/** The part of Electron's WebFrameMain the trust check needs. */
export interface SenderFrameLike {
  url: string;
  parent?: unknown;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame: SenderFrameLike | null }, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

type ApiLike = Pick<CoreApp, 'api'>;
type EventsLike = Pick<CoreApp, 'events'>;

const refuse = (code: 'forbidden' | 'unknown_method', message: string): Envelope<never> => ({ ok: false, error: { code, message } });

/** Registers the contract handler; returns the function that removes it. */
export function registerIpc(ipcMain: IpcMainLike, app: ApiLike, isTrustedSender: (frame: SenderFrameLike | null) => boolean): () => void {
  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, method, request) => {
    if (!isTrustedSender(event.senderFrame)) return refuse('forbidden', 'IPC from an untrusted frame');
    if (typeof method !== 'string' || !isMethodName(method)) return refuse('unknown_method', `Unknown method: ${String(method)}`);
    return app.api.call(method, request);
  });
  return () => ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
}

/** Sends every contract event to whichever window is current; returns an unsubscribe. */
export function forwardEvents(app: EventsLike, target: () => WebContentsLike | null): () => void {
  const offs = EVENT_NAMES.map((name) =>
    app.events.on(name, (payload) => {
      const wc = target();
      if (wc && !wc.isDestroyed()) wc.send(IPC_EVENT_CHANNEL, name, payload);
    }),
  );
  return () => offs.forEach((off) => off());
}
