// RSS of the shipped headless service (out/main/headless.js: no tsx, no benchmark code in its
// process) holding 1,000 and 10,000 Google accounts x 20 models, synced against the fake
// upstream (bench/fake-google-server.ts, its own process), caps 32, every cycle driven through
// `monitor:syncNow` on the control API as a user's script would. RSS from /proc: the peak
// (VmHWM, the process's lifetime high-water mark: import, first and steady cycles) and the RSS
// after the last cycle and a short idle.
//
//   npm run build && node --require tsx/cjs bench/service-rss.ts [--accounts 1000,10000] [--models 20] [--cycles 2] [--latency 5] [--policy-only]
//
// Each size runs twice, interleaved, on the same fake upstream:
//  - with the service's GC policy (src/main/headless-memory.ts: young generation capped at
//    16 MB, old generation grown by 20% of the live data) — what users run, and what is judged;
//  - without it: node started with `--no-optimize-for-size` (V8's default, a no-op), a heap flag
//    the policy reads as "the user tuned V8 himself" and so stays off: V8's default sizing.
// Same-run baseline: the same service with no accounts (its RSS right after start).
// Targets: peak RSS <= 150 MB at 1,000 accounts, <= 400 MB at 10,000 (with the policy).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeAccountSpec, FakeModel } from '../test/helpers/fake-google';
import { startHeadless, type HeadlessProcess } from '../test/helpers/headless-process';
import { arg, f, machine, printResult, procCpuMs, procRssMb, startFakeServer, table, target, type Target } from './lib';

const SIZES = (() => {
  const i = process.argv.indexOf('--accounts');
  return i >= 0 ? process.argv[i + 1]!.split(',').map(Number) : [1000, 10000];
})();
const M = arg('models', 20);
const CYCLES = Math.max(1, arg('cycles', 2));
const LATENCY = arg('latency', 5);
const CAP = arg('concurrency', 32);
const TARGET_MB: Record<number, number> = { 1000: 150, 10000: 400 };
const IMPORT_CHUNK = 1000;
const NO_POLICY_FLAG = '--no-optimize-for-size';

const MODELS = Array.from({ length: M }, (_, j) => `gemini-rss-${String(j).padStart(2, '0')}`);

function specFor(i: number): FakeAccountSpec {
  const models: Record<string, FakeModel> = {};
  MODELS.forEach((id, j) => (models[id] = { displayName: id, remainingFraction: ((i * 37 + j * 11) % 100) / 100, resetTime: '2099-01-01T00:00:00Z' }));
  return { refreshToken: `1//rss-${i}`, accessToken: `ya29.rss-${i}`, projectId: `rss-proj-${i}`, tierId: 'free-tier', tierName: 'Free', models };
}

async function ok<T>(svc: HeadlessProcess, method: string, body?: unknown): Promise<T> {
  const r = await svc.api<T>(method, body);
  if (r.status !== 200 || !r.body.ok) throw new Error(`${method}: HTTP ${r.status} ${JSON.stringify(r.body.error)}`);
  return r.body.result as T;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunResult {
  accounts: number;
  policy: boolean;
  idleMb: number;
  afterImportMb: number;
  cycleMs: number[];
  rssAfterCycleMb: number[];
  rssSettledMb: number;
  peakMb: number;
  cpuMsPerCycle: number[];
}

async function runOnce(env: Record<string, string>, n: number, policy: boolean): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'qd-rss-bench-'));
  const svc = await startHeadless(dir, ['--sync-interval', '3600', '--concurrency', String(CAP), '--provider-concurrency', String(CAP)], env, policy ? [] : [NO_POLICY_FLAG]);
  const pid = svc.child.pid!;
  try {
    await sleep(500);
    const idleMb = procRssMb(pid).rss;
    for (let i = 0; i < n; i += IMPORT_CHUNK) {
      const accounts = Array.from({ length: Math.min(IMPORT_CHUNK, n - i) }, (_, k) => {
        const s = specFor(i + k);
        return { email: `rss${i + k}@example.com`, refreshToken: s.refreshToken, accessToken: s.accessToken, expiresAt: '2099-01-01T00:00:00Z', projectId: s.projectId };
      });
      await ok(svc, 'accounts:import', { accounts });
    }
    const afterImportMb = procRssMb(pid).rss;
    const cycleMs: number[] = [];
    const rssAfterCycleMb: number[] = [];
    const cpuMsPerCycle: number[] = [];
    for (let c = 0; c < CYCLES; c++) {
      const cpu0 = procCpuMs(pid);
      const t0 = performance.now();
      const report = await ok<{ successes: number; failures: number }>(svc, 'monitor:syncNow');
      cycleMs.push(performance.now() - t0);
      cpuMsPerCycle.push(procCpuMs(pid) - cpu0);
      if (report.successes < n) throw new Error(`cycle ${c}: ${report.successes} of ${n} accounts synced (${report.failures} failed)`);
      rssAfterCycleMb.push(procRssMb(pid).rss);
      await sleep(300); // the idle gap between cycles
    }
    await sleep(1500);
    const { rss, peak } = procRssMb(pid);
    return { accounts: n, policy, idleMb, afterImportMb, cycleMs, rssAfterCycleMb, rssSettledMb: rss, peakMb: peak, cpuMsPerCycle };
  } finally {
    await svc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`# service-rss (shipped headless service) — ${machine()}`);
  console.log(`# ${SIZES.join(' and ')} accounts x ${M} models, ${CYCLES} cycles each, fake upstream at ${LATENCY} ms, caps ${CAP}`);
  const max = Math.max(...SIZES);
  const fake = await startFakeServer(LATENCY);
  const runs: RunResult[] = [];
  try {
    for (let i = 0; i < max; i += 2000) await fake.control('/accounts', { accounts: Array.from({ length: Math.min(2000, max - i) }, (_, k) => specFor(i + k)) });
    const env = { QUOTADECK_ANTIGRAVITY_BASE_URL: fake.baseUrl, QUOTADECK_GOOGLE_OAUTH_TOKEN_URL: fake.tokenUrl, QUOTADECK_GOOGLE_CLIENT_ID: 'bench' };
    for (const n of SIZES) {
      for (const policy of process.argv.includes('--policy-only') ? [true] : [true, false]) {
        const r = await runOnce(env, n, policy);
        runs.push(r);
        console.log(`${n} accounts, GC policy ${policy ? 'on ' : 'off'}: idle ${f(r.idleMb, 0)} MB, after import ${f(r.afterImportMb, 0)} MB, after cycles ${r.rssAfterCycleMb.map((x) => f(x, 0)).join(' / ')} MB, settled ${f(r.rssSettledMb, 0)} MB, peak ${f(r.peakMb, 0)} MB; cycles ${r.cycleMs.map((x) => f(x, 0)).join(' / ')} ms, CPU ${r.cpuMsPerCycle.map((x) => f(x, 0)).join(' / ')} ms`);
      }
    }
  } finally {
    await fake.stop();
  }

  const targets: Target[] = [];
  const rows: Array<Array<string | number>> = [['accounts', 'GC policy', 'idle MB', 'after import MB', 'after last cycle MB', 'settled MB', 'peak MB', 'target', 'met']];
  for (const n of SIZES) {
    const on = runs.find((r) => r.accounts === n && r.policy)!;
    const off = runs.find((r) => r.accounts === n && !r.policy) ?? on;
    const limit = TARGET_MB[n];
    for (const r of new Set([on, off])) rows.push([n, r.policy ? 'on' : 'off', f(r.idleMb, 0), f(r.afterImportMb, 0), f(r.rssAfterCycleMb.at(-1)!, 0), f(r.rssSettledMb, 0), f(r.peakMb, 0), r.policy && limit ? `<= ${limit}` : '-', r.policy && limit ? (r.peakMb <= limit ? 'MET' : 'MISSED') : '-']);
    if (limit) {
      targets.push(target(
        `service peak RSS, ${n.toLocaleString('en')} accounts x ${M} models (GC policy on)`,
        `${f(on.peakMb, 0)} MB peak, ${f(on.rssSettledMb, 0)} MB settled`,
        `without the GC policy ${f(off.peakMb, 0)} MB peak, ${f(off.rssSettledMb, 0)} MB settled; no accounts ${f(on.idleMb, 0)} MB`,
        on.peakMb / limit,
        `<= ${limit} MB`,
        on.peakMb <= limit,
      ));
    }
  }
  console.log();
  console.log(table(rows));
  printResult('service-rss', { machine: machine(), models: M, cycles: CYCLES, latencyMs: LATENCY, cap: CAP, runs, targets });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
