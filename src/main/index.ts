// Electron entry: hands Electron's modules and electron-log to the desktop shell, which builds
// the ports, starts the core and wires window, tray, notifications and IPC
// (src/main/electron/desktop-shell.ts, tested in plain Node with these modules faked).
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, safeStorage, shell, Tray, type NativeImage } from 'electron';
import log from 'electron-log/main';
import { runDesktopShell } from './electron/desktop-shell';

runDesktopShell<NativeImage>({
  electron: { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, safeStorage, shell, Tray },
  log,
  mainDir: __dirname,
  // Packaged, resources/ is copied beside app.asar (electron-builder extraResources).
  resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources'),
});
