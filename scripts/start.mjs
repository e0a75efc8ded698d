#!/usr/bin/env node
// `npm start`: builds, then runs the Electron app where its binary and a display exist, and
// the headless service (same core, web UI on 127.0.0.1) everywhere else. Extra arguments go
// to the headless service, e.g. `npm start -- --port 4820 --data-dir ~/.quotadeck --open`;
// it prints the web UI link, token included (`web UI: http://127.0.0.1:PORT/#token=…`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const args = process.argv.slice(2);

function electronBinary() {
  try {
    const dir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const electron = electronBinary();
const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const forceHeadless = args.includes('--headless') || process.env.QUOTADECK_HEADLESS === '1';
const rest = args.filter((a) => a !== '--headless');

let child;
if (electron && hasDisplay && !forceHeadless) {
  // The desktop app opens its own window: --open is the headless service's flag.
  child = spawn(electron, [root, ...rest.filter((a) => a !== '--open')], { cwd: root, stdio: 'inherit' });
} else {
  const why = !electron ? 'the Electron binary is not installed' : !hasDisplay ? 'no display is available' : 'headless mode was requested';
  process.stdout.write(`Starting QuotaDeck in headless mode (${why}); open the "web UI" link it prints.\n`);
  child = spawn(process.execPath, [join(root, 'out/main/headless.js'), ...rest], { cwd: root, stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
