// A small fake of the Electron modules the desktop shell uses, faithful where the shell's
// behaviour depends on it: app.quit() emits before-quit (cancellable), then closes every window
// (each 'close' cancellable); a user closing the last window emits window-all-closed.
// Used as a port object (desktop-shell.test.ts) and as the 'electron' module (main-bundle.test.ts).
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';

export interface PreventableEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}
const preventable = (): PreventableEvent => {
  const e = { defaultPrevented: false, preventDefault: () => void (e.defaultPrevented = true) };
  return e;
};

export interface MenuItem {
  label?: string;
  type?: string;
  enabled?: boolean;
  click?: () => void;
}

export function createFakeElectron(o: { userData: string; appPath?: string; singleInstance?: boolean; notificationsSupported?: boolean }) {
  const windows: FakeWindow[] = [];
  const trays: FakeTray[] = [];
  const notifications: FakeNotification[] = [];
  const errorBoxes: Array<[string, string]> = [];
  type Handler = (event: { senderFrame: { url: string; parent?: unknown } | null }, ...args: unknown[]) => unknown;
  const handlers = new Map<string, Handler>();
  let notificationsSupported = o.notificationsSupported ?? true;

  class FakeApp extends EventEmitter {
    name = 'QuotaDeck';
    isPackaged = false;
    quitRequests = 0;
    quitted = false;
    exitCode: number | null = null;
    requestSingleInstanceLock = () => o.singleInstance ?? true;
    whenReady = () => Promise.resolve();
    isReady = () => true;
    getName = () => 'QuotaDeck';
    getVersion = () => '0.0.0-test';
    getAppPath = () => o.appPath ?? process.cwd();
    getPath = (name: string) => (name === 'userData' ? o.userData : `${o.userData}/${name}`);
    quit = () => {
      this.quitRequests++;
      const e = preventable();
      this.emit('before-quit', e);
      if (e.defaultPrevented) return;
      for (const w of windows.filter((x) => !x.destroyed)) {
        if (!w.close({ quitting: true })) return; // a window refused: the quit is cancelled
      }
      this.emit('will-quit', preventable());
      this.quitted = true;
      this.emit('quit');
    };
    exit = (code: number) => {
      this.exitCode = code;
    };
    appUserModelId: string | null = null;
    setAppUserModelId = (id: string) => {
      this.appUserModelId = id;
    };
  }
  const app = new FakeApp();

  class FakeWebContents extends EventEmitter {
    sent: unknown[][] = [];
    executed: string[] = [];
    hash = '';
    destroyed = false;
    openHandler: ((d: { url: string }) => { action: string }) | null = null;
    permissionHandler: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    permissionCheck: (() => boolean) | null = null;
    session = {
      setPermissionRequestHandler: (h: FakeWebContents['permissionHandler']) => void (this.permissionHandler = h),
      setPermissionCheckHandler: (h: FakeWebContents['permissionCheck']) => void (this.permissionCheck = h),
    };
    setWindowOpenHandler(h: FakeWebContents['openHandler']) {
      this.openHandler = h;
    }
    send(...a: unknown[]) {
      this.sent.push(a);
    }
    isDestroyed() {
      return this.destroyed;
    }
    /** Understands only what the shell sends: `location.hash = "<route>"`. */
    executeJavaScript(code: string) {
      this.executed.push(code);
      const m = /^location\.hash = (".*")$/.exec(code);
      if (m) this.hash = JSON.parse(m[1]!) as string;
      return Promise.resolve(this.hash);
    }
    /** Would Electron let the page go to `url`? (runs the will-navigate guard) */
    navigationAllowed(url: string, event = 'will-navigate') {
      const e = preventable();
      this.emit(event, e, url);
      return !e.defaultPrevented;
    }
  }

  class FakeWindow extends EventEmitter {
    webContents = new FakeWebContents();
    loadedUrl: string | null = null;
    visible = false;
    minimized = false;
    focused = 0;
    destroyed = false;
    constructor(public options: Record<string, unknown>) {
      super();
      windows.push(this);
    }
    loadURL(url: string) {
      this.loadedUrl = url;
      this.webContents.hash = new URL(url).hash;
      queueMicrotask(() => this.emit('ready-to-show'));
      return Promise.resolve();
    }
    show() {
      this.visible = true;
    }
    hide() {
      this.visible = false;
    }
    focus() {
      this.focused++;
    }
    restore() {
      this.minimized = false;
    }
    isMinimized() {
      return this.minimized;
    }
    /** The user (or a quit) closes the window; false when a 'close' listener prevented it. */
    close(opts: { quitting?: boolean } = {}): boolean {
      const e = preventable();
      this.emit('close', e);
      if (e.defaultPrevented) return false;
      this.destroyed = true;
      this.visible = false;
      this.webContents.destroyed = true;
      this.emit('closed');
      if (!opts.quitting && windows.every((w) => w.destroyed)) app.emit('window-all-closed');
      return true;
    }
  }

  class FakeTray extends EventEmitter {
    image: FakeImage;
    tooltip = '';
    menu: MenuItem[] = [];
    menuBuilds = 0;
    destroyed = false;
    constructor(image: FakeImage) {
      super();
      this.image = image;
      trays.push(this);
    }
    setImage(image: FakeImage) {
      this.image = image;
    }
    setToolTip(t: string) {
      this.tooltip = t;
    }
    setContextMenu(menu: { template: MenuItem[] }) {
      this.menu = menu.template;
      this.menuBuilds++;
    }
    destroy() {
      this.destroyed = true;
    }
    item(label: string | RegExp): MenuItem {
      const found = this.menu.find((i) => (typeof label === 'string' ? i.label === label : label.test(i.label ?? '')));
      if (!found) throw new Error(`no menu item ${label} in ${JSON.stringify(this.menu.map((i) => i.label))}`);
      return found;
    }
  }

  class FakeNotification extends EventEmitter {
    static isSupported = () => notificationsSupported;
    shown = false;
    constructor(public options: { title: string; body: string }) {
      super();
      notifications.push(this);
    }
    show() {
      this.shown = true;
    }
    click() {
      this.emit('click');
    }
  }

  interface FakeImage {
    path: string;
    isEmpty(): boolean;
  }

  /** Pages handed to the system browser (shell.openExternal). */
  const openedExternally: string[] = [];
  const electron = {
    app,
    BrowserWindow: FakeWindow,
    Tray: FakeTray,
    Notification: FakeNotification,
    Menu: { buildFromTemplate: (template: MenuItem[]) => ({ template }) },
    nativeImage: { createFromPath: (path: string): FakeImage => ({ path, isEmpty: () => !existsSync(path) }) },
    ipcMain: {
      handle: (channel: string, h: Handler) => void handlers.set(channel, h),
      removeHandler: (channel: string) => void handlers.delete(channel),
      on: () => {},
    },
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (p: string) => Buffer.from(`enc:${p}`),
      decryptString: (b: Buffer) => b.toString().replace(/^enc:/, ''),
      getSelectedStorageBackend: () => 'gnome_libsecret',
    },
    dialog: { showErrorBox: (title: string, content: string) => void errorBoxes.push([title, content]) },
    shell: { openExternal: async (url: string) => void openedExternally.push(url) },
  };

  return {
    electron,
    openedExternally,
    app,
    windows,
    trays,
    notifications,
    errorBoxes,
    handlers,
    setNotificationsSupported: (v: boolean) => void (notificationsSupported = v),
    /** Calls the contract as the renderer would, from `frameUrl` (default: the window's page). */
    invoke(method: unknown, request?: unknown, frameUrl?: string | null, parent?: unknown) {
      const h = handlers.get('qd:invoke');
      if (!h) throw new Error('qd:invoke is not registered');
      const url = frameUrl === undefined ? windows.at(-1)?.loadedUrl ?? '' : frameUrl;
      return h({ senderFrame: url === null ? null : { url, parent } }, method, request) as Promise<{ ok: boolean; result?: unknown; error?: { code: string } }>;
    },
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
