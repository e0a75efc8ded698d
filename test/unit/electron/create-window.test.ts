// The window factory with a fake BrowserWindow passed in: the security settings and navigation
// guards it wires, the route it opens at, and which frames count as the app.
import { describe, expect, it } from 'vitest';
import { appLocation, createMainWindow, trustedSender, type BrowserWindowCtorLike } from '../../../src/main/electron/create-window';

const windows: FakeWindow[] = [];

class FakeWindow {
  options: Record<string, unknown>;
  loaded: string | null = null;
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  wcListeners = new Map<string, (...a: unknown[]) => void>();
  permission: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
  permissionCheck: (() => boolean) | null = null;
  webContents = {
    setWindowOpenHandler: (h: FakeWindow['openHandler']) => (this.openHandler = h),
    on: (ev: string, l: (...a: unknown[]) => void) => this.wcListeners.set(ev, l),
    session: {
      setPermissionRequestHandler: (h: FakeWindow['permission']) => (this.permission = h),
      setPermissionCheckHandler: (h: FakeWindow['permissionCheck']) => (this.permissionCheck = h),
    },
  };
  constructor(options: Record<string, unknown>) {
    this.options = options;
    windows.push(this);
  }
  once() {}
  show() {}
  loadURL(url: string) {
    this.loaded = url;
    return Promise.resolve();
  }
}

const BrowserWindow = FakeWindow as unknown as BrowserWindowCtorLike;

function navigate(win: FakeWindow, event: string, url: string): boolean {
  let prevented = false;
  win.wcListeners.get(event)!({ preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('createMainWindow', () => {
  it('opens a sandboxed, isolated window on the built renderer, locked to the app', () => {
    const loc = appLocation('/opt/qd/out/main', undefined);
    createMainWindow(BrowserWindow, loc, '/opt/qd/out/preload/index.js');
    const win = windows.at(-1)!;
    expect(win.options.webPreferences).toMatchObject({ preload: '/opt/qd/out/preload/index.js', contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(win.loaded).toBe('file:///opt/qd/out/renderer/index.html');

    expect(win.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(navigate(win, 'will-navigate', 'https://example.com/')).toBe(true);
    expect(navigate(win, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate(win, 'will-navigate', 'file:///opt/qd/out/renderer/index.html#x')).toBe(false);
    expect(navigate(win, 'will-redirect', 'https://example.com/')).toBe(true);

    let granted: boolean | null = null;
    win.permission!(null, 'notifications', (ok) => (granted = ok));
    expect(granted).toBe(false);
    expect(win.permissionCheck!()).toBe(false);
  });

  it('hands http(s) pages the app opens (a sign-in page) to the system browser, never a window', () => {
    const opened: string[] = [];
    createMainWindow(BrowserWindow, appLocation('/opt/qd/out/main', undefined), '/p.js', '', (u) => opened.push(u));
    const win = windows.at(-1)!;
    expect(win.openHandler!({ url: 'https://accounts.google.com/o/oauth2/v2/auth?client_id=x' })).toEqual({ action: 'deny' });
    expect(win.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(win.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(win.openHandler!({ url: 'file:///opt/qd/out/renderer/index.html' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://accounts.google.com/o/oauth2/v2/auth?client_id=x']);
  });

  it('opens at a hash route when asked (a notification or the tray menu)', () => {
    createMainWindow(BrowserWindow, appLocation('/opt/qd/out/main', undefined), '/p.js', '#/accounts/a%2Fb');
    expect(windows.at(-1)!.loaded).toBe('file:///opt/qd/out/renderer/index.html#/accounts/a%2Fb');
    createMainWindow(BrowserWindow, appLocation('/x', 'http://localhost:5173/'), '/p.js', '#/settings');
    expect(windows.at(-1)!.loaded).toBe('http://localhost:5173/#/settings');
  });

  it('trusts only the top frame of the app page (file: or the dev server origin)', () => {
    const trusted = trustedSender(appLocation('/opt/qd/out/main', undefined));
    expect(trusted({ url: 'file:///opt/qd/out/renderer/index.html', parent: null })).toBe(true);
    expect(trusted({ url: 'file:///opt/qd/out/renderer/index.html', parent: {} })).toBe(false);
    expect(trusted({ url: 'file:///tmp/evil.html', parent: null })).toBe(false);
    expect(trusted(null)).toBe(false);

    const dev = trustedSender(appLocation('/x', 'http://localhost:5173/'));
    expect(dev({ url: 'http://localhost:5173/index.html', parent: null })).toBe(true);
    expect(dev({ url: 'http://localhost:5174/', parent: null })).toBe(false);
  });
});
