// The proxy's hot path against a bare relay, on the SHIPPED service: out/main/headless.js (its
// real SQLite ledger with group commit, limits on — global and per account —, 10 OpenAI-
// compatible accounts) in front of an upstream that sends x-ratelimit-* headers on every answer
// (bench/fake-llm-server.ts, its own process), against a minimal node:http pass-through
// (bench/pass-through.mjs, its own process, same upstream). A load generator in a worker thread
// of this process drives closed-loop keep-alive connections at 1 and 64 connections.
//
//   npm run build && node --require tsx/cjs bench/proxy-latency.ts [--rounds 7] [--c1 400] [--c64 8000] [--ttfb1 200] [--ttfb64 2000] [--profile DIR]
//
// Every round runs direct (client → upstream), the service and the pass-through back to back
// (the order rotates per round), so drift hits all three alike; every ratio is taken within a
// round and the headline is the median of the rounds, with their range. Seven rounds of 8,000
// requests at 64 connections by default: a round's p99 is then its 80th-worst sample, and the
// deferred work (completion batches, WAL checkpoints, old-generation GC) falls inside the rounds
// it belongs to rather than after a short one.
// - added latency = a target's percentile minus direct's percentile in the same round;
// - 64-connection added latency and streamed TTFB: the service's added / the pass-through's added,
//   per round;
// - throughput: the service's requests/s / the pass-through's, per round;
// - CPU per request: each process's user+system CPU over a 64-connection round (/proc) divided by
//   the requests it relayed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { AccountView } from '../src/shared/types';
import { startHeadless, type HeadlessProcess } from '../test/helpers/headless-process';
import { arg, f, machine, median, mr, pct, printResult, procCpuMs, table, target, type Target } from './lib';

const ROUNDS = Math.max(1, arg('rounds', 7));
const C1 = arg('c1', 400);
const C64 = arg('c64', 8000);
const TTFB1 = arg('ttfb1', 200);
const TTFB64 = arg('ttfb64', 2000);
const ACCOUNTS = 10;
const KEY = 'sk-bench-upstream-key';
const MODEL = 'gpt-4o-mini';

interface Job { url: string; headers: Record<string, string>; body: string; concurrency: number; total: number; ttfb: boolean }
interface JobResult { lat: Float64Array; wallMs: number; errors: number; lastStatus: number }

class LoadClient {
  private readonly worker = new Worker(join(__dirname, 'proxy-load-worker.mjs'));
  private seq = 0;
  private readonly waiting = new Map<number, (r: JobResult) => void>();
  constructor() {
    this.worker.on('message', (m: JobResult & { id: number }) => {
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
  }
  run(job: Job): Promise<JobResult> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id, job });
    });
  }
  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' });
    await once(this.worker, 'exit');
  }
}

/** A child process that prints one JSON line when ready and stops on SIGTERM. */
async function startChild<T>(args: string[]): Promise<T & { pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'], cwd: join(__dirname, '..') });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited early (code ${code})`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  child.removeAllListeners('exit');
  return {
    ...(JSON.parse(line) as T),
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function ok<T>(svc: HeadlessProcess, method: string, body?: unknown): Promise<T> {
  const r = await svc.api<T>(method, body);
  if (r.status !== 200 || !r.body.ok) throw new Error(`${method}: HTTP ${r.status} ${JSON.stringify(r.body.error)}`);
  return r.body.result as T;
}

type Name = 'direct' | 'service' | 'pass';
const NAMES: Name[] = ['direct', 'service', 'pass'];

interface Round {
  c1: Record<Name, { p50: number; p99: number }>;
  c64: Record<Name, { p50: number; p99: number; rps: number; cpuUsPerReq: number }>;
  t1: Record<Name, { p50: number; p99: number }>;
  t64: Record<Name, { p50: number; p99: number }>;
}

const pcts = (lat: Float64Array) => {
  const s = Float64Array.from(lat).sort();
  return { p50: pct(s, 50), p99: pct(s, 99) };
};

async function main(): Promise<void> {
  console.log(`# proxy-latency (shipped headless service) — ${machine()}`);
  const fake = await startChild<{ baseUrl: string; openaiBaseUrl: string }>(['--import', 'tsx', join(__dirname, 'fake-llm-server.ts'), '--key', KEY, '--keys', String(ACCOUNTS), '--reply', '16', '--rate-limit-headers']);
  const dir = mkdtempSync(join(tmpdir(), 'qd-proxy-bench-'));
  // --profile DIR: the service writes a V8 CPU profile there when it stops (node --cpu-prof).
  const profAt = process.argv.indexOf('--profile');
  const nodeArgs = profAt >= 0 ? ['--cpu-prof', `--cpu-prof-dir=${process.argv[profAt + 1]}`] : [];
  const svc = await startHeadless(dir, ['--no-sync'], { QUOTADECK_OPENAI_BASE_URL: fake.openaiBaseUrl }, nodeArgs);
  const pass = await startChild<{ url: string }>([...nodeArgs, join(__dirname, 'pass-through.mjs'), '--upstream', fake.baseUrl]);
  const client = new LoadClient();
  try {
    await ok(svc, 'accounts:import', { accounts: Array.from({ length: ACCOUNTS }, (_, i) => ({ provider: 'openai', label: `bench-${i}`, apiKey: `${KEY}-${i}` })) });
    const accounts = await ok<AccountView[]>(svc, 'accounts:list');
    // Limits on: every request is checked against the global and its account's windows.
    await ok(svc, 'limits:set', { scope: 'global', requestsPerHour: 1e12, requestsPerDay: 1e12, costPerMonth: 1e9 });
    for (const a of accounts) await ok(svc, 'limits:set', { scope: a.id, requestsPerHour: 1e12, requestsPerDay: 1e12, outputTokensPerMonth: 1e12 });
    const proxyKey = (await ok<{ key: string }>(svc, 'proxy:getInfo')).key;

    const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say hi in one word.' }], max_tokens: 16 });
    const streamBody = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say hi in one word.' }], max_tokens: 16, stream: true });
    const json = { 'content-type': 'application/json', 'user-agent': 'bench/1.0' };
    const upstreamAuth = { ...json, authorization: `Bearer ${KEY}-0` };
    const targets: Record<Name, { url: string; headers: Record<string, string>; pid: number | null }> = {
      direct: { url: `${fake.baseUrl}/v1/chat/completions`, headers: upstreamAuth, pid: null },
      service: { url: `${svc.proxyUrl}/v1/chat/completions`, headers: { ...json, authorization: `Bearer ${proxyKey}` }, pid: svc.child.pid! },
      pass: { url: `${pass.url}/v1/chat/completions`, headers: upstreamAuth, pid: pass.pid },
    };
    const run = async (n: Name, concurrency: number, total: number, stream = false) => {
      const t = targets[n];
      const cpu0 = t.pid === null ? 0 : procCpuMs(t.pid);
      const r = await client.run({ url: t.url, headers: t.headers, body: stream ? streamBody : body, concurrency, total, ttfb: stream });
      const cpuMs = t.pid === null ? NaN : procCpuMs(t.pid) - cpu0;
      if (r.errors > 0) throw new Error(`${n}: ${r.errors} failed requests (last status ${r.lastStatus})`);
      return { ...pcts(r.lat), rps: total / (r.wallMs / 1000), cpuUsPerReq: (cpuMs * 1000) / total };
    };

    // Warm-up: JIT, connection pools, the selector's index, SQLite statements, limit windows.
    for (const n of NAMES) {
      await run(n, 1, 300);
      await run(n, 64, 3000);
      await run(n, 1, 100, true);
      await run(n, 64, 1000, true);
    }

    const rounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order = NAMES.map((_, i) => NAMES[(i + r) % NAMES.length]!);
      const round = { c1: {}, c64: {}, t1: {}, t64: {} } as Round;
      for (const n of order) round.c1[n] = await run(n, 1, C1);
      for (const n of order) round.c64[n] = await run(n, 64, C64);
      for (const n of order) round.t1[n] = await run(n, 1, TTFB1, true);
      for (const n of order) round.t64[n] = await run(n, 64, TTFB64, true);
      rounds.push(round);
      const c = round.c64;
      console.log(`round ${r + 1}/${ROUNDS}: 64 conn ${f(c.service.rps, 0)} vs ${f(c.pass.rps, 0)} req/s (direct ${f(c.direct.rps, 0)}), CPU ${f(c.service.cpuUsPerReq, 0)} vs ${f(c.pass.cpuUsPerReq, 0)} µs/req; 1 conn p50 +${f(round.c1.service.p50 - round.c1.direct.p50, 3)} ms`);
    }

    // Per-round figures.
    const per = <T,>(fn: (r: Round) => T) => rounds.map(fn);
    const PASS_FLOOR = 0.05; // ms: a pass-through that adds less than this is taken as adding this much
    const added = (r: Round, k: 'c1' | 'c64' | 't1' | 't64', n: 'service' | 'pass', p: 'p50' | 'p99') => r[k][n][p] - r[k].direct[p];
    const rel = (k: 'c64' | 't64', p: 'p50' | 'p99') => per((r) => added(r, k, 'service', p) / Math.max(PASS_FLOOR, added(r, k, 'pass', p)));

    const tput = per((r) => r.c64.service.rps / r.c64.pass.rps);
    const cpu = per((r) => r.c64.service.cpuUsPerReq / r.c64.pass.cpuUsPerReq);
    const c1p50 = per((r) => added(r, 'c1', 'service', 'p50'));
    const c1p99 = per((r) => added(r, 'c1', 'service', 'p99'));
    const c64p50 = rel('c64', 'p50');
    const c64p99 = rel('c64', 'p99');
    const t1 = per((r) => added(r, 't1', 'service', 'p50'));
    const t64 = rel('t64', 'p50');
    const ms = (xs: number[]) => `${mr(xs, 3)} ms`;

    const out: Target[] = [
      target('proxy throughput, 64 conn (service / pass-through req/s)', `${mr(per((r) => r.c64.service.rps), 0)} req/s`, `pass-through ${mr(per((r) => r.c64.pass.rps), 0)} req/s`, median(tput), '>= 0.8', median(tput) >= 0.8),
      target('CPU per proxied request, 64 conn', `${mr(per((r) => r.c64.service.cpuUsPerReq), 0)} µs`, `pass-through ${mr(per((r) => r.c64.pass.cpuUsPerReq), 0)} µs`, median(cpu), '<= 1.5', median(cpu) <= 1.5),
      target('added latency p50, 1 conn', ms(c1p50), `pass-through ${ms(per((r) => added(r, 'c1', 'pass', 'p50')))}`, median(c1p50), '<= 1 ms', median(c1p50) <= 1),
      target('added latency p99, 1 conn', ms(c1p99), `pass-through ${ms(per((r) => added(r, 'c1', 'pass', 'p99')))}`, median(c1p99), '<= 5 ms', median(c1p99) <= 5),
      target('added latency p50, 64 conn (per paired round)', ms(per((r) => added(r, 'c64', 'service', 'p50'))), `pass-through ${ms(per((r) => added(r, 'c64', 'pass', 'p50')))}`, median(c64p50), '<= 2x', median(c64p50) <= 2),
      target('added latency p99, 64 conn (per paired round)', ms(per((r) => added(r, 'c64', 'service', 'p99'))), `pass-through ${ms(per((r) => added(r, 'c64', 'pass', 'p99')))}`, median(c64p99), '<= 2x', median(c64p99) <= 2),
      target('streamed TTFB added p50, 1 conn', ms(t1), `pass-through ${ms(per((r) => added(r, 't1', 'pass', 'p50')))}`, median(t1), '<= 2 ms', median(t1) <= 2),
      target('streamed TTFB added p50, 64 conn (per paired round)', ms(per((r) => added(r, 't64', 'service', 'p50'))), `pass-through ${ms(per((r) => added(r, 't64', 'pass', 'p50')))}`, median(t64), '<= 2x', median(t64) <= 2),
    ];
    console.log(`\n${ROUNDS} interleaved rounds; per round ${C1} requests at 1 conn, ${C64} at 64, ${TTFB1} + ${TTFB64} streamed; medians (ranges) of per-round figures\n`);
    console.log(table([['figure', 'value', 'same-run baseline', 'ratio/value', 'target', 'met'], ...out.map((t) => [t.figure, t.value, t.baseline, f(t.ratio, 3), t.target, t.met ? 'MET' : 'MISSED'])]));
    console.log(`\nper-round ratios: throughput ${tput.map((x) => f(x, 2)).join(', ')}; CPU ${cpu.map((x) => f(x, 2)).join(', ')}; 64-conn p99 ${c64p99.map((x) => f(x, 2)).join(', ')}`);
    printResult('proxy-latency', { rounds, targets: out });
  } finally {
    await client.close();
    await svc.stop();
    await pass.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
