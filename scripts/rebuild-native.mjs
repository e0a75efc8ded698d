#!/usr/bin/env node
// `npm run rebuild:electron`: rebuilds better-sqlite3 for Electron's ABI (the packaged app and
// `npm start` on a desktop need it). It only runs where the Electron binary was downloaded
// (node_modules/electron/path.txt and dist/), because that is also where Electron's headers can
// be fetched; elsewhere it says why it skipped and exits 0, so it never breaks an install or CI.
// @electron/rebuild is run through npx (fetched on demand, never a dependency): 4.x needs
// Node >= 22.12, so older Nodes get 3.x. Afterwards the module is built for Electron, not Node:
// `npm rebuild better-sqlite3` puts it back for the headless mode and the tests.
//
//   node scripts/rebuild-native.mjs [--dry-run] [--electron-dir DIR]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const dirFlag = args.indexOf('--electron-dir');
const electronDir = dirFlag >= 0 ? args[dirFlag + 1] : join(root, 'node_modules', 'electron');

/** The installed Electron's version when its binary is present, else null. */
function installedElectron(dir) {
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return null;
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}

const version = installedElectron(electronDir);
if (!version) {
  process.stdout.write(
    'Electron binary not available: better-sqlite3 stays built for Node; the headless mode works; ' +
      'run npm run rebuild:electron on a machine with internet (after npm install has downloaded Electron).\n',
  );
  process.exit(0);
}

const [major, minor] = process.versions.node.split('.').map(Number);
const rebuildPkg = major > 22 || (major === 22 && minor >= 12) ? '@electron/rebuild@4' : '@electron/rebuild@3';
const npxArgs = ['--yes', '--package', rebuildPkg, '--', 'electron-rebuild', '--version', version, '--only', 'better-sqlite3', '--force', '--module-dir', root];
process.stdout.write(`Rebuilding better-sqlite3 for Electron ${version}: npx ${npxArgs.join(' ')}\n`);
if (dryRun) process.exit(0);

const run = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', npxArgs, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (run.status !== 0) {
  process.stderr.write('Rebuilding better-sqlite3 for Electron failed (see above). The headless mode is unaffected.\n');
  process.exit(run.status ?? 1);
}
process.stdout.write('better-sqlite3 is now built for Electron. `npm rebuild better-sqlite3` switches it back to Node.\n');
