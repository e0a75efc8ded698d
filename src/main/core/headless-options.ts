// Command-line flags of the headless service, validated; they override saved settings for
// this run only.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Settings } from '../../shared/types';

export interface HeadlessOptions {
  dataDir: string;
  port: number | null;
  overrides: Partial<Settings>;
  noSync: boolean;
  noProxy: boolean;
  /** Open the web UI (the printed link) in the default browser, where a display exists. */
  open: boolean;
  help: boolean;
}

export const HEADLESS_USAGE = `Usage: quotadeck-headless [options]
  --data-dir DIR               where the database, keys and logs live (default ~/.quotadeck)
  --port N                     control API port on 127.0.0.1 (0 picks a free one; default: saved setting, 4820)
  --sync-interval SECONDS      seconds between sync cycles (this run only)
  --sync-timeout SECONDS       per-account timeout of a sync (this run only)
  --concurrency N              accounts synced at once, globally (this run only)
  --provider-concurrency N     accounts synced at once per provider (this run only)
  --proxy-port N               the local proxy's port on 127.0.0.1 (0 picks a free one; default: saved setting, 4821)
  --no-sync                    do not start the background sync loop
  --no-proxy                   do not start the local proxy
  --open                       open the web UI link in the default browser (where a display exists)
  -h, --help                   show this help`;

export class UsageError extends Error {
  readonly code = 'usage';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function num(name: string, v: string | undefined, min: number, max: number, int: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (int && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${int ? 'an integer' : 'a number'} between ${min} and ${max} (got "${v}")`);
  }
  return n;
}

export function parseHeadlessArgs(argv: string[], env: Record<string, string | undefined> = process.env): HeadlessOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        'sync-interval': { type: 'string' },
        'sync-timeout': { type: 'string' },
        concurrency: { type: 'string' },
        'provider-concurrency': { type: 'string' },
        'no-sync': { type: 'boolean' },
        'proxy-port': { type: 'string' },
        'no-proxy': { type: 'boolean' },
        open: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const overrides: Partial<Settings> = {};
  const interval = num('sync-interval', values['sync-interval'], 1, 86_400, false);
  const timeout = num('sync-timeout', values['sync-timeout'], 0.1, 600, false);
  const conc = num('concurrency', values.concurrency, 1, 256, true);
  const pconc = num('provider-concurrency', values['provider-concurrency'], 1, 256, true);
  if (interval !== undefined) overrides.syncIntervalSec = interval;
  if (timeout !== undefined) overrides.syncTimeoutSec = timeout;
  if (conc !== undefined) overrides.concurrency = conc;
  if (pconc !== undefined) overrides.providerConcurrency = pconc;
  const proxyPort = num('proxy-port', values['proxy-port'], 0, 65_535, true);
  if (proxyPort !== undefined) overrides.proxyPort = proxyPort;
  return {
    dataDir: resolve(values['data-dir'] ?? env.QUOTADECK_DATA_DIR ?? join(homedir(), '.quotadeck')),
    port: num('port', values.port, 0, 65_535, true) ?? null,
    overrides,
    noSync: values['no-sync'] ?? false,
    noProxy: values['no-proxy'] ?? false,
    open: values.open ?? false,
    help: values.help ?? false,
  };
}
