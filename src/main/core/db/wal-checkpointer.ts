// Checkpoints of the WAL off the event loop while the database is written hard.
//
// SQLite's automatic checkpoint runs inside whichever commit pushes the WAL past 1,000 pages:
// that commit copies the pages back into the database file and fsyncs both files, on the
// thread that committed. Under proxy traffic (the ledger commits a batch every turn of the
// event loop) that is the proxy's thread, every ~60–150 commits, for as long as the disk takes
// to sync: the request in flight waits, and at 64 connections every one of them does
// (bench/ledger-commit.ts measures a commit's wall time with and without it).
//
// While writes keep coming, this moves checkpoints to a worker thread with its own connection:
// the main connection's automatic checkpoint is turned off, and the worker runs a PASSIVE
// checkpoint every `intervalMs` (PASSIVE never waits on the writer: SQLite copies what no
// reader needs and the writer goes on appending). Hot pages written many times between two
// checkpoints are copied once. After `idleStopMs` without writes the worker stops and the
// automatic checkpoint is back, so an idle app holds no extra thread (~9 MB).
//
// The worker is started lazily (`wrote()`, called by the ledger after each batch) and failures
// are never fatal: a worker that cannot start or dies leaves the automatic checkpoint on.
// Durability is unchanged: commits are the same WAL commits (synchronous=NORMAL), only who
// copies them back differs; a crash mid-checkpoint is recovered by SQLite as before.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../ports';
import type { Db } from './open-database';

/** SQLite's default wal_autocheckpoint (pages). */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

export interface WalCheckpointerOptions {
  db: Db;
  /** The database file (the worker opens its own connection to it). */
  file: string;
  log: Logger;
  /** Between two checkpoints while written (default 1 s). */
  intervalMs?: number;
  /** Without writes this long, the worker stops and the automatic checkpoint is back (default 60 s). */
  idleStopMs?: number;
}

/** What the worker reports after each checkpoint (SQLite's wal_checkpoint row). */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

// The worker's code: CommonJS evaluated in the worker, better-sqlite3 required by absolute path
// (resolved here, so the same code runs from the bundle, from the sources under test and from
// a packaged app).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 100');
db.pragma('wal_autocheckpoint = 0');
const checkpoint = () => {
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ kind: 'checkpointed', busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ kind: 'failed', message: String(err && err.message || err) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'checkpoint') return checkpoint();
  if (m === 'stop') {
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ kind: 'ready' });
`;

let sqlitePath: string | null = null;
function resolveSqlite(): string {
  sqlitePath ??= createRequire(__filename).resolve('better-sqlite3');
  return sqlitePath;
}

export class WalCheckpointer {
  private worker: Worker | null = null;
  private stopping: Promise<void> | null = null;
  private lastWriteAt = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Set once the worker could not run: the automatic checkpoint stays on for good. */
  private broken = false;
  private readonly intervalMs: number;
  private readonly idleStopMs: number;
  private readonly waiting: Array<(r: CheckpointResult | null) => void> = [];
  /** Checkpoints the worker has run (for tests and the log). */
  checkpoints = 0;

  constructor(private readonly o: WalCheckpointerOptions) {
    this.intervalMs = o.intervalMs ?? 1000;
    this.idleStopMs = o.idleStopMs ?? 60_000;
  }

  /** Whether the checkpoint thread is up (until it has fully stopped and the automatic checkpoint is back). */
  get running(): boolean {
    return this.worker !== null;
  }

  /** The database was written: starts the worker when it is not running. Cheap on the hot path. */
  wrote(): void {
    this.lastWriteAt = Date.now();
    if (this.worker !== null || this.closed || this.broken || this.o.file === ':memory:') return;
    this.start();
  }

  private start(): void {
    let w: Worker;
    try {
      w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { sqlite: resolveSqlite(), file: this.o.file, intervalMs: this.intervalMs },
        // A connection and a timer: a small heap is plenty.
        resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 },
        stdout: false,
        stderr: false,
      });
    } catch (err) {
      this.fail(err);
      return;
    }
    this.worker = w;
    // The worker's connection does the copying from now on.
    this.o.db.pragma('wal_autocheckpoint = 0');
    w.on('message', (m: { kind: string; message?: string } & CheckpointResult) => {
      if (m.kind === 'checkpointed') {
        this.checkpoints++;
        for (const r of this.waiting.splice(0)) r({ busy: m.busy, log: m.log, checkpointed: m.checkpointed });
      } else if (m.kind === 'failed') {
        this.o.log.warn(`WAL checkpoint failed on the checkpoint thread: ${m.message ?? 'unknown'}`);
        for (const r of this.waiting.splice(0)) r(null);
      }
    });
    w.on('error', (err) => this.fail(err));
    w.on('exit', () => {
      if (this.worker === w) this.worker = null;
      this.restoreAutocheckpoint();
      for (const r of this.waiting.splice(0)) r(null);
    });
    w.unref();
    this.idleTimer = setInterval(() => {
      if (Date.now() - this.lastWriteAt >= this.idleStopMs) void this.stopWorker();
    }, Math.min(this.idleStopMs, 10_000));
    this.idleTimer.unref();
  }

  private fail(err: unknown): void {
    if (!this.broken) this.o.log.warn(`WAL checkpoint thread unavailable; SQLite checkpoints on the main thread: ${err instanceof Error ? err.message : String(err)}`);
    this.broken = true;
    const w = this.worker;
    this.worker = null;
    this.restoreAutocheckpoint();
    void w?.terminate();
  }

  private restoreAutocheckpoint(): void {
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = null;
    if (!this.o.db.open) return;
    try {
      this.o.db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    } catch {
      // The database is closing: nothing to restore.
    }
  }

  /** Asks the worker for a checkpoint now; resolves with its result (null when none ran). */
  checkpointNow(): Promise<CheckpointResult | null> {
    const w = this.worker;
    if (!w || this.stopping) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      w.postMessage('checkpoint');
    });
  }

  /** Stops the worker (after a last checkpoint) and turns the automatic checkpoint back on. */
  private stopWorker(): Promise<void> {
    const w = this.worker;
    if (!w) return Promise.resolve();
    if (this.stopping) return this.stopping;
    this.stopping = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(hard);
        resolve();
      };
      // A checkpoint stuck on the disk must not hold a shutdown: 2 s, then the thread is ended.
      const hard = setTimeout(() => void w.terminate(), 2000);
      // Waited on: the thread keeps the process alive until its last checkpoint is done.
      w.ref();
      w.once('exit', done);
      w.postMessage('stop');
    }).finally(() => {
      this.stopping = null;
      if (this.worker === w) this.worker = null;
      this.restoreAutocheckpoint();
    });
    return this.stopping;
  }

  /** Before the database closes: the worker's connection is closed first (SQLite's last close then checkpoints and removes the WAL). */
  async close(): Promise<void> {
    this.closed = true;
    await this.stopWorker();
  }
}
