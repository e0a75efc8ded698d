// Runs every benchmark, each in a fresh Node process, and prints a compact summary.
//
//   npm run bench                       (= tsx bench/run-all.ts)
//   npx tsx bench/run-all.ts [--quick] [--json FILE] [--strict] [--only proxy-latency,select-latency]
//
// Each benchmark runs as `node --require tsx/cjs bench/<name>.ts`: tsx's CommonJS hook compiles
// TypeScript on the main thread, so the measured process carries no extra loader thread (plain
// `tsx` / `--import tsx` adds an off-thread ESM loader worker, ~20 MB of RSS that is not the
// product's). --quick shortens the runs (fewer cycles and calls; figures less stable);
// --json FILE saves every benchmark's full result; --strict exits 1 when a target is missed.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { f, machine, RESULT_PREFIX, table } from './lib';

const quick = process.argv.includes('--quick');
const strict = process.argv.includes('--strict');
const jsonAt = process.argv.indexOf('--json');
const jsonFile = jsonAt >= 0 ? process.argv[jsonAt + 1] : undefined;

const BENCHES: Array<{ name: string; file: string; args: string[] }> = [
  { name: 'proxy-latency', file: 'proxy-latency.ts', args: quick ? ['--rounds', '3', '--c1', '200', '--c64', '2000', '--ttfb1', '100', '--ttfb64', '1000'] : [] },
  { name: 'select-latency', file: 'select-latency.ts', args: quick ? ['--calls', '50000', '--rebuilds', '500', '--contract-calls', '5000', '--churn-calls', '20000'] : [] },
  { name: 'sync-throughput', file: 'sync-throughput.ts', args: quick ? ['--cycles', '2'] : [] },
  { name: 'service-rss', file: 'service-rss.ts', args: quick ? ['--accounts', '1000', '--cycles', '2'] : [] },
  { name: 'renderer-accounts', file: 'renderer-accounts.ts', args: [] },
  { name: 'renderer-cold-load', file: 'renderer-cold-load.ts', args: quick ? ['--runs', '3'] : [] },
  // Benchmarks other parts of the project add; run when present.
  { name: 'adaptive-polling', file: 'adaptive-polling.ts', args: quick ? ['--accounts', '40', '--hours', '4'] : [] },
  { name: 'translation', file: 'translation.ts', args: [] },
].filter((b) => existsSync(join(__dirname, b.file)));
const only = process.argv.indexOf('--only');
const selected = only >= 0 ? BENCHES.filter((b) => process.argv[only + 1]!.split(',').includes(b.name)) : BENCHES;

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

interface JudgedTarget { figure: string; value: string; baseline: string; ratio: number; target: string; met: boolean }

async function main(): Promise<void> {
  const started = new Date();
  const state = gitState();
  console.log(`# QuotaDeck benchmarks — ${started.toISOString()}`);
  console.log(`# ${machine()}; source ${state}${quick ? '; --quick' : ''}\n`);
  // The proxy and RSS benchmarks drive the shipped service: build it from this source first.
  if (!process.argv.includes('--no-build')) {
    const build = spawnSync(process.execPath, [join(__dirname, '../node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], { cwd: join(__dirname, '..'), stdio: 'inherit' });
    if (build.status !== 0) throw new Error('the build failed');
  }
  const results: Record<string, Record<string, unknown>> = {};
  let failed = false;
  for (const b of selected) {
    try {
      results[b.name] = await run(b.file, b.args);
    } catch (err) {
      console.error(`\n${b.name} FAILED: ${(err as Error).message}`);
      failed = true;
    }
    console.log();
  }

  const rows: Array<Array<string | number>> = [['benchmark', 'figure', 'value', 'same-run baseline', 'ratio', 'target', 'met']];
  const misses: string[] = [];
  for (const b of selected) {
    const r = results[b.name];
    if (!r) {
      rows.push([b.name, '(failed to run)', '-', '-', '-', '-', 'NO']);
      continue;
    }
    const targets = Array.isArray(r['targets']) ? (r['targets'] as JudgedTarget[]) : [];
    for (const t of targets) {
      rows.push([b.name, t.figure, t.value, t.baseline, f(t.ratio, 3), t.target, t.met ? 'MET' : 'MISSED']);
      if (!t.met) misses.push(`${b.name}: ${t.figure}`);
    }
  }
  console.log('## Summary');
  console.log(table(rows));
  if (jsonFile) {
    writeFileSync(jsonFile, JSON.stringify({ startedAt: started.toISOString(), machine: machine(), source: state, quick, results }, null, 2));
    console.log(`\nfull results written to ${jsonFile}`);
  }
  if (misses.length) console.log(`\ntargets missed:\n${misses.map((m) => `  - ${m}`).join('\n')}`);
  if (failed || (strict && misses.length > 0)) process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
