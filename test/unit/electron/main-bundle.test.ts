// Proves src/main/index.ts wires the shell: builds the main bundle with the real electron-vite
// config (main only, into test-output/), then require()s it in Node with the 'electron' module
// replaced by the fake at Node's module-loading boundary. electron-log/main, better-sqlite3 and
// the core are the real ones; the data dir is pre-seeded so the proxy takes a free port.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, makeHarness, tempDir } from '../../helpers/harness';
import { createFakeElectron } from './fake-electron';

const root = resolve(__dirname, '../../..');
const outRoot = join(root, 'test-output', `main-bundle-${randomBytes(4).toString('hex')}`);
const bundle = join(outRoot, 'main', 'index.js');
const nodeRequire = createRequire(import.meta.url);

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };

beforeAll(() => {
  // Inside the repo, so the bundle's require() finds node_modules.
  const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--config', 'test/unit/electron/main-bundle.vite.config.ts', '--logLevel', 'error'], {
    cwd: root,
    env: { ...process.env, QUOTADECK_TEST_MAIN_OUT: join(outRoot, 'main') },
    encoding: 'utf8',
  });
  expect(build.status, build.stderr).toBe(0);
}, 60_000);

afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

describe('the main bundle built from src/main/index.ts, with a fake electron', () => {
  it('starts the core on userData, opens the window and the tray, binds IPC, logs to the file and quits cleanly', async () => {
    const tmp = tempDir('quotadeck-bundle-');
    const userData = join(tmp.dir, 'userData');
    // Saved settings the app will read: a free proxy port, no sync for an hour after the first.
    const seed = await makeHarness({ dir: userData });
    await call(seed.app, 'settings:update', { proxyPort: 0, syncIntervalSec: 3600 });
    await seed.close();

    const fake = createFakeElectron({ userData, appPath: root });
    const realLoad = loader._load;
    loader._load = function (request, parent, isMain) {
      if (request === 'electron') return fake.electron;
      return realLoad.call(this, request, parent, isMain);
    };
    try {
      (nodeRequire('electron-log/main') as { transports: { console: { level: unknown } } }).transports.console.level = false;
      nodeRequire(bundle);
      await vi.waitFor(() => expect(fake.windows).toHaveLength(1), { timeout: 10_000 });

      const win = fake.windows[0]!;
      expect(win.loadedUrl).toBe(pathToFileURL(join(outRoot, 'renderer', 'index.html')).href);
      expect(win.options.webPreferences).toMatchObject({ preload: join(outRoot, 'preload', 'index.js'), sandbox: true, contextIsolation: true, nodeIntegration: false });
      expect(fake.trays).toHaveLength(1);
      expect(fake.trays[0]!.image.path).toBe(join(root, 'resources', 'tray-ok.png'));
      expect(fake.trays[0]!.tooltip).toMatch(/^QuotaDeck — 0 accounts · /);

      expect(await fake.invoke('app:info')).toMatchObject({ ok: true, result: { mode: 'electron', dataDir: userData, version: '0.0.0-test' } });
      const proxy = await fake.invoke('proxy:getInfo');
      expect(proxy).toMatchObject({ ok: true, result: { running: true } });
      expect((proxy.result as { port: number }).port).not.toBe(4821);
      expect(await fake.invoke('app:info', undefined, 'https://evil.example/')).toMatchObject({ ok: false, error: { code: 'forbidden' } });

      const log = readFileSync(join(userData, 'logs', 'quotadeck.log'), 'utf8');
      expect(log).toContain('database open');

      fake.trays[0]!.item('Quit QuotaDeck').click!();
      await vi.waitFor(() => expect(fake.app.quitted).toBe(true), { timeout: 10_000 });
      expect(win.destroyed).toBe(true);
      expect(fake.trays[0]!.destroyed).toBe(true);
      expect(readFileSync(join(userData, 'logs', 'quotadeck.log'), 'utf8')).toContain('closed');
    } finally {
      loader._load = realLoad;
      delete nodeRequire.cache[bundle];
      tmp.cleanup();
    }
  });
});
