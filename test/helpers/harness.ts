// Builds a real core (SQLite in a temp dir, AES secret box, real HTTP to a fake upstream) for
// tests and benchmarks; only the clock and notifier may be fakes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApp, type AppPorts, type CoreApp } from '../../src/main/core/app';
import { createMemoryLogger, type MemoryLogger } from '../../src/main/core/log/memory-logger';
import { createAesSecretBox } from '../../src/main/core/secrets/key-file-secret-box';
import type { Clock, Notification } from '../../src/main/core/ports';
import type { Settings } from '../../src/shared/types';

export function tempDir(prefix = 'quotadeck-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A clock the test moves by hand; timers fire when advanced past their time. */
export class FakeClock implements Clock {
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private seq = 0;
  constructor(public t = Date.parse('2026-11-23T10:00:00Z')) {}
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
  pending(): number {
    return this.timers.length;
  }
}

export interface Harness {
  app: CoreApp;
  dir: string;
  logger: MemoryLogger;
  notifications: Notification[];
  key: Buffer;
  close(): Promise<void>;
  reopen(overrides?: Partial<Settings>): Promise<Harness>;
}

export interface HarnessOptions {
  /** Removes the data dir on close (set when a harness is reopened on the same dir). */
  cleanup?: () => void;
  dir?: string;
  key?: Buffer;
  overrides?: Partial<Settings>;
  clock?: Clock;
  env?: Record<string, string | undefined>;
  autoSync?: boolean;
  /** Check new API keys at once (default: as autoSync, off). */
  probeNewKeys?: boolean;
  homeDir?: string;
  ports?: Partial<AppPorts>;
  /** The monitor's poll plan (default: the product's, adaptive). */
  pollPlan?: 'adaptive' | 'fixed';
}

export async function makeHarness(o: HarnessOptions = {}): Promise<Harness> {
  const tmp = o.dir ? null : tempDir();
  const dir = o.dir ?? tmp!.dir;
  const cleanup = o.cleanup ?? tmp?.cleanup;
  const key = o.key ?? randomBytes(32);
  const logger = createMemoryLogger();
  const notifications: Notification[] = [];
  const app = await createApp(
    { dataDir: dir, mode: 'headless', overrides: o.overrides, env: o.env ?? {}, autoSync: o.autoSync ?? false, ...(o.probeNewKeys !== undefined ? { probeNewKeys: o.probeNewKeys } : {}), homeDir: o.homeDir ?? join(dir, 'no-home'), pollPlan: o.pollPlan },
    {
      logger,
      secretBox: createAesSecretBox(key),
      clock: o.clock,
      notifier: { notify: (n) => notifications.push(n) },
      monitorJitterRatio: 0,
      ...o.ports,
    },
  );
  const h: Harness = {
    app,
    dir,
    logger,
    notifications,
    key,
    close: async () => {
      await app.close();
      cleanup?.();
    },
    reopen: async (overrides) => {
      await app.close();
      return makeHarness({ ...o, dir, key, cleanup, overrides: overrides ?? o.overrides });
    },
  };
  return h;
}

/** Settings pointing the Google adapter at a fake upstream. */
export function googleSettings(baseUrl: string, tokenUrl: string, extra: Partial<Settings> = {}): Partial<Settings> {
  return {
    baseUrls: { antigravity: baseUrl },
    oauthTokenUrls: { google: tokenUrl },
    googleClientId: 'test-client-id.apps.example',
    googleClientSecret: 'test-client-secret',
    ...extra,
  };
}

export async function call<T = unknown>(app: CoreApp, method: string, req?: unknown): Promise<T> {
  const env = await app.api.call(method, req);
  if (!env.ok) throw Object.assign(new Error(`${env.error.code}: ${env.error.message}`), { code: env.error.code, details: env.error.details });
  return env.result as T;
}
