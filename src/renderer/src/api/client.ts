// Picks the transport: the preload bridge inside Electron, else HTTP to the page's own origin
// (the headless service, or the dev server's /api proxy) with the control token.
import { createHttpTransport, type EarlyLoad } from './http-transport';
import { createIpcTransport } from './ipc-transport';
import type { LiveClient } from './live-client';
import { takeControlToken } from './control-token';

export type ClientChoice = { kind: 'ready'; client: LiveClient } | { kind: 'needs-token' };

export function chooseClient(win: Window = window): ClientChoice {
  if (win.quotadeck) return { kind: 'ready', client: createIpcTransport(win.quotadeck) };
  const token = takeControlToken(win.location, win.history, win.sessionStorage);
  return token ? { kind: 'ready', client: createWebClient(token, win) } : { kind: 'needs-token' };
}

export function createWebClient(token: string, win: Window = window): LiveClient {
  // The first load's answers public/early-load.js asked for (cold window), taken once.
  const early = (win as { __quotadeckEarly?: EarlyLoad }).__quotadeckEarly;
  delete (win as { __quotadeckEarly?: EarlyLoad }).__quotadeckEarly;
  return createHttpTransport({ baseUrl: '', token, early });
}
