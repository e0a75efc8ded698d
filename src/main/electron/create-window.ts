// The main window, locked down: sandboxed renderer with context isolation, no Node, the
// contract-only preload, no window.open (an http(s) page the app opens on purpose — a sign-in
// page — goes to the system browser instead), no navigation or permission grants outside the app.
// The CSP lives in the renderer's index.html meta tag (it applies to file:// loads too).
// BrowserWindow arrives as a parameter (the shell passes Electron's), so tests run in plain Node.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SenderFrameLike, WebContentsLike } from './ipc';

export interface AppLocation {
  /** What the window loads: the dev server URL, or the built index.html as a file: URL. */
  url: string;
  /** True when `candidate` is a page of this app (same origin for http, same file for file:). */
  isAppUrl(candidate: string): boolean;
}

interface PreventableEvent {
  preventDefault(): void;
}

/** The parts of Electron's WebContents the window and the shell use. */
export interface WindowContentsLike extends WebContentsLike {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  executeJavaScript(code: string): Promise<unknown>;
  session: {
    setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
    setPermissionCheckHandler(handler: () => boolean): void;
  };
}

/** The parts of Electron's BrowserWindow the window and the shell use. */
export interface BrowserWindowLike {
  webContents: WindowContentsLike;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  loadURL(url: string): Promise<unknown>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
}

export type BrowserWindowCtorLike = new (options: Record<string, unknown>) => BrowserWindowLike;

/** Resolves where the renderer comes from; electron-vite sets ELECTRON_RENDERER_URL in dev. */
export function appLocation(mainDir: string, devUrl = process.env.ELECTRON_RENDERER_URL): AppLocation {
  if (devUrl) {
    const origin = new URL(devUrl).origin;
    return { url: devUrl, isAppUrl: (c) => safeUrl(c)?.origin === origin };
  }
  const index = pathToFileURL(join(mainDir, '../renderer/index.html'));
  return {
    url: index.href,
    isAppUrl: (c) => {
      const u = safeUrl(c);
      return u !== null && u.protocol === 'file:' && u.pathname === index.pathname;
    },
  };
}

/** Only the app's own top-level document may call the contract. */
export function trustedSender(location: AppLocation): (frame: SenderFrameLike | null) => boolean {
  return (frame) => frame !== null && !frame.parent && location.isAppUrl(frame.url);
}

/**
 * Opens the window on the app, at `route` (a renderer hash route such as "#/settings") if given.
 * `openExternal` (Electron's shell.openExternal) receives the http(s) pages the app opens.
 */
export function createMainWindow(
  BrowserWindow: BrowserWindowCtorLike,
  location: AppLocation,
  preloadPath: string,
  route = '',
  openExternal?: (url: string) => void,
): BrowserWindowLike {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'QuotaDeck',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  lockDown(win.webContents, location, openExternal);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(location.url.replace(/#.*$/, '') + route);
  return win;
}

function lockDown(wc: WindowContentsLike, location: AppLocation, openExternal?: (url: string) => void): void {
  wc.setWindowOpenHandler(({ url }) => {
    const u = safeUrl(url);
    if (openExternal && u && (u.protocol === 'https:' || u.protocol === 'http:') && !location.isAppUrl(url)) openExternal(u.href);
    return { action: 'deny' };
  });
  const stayHome = (event: PreventableEvent, url: string) => {
    if (!location.isAppUrl(url)) event.preventDefault();
  };
  wc.on('will-navigate', stayHome);
  wc.on('will-redirect', stayHome);
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  wc.session.setPermissionCheckHandler(() => false);
}

function safeUrl(s: string): URL | null {
  try {
    return new URL(s);
  } catch {
    return null;
  }
}
