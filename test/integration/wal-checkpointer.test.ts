// The WAL checkpoint thread: while the ledger writes, checkpoints run on a worker with its own
// connection and the main connection's automatic checkpoint is off; idle or closed, the thread
// is gone and the automatic checkpoint is back; a thread that cannot run changes nothing.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/core/db/open-database';
import { DEFAULT_AUTOCHECKPOINT_PAGES, WalCheckpointer } from '../../src/main/core/db/wal-checkpointer';
import type { Logger } from '../../src/main/core/ports';
import { Pricing } from '../../src/main/core/usage/pricing';
import { UsageLedger } from '../../src/main/core/usage/usage-ledger';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log = { warnings, debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {}, scope: () => log };
  return log as unknown as Logger & { warnings: string[] };
}

function setup(opts: { intervalMs?: number; idleStopMs?: number; file?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'qd-wal-'));
  dirs.push(dir);
  const file = join(dir, 'q.db');
  const db = openDatabase(file);
  dbs.push(db);
  const log = recordingLog();
  const checkpointer = new WalCheckpointer({ db, file: opts.file ?? file, log, intervalMs: opts.intervalMs ?? 60_000, idleStopMs: opts.idleStopMs ?? 60_000 });
  const ledger = new UsageLedger(db, new Pricing(db, { now: () => Date.now(), setTimeout, clearTimeout }), () => checkpointer.wrote());
  const write = (n: number) => {
    for (let i = 0; i < n; i++) {
      const id = ledger.begin({ requestId: `r${i}`, attempt: 1, accountId: `a${i % 5}`, provider: 'openai', model: 'gpt-4o-mini', requestedModel: null, client: 'test', route: 'openai.chat', startedAt: Date.now() });
      ledger.complete(id, { status: 'completed', httpStatus: 200, inputTokens: 10, outputTokens: 5, endedAt: Date.now(), error: null });
    }
  };
  return { db, file, log, checkpointer, ledger, write };
}

const autocheckpoint = (db: Db) => db.pragma('wal_autocheckpoint', { simple: true });
const until = async (ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('WalCheckpointer', () => {
  it('moves checkpoints to its thread while the ledger writes, and gives them back when closed', async () => {
    const { db, file, checkpointer, write } = setup();
    expect(autocheckpoint(db)).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    expect(checkpointer.running).toBe(false);
    write(300);
    expect(checkpointer.running).toBe(true);
    expect(autocheckpoint(db)).toBe(0);
    const before = statSync(file).size;
    const r = await checkpointer.checkpointNow();
    expect(r).not.toBeNull();
    // Every frame of the WAL was copied back into the database file by the thread.
    expect(r!.log).toBeGreaterThan(0);
    expect(r!.checkpointed).toBe(r!.log);
    expect(statSync(file).size).toBeGreaterThan(before);
    expect(checkpointer.checkpoints).toBe(1);
    await checkpointer.close();
    expect(checkpointer.running).toBe(false);
    expect(autocheckpoint(db)).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    // Nothing was lost on the way.
    expect(db.prepare("SELECT COUNT(*) FROM usage_ledger WHERE status = 'completed'").pluck().get()).toBe(300);
    // Closed: later writes never start it again.
    write(1);
    expect(checkpointer.running).toBe(false);
  });

  it('checkpoints on its interval and stops when the writes stop', async () => {
    const { db, checkpointer, write } = setup({ intervalMs: 50, idleStopMs: 300 });
    write(50);
    await until(() => checkpointer.checkpoints >= 2);
    expect(checkpointer.running).toBe(true);
    await until(() => !checkpointer.running);
    expect(autocheckpoint(db)).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    // Written again: a new thread.
    write(1);
    expect(checkpointer.running).toBe(true);
    await checkpointer.close();
  });

  it('leaves the automatic checkpoint on when its thread cannot open the database', async () => {
    const { db, log, checkpointer, write } = setup({ file: '/nonexistent/dir/q.db' });
    write(5);
    await until(() => !checkpointer.running && log.warnings.length > 0);
    expect(log.warnings[0]).toMatch(/checkpoint thread unavailable/);
    expect(autocheckpoint(db)).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    // It does not try again on every write.
    write(5);
    expect(checkpointer.running).toBe(false);
    expect(log.warnings).toHaveLength(1);
    await checkpointer.close();
  });
});
