// The desktop shell's wiring, in plain Node: Electron replaced by a small fake (fake-electron.ts)
// passed in as the port object, the real core underneath (SQLite in a temp userData dir, a fake
// Google upstream on loopback, a fake clock so notification windows and "synced 2 min ago" are
// deterministic), and electron-log/node writing the real log file.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import electronLog from 'electron-log/node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runDesktopShell, type DesktopShell, type ShellLog } from '../../../src/main/electron/desktop-shell';
import type { SyncReport } from '../../../src/shared/types';
import { startFakeGoogle, type FakeGoogle } from '../../helpers/fake-google';
import { FakeClock, googleSettings, tempDir } from '../../helpers/harness';
import { seedGoogleAccounts, type Seeded } from '../../helpers/seed';
import { createFakeElectron, type FakeElectron } from './fake-electron';

const RESOURCES = resolve(__dirname, '../../../resources');
const MENU = ['3 accounts', '', 'Open QuotaDeck', 'Sync now', 'Pause monitor', 'Open proxy settings', '', 'Quit QuotaDeck'];

interface Launched {
  fake: FakeElectron;
  shell: DesktopShell;
  log: ShellLog;
  clock: FakeClock;
  userData: string;
  appDir: string;
}

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function launch(o: { platform?: NodeJS.Platform; google?: FakeGoogle; overrides?: Record<string, unknown>; singleInstance?: boolean; userData?: string } = {}): Promise<Launched> {
  const tmp = tempDir('quotadeck-shell-');
  const userData = o.userData ?? join(tmp.dir, 'userData');
  const appDir = join(tmp.dir, 'app');
  const fake = createFakeElectron({ userData, singleInstance: o.singleInstance });
  // A fresh electron-log instance per test: its own hooks and file transport.
  const log = electronLog.create({ logId: `shell-${randomBytes(6).toString('hex')}` }) as unknown as ShellLog & { transports: { console: { level: unknown } } };
  log.transports.console.level = false;
  const clock = new FakeClock();
  const overrides = { ...(o.google ? googleSettings(o.google.baseUrl, o.google.tokenUrl, { syncTimeoutSec: 5 }) : {}), ...o.overrides };
  const shell = runDesktopShell({
    electron: fake.electron,
    log,
    mainDir: join(appDir, 'out/main'),
    resourcesDir: RESOURCES,
    platform: o.platform ?? 'linux',
    clock,
    core: { config: { autoSync: false, startProxy: false, env: {}, homeDir: join(tmp.dir, 'home'), overrides }, ports: { monitorJitterRatio: 0 } },
  });
  cleanups.push(async () => {
    if (shell.core()) {
      fake.app.quit();
      await vi.waitFor(() => expect(fake.app.quitted).toBe(true));
    }
    tmp.cleanup();
  });
  await shell.ready;
  return { fake, shell, log, clock, userData, appDir };
}

async function fakeGoogle(): Promise<FakeGoogle> {
  const google = await startFakeGoogle();
  cleanups.push(() => google.close());
  return google;
}

/** Seeds accounts through the window's IPC path (accounts:import), like the renderer would. */
async function seed(l: Launched, google: FakeGoogle, fractions: number[]): Promise<Seeded[]> {
  return seedGoogleAccounts(l.shell.core()!, google, fractions.length, (i) => ({ models: { 'gemini-3-pro-high': { remainingFraction: fractions[i], resetTime: '2099-01-01T00:00:00Z' } } }));
}

function setFraction(s: Seeded, remainingFraction: number): void {
  s.handle.setModel('gemini-3-pro-high', { remainingFraction, resetTime: '2099-01-01T00:00:00Z' });
}

/** Clicks "Sync now" in the tray menu and waits for that cycle's report. */
async function syncFromTray(l: Launched): Promise<SyncReport> {
  const done = new Promise<SyncReport>((r) => {
    const off = l.shell.core()!.events.on('monitor:syncFinished', (report) => {
      off();
      r(report);
    });
  });
  l.fake.trays[0]!.item('Sync now').click!();
  return done;
}

const labels = (l: Launched) => l.fake.trays[0]!.menu.map((i) => (i.type === 'separator' ? '' : (i.label ?? '').replace(/ · .*$/, '')));

describe('desktop shell: start-up', () => {
  it('starts the core in userData, logs to userData/logs/quotadeck.log, opens the locked-down window and the tray', async () => {
    const l = await launch();
    const core = l.shell.core()!;
    expect(core.info).toMatchObject({ mode: 'electron', dataDir: l.userData, version: '0.0.0-test' });
    expect(existsSync(join(l.userData, 'quotadeck.db'))).toBe(true);

    const logFile = join(l.userData, 'logs', 'quotadeck.log');
    expect(readFileSync(logFile, 'utf8')).toContain('database open');
    expect(l.log.transports.file.maxSize).toBe(5 * 1024 * 1024);
    expect(l.log.transports.file.level).toBe('info');

    expect(l.fake.windows).toHaveLength(1);
    const win = l.fake.windows[0]!;
    expect(win.options.webPreferences).toMatchObject({ preload: join(l.appDir, 'out/preload/index.js'), contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(win.loadedUrl).toBe(pathToFileURL(join(l.appDir, 'out/renderer/index.html')).href);
    await vi.waitFor(() => expect(win.visible).toBe(true));
    expect(win.webContents.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    // A page the app opens on purpose (a sign-in page) goes to the system browser, not a window.
    expect(l.fake.openedExternally).toEqual(['https://example.com/']);
    expect(win.webContents.navigationAllowed('https://example.com/')).toBe(false);
    expect(win.webContents.navigationAllowed(`${win.loadedUrl}#/usage`)).toBe(true);

    expect(l.fake.trays).toHaveLength(1);
    const tray = l.fake.trays[0]!;
    expect(tray.image.path).toBe(join(RESOURCES, 'tray-ok.png'));
    expect(tray.image.isEmpty()).toBe(false);
    expect(tray.tooltip).toBe('QuotaDeck — 0 accounts · not synced yet');
    expect(labels(l)).toEqual(['0 accounts', ...MENU.slice(1)]);
    expect(tray.menu[0]!.enabled).toBe(false);
  });

  it('on Windows sets the app model id notifications need; elsewhere leaves it', async () => {
    const win32 = await launch({ platform: 'win32' });
    expect(win32.fake.app.appUserModelId).toBe('dev.quotadeck.desktop');
    const linux = await launch();
    expect(linux.fake.app.appUserModelId).toBeNull();
  });

  it('a second instance quits at once without starting anything', async () => {
    const l = await launch({ singleInstance: false });
    expect(l.fake.app.quitRequests).toBe(1);
    expect(l.shell.core()).toBeNull();
    expect(l.fake.windows).toHaveLength(0);
    expect(l.fake.trays).toHaveLength(0);
  });

  it('a start-up failure shows an error box, lands in the log file and exits 1', async () => {
    const tmp = tempDir('quotadeck-shell-');
    cleanups.push(tmp.cleanup);
    const userData = join(tmp.dir, 'userData');
    mkdirSync(join(userData, 'quotadeck.db'), { recursive: true }); // the database cannot open
    const l = await launch({ userData });
    expect(l.fake.errorBoxes).toEqual([['QuotaDeck failed to start', expect.any(String)]]);
    expect(l.fake.app.exitCode).toBe(1);
    expect(l.fake.windows).toHaveLength(0);
    expect(readFileSync(join(userData, 'logs', 'quotadeck.log'), 'utf8')).toContain('QuotaDeck failed to start');
  });
});

describe('desktop shell: IPC', () => {
  it("answers the window's page from the real core; other frames, unknown methods and bad payloads are refused", async () => {
    const l = await launch();
    expect(await l.fake.invoke('accounts:list')).toEqual({ ok: true, result: [] });
    expect(await l.fake.invoke('settings:get')).toMatchObject({ ok: true, result: { closeToTray: true, notificationsEnabled: true, logLevel: 'info' } });

    expect(await l.fake.invoke('accounts:list', undefined, 'https://evil.example/')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await l.fake.invoke('accounts:list', undefined, 'file:///tmp/other.html')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await l.fake.invoke('accounts:list', undefined, undefined, { parent: true })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await l.fake.invoke('accounts:list', undefined, null)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await l.fake.invoke('shell:exec')).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await l.fake.invoke('accounts:setEnabled', { id: 5 })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await l.fake.invoke('settings:update', { logLevel: 'verbose' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await l.fake.invoke('accounts:list', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'bad_request' } });

    // Contract events reach the window.
    await l.fake.invoke('monitor:pause');
    expect(l.fake.windows[0]!.webContents.sent).toContainEqual(['qd:event', 'monitor:stats', expect.objectContaining({ paused: true })]);
  });
});

describe('desktop shell: tray', () => {
  it('follows the stats: icon, tooltip and menu after a sync started from the tray', async () => {
    const google = await fakeGoogle();
    const l = await launch({ google });
    const tray = l.fake.trays[0]!;
    const seeded = await seed(l, google, [0.8, 0.05, 0]);
    expect(tray.tooltip).toBe('QuotaDeck — 3 accounts · not synced yet');

    const report = await syncFromTray(l);
    expect(report).toMatchObject({ trigger: 'manual', successes: 3, errors: 0 });
    expect(tray.image.path).toBe(join(RESOURCES, 'tray-exhausted.png'));
    expect(tray.tooltip).toBe('QuotaDeck — 3 accounts · 1 low · 1 exhausted · synced just now');
    expect(labels(l)).toEqual(MENU);

    // The tooltip ages on its own.
    l.clock.advance(2 * 60_000 + 1000);
    expect(tray.tooltip).toBe('QuotaDeck — 3 accounts · 1 low · 1 exhausted · synced 2 min ago');
    expect(tray.menu[0]!.label).toBe('3 accounts · 1 low · 1 exhausted · synced 2 min ago');

    // The exhausted account comes back, then the low one: the icon follows.
    setFraction(seeded[2]!, 0.9);
    await syncFromTray(l);
    expect(tray.image.path).toBe(join(RESOURCES, 'tray-low.png'));
    expect(tray.tooltip).toBe('QuotaDeck — 3 accounts · 1 low · synced just now');
    setFraction(seeded[1]!, 0.9);
    await syncFromTray(l);
    expect(tray.image.path).toBe(join(RESOURCES, 'tray-ok.png'));
  });

  it('Pause/Resume follow the monitor state; Open proxy settings opens #/settings; Open and a click show the window', async () => {
    const l = await launch();
    const tray = l.fake.trays[0]!;
    const win = l.fake.windows[0]!;
    await vi.waitFor(() => expect(win.visible).toBe(true));

    tray.item('Pause monitor').click!();
    await vi.waitFor(() => expect(tray.item('Resume monitor')).toBeDefined());
    expect(l.shell.core()!.services.monitor.stats().paused).toBe(true);
    expect(tray.tooltip).toContain('· paused');
    tray.item('Resume monitor').click!();
    await vi.waitFor(() => expect(tray.item('Pause monitor')).toBeDefined());
    expect(l.shell.core()!.services.monitor.stats().paused).toBe(false);
    expect(tray.tooltip).not.toContain('paused');

    win.hide();
    tray.item('Open proxy settings').click!();
    expect(win.visible).toBe(true);
    await vi.waitFor(() => expect(win.webContents.hash).toBe('#/settings'));
    expect(win.webContents.executed).toEqual(['location.hash = "#/settings"']);

    win.hide();
    tray.item('Open QuotaDeck').click!();
    expect(win.visible).toBe(true);
    win.hide();
    tray.emit('click');
    expect(win.visible).toBe(true);
    expect(l.fake.windows).toHaveLength(1);
  });
});

describe('desktop shell: notifications', () => {
  it('one per crossing, grouped when many cross at once, with hysteresis; clicking opens the account or the list', async () => {
    const google = await fakeGoogle();
    const l = await launch({ google });
    const win = l.fake.windows[0]!;
    await vi.waitFor(() => expect(win.visible).toBe(true));
    const seeded = await seed(l, google, [0.05, 0.05, 0.05, 0.05, 0.05]);

    // Five models cross into low in one cycle: held for the window, then one grouped notification.
    await syncFromTray(l);
    expect(l.fake.notifications).toHaveLength(0);
    l.clock.advance(1000);
    expect(l.fake.notifications.map((n) => n.options.title)).toEqual(['5 quotas ran low']);
    const grouped = l.fake.notifications[0]!;
    expect(grouped.shown).toBe(true);
    // The first three (in the order they crossed) by name, then how many more.
    const lines = grouped.options.body.split('\n');
    expect(lines).toHaveLength(4);
    expect(new Set(lines.slice(0, 3)).size).toBe(3);
    for (const line of lines.slice(0, 3)) expect(line).toMatch(/^user[0-4]@example\.com: gemini-3-pro-high low$/);
    expect(lines[3]).toBe('…and 2 more');
    win.hide();
    grouped.click();
    expect(win.visible).toBe(true);
    await vi.waitFor(() => expect(win.webContents.hash).toBe('#/accounts'));

    // The same state again is no news.
    await syncFromTray(l);
    l.clock.advance(1000);
    expect(l.fake.notifications).toHaveLength(1);

    // Two recover (well above the threshold), one hovers just above it (inside the 2-point band).
    setFraction(seeded[0]!, 0.6);
    setFraction(seeded[1]!, 0.6);
    setFraction(seeded[2]!, 0.11);
    await syncFromTray(l);
    l.clock.advance(1000);
    const recovered = l.fake.notifications.slice(1);
    expect(recovered.map((n) => n.options.title)).toEqual(['user0@example.com: gemini-3-pro-high recovered', 'user1@example.com: gemini-3-pro-high recovered']);
    recovered[1]!.click();
    await vi.waitFor(() => expect(win.webContents.hash).toBe(`#/accounts/${encodeURIComponent(seeded[1]!.id)}`));

    // Back under the threshold from inside the band: it never recovered, so nothing to say.
    setFraction(seeded[2]!, 0.09);
    await syncFromTray(l);
    l.clock.advance(1000);
    expect(l.fake.notifications).toHaveLength(3);
    // Clear of the band: recovered, once.
    setFraction(seeded[2]!, 0.125);
    await syncFromTray(l);
    l.clock.advance(1000);
    expect(l.fake.notifications.slice(3).map((n) => n.options.title)).toEqual(['user2@example.com: gemini-3-pro-high recovered']);
  });

  it('stays quiet while notificationsEnabled is off (the crossing still reaches the window)', async () => {
    const google = await fakeGoogle();
    const l = await launch({ google });
    const seeded = await seed(l, google, [0.5]);
    await syncFromTray(l);
    expect(await l.fake.invoke('settings:update', { notificationsEnabled: false })).toMatchObject({ ok: true });

    setFraction(seeded[0]!, 0);
    await syncFromTray(l);
    l.clock.advance(1000);
    expect(l.fake.notifications).toHaveLength(0);
    expect(l.fake.windows[0]!.webContents.sent).toContainEqual(['qd:event', 'quota:threshold', expect.objectContaining({ accountId: seeded[0]!.id, to: 'exhausted' })]);

    // Back on: the next crossing is shown, alone, and opens its account in a new window if needed.
    expect(await l.fake.invoke('settings:update', { notificationsEnabled: true, closeToTray: false })).toMatchObject({ ok: true });
    setFraction(seeded[0]!, 0.9);
    await syncFromTray(l);
    l.clock.advance(1000);
    expect(l.fake.notifications.map((n) => n.options.title)).toEqual(['user0@example.com: gemini-3-pro-high recovered']);
  });

  it('does nothing where notifications are unsupported', async () => {
    const l = await launch();
    l.fake.setNotificationsSupported(false);
    const account = await l.fake.invoke('accounts:add', { provider: 'openai', apiKey: 'sk-test-notsupported-123456' });
    const id = (account.result as { id: string }).id;
    expect(await l.fake.invoke('quota:report', { accountId: id, model: 'gpt-5', outcome: '429', retryAfter: 60 })).toMatchObject({ ok: true });
    l.clock.advance(1000);
    expect(l.fake.notifications).toHaveLength(0);
    expect(l.fake.trays[0]!.image.path).toBe(join(RESOURCES, 'tray-exhausted.png'));
  });
});

describe('desktop shell: closing and quitting', () => {
  it('closeToTray (default): closing hides the window and keeps the app; a notification or second instance brings it back', async () => {
    const l = await launch();
    const win = l.fake.windows[0]!;
    await vi.waitFor(() => expect(win.visible).toBe(true));
    expect(win.close()).toBe(false);
    expect(win.visible).toBe(false);
    expect(l.fake.app.quitRequests).toBe(0);
    expect(l.shell.core()).not.toBeNull();

    l.fake.app.emit('second-instance');
    expect(win.visible).toBe(true);
    expect(win.focused).toBeGreaterThan(0);
    expect(l.fake.windows).toHaveLength(1);

    // A 429 lock makes a crossing; its notification opens the account in the hidden window.
    win.close();
    const account = await l.fake.invoke('accounts:add', { provider: 'openai', apiKey: 'sk-test-closetotray-123456' });
    const id = (account.result as { id: string }).id;
    await l.fake.invoke('quota:report', { accountId: id, model: 'gpt-5', outcome: '429', retryAfter: 60 });
    l.clock.advance(1000);
    expect(l.fake.notifications.map((n) => n.options.title)).toEqual([expect.stringMatching(/gpt-5 exhausted$/)]);
    l.fake.notifications[0]!.click();
    expect(win.visible).toBe(true);
    await vi.waitFor(() => expect(win.webContents.hash).toBe(`#/accounts/${encodeURIComponent(id)}`));
  });

  it('with closeToTray off, closing the window quits the app (core closed, tray removed)', async () => {
    const l = await launch();
    const win = l.fake.windows[0]!;
    const core = l.shell.core()!;
    expect(await l.fake.invoke('settings:update', { closeToTray: false })).toMatchObject({ ok: true });
    expect(win.close()).toBe(true);
    await vi.waitFor(() => expect(l.fake.app.quitted).toBe(true));
    expect(l.shell.core()).toBeNull();
    expect(l.fake.trays[0]!.destroyed).toBe(true);
    expect(() => core.services.db.prepare('SELECT 1').get()).toThrow(/not open/);
    expect(l.fake.handlers.has('qd:invoke')).toBe(false);
  });

  it('on macOS closing the last window keeps the app; activate opens a new one, where a notification click lands', async () => {
    const l = await launch({ platform: 'darwin', overrides: { closeToTray: false } });
    expect(l.fake.windows[0]!.close()).toBe(true);
    expect(l.fake.app.quitRequests).toBe(0);
    l.fake.app.emit('activate');
    expect(l.fake.windows).toHaveLength(2);
    expect(l.fake.windows[1]!.loadedUrl).toMatch(/index\.html$/);

    l.fake.windows[1]!.close();
    const account = await l.fake.invoke('accounts:add', { provider: 'openai', apiKey: 'sk-test-darwin-1234567890' }, l.fake.windows[0]!.loadedUrl);
    const id = (account.result as { id: string }).id;
    await l.fake.invoke('quota:report', { accountId: id, model: 'gpt-5', outcome: '429', retryAfter: 60 }, l.fake.windows[0]!.loadedUrl);
    l.clock.advance(1000);
    l.fake.notifications[0]!.click();
    expect(l.fake.windows).toHaveLength(3);
    expect(l.fake.windows[2]!.loadedUrl).toMatch(new RegExp(`index\\.html#/accounts/${encodeURIComponent(id)}$`));
  });

  it('Quit in the tray menu closes the core, then the window, even with closeToTray on', async () => {
    const l = await launch();
    const win = l.fake.windows[0]!;
    l.fake.trays[0]!.item('Quit QuotaDeck').click!();
    await vi.waitFor(() => expect(l.fake.app.quitted).toBe(true));
    expect(l.fake.app.quitRequests).toBe(2); // once held for core.close(), once for real
    expect(win.destroyed).toBe(true);
    expect(l.shell.core()).toBeNull();
    expect(l.fake.trays[0]!.destroyed).toBe(true);
    expect(readFileSync(join(l.userData, 'logs', 'quotadeck.log'), 'utf8')).toContain('closed');
  });
});

describe('desktop shell: log level', () => {
  it('applies the logLevel setting to the log file at start and on every change', async () => {
    const l = await launch({ overrides: { logLevel: 'warn' } });
    expect(l.log.transports.file.level).toBe('warn');
    expect(await l.fake.invoke('settings:update', { logLevel: 'debug' })).toMatchObject({ ok: true });
    expect(l.log.transports.file.level).toBe('debug');
    await l.fake.invoke('settings:update', { logLevel: 'error' });
    expect(l.log.transports.file.level).toBe('error');
  });
});
