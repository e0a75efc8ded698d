// The desktop app's wiring: Electron objects in (as ports, so this runs in plain Node under
// test), the core built on them, and the desktop around it — window, tray, notifications,
// log file, IPC, single instance, quit. index.ts only hands Electron's modules to runDesktopShell.
import { join } from 'node:path';
import type { MethodName } from '../../shared/contract';
import { createApp, type AppConfig, type AppPorts, type CoreApp } from '../core/app';
import { createElectronLogLogger, type ElectronLogLike, type LogFns } from '../core/log/electron-log-logger';
import { followLogLevel, type LevelledTransport } from '../core/log/log-level';
import { DESKTOP_NOTIFICATION_WINDOW_MS } from '../core/notify/notification-batcher';
import { systemClock, type Clock } from '../core/ports';
import { appLocation, createMainWindow, trustedSender, type BrowserWindowCtorLike, type BrowserWindowLike } from './create-window';
import { createDesktopNotifier, type NotificationCtorLike } from './desktop-notifier';
import { forwardEvents, registerIpc, type IpcMainLike } from './ipc';
import { createSafeStorageSecretBox, isWeakBackend, type SafeStorageLike } from './secret-box';
import { createTrayController, type MenuFactoryLike, type TrayController, type TrayCtorLike } from './tray-controller';
import { TRAY_STATES, type TrayState } from './tray-state';
import { createWindowController } from './window-controller';

export interface ImageLike {
  isEmpty(): boolean;
}

export interface AppLike {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance' | 'activate' | 'window-all-closed', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  whenReady(): Promise<unknown>;
  getPath(name: 'userData'): string;
  getVersion(): string;
  quit(): void;
  exit(code: number): void;
  setAppUserModelId?(id: string): void;
}

/** The Electron modules the shell uses, as narrow structural ports (Image: Electron's NativeImage). */
export interface ElectronLike<Image extends ImageLike = ImageLike> {
  app: AppLike;
  BrowserWindow: BrowserWindowCtorLike;
  Tray: TrayCtorLike<Image>;
  Menu: MenuFactoryLike;
  Notification: NotificationCtorLike;
  nativeImage: { createFromPath(path: string): Image };
  ipcMain: IpcMainLike;
  safeStorage: SafeStorageLike;
  dialog: { showErrorBox(title: string, content: string): void };
  /** Opens sign-in pages in the system browser. */
  shell?: { openExternal(url: string): Promise<void> };
}

/** electron-log/main (or a compatible instance): the logger port plus its file transport. */
export interface ShellLog extends ElectronLogLike, LogFns {
  transports: { file: LevelledTransport & { resolvePathFn: (...args: never[]) => string; maxSize: number } };
}

export interface DesktopShellOptions<Image extends ImageLike = ImageLike> {
  electron: ElectronLike<Image>;
  log: ShellLog;
  /** The built main bundle's directory: the preload and the renderer are found beside it. */
  mainDir: string;
  /** Where the tray icons are: resources/ of the repo, or the packaged app's extraResources. */
  resourcesDir: string;
  platform?: NodeJS.Platform;
  /** Time for the core and the tray's "synced 2 min ago" (tests pass a fake one). */
  clock?: Clock;
  /** Extra core config and ports (tests: no sync loop, no proxy, a fake clock). */
  core?: { config?: Partial<AppConfig>; ports?: Partial<AppPorts> };
}

export interface DesktopShell {
  /** Settles once start-up finished (or failed and the app was told to exit). */
  ready: Promise<void>;
  core(): CoreApp | null;
  window(): BrowserWindowLike | null;
  tray(): TrayController | null;
}

/** The log file: userData/logs/quotadeck.log; past 5 MB electron-log renames it to
 * quotadeck.old.log (replacing the previous one), so at most ~10 MB of logs are kept. */
export const LOG_MAX_BYTES = 5 * 1024 * 1024;

/** electron-builder.json's appId: Windows shows toasts only for the installed app's model id. */
export const APP_ID = 'dev.quotadeck.desktop';

export const trayIconPath = (resourcesDir: string, state: TrayState) => join(resourcesDir, `tray-${state}.png`);

export function runDesktopShell<Image extends ImageLike>(o: DesktopShellOptions<Image>): DesktopShell {
  const { app } = o.electron;
  const platform = o.platform ?? process.platform;
  const clock = o.clock ?? systemClock;
  const location = appLocation(o.mainDir);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { ready: Promise.resolve(), core: () => null, window: () => null, tray: () => null };
  }

  // userData is known before 'ready'; the log file is set up first so start-up failures land in it.
  const dataDir = app.getPath('userData');
  o.log.transports.file.resolvePathFn = () => join(dataDir, 'logs', 'quotadeck.log');
  o.log.transports.file.maxSize = LOG_MAX_BYTES;
  const logger = createElectronLogLogger(o.log);
  let core: CoreApp | null = null;
  let tray: TrayController | null = null;
  let quitting = false;
  const offs: Array<() => void> = [];

  const closeToTray = () => core?.services.settings.get().closeToTray ?? false;
  const openExternal = o.electron.shell
    ? (url: string) => void o.electron.shell!.openExternal(url).catch((err: unknown) => logger.scope('window').warn(`could not open the browser: ${(err as Error).message}`))
    : undefined;
  const windows = createWindowController({
    create: (route) => createMainWindow(o.electron.BrowserWindow, location, join(o.mainDir, '../preload/index.js'), route, openExternal),
    closeToTray,
    quitting: () => quitting,
    log: logger.scope('window'),
  });
  const shell: DesktopShell = { ready: Promise.resolve(), core: () => core, window: () => windows.current(), tray: () => tray };

  if (platform === 'win32') app.setAppUserModelId?.(APP_ID);
  // Before the core is up there is nothing to show yet (start() opens the window itself).
  const bringForward = () => {
    if (core) windows.open();
  };
  app.on('second-instance', bringForward);
  app.on('activate', bringForward);
  app.on('window-all-closed', () => {
    // With closeToTray the tray keeps the app alive; otherwise closing the last window quits,
    // except on macOS where apps conventionally stay in the dock.
    if (platform === 'darwin' || closeToTray()) return;
    app.quit();
  });
  // close() is async (it aborts the sync in flight and closes SQLite): hold the quit until done.
  app.on('before-quit', (event) => {
    quitting = true;
    const closing = core;
    if (!closing) return;
    core = null;
    event.preventDefault();
    offs.splice(0).forEach((off) => off());
    tray?.dispose();
    tray = null;
    closing
      .close()
      .catch((err: unknown) => logger.error('closing the core failed', err))
      .finally(() => app.quit());
  });

  async function start(): Promise<void> {
    const { electron } = o;
    if (isWeakBackend(electron.safeStorage)) logger.warn('no OS keyring found: stored credentials are only obfuscated (safeStorage basic_text)');

    const notifier = createDesktopNotifier(electron.Notification, (route) => windows.open(route), logger.scope('notify'));
    const started = await createApp(
      { dataDir, mode: 'electron', version: app.getVersion(), notificationWindowMs: DESKTOP_NOTIFICATION_WINDOW_MS, proxyStartFailure: 'report', ...o.core?.config },
      { logger, secretBox: createSafeStorageSecretBox(electron.safeStorage), notifier, clock, ...o.core?.ports },
    );
    core = started;
    offs.push(followLogLevel(o.log.transports.file, started));
    offs.push(registerIpc(electron.ipcMain, started, trustedSender(location)));
    offs.push(forwardEvents(started, () => windows.current()?.webContents ?? null));

    const call = (method: MethodName) => {
      void started.api.call(method, undefined).then((env) => {
        if (!env.ok) logger.scope('tray').warn(`${method} failed: ${env.error.message}`);
      });
    };
    const icons = Object.fromEntries(
      TRAY_STATES.map((state) => {
        const image = electron.nativeImage.createFromPath(trayIconPath(o.resourcesDir, state));
        if (image.isEmpty()) logger.warn(`tray icon missing: ${trayIconPath(o.resourcesDir, state)}`);
        return [state, image];
      }),
    ) as Record<TrayState, Image>;
    const controller = createTrayController(
      {
        Tray: electron.Tray,
        Menu: electron.Menu,
        icons,
        clock,
        actions: {
          open: () => windows.open(),
          syncNow: () => call('monitor:syncNow'),
          pause: () => call('monitor:pause'),
          resume: () => call('monitor:resume'),
          openSettings: () => windows.open('#/settings'),
          quit: () => app.quit(),
        },
      },
      started.services.monitor.stats(),
    );
    tray = controller;
    // monitor:stats carries the counts after each cycle and on pause/resume; crossings and
    // account changes in between move them too, so those re-read the stats.
    const refresh = () => controller.update(started.services.monitor.stats());
    offs.push(started.events.on('monitor:stats', (s) => controller.update(s)));
    offs.push(started.events.on('quota:threshold', refresh));
    offs.push(started.events.on('accounts:changed', refresh));

    await started.start();
    windows.open();
  }

  function fail(err: unknown): void {
    logger.error('QuotaDeck failed to start', err);
    o.electron.dialog.showErrorBox('QuotaDeck failed to start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  }

  shell.ready = app.whenReady().then(start).catch(fail);
  return shell;
}
