// Electron entry: builds the desktop ports (electron-log, safeStorage), starts the core, opens
// the window and binds IPC. Behaviour lives in src/main/core; this file only wires it.
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, safeStorage } from 'electron';
import log from 'electron-log/main';
import { createApp, type CoreApp } from './core/app';
import { createElectronLogLogger } from './core/log/electron-log-logger';
import { appLocation, createMainWindow, trustedSender } from './electron/create-window';
import { forwardEvents, registerIpc } from './electron/ipc';
import { createSafeStorageSecretBox, isWeakBackend } from './electron/secret-box';

let core: CoreApp | null = null;
let win: BrowserWindow | null = null;

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  log.transports.file.resolvePathFn = () => join(dataDir, 'logs', 'quotadeck.log');
  log.transports.file.maxSize = 5 * 1024 * 1024;
  const logger = createElectronLogLogger(log);
  if (isWeakBackend(safeStorage)) logger.warn('no OS keyring found: stored credentials are only obfuscated (safeStorage basic_text)');

  core = await createApp({ dataDir, mode: 'electron', version: app.getVersion() }, { logger, secretBox: createSafeStorageSecretBox(safeStorage) });
  const location = appLocation(__dirname);
  registerIpc(ipcMain, core, trustedSender(location));
  forwardEvents(core, () => win?.webContents ?? null);
  await core.start();

  const openWindow = () => {
    win = createMainWindow(location, join(__dirname, '../preload/index.js'));
    win.on('closed', () => (win = null));
  };
  openWindow();
  app.on('activate', () => {
    if (!win) openWindow();
  });
}

function fail(err: unknown): void {
  log.error('QuotaDeck failed to start', err);
  dialog.showErrorBox('QuotaDeck failed to start', err instanceof Error ? err.message : String(err));
  app.exit(1);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // The tray (a later issue) will keep the app alive; until then closing the window quits,
  // except on macOS where apps conventionally stay in the dock.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // close() is async (it aborts the sync in flight and closes SQLite): hold the quit until done.
  app.on('before-quit', (event) => {
    const closing = core;
    if (!closing) return;
    core = null;
    event.preventDefault();
    closing
      .close()
      .catch((err: unknown) => log.error('closing the core failed', err))
      .finally(() => app.quit());
  });
  app.whenReady().then(start).catch(fail);
}
