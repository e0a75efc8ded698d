// The main window, locked down: sandboxed renderer with context isolation, no Node, the
// contract-only preload, no window.open, no navigation or permission grants outside the app.
// The CSP lives in the renderer's index.html meta tag (it applies to file:// loads too).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, type WebContents } from 'electron';
import type { SenderFrameLike } from './ipc';

export interface AppLocation {
  /** What the window loads: the dev server URL, or the built index.html as a file: URL. */
  url: string;
  /** True when `candidate` is a page of this app (same origin for http, same file for file:). */
  isAppUrl(candidate: string): boolean;
}

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

export function createMainWindow(location: AppLocation, preloadPath: string): BrowserWindow {
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
  lockDown(win.webContents, location);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(location.url);
  return win;
}

function lockDown(wc: WebContents, location: AppLocation): void {
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  const stayHome = (event: { preventDefault(): void }, url: string) => {
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
