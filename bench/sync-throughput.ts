// Sync throughput: one `monitor:syncNow` cycle over 1,000 Google accounts x 20 models against
// the fake upstream (its own process, 50 ms per request), global and per-provider caps 32,
// per-account timeout 30 s, real SQLite in a temp dir, access tokens that never expire.
//
//   node --import tsx bench/sync-throughput.ts [--accounts 1000] [--models 20] [--latency 50]
//                                              [--concurrency 32] [--cycles 5]
//
// Same-run baselines and targets:
//  - the bound: the caps bound REQUESTS in flight (per host and in all), so no client can
//    finish a cycle faster than ceil(requests / cap) x latency, the requests counted by the fake
//    upstream. The FIRST cycle after start (loadCodeAssist + the quota calls per account) is
//    judged against it: <= 1.5x;
//  - a raw fan-out: the same requests (same methods, same order per account, one at a time
//    per account) with p-limit(cap) across accounts, through the same node:http client the
//    product uses, bodies read as text — the transport alone. A STEADY cycle is judged against
//    it, measured in the same round: <= 1.1x;
//  - requests in flight at the upstream (the fake counts them) at cap N: <= N, in every cycle.
// Each measured step is preceded by a forced full GC (the idle gap between real cycles, when
// V8's memory reducer runs) so that no step pays for the previous one's garbage.
import { createNodeHttpClient, LEAN } from '../src/main/core/net/node-http-client';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pLimit from 'p-limit';
import type { SyncReport } from '../src/shared/types';
import { call, googleSettings, makeHarness, type Harness } from '../test/helpers/harness';
import type { FakeAccountSpec, FakeModel } from '../test/helpers/fake-google';
import { arg, f, machine, measure, median, mb, printResult, startFakeServer, table, target, type FakeStats, type Measured } from './lib';

const N = arg('accounts', 1000);
const M = arg('models', 20);
const LATENCY = arg('latency', 50);
const CAP = arg('concurrency', 32);
const CYCLES = Math.max(1, arg('cycles', 5));
const TIMEOUT_SEC = 30;
const ROUNDS = Math.ceil(N / CAP);
/** The bound of one request per account (for reference). */
const BOUND_ONE_MS = ROUNDS * LATENCY;
/** Steady cycle / raw fan-out of the same requests. */
const TARGET_RATIO = 1.1;
/** First cycle after start / its bound. */
const TARGET_FIRST = 1.5;
const TARGET_RSS_MB = 150;
/** The order in which the Antigravity adapter calls the v1internal methods within one account. */
const METHOD_ORDER = ['loadCodeAssist', 'fetchAvailableModels', 'retrieveUserQuotaSummary', 'retrieveUserQuota'];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// Real-looking ids: the adapter maps quota-summary groups to model families by these names.
const REAL_MODELS = [
  'gemini-3-pro-high', 'gemini-3-pro-low', 'gemini-3-pro-image', 'gemini-3-flash', 'gemini-2.5-pro', 'gemini-2.5-pro-thinking',
  'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.5-flash-thinking', 'gemini-2.5-flash-image', 'gemini-2.0-flash',
  'gemini-2.0-flash-lite', 'claude-sonnet-4-5', 'claude-sonnet-4-5-thinking', 'claude-opus-4-5-thinking', 'claude-opus-4-1',
  'claude-haiku-4-5', 'gpt-oss-120b-medium', 'gpt-oss-20b', 'gemma-3-27b',
];
const MODELS = Array.from({ length: M }, (_, j) => REAL_MODELS[j] ?? `gemini-bench-${String(j).padStart(2, '0')}`);

function specFor(i: number, resetTime: string): FakeAccountSpec {
  const models: Record<string, FakeModel> = {};
  MODELS.forEach((id, j) => {
    // A spread of 0.00..0.99: ~1% exhausted, ~9% low, the rest proceed.
    models[id] = { displayName: id, remainingFraction: ((i * 37 + j * 11) % 100) / 100, resetTime };
  });
  const paid = i % 10 === 0 ? 'g1-ultra-tier' : i % 10 < 4 ? 'g1-pro-tier' : undefined;
  return {
    refreshToken: `1//bench-refresh-${i}`,
    accessToken: `ya29.bench-access-${i}`,
    projectId: `bench-proj-${i}`,
    tierId: 'free-tier',
    tierName: 'Free',
    ...(paid ? { paidTierId: paid, paidTierName: paid } : {}),
    models,
  };
}

interface Tokens { accessToken: string; projectId: string }

/**
 * The transport alone: per account the same POSTs in the same order, p-limit(CAP) across
 * accounts, through the same node:http client the product uses (so the baseline is the
 * transport, and no second HTTP stack inflates the process's RSS).
 */
const rawClient = createNodeHttpClient();
async function rawFanout(baseUrl: string, tokens: Tokens[], methods: string[]): Promise<{ ok: number; bytes: number }> {
  const limit = pLimit(CAP);
  let ok = 0;
  let bytes = 0;
  await Promise.all(
    tokens.map((s) =>
      limit(async () => {
        for (const method of methods) {
          const res = await rawClient[LEAN](`${baseUrl}/v1internal:${method}`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${s.accessToken}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ project: s.projectId }),
            signal: AbortSignal.timeout(30_000),
            maxBodyBytes: 4 * 1024 * 1024,
          });
          const text = res.body.toString('utf8');
          bytes += text.length;
          if (res.status === 200) ok++;
        }
      }),
    ),
  );
  return { ok, bytes };
}

interface Phases {
  /** From the call to the cycle's first stats event (the monitor computes stats before any request). */
  startMs: number;
  /** From that event to the report's finishedAt: the fetch phase. */
  fetchMs: number;
  /** From finishedAt to monitor:syncFinished: the cycle's transaction, cache cleanup, pruning. */
  writeMs: number;
  /** From monitor:syncFinished to the closing stats event. */
  finalStatsMs: number;
  /** From the closing stats event until the awaited call returns. */
  tailMs: number;
}

interface Row {
  wallMs: number;
  boundMs: number;
  ratio: number;
  /** Wall time over the one-request-per-account bound (the brief's 1,600 ms). */
  ratioToOneRequestBound: number;
  cpuMs: number;
  cpuMsPerAccount: number;
  peakRssMb: number;
  maxRssMb: number;
  elu: number;
  requests: number;
  requestsPerAccount: number;
  maxConcurrent: number;
  byPath: Record<string, number>;
  reportDurationMs?: number;
  phases?: Phases;
  windowUs?: [number, number];
}

function row(m: Measured<unknown>, fake: FakeStats, extra: { reportDurationMs?: number; phases?: Phases } = {}): Row {
  const perAccount = fake.requests / N;
  const boundMs = Math.ceil(fake.requests / CAP) * LATENCY;
  return {
    wallMs: m.wallMs,
    boundMs,
    ratio: m.wallMs / boundMs,
    ratioToOneRequestBound: m.wallMs / BOUND_ONE_MS,
    cpuMs: m.cpuMs,
    cpuMsPerAccount: m.cpuMs / N,
    peakRssMb: m.peakRssMb,
    maxRssMb: m.maxRssMb,
    elu: m.elu,
    requests: fake.requests,
    requestsPerAccount: perAccount,
    maxConcurrent: fake.maxConcurrent,
    byPath: fake.byPath,
    windowUs: m.windowUs,
    ...extra,
  };
}

function medianRow(rows: Row[]): Row {
  const pick = (k: keyof Row) => median(rows.map((r) => r[k] as number));
  return {
    ...rows[0]!,
    wallMs: pick('wallMs'), ratio: pick('ratio'), ratioToOneRequestBound: pick('ratioToOneRequestBound'), cpuMs: pick('cpuMs'),
    cpuMsPerAccount: pick('cpuMsPerAccount'), elu: pick('elu'), requests: pick('requests'),
    peakRssMb: Math.max(...rows.map((r) => r.peakRssMb)), maxRssMb: Math.max(...rows.map((r) => r.maxRssMb)),
    maxConcurrent: Math.max(...rows.map((r) => r.maxConcurrent)),
    ...(rows[0]!.reportDurationMs === undefined ? {} : { reportDurationMs: median(rows.map((r) => r.reportDurationMs!)) }),
    ...(rows[0]!.phases ? { phases: Object.fromEntries(Object.keys(rows[0]!.phases).map((k) => [k, median(rows.map((r) => r.phases![k as keyof Phases]))])) as unknown as Phases } : {}),
    windowUs: undefined,
  };
}

/** One monitor:syncNow through app.api.call, with its serial phases taken from public events. */
async function syncNowWithPhases(h: Harness): Promise<{ report: SyncReport; phases: Phases }> {
  const marks: { stats: number[]; finished?: number } = { stats: [] };
  const offStats = h.app.events.on('monitor:stats', () => void marks.stats.push(Date.now()));
  const offDone = h.app.events.on('monitor:syncFinished', () => void (marks.finished = Date.now()));
  const t0 = Date.now();
  try {
    const report = await call<SyncReport>(h.app, 'monitor:syncNow');
    const t1 = Date.now();
    const started = marks.stats[0] ?? t0;
    const finishedAt = Date.parse(report.finishedAt);
    const done = marks.finished ?? finishedAt;
    const closing = marks.stats[marks.stats.length - 1] ?? done;
    return {
      report,
      phases: { startMs: started - t0, fetchMs: finishedAt - started, writeMs: done - finishedAt, finalStatsMs: closing - done, tailMs: t1 - closing },
    };
  } finally {
    offStats();
    offDone();
  }
}

function checkReport(what: string, r: SyncReport): void {
  if (r.successes !== N || r.errors !== 0 || r.aborted) {
    const sample = r.results.filter((x) => x.outcome !== 'ok').slice(0, 3);
    throw new Error(`${what}: expected ${N} ok, got ${r.successes} ok / ${r.errors} errors / aborted=${r.aborted}: ${JSON.stringify(sample)}`);
  }
}

/** Every path the upstream saw was called exactly once per account; none of `forbidden`. */
function checkUpstream(what: string, s: FakeStats, required: string[], forbidden: string[]): string[] {
  const methods = Object.keys(s.byPath).map((p) => p.replace(/^\/v1internal:/, ''));
  for (const [p, n] of Object.entries(s.byPath)) if (n !== N) throw new Error(`${what}: upstream saw ${p} ${n} times for ${N} accounts (${JSON.stringify(s.byPath)})`);
  for (const m of required) if (!methods.includes(m)) throw new Error(`${what}: upstream never saw ${m} (${JSON.stringify(s.byPath)})`);
  for (const m of forbidden) if (methods.includes(m) || s.byPath[`/${m}`]) throw new Error(`${what}: upstream saw ${m} (${JSON.stringify(s.byPath)})`);
  if (Object.keys(s.byStatus).some((k) => k !== '200')) throw new Error(`${what}: non-200 answers ${JSON.stringify(s.byStatus)}`);
  return [...methods].sort((a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b));
}

async function settle(): Promise<void> {
  gc();
  await new Promise((r) => setTimeout(r, 100));
}

async function main(): Promise<void> {
  console.log(`# sync-throughput — ${machine()}; node ${process.execArgv.join(' ') || '(no flags)'}`);
  console.log(`# ${N} accounts x ${M} models, fake upstream in its own process at ${LATENCY} ms/request, caps ${CAP}/${CAP}, timeout ${TIMEOUT_SEC} s, ${CYCLES} measured cycles`);
  const rssAtStartMb = mb(process.memoryUsage().rss);
  const fake = await startFakeServer(LATENCY);
  const resetTime = new Date(Math.ceil((Date.now() + 5 * 3_600_000) / 60_000) * 60_000).toISOString();
  // Specs are built in batches and only their tokens kept: this process holds no upstream data.
  const tokens: Array<Tokens & { refreshToken: string }> = [];
  for (let i = 0; i < N; i += 250) {
    const batch = Array.from({ length: Math.min(250, N - i) }, (_, k) => specFor(i + k, resetTime));
    await fake.control('/accounts', { accounts: batch });
    for (const b of batch) tokens.push({ refreshToken: b.refreshToken, accessToken: b.accessToken!, projectId: b.projectId! });
  }

  const h = await makeHarness({
    overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { concurrency: CAP, providerConcurrency: CAP, syncTimeoutSec: TIMEOUT_SEC }),
  });
  try {
    const doc = {
      accounts: tokens.map((s, i) => ({
        provider: 'antigravity',
        email: `bench${i}@example.com`,
        refreshToken: s.refreshToken,
        accessToken: s.accessToken,
        expiresAt: '2099-01-01T00:00:00Z',
      })),
    };
    const imported = await call<{ created: number }>(h.app, 'accounts:import', doc);
    if (imported.created !== N) throw new Error(`import created ${imported.created} of ${N}`);
    const rssIdleMb = mb(process.memoryUsage().rss);
    console.log(`# data dir ${h.dir}; RSS at start ${f(rssAtStartMb)} MB, after import ${f(rssIdleMb)} MB`);

    // Warm-up: loadCodeAssist (project, tier, credits) + the quota calls, per account.
    await fake.control('/reset-stats', {});
    await settle();
    const warm = await measure(() => syncNowWithPhases(h));
    const warmFake = await fake.control<FakeStats>('/stats');
    checkReport('warm-up cycle', warm.result.report);
    const warmMethods = checkUpstream('warm-up cycle', warmFake, ['loadCodeAssist', 'fetchAvailableModels'], ['token']);
    const warmRow = row(warm, warmFake, { reportDurationMs: warm.result.report.durationMs, phases: warm.result.phases });
    // What a steady cycle is expected to call: the warm-up's methods without loadCodeAssist.
    const steadyMethods = warmMethods.filter((m) => m !== 'loadCodeAssist');
    console.log(`# warm-up called ${warmMethods.join(' -> ')} per account; steady cycles are expected to call ${steadyMethods.join(' -> ')}`);

    const raws: Row[] = [];
    const steadies: Row[] = [];
    for (let k = 0; k < CYCLES; k++) {
      await fake.control('/reset-stats', {});
      await settle();
      const raw = await measure(() => rawFanout(fake.baseUrl, tokens, steadyMethods));
      const rawFake = await fake.control<FakeStats>('/stats');
      if (raw.result.ok !== N * steadyMethods.length) throw new Error(`raw fan-out: ${raw.result.ok} of ${N * steadyMethods.length} answered 200`);
      raws.push(row(raw, rawFake));

      await fake.control('/reset-stats', {});
      await settle();
      const steady = await measure(() => syncNowWithPhases(h));
      const steadyFake = await fake.control<FakeStats>('/stats');
      checkReport(`steady cycle ${k + 1}`, steady.result.report);
      const seen = checkUpstream(`steady cycle ${k + 1}`, steadyFake, steadyMethods, ['loadCodeAssist', 'token']);
      if (seen.join() !== steadyMethods.join()) throw new Error(`steady cycle ${k + 1} called ${seen.join()}, expected ${steadyMethods.join()}`);
      steadies.push(row(steady, steadyFake, { reportDurationMs: steady.result.report.durationMs, phases: steady.result.phases }));
    }
    const raw = medianRow(raws);
    const steady = medianRow(steadies);
    await settle();
    const liveHeapMb = mb(process.memoryUsage().heapUsed);
    const dbRows = (h.app.services.db.prepare('SELECT COUNT(*) AS n FROM quota_latest').get() as { n: number }).n;

    const line = (name: string, r: Row) => [
      name, f(r.wallMs, 0), f(r.boundMs, 0), f(r.ratio, 3), f(r.ratioToOneRequestBound, 3), f(r.cpuMs, 0), f(r.cpuMsPerAccount, 3),
      f(r.peakRssMb), f(r.maxRssMb), f(r.elu, 2), f(r.requestsPerAccount, 0), r.maxConcurrent,
    ];
    console.log();
    console.log(table([
      ['step', 'wall ms', 'bound ms', 'ratio', 'vs 1-req bound', 'cpu ms', 'cpu ms/acct', 'peak RSS MB', 'maxRSS MB', 'ELU', 'req/acct', 'max conc.'],
      line('warm-up cycle', warmRow),
      ...raws.map((r, k) => line(`raw transport fan-out #${k + 1}`, r)),
      ...steadies.map((r, k) => line(`steady cycle #${k + 1}`, r)),
      line('raw transport fan-out (median)', raw),
      line('steady cycle (median)', steady),
    ]));
    const ph = (name: string, r: Row) => {
      const p = r.phases!;
      return [name, f(p.startMs, 0), f(p.fetchMs, 0), f(p.writeMs, 0), f(p.finalStatsMs, 0), f(p.tailMs, 0), f(r.wallMs, 0)];
    };
    console.log();
    console.log('serial phases of each cycle, ms (product clock, from the monitor:stats and monitor:syncFinished events):');
    console.log(table([
      ['cycle', 'start stats', 'fetch phase', 'end writes', 'final stats', 'tail', 'wall'],
      ph('warm-up', warmRow),
      ...steadies.map((r, k) => ph(`steady #${k + 1}`, r)),
      ph('steady (median)', steady),
    ]));

    const vsRaw = steadies.map((r, k) => r.wallMs / raws[k]!.wallMs);
    const ratioVsRaw = median(vsRaw);
    const ratioOk = ratioVsRaw <= TARGET_RATIO;
    const firstOk = warmRow.ratio <= TARGET_FIRST;
    const maxInFlight = Math.max(warmRow.maxConcurrent, ...steadies.map((r) => r.maxConcurrent));
    const inFlightOk = maxInFlight <= CAP;
    const rssOk = steady.peakRssMb < TARGET_RSS_MB && steady.maxRssMb < TARGET_RSS_MB;
    console.log();
    console.log(`first cycle after start: ${f(warmRow.wallMs, 0)} ms = ${f(warmRow.ratio, 3)} x its bound ${f(warmRow.boundMs, 0)} ms (${warmRow.requests} requests at cap ${CAP}; target <= ${TARGET_FIRST}: ${firstOk ? 'MET' : 'MISSED'}); ${f(warmRow.cpuMsPerAccount, 3)} CPU ms per account`);
    console.log(`steady cycle: ${f(steady.wallMs, 0)} ms = ${f(ratioVsRaw, 3)} x the raw fan-out of the same requests (median of per-round ratios ${vsRaw.map((x) => f(x, 3)).join(', ')}; target <= ${TARGET_RATIO}: ${ratioOk ? 'MET' : 'MISSED'}); ${f(steady.ratio, 3)} x its bound ${f(steady.boundMs, 0)} ms`);
    console.log(`requests in flight at the upstream: at most ${maxInFlight} at cap ${CAP} (${inFlightOk ? 'MET' : 'MISSED'})`);
    console.log(`steady cycle: peak RSS ${f(steady.peakRssMb)} MB sampled, maxRSS ${f(steady.maxRssMb)} MB (bench process, tsx loaded); ` +
      `RSS at start ${f(rssAtStartMb)} MB, live heap after the run ${f(liveHeapMb)} MB`);
    console.log(`steady cycle: ${f(steady.cpuMsPerAccount, 3)} CPU ms per account vs the raw fan-out's ${f(raw.cpuMsPerAccount, 3)} ` +
      `(product overhead ${f(steady.cpuMsPerAccount - raw.cpuMsPerAccount, 3)} ms/account)`);
    console.log(`quota_latest rows: ${dbRows}; log lines kept by the test logger: ${h.logger.lines.length}`);

    printResult('sync-throughput', {
      machine: machine(), execArgv: process.execArgv, accounts: N, models: M, latencyMs: LATENCY, cap: CAP, boundOneRequestMs: BOUND_ONE_MS, cycles: CYCLES,
      steadyMethods, rssAtStartMb, rssIdleMb, liveHeapMb, warmup: warmRow, raw, raws, steady, steadies,
      ratioVsRaw, vsRaw, maxInFlight, met: { ratio: ratioOk, first: firstOk, inFlight: inFlightOk, rss: rssOk },
      targets: [
        target(`first sync cycle after start, ${N} x ${M} @ ${LATENCY} ms, cap ${CAP}`, `${f(warmRow.wallMs, 0)} ms (${f(warmRow.cpuMsPerAccount, 2)} CPU ms/acct)`, `bound ${f(warmRow.boundMs, 0)} ms = ceil(${warmRow.requests} req / ${CAP}) x ${LATENCY} ms`, warmRow.ratio, '<= 1.5', firstOk),
        target('steady sync cycle vs a raw fan-out of the same requests (per round)', `${f(steady.wallMs, 0)} ms (${f(steady.cpuMsPerAccount, 2)} CPU ms/acct)`, `raw fan-out ${f(raw.wallMs, 0)} ms; bound ${f(steady.boundMs, 0)} ms`, ratioVsRaw, '<= 1.1', ratioOk),
        target(`upstream requests in flight at cap ${CAP}`, `max ${maxInFlight}`, `cap ${CAP}`, maxInFlight / CAP, '<= 1 (<= N)', inFlightOk),
      ],
    });
  } finally {
    await h.close();
    await fake.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
