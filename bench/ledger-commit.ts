// What the usage ledger costs the event loop per proxied request: the shipped UsageLedger on a
// SQLite file (its prepared statements, group commit, deferred completion batches, rollups), fed
// through the proxy's port the proxy's pattern — per turn of the event loop a batch of pending
// rows (the dispatches waiting on their commit) and the completions of the previous batch — with
// and without the WAL checkpoint thread
// (src/main/core/db/wal-checkpointer.ts). The baseline is the same ledger with SQLite's
// automatic checkpoint, which copies and fsyncs inside a commit on the event loop.
//
//   node --require tsx/cjs bench/ledger-commit.ts [--requests 40000] [--batch 16] [--rounds 3]
//
// Figures: wall time of the event loop per request spent on the ledger (the loop does nothing
// else; mean, p50 of the batches — a batch's wait for its rows' commit —, and the worst batch),
// CPU per request of the whole process (the checkpoint thread included).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/main/core/db/open-database';
import { WalCheckpointer } from '../src/main/core/db/wal-checkpointer';
import { silentLogger } from '../src/main/core/ports';
import { Pricing } from '../src/main/core/usage/pricing';
import { UsageLedger } from '../src/main/core/usage/usage-ledger';
import { arg, f, machine, median, mr, pct, printResult, table, target } from './lib';

const REQUESTS = arg('requests', 40000);
const BATCH = arg('batch', 16);
const ROUNDS = arg('rounds', 3);

interface Run {
  meanUs: number;
  p50BatchUs: number;
  maxBatchMs: number;
  cpuUs: number;
}

async function runOnce(threaded: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'qd-ledger-bench-'));
  const file = join(dir, 'q.db');
  const db = openDatabase(file);
  const clock = { now: () => Date.now(), setTimeout, clearTimeout };
  const checkpointer = threaded ? new WalCheckpointer({ db, file, log: silentLogger }) : null;
  const ledger = new UsageLedger(db, new Pricing(db, clock), checkpointer ? () => checkpointer.wrote() : undefined);
  const perBatch: number[] = [];
  let open: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < REQUESTS; i += BATCH) {
    const now = Date.now();
    // One turn of the proxy's loop, through the port the proxy uses: this batch's dispatches
    // wait on their rows (written on the next setImmediate); the previous batch's answers are
    // queued (written ≤ 50 ms later, or with the next rows once 128 wait).
    const begun: Array<Promise<number>> = [];
    for (let j = 0; j < BATCH; j++) {
      begun.push(
        ledger.grouped.begin({ requestId: `00000000-0000-4000-8000-${String(i + j).padStart(12, '0')}`, attempt: 1, accountId: `acc-${j % 10}`, provider: 'openai', model: 'gpt-4o-mini', requestedModel: 'gpt-4o-mini', client: 'bench', route: 'openai.chat', startedAt: now }),
      );
    }
    for (const id of open) ledger.grouped.complete(id, { status: 'completed', httpStatus: 200, inputTokens: 12, outputTokens: 16, endedAt: now, error: null });
    const tb = performance.now();
    open = await Promise.all(begun);
    perBatch.push(performance.now() - tb);
  }
  // The loop does nothing but the ledger's work: its wall time per request is the event loop's.
  const busy = performance.now() - t0;
  ledger.flush();
  const cpu = process.cpuUsage(cpu0);
  await checkpointer?.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  perBatch.sort((a, b) => a - b);
  return {
    meanUs: (busy * 1000) / REQUESTS,
    p50BatchUs: (pct(perBatch, 50) * 1000) / BATCH,
    maxBatchMs: perBatch[perBatch.length - 1]!,
    cpuUs: ((cpu.user + cpu.system) / REQUESTS),
  };
}

async function main(): Promise<void> {
  console.log(`# ledger-commit — ${machine()}; ${REQUESTS} requests in batches of ${BATCH}, ${ROUNDS} interleaved rounds`);
  const base: Run[] = [];
  const thread: Run[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved, the order rotating, so drift hits both alike.
    const order = r % 2 === 0 ? [false, true] : [true, false];
    for (const threaded of order) (threaded ? thread : base).push(await runOnce(threaded));
    console.log(`round ${r + 1}/${ROUNDS}: loop µs/request ${f(base[r]!.meanUs)} automatic vs ${f(thread[r]!.meanUs)} thread; worst batch ${f(base[r]!.maxBatchMs)} vs ${f(thread[r]!.maxBatchMs)} ms`);
  }
  const m = (xs: Run[], k: keyof Run) => median(xs.map((x) => x[k]));
  const ratio = m(thread, 'meanUs') / m(base, 'meanUs');
  const targets = [
    target(
      'ledger writes on the event loop per request (mean)',
      `${f(m(thread, 'meanUs'))} µs (${mr(thread.map((x) => x.meanUs), 1)})`,
      `automatic checkpoint ${f(m(base, 'meanUs'))} µs (${mr(base.map((x) => x.meanUs), 1)})`,
      ratio,
      '< 1',
      ratio < 1,
    ),
  ];
  console.log();
  console.log(
    table([
      ['figure', 'checkpoint thread', 'automatic checkpoint'],
      ['event loop µs/request, mean', f(m(thread, 'meanUs')), f(m(base, 'meanUs'))],
      ['event loop µs/request, p50 batch', f(m(thread, 'p50BatchUs')), f(m(base, 'p50BatchUs'))],
      ['worst batch, ms', f(m(thread, 'maxBatchMs')), f(m(base, 'maxBatchMs'))],
      ['process CPU µs/request', f(m(thread, 'cpuUs')), f(m(base, 'cpuUs'))],
    ]),
  );
  printResult('ledger-commit', { base, thread, targets });
}

void main();
