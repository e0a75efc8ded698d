// The proxy's outbound HTTP client against undici, on the proxy's own work: POST a chat
// completion to the fake upstream (bench/fake-llm-server.ts, its own process, x-ratelimit-*
// headers on) and read the whole answer, closed loop at 1 and 64 connections, keep-alive.
//  - node:http: the transport the proxy ships (src/main/core/proxy/upstream-transport.ts);
//  - undici: `request()` through an undici Agent (connections 64, no pipelining), the lean API
//    (not fetch). undici is not a dependency: it runs only when UNDICI_PATH names an installed
//    copy (e.g. `npm install --prefix /tmp/u undici` then UNDICI_PATH=/tmp/u/node_modules/undici).
// Interleaved rounds, medians (ranges); CPU is this process's user+system over the run.
//
//   UNDICI_PATH=… node --require tsx/cjs bench/http-client-compare.ts [--rounds 5] [--n64 3000] [--n1 300]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Cancellation, nodeHttpTransport } from '../src/main/core/proxy/upstream-transport';
import type { UpstreamTarget } from '../src/main/core/proxy/upstream-request';
import { arg, f, machine, median, mr, pct, printResult, table } from './lib';

const ROUNDS = Math.max(1, arg('rounds', 5));
const N64 = arg('n64', 3000);
const N1 = arg('n1', 300);
const KEY = 'sk-bench-upstream-key';

type Send = () => Promise<void>;

function drain(body: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    body.on('data', () => {});
    body.once('end', resolve);
    body.once('error', reject);
  });
}

async function load(send: Send, concurrency: number, total: number): Promise<{ rps: number; cpuUsPerReq: number; p50: number; p99: number }> {
  const lat = new Float64Array(total);
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const s = performance.now();
        await send();
        lat[i] = performance.now() - s;
      }
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  lat.sort();
  return { rps: total / (wall / 1000), cpuUsPerReq: (cpu.user + cpu.system) / total, p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function main(): Promise<void> {
  console.log(`# http-client-compare — ${machine()}`);
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fake-llm-server.ts'), '--key', KEY, '--keys', '1', '--reply', '16', '--rate-limit-headers'], { stdio: ['pipe', 'pipe', 'inherit'], cwd: join(__dirname, '..') });
  const info = JSON.parse(await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r))) as { baseUrl: string };
  const url = `${info.baseUrl}/v1/chat/completions`;
  const body = Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hi in one word.' }], max_tokens: 16 }));
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${KEY}-0`, 'user-agent': 'bench/1.0' };

  const clients: Record<string, Send> = {};
  const node = nodeHttpTransport();
  const target = { url, headers, body } as unknown as UpstreamTarget;
  clients['node:http (shipped)'] = async () => {
    const r = await node.send(target, new Cancellation());
    if (r.status !== 200) throw new Error(`node:http: HTTP ${r.status}`);
    await drain(r.body);
  };
  let undiciVersion: string | null = null;
  let closeUndici = async () => {};
  if (process.env.UNDICI_PATH) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const undici = require(process.env.UNDICI_PATH) as typeof import('node:http') & { Agent: new (o: object) => { close(): Promise<void> }; request: (u: string, o: object) => Promise<{ statusCode: number; body: Readable & { dump(): Promise<void> } }> };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    undiciVersion = (require(join(process.env.UNDICI_PATH, 'package.json')) as { version: string }).version;
    const dispatcher = new undici.Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 4000 });
    closeUndici = () => dispatcher.close();
    clients[`undici ${undiciVersion} request()`] = async () => {
      const r = await undici.request(url, { method: 'POST', headers, body, dispatcher });
      if (r.statusCode !== 200) throw new Error(`undici: HTTP ${r.statusCode}`);
      await drain(r.body);
    };
  } else {
    console.log('# UNDICI_PATH not set: node:http only');
  }

  const names = Object.keys(clients);
  for (const n of names) {
    await load(clients[n]!, 64, 1000);
    await load(clients[n]!, 1, 100);
  }
  const rounds: Array<Record<string, { c64: Awaited<ReturnType<typeof load>>; c1: Awaited<ReturnType<typeof load>> }>> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]!);
    const round: (typeof rounds)[number] = {};
    for (const n of order) round[n] = { c64: await load(clients[n]!, 64, N64), c1: { rps: 0, cpuUsPerReq: 0, p50: 0, p99: 0 } };
    for (const n of order) round[n]!.c1 = await load(clients[n]!, 1, N1);
    rounds.push(round);
  }
  const rows: Array<Array<string | number>> = [['client', '64 conn req/s', '64 conn CPU µs/req', '64 conn p50 ms', '64 conn p99 ms', '1 conn p50 ms', '1 conn p99 ms']];
  const summary: Record<string, Record<string, number>> = {};
  for (const n of names) {
    const per = (fn: (x: (typeof rounds)[number][string]) => number) => rounds.map((r) => fn(r[n]!));
    rows.push([n, mr(per((x) => x.c64.rps), 0), mr(per((x) => x.c64.cpuUsPerReq), 0), mr(per((x) => x.c64.p50), 2), mr(per((x) => x.c64.p99), 2), mr(per((x) => x.c1.p50), 3), mr(per((x) => x.c1.p99), 3)]);
    summary[n] = { rps64: median(per((x) => x.c64.rps)), cpuUs64: median(per((x) => x.c64.cpuUsPerReq)), p99_64: median(per((x) => x.c64.p99)), p50_1: median(per((x) => x.c1.p50)), p99_1: median(per((x) => x.c1.p99)) };
  }
  console.log(`\n${ROUNDS} interleaved rounds; ${N64} requests at 64 connections, ${N1} at 1; medians (ranges)\n`);
  console.log(table(rows));
  if (names.length === 2) {
    const a = summary[names[0]!]!;
    const b = summary[names[1]!]!;
    console.log(`\nundici / node:http: req/s ${f(b.rps64! / a.rps64!, 2)}, CPU per request ${f(b.cpuUs64! / a.cpuUs64!, 2)}`);
  }
  printResult('http-client-compare', { undiciVersion, rounds, summary, targets: [] });
  node.close();
  await closeUndici();
  child.kill('SIGTERM');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
