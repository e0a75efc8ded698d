// Proxy overhead: the latency the local proxy adds to an OpenAI chat completion over calling the
// upstream directly (p50, p99) at 1 and 64 concurrent connections, its throughput against a
// minimal node:http pass-through proxy measured in the same run, and the time to the first
// streamed byte against direct.
//
//   npx tsx bench/proxy-latency.ts [--requests 3000] [--rounds 5] [--c64-requests 15000] [--ttfb 1000]
//
// Set-up: the fake upstream (bench/fake-llm-server.ts) in its own process; the proxy in this
// process with a real core (SQLite in a temp dir, one OpenAI account imported through the
// contract, the real selector, engine and credential store) and stand-in usage ports (an
// in-memory ledger that counts, limits that always allow); the load generator in a worker thread
// (bench/proxy-load-worker.mjs) with keep-alive connections. Every target is measured in
// interleaved rounds (direct, proxy, pass-through, …) so drift hits all of them alike; the
// throughput ratio is taken per round (proxy against the pass-through run right after it) and
// the median of those is the headline, so a burst of background load skews one round, not all.
// Targets: p50 added < 1 ms and p99 added < 5 ms (one connection), throughput >= 80% of the
// pass-through (64 connections), time to first streamed byte within 2 ms of direct.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { silentLogger, systemClock } from '../src/main/core/ports';
import { DEFAULT_PROVIDERS } from '../src/main/core/app';
import { startProxyServer } from '../src/main/core/proxy/proxy-server';
import { loadOrCreateProxyKey } from '../src/main/core/proxy/proxy-key';
import type { AttemptEnd, AttemptStart, UsageLedgerPort, UsageLimitsPort } from '../src/main/core/usage/usage-ports';
import { call, makeHarness } from '../test/helpers/harness';
import { arg, f, machine, pct, printResult, table } from './lib';

const REQUESTS = arg('requests', 3000);
const ROUNDS = Math.max(1, arg('rounds', 5));
const C64_REQUESTS = arg('c64-requests', 15000);
const TTFB_REQUESTS = arg('ttfb', 1000);
const UPSTREAM_KEY = 'sk-bench-upstream-key-0001';
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

async function startFakeLlm(): Promise<{ baseUrl: string; openaiBaseUrl: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fake-llm-server.ts'), '--key', UPSTREAM_KEY, '--reply', '16'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: join(__dirname, '..'),
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fake-llm-server exited early (code ${code})`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  child.removeAllListeners('exit');
  const info = JSON.parse(line) as { baseUrl: string; openaiBaseUrl: string };
  return {
    ...info,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The baseline: a minimal node:http pass-through proxy (keep-alive upstream, bodies piped). */
async function startPassThrough(upstream: string): Promise<{ url: string; server: Server; agent: Agent }> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const server = createServer({ noDelay: true }, (req, res) => {
    const up = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host }, agent }, (ures) => {
      res.writeHead(ures.statusCode ?? 502, ures.headers);
      ures.pipe(res);
    });
    up.setNoDelay(true);
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, agent };
}

interface Dist { p50: number; p99: number; mean: number; n: number }
function dist(samples: number[]): Dist {
  const s = Float64Array.from(samples).sort();
  let sum = 0;
  for (const x of s) sum += x;
  return { p50: pct(s, 50), p99: pct(s, 99), mean: sum / s.length, n: s.length };
}

async function main(): Promise<void> {
  console.log(`# proxy-latency — ${machine()}`);
  const fake = await startFakeLlm();
  const h = await makeHarness({ overrides: { baseUrls: { openai: fake.openaiBaseUrl }, proxyMaxAttempts: 4 } });
  await call(h.app, 'accounts:import', { accounts: [{ provider: 'openai', label: 'bench', apiKey: UPSTREAM_KEY }] });
  let rows = 0;
  const ledger: UsageLedgerPort = {
    begin: (_a: AttemptStart) => ++rows,
    complete: (_id: number, _e: AttemptEnd) => {},
    reject: () => {},
  };
  const limits: UsageLimitsPort = { checkGlobal: () => ({ ok: true }), checkAccount: () => ({ ok: true }) };
  const { store, engine, selector, quota, settings } = h.app.services;
  const proxyKey = loadOrCreateProxyKey(h.dir);
  const proxy = await startProxyServer({
    services: { store, engine, selector, quota, settings },
    registry: new Map(DEFAULT_PROVIDERS.map((p) => [p.id, p])),
    ledger,
    limits,
    key: proxyKey,
    port: 0,
    clock: systemClock,
    log: silentLogger,
  });
  const pass = await startPassThrough(fake.baseUrl);
  const client = new LoadClient();

  const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say hi in one word.' }], max_tokens: 16 });
  const streamBody = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say hi in one word.' }], max_tokens: 16, stream: true });
  const json = { 'content-type': 'application/json', 'user-agent': 'bench/1.0' };
  const targets = {
    direct: { url: `${fake.baseUrl}/v1/chat/completions`, headers: { ...json, authorization: `Bearer ${UPSTREAM_KEY}` } },
    proxy: { url: `${proxy.url}/v1/chat/completions`, headers: { ...json, authorization: `Bearer ${proxyKey}` } },
    passThrough: { url: `${pass.url}/v1/chat/completions`, headers: { ...json, authorization: `Bearer ${UPSTREAM_KEY}` } },
  } as const;
  type Name = keyof typeof targets;
  const names: Name[] = ['direct', 'proxy', 'passThrough'];

  /** This thread's (the proxies') busy time per request, by target and concurrency. */
  const busy: Record<string, { ms: number; n: number }> = {};
  const runJob = async (name: Name, concurrency: number, total: number, ttfb = false, b = body): Promise<JobResult> => {
    const elu0 = performance.eventLoopUtilization();
    const r = await client.run({ ...targets[name], body: b, concurrency, total, ttfb });
    const elu = performance.eventLoopUtilization(elu0);
    if (r.errors > 0) throw new Error(`${name}: ${r.errors} failed requests (last status ${r.lastStatus})`);
    const k = `${name}@${concurrency}${ttfb ? '/stream' : ''}`;
    const cur = (busy[k] ??= { ms: 0, n: 0 });
    cur.ms += elu.active;
    cur.n += total;
    return r;
  };

  // Warm-up: JIT, connection pools, the selector's index, SQLite statements.
  for (const n of names) {
    await runJob(n, 1, 500);
    await runJob(n, 64, 2000);
    if (n !== 'passThrough') await runJob(n, 1, 200, true, streamBody);
  }

  // 1 connection: latency, interleaved rounds.
  const c1: Record<Name, number[]> = { direct: [], proxy: [], passThrough: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of names) c1[n].push(...(await runJob(n, 1, Math.ceil(REQUESTS / ROUNDS))).lat);
  }
  // 64 connections: latency and throughput, interleaved rounds.
  const c64: Record<Name, number[]> = { direct: [], proxy: [], passThrough: [] };
  const rps: Record<Name, number[]> = { direct: [], proxy: [], passThrough: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of names) {
      const res = await runJob(n, 64, Math.ceil(C64_REQUESTS / ROUNDS));
      c64[n].push(...res.lat);
      rps[n].push(res.lat.length / (res.wallMs / 1000));
    }
  }
  // Time to first streamed byte, 1 connection.
  const ttfb: Record<'direct' | 'proxy', number[]> = { direct: [], proxy: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of ['direct', 'proxy'] as const) ttfb[n].push(...(await runJob(n, 1, Math.ceil(TTFB_REQUESTS / ROUNDS), true, streamBody)).lat);
  }

  const busyUs = (k: string) => (busy[k] ? (busy[k].ms * 1000) / busy[k].n : NaN);
  const d1 = { direct: dist(c1.direct), proxy: dist(c1.proxy), passThrough: dist(c1.passThrough) };
  const d64 = { direct: dist(c64.direct), proxy: dist(c64.proxy), passThrough: dist(c64.passThrough) };
  const tp = { direct: rps.direct.reduce((a, b) => a + b) / ROUNDS, proxy: rps.proxy.reduce((a, b) => a + b) / ROUNDS, passThrough: rps.passThrough.reduce((a, b) => a + b) / ROUNDS };
  const dt = { direct: dist(ttfb.direct), proxy: dist(ttfb.proxy) };

  const added1 = { p50: d1.proxy.p50 - d1.direct.p50, p99: d1.proxy.p99 - d1.direct.p99 };
  const addedPass1 = { p50: d1.passThrough.p50 - d1.direct.p50, p99: d1.passThrough.p99 - d1.direct.p99 };
  const added64 = { p50: d64.proxy.p50 - d64.direct.p50, p99: d64.proxy.p99 - d64.direct.p99 };
  const addedPass64 = { p50: d64.passThrough.p50 - d64.direct.p50, p99: d64.passThrough.p99 - d64.direct.p99 };
  const roundRatios = rps.proxy.map((x, i) => x / rps.passThrough[i]!);
  const sortedRatios = [...roundRatios].sort((x, y) => x - y);
  const throughputRatio = sortedRatios[sortedRatios.length >> 1]!;
  const pooledRatio = tp.proxy / tp.passThrough;
  const ttfbAdded = { p50: dt.proxy.p50 - dt.direct.p50, p99: dt.proxy.p99 - dt.direct.p99 };
  const met = { p50: added1.p50 < 1, p99: added1.p99 < 5, throughput: throughputRatio >= 0.8, ttfb: ttfbAdded.p50 <= 2 };

  const ms = (x: number) => `${f(x, 3)} ms`;
  console.log(`\nrequests: ${REQUESTS} at 1 connection, ${C64_REQUESTS} at 64, ${TTFB_REQUESTS} streamed; ${ROUNDS} interleaved rounds; ledger rows written: ${rows}\n`);
  console.log(table([
    ['', 'p50', 'p99', 'mean', 'added p50', 'added p99'],
    ['1 conn: direct', ms(d1.direct.p50), ms(d1.direct.p99), ms(d1.direct.mean), '-', '-'],
    ['1 conn: QuotaDeck proxy', ms(d1.proxy.p50), ms(d1.proxy.p99), ms(d1.proxy.mean), ms(added1.p50), ms(added1.p99)],
    ['1 conn: minimal pass-through', ms(d1.passThrough.p50), ms(d1.passThrough.p99), ms(d1.passThrough.mean), ms(addedPass1.p50), ms(addedPass1.p99)],
    ['64 conn: direct', ms(d64.direct.p50), ms(d64.direct.p99), ms(d64.direct.mean), '-', '-'],
    ['64 conn: QuotaDeck proxy', ms(d64.proxy.p50), ms(d64.proxy.p99), ms(d64.proxy.mean), ms(added64.p50), ms(added64.p99)],
    ['64 conn: minimal pass-through', ms(d64.passThrough.p50), ms(d64.passThrough.p99), ms(d64.passThrough.mean), ms(addedPass64.p50), ms(addedPass64.p99)],
    ['TTFB stream: direct', ms(dt.direct.p50), ms(dt.direct.p99), ms(dt.direct.mean), '-', '-'],
    ['TTFB stream: QuotaDeck proxy', ms(dt.proxy.p50), ms(dt.proxy.p99), ms(dt.proxy.mean), ms(ttfbAdded.p50), ms(ttfbAdded.p99)],
  ]));
  console.log(`\nthroughput at 64 connections: direct ${f(tp.direct, 0)} req/s, proxy ${f(tp.proxy, 0)} req/s, pass-through ${f(tp.passThrough, 0)} req/s`);
  console.log(`proxy / pass-through throughput: median of rounds ${f(throughputRatio, 3)} (target >= 0.8) ${met.throughput ? 'met' : 'MISSED'}; rounds ${roundRatios.map((r) => f(r, 2)).join(', ')}; pooled ${f(pooledRatio, 3)}`);
  console.log(`busy time of the proxying thread per request (event-loop active time): proxy ${f(busyUs('proxy@1'), 1)} µs at 1 conn, ${f(busyUs('proxy@64'), 1)} µs at 64; pass-through ${f(busyUs('passThrough@1'), 1)} µs, ${f(busyUs('passThrough@64'), 1)} µs`);
  console.log(`added latency, 1 connection: p50 ${ms(added1.p50)} (target < 1 ms) ${met.p50 ? 'met' : 'MISSED'}, p99 ${ms(added1.p99)} (target < 5 ms) ${met.p99 ? 'met' : 'MISSED'}`);
  console.log(`added p50 vs the pass-through's own: ${f(added1.p50 / Math.max(addedPass1.p50, 1e-9), 2)}x`);
  console.log(`time to first streamed byte: +${ms(ttfbAdded.p50)} at p50 over direct (target <= 2 ms) ${met.ttfb ? 'met' : 'MISSED'}`);

  printResult('proxy-latency', { busyUsPerRequest: Object.fromEntries(Object.keys(busy).map((k) => [k, busyUs(k)])), c1: d1, c64: d64, throughput: tp, throughputRatio, roundRatios, pooledRatio, added1, addedPass1, added64, addedPass64, ttfb: dt, ttfbAdded, met });

  await client.close();
  await proxy.close();
  pass.agent.destroy();
  pass.server.closeAllConnections();
  pass.server.close();
  await h.close();
  await fake.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
