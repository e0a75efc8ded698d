// Runs every benchmark, each in a fresh Node process, and prints a compact summary.
//
//   npm run bench                       (= tsx bench/run-all.ts)
//   npx tsx bench/run-all.ts [--quick] [--json FILE] [--strict]
//
// Each benchmark runs as `node --require tsx/cjs bench/<name>.ts`: tsx's CommonJS hook compiles
// TypeScript on the main thread, so the measured process carries no extra loader thread (plain
// `tsx` / `--import tsx` adds an off-thread ESM loader worker, ~20 MB of RSS that is not the
// product's). --quick shortens the runs (fewer cycles and calls; figures less stable);
// --json FILE saves every benchmark's full result; --strict exits 1 when a target is missed.
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { f, machine, RESULT_PREFIX, table } from './lib';

const quick = process.argv.includes('--quick');
const strict = process.argv.includes('--strict');
const jsonAt = process.argv.indexOf('--json');
const jsonFile = jsonAt >= 0 ? process.argv[jsonAt + 1] : undefined;

const BENCHES: Array<{ name: string; file: string; args: string[] }> = [
  { name: 'sync-throughput', file: 'sync-throughput.ts', args: quick ? ['--cycles', '2'] : [] },
  { name: 'select-latency', file: 'select-latency.ts', args: quick ? ['--calls', '50000', '--rebuilds', '500', '--contract-calls', '5000'] : [] },
];

function run(file: string, args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, file), ...args], {
      cwd: join(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let result: Record<string, unknown> | undefined;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(RESULT_PREFIX)) result = JSON.parse(line.slice(RESULT_PREFIX.length)) as Record<string, unknown>;
      else process.stdout.write(`${line}\n`);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result) resolve(result);
      else reject(new Error(`${file} exited with code ${code}${result ? '' : ' and printed no result'}`));
    });
  });
}

function gitState(): string {
  try {
    const cwd = join(__dirname, '..');
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd, encoding: 'utf8' }).split('\n').filter(Boolean).length;
    return `${head}${dirty ? ` + ${dirty} uncommitted change(s) under src/` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

interface SyncRow { wallMs: number; boundMs: number; ratio: number; ratioToOneRequestBound: number; cpuMsPerAccount: number; peakRssMb: number; maxRssMb: number; requestsPerAccount: number }
interface Dist { p50: number; p99: number; p999: number }

async function main(): Promise<void> {
  const started = new Date();
  const state = gitState();
  console.log(`# QuotaDeck benchmarks — ${started.toISOString()}`);
  console.log(`# ${machine()}; source ${state}${quick ? '; --quick' : ''}\n`);
  const results: Record<string, Record<string, unknown>> = {};
  let failed = false;
  for (const b of BENCHES) {
    try {
      results[b.name] = await run(b.file, b.args);
    } catch (err) {
      console.error(`\n${b.name} FAILED: ${(err as Error).message}`);
      failed = true;
    }
    console.log();
  }

  const rows: Array<Array<string | number>> = [['figure', 'value', 'same-run baseline', 'ratio', 'target', 'met']];
  const misses: string[] = [];
  const s = results['sync-throughput'];
  if (s) {
    const steady = s['steady'] as SyncRow;
    const warm = s['warmup'] as SyncRow;
    const raw = s['raw'] as SyncRow;
    const met = s['met'] as { ratio: boolean; rss: boolean };
    if (!met.ratio) misses.push('sync ratio');
    if (!met.rss) misses.push('sync RSS');
    rows.push(
      ['sync steady cycle, wall (median)', `${f(steady.wallMs, 0)} ms`, `bound ${f(steady.boundMs, 0)} ms (${steady.requestsPerAccount} req/acct)`, f(steady.ratio, 3), '<= 1.15', met.ratio ? 'yes' : 'NO'],
      ['  same, vs the one-request bound', `${f(steady.wallMs, 0)} ms`, `bound ${s['boundOneRequestMs']} ms`, f(steady.ratioToOneRequestBound, 3), '-', '-'],
      ['  raw fetch fan-out, same requests', `${f(raw.wallMs, 0)} ms`, `bound ${f(raw.boundMs, 0)} ms`, f(raw.ratio, 3), '-', '-'],
      ['sync steady cycle, peak RSS', `${f(steady.peakRssMb)} MB`, `RSS at start ${f(s['rssAtStartMb'] as number)} MB`, '-', '< 150 MB', met.rss ? 'yes' : 'NO'],
      ['sync steady cycle, CPU per account', `${f(steady.cpuMsPerAccount, 3)} ms`, `raw fetch ${f(raw.cpuMsPerAccount, 3)} ms`, f(steady.cpuMsPerAccount / raw.cpuMsPerAccount, 2), '-', '-'],
      ['sync warm-up cycle, wall', `${f(warm.wallMs, 0)} ms`, `bound ${f(warm.boundMs, 0)} ms (${warm.requestsPerAccount} req/acct)`, f(warm.ratio, 3), '-', '-'],
      ['sync warm-up cycle, peak RSS / CPU', `${f(warm.peakRssMb)} MB / ${f(warm.cpuMsPerAccount, 3)} ms/acct`, '-', '-', '-', '-'],
    );
  }
  const sel = results['select-latency'];
  if (sel) {
    const mr = (sel['mostRemaining'] as { timed: Dist }).timed;
    const rr = (sel['roundRobin'] as { timed: Dist }).timed;
    const empty = (sel['empty'] as { timed: Dist }).timed;
    const rebuild = sel['rebuild'] as Dist;
    const ok = (sel['met'] as { p99: boolean }).p99;
    if (!ok) misses.push('select p99');
    rows.push(
      ['select p50 / p99 / p99.9, most-remaining', `${f(mr.p50, 2)} / ${f(mr.p99, 2)} / ${f(mr.p999, 2)} µs`, `empty loop p99 ${f(empty.p99, 3)} µs`, f(mr.p99 / 20, 3), 'p99 < 20 µs', mr.p99 < 20 ? 'yes' : 'NO'],
      ['select p50 / p99 / p99.9, round-robin', `${f(rr.p50, 2)} / ${f(rr.p99, 2)} / ${f(rr.p999, 2)} µs`, `empty loop p99 ${f(empty.p99, 3)} µs`, f(rr.p99 / 20, 3), 'p99 < 20 µs', rr.p99 < 20 ? 'yes' : 'NO'],
      ['select right after engine.bump() (rebuild)', `p50 ${f(rebuild.p50 / 1000, 2)} ms, p99 ${f(rebuild.p99 / 1000, 2)} ms`, `cached select p50 ${f(mr.p50, 2)} µs`, f(rebuild.p50 / mr.p50, 0), '-', '-'],
    );
  }
  console.log('## Summary');
  console.log(table(rows));
  if (jsonFile) {
    writeFileSync(jsonFile, JSON.stringify({ startedAt: started.toISOString(), machine: machine(), source: state, quick, results }, null, 2));
    console.log(`\nfull results written to ${jsonFile}`);
  }
  if (misses.length) console.log(`\ntargets missed: ${misses.join(', ')} (see BENCHMARKS.md for what dominates and the fixes)`);
  if (failed || (strict && misses.length > 0)) process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
