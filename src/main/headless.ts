// Headless entry: the same core as the desktop app, as a service on 127.0.0.1 with the
// control API, the token API and the web UI. Ctrl-C / SIGTERM stop it cleanly.
import { existsSync } from 'node:fs';
import { ensurePrivateDir } from './core/fs/private-dir';
import { join, resolve } from 'node:path';
import log from 'electron-log/node';
import { createApp } from './core/app';
import { loadOrCreateToken } from './core/control-token';
import { HEADLESS_USAGE, parseHeadlessArgs, UsageError } from './core/headless-options';
import { createElectronLogLogger } from './core/log/electron-log-logger';
import { followLogLevel } from './core/log/log-level';
import { DESKTOP_NOTIFICATION_WINDOW_MS } from './core/notify/notification-batcher';
import { createKeyFileSecretBox } from './core/secrets/key-file-secret-box';
import { startControlServer } from './core/server/control-server';
import { applyServiceMemoryPolicy } from './headless-memory';
import { openInBrowser } from './open-browser';

// Before the service allocates anything: see headless-memory.ts.
applyServiceMemoryPolicy();

/** However a stop goes, the process has exited this long after SIGTERM/SIGINT. */
const STOP_DEADLINE_MS = 5_000;

function rendererDir(): string | null {
  for (const dir of [resolve(__dirname, '../renderer'), resolve(__dirname, '../../out/renderer')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseHeadlessArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${HEADLESS_USAGE}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(`${HEADLESS_USAGE}\n`);
    return;
  }
  ensurePrivateDir(opts.dataDir);
  ensurePrivateDir(join(opts.dataDir, 'logs'));
  log.transports.file.resolvePathFn = () => join(opts.dataDir, 'logs', 'quotadeck.log');
  log.transports.file.maxSize = 5 * 1024 * 1024;
  log.transports.console.level = process.env.QUOTADECK_LOG_LEVEL === 'debug' ? 'debug' : 'info';
  const logger = createElectronLogLogger(log);

  const app = await createApp(
    // Notifications (logged here) and crossings' log lines grouped per burst, as on the desktop.
    { dataDir: opts.dataDir, mode: 'headless', overrides: opts.overrides, autoSync: !opts.noSync, startProxy: !opts.noProxy, notificationWindowMs: DESKTOP_NOTIFICATION_WINDOW_MS },
    {
      logger,
      secretBox: createKeyFileSecretBox(join(opts.dataDir, 'secret.key')),
      notifier: { notify: (n) => logger.scope('notify').info(`${n.title}: ${n.body}`) },
    },
  );
  followLogLevel(log.transports.file, app);
  const token = loadOrCreateToken(join(opts.dataDir, 'control-token'));
  const port = opts.port ?? app.services.settings.get().controlPort;
  let server;
  try {
    server = await startControlServer({ app, token, port, rendererDir: rendererDir(), log: logger.scope('server') });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`Cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}. Pick another with --port N (0 = any free port).\n`);
    await app.close();
    process.exit(1);
  }
  try {
    await app.start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`Cannot start: ${e.code ?? e.message}. A busy proxy port can be changed with --proxy-port N (0 = any free port).\n`);
    await server.close();
    await app.close();
    process.exit(1);
  }
  // The handlers are in place before the service says it is listening: a SIGTERM sent on
  // reading that line always takes the clean, bounded stop.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, stopping`);
    // A stop is bounded: whatever still holds it after STOP_DEADLINE_MS, the process exits
    // (after writing the ledger's queued rows, if the database is still open).
    const hard = setTimeout(() => {
      logger.warn(`stop did not finish within ${STOP_DEADLINE_MS / 1000} s; exiting anyway`);
      try {
        app.services.ledger.close();
      } catch {
        // The database was already closed: nothing left to write.
      }
      process.stdout.write('QuotaDeck headless stopped (deadline)\n');
      process.exit(0);
    }, STOP_DEADLINE_MS);
    try {
      await server.close();
      await app.close();
    } catch (err) {
      logger.error('stop failed', err);
    }
    clearTimeout(hard);
    process.stdout.write('QuotaDeck headless stopped\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const proxy = app.proxyInfo();
  // The link carries the real token in the fragment: ready to click, and a browser never sends a
  // fragment to the server, so it reaches no request log. It goes to this terminal only (not the log file).
  const webUi = `${server.url}/#token=${encodeURIComponent(token)}`;
  process.stdout.write(
    `QuotaDeck headless listening on ${server.url}\n` +
      `  control token: ${join(opts.dataDir, 'control-token')}\n` +
      `  web UI: ${webUi}\n` +
      (proxy.running ? `QuotaDeck proxy listening on ${proxy.url} (key: ${join(opts.dataDir, 'proxy-key')})\n` : 'QuotaDeck proxy not started\n'),
  );
  if (opts.open) {
    const opened = await openInBrowser(webUi, { platform: process.platform, env: process.env });
    process.stdout.write(`${opened.message}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`QuotaDeck headless failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
