// Sync throughput: one `monitor:syncNow` cycle over 1,000 Google accounts x 20 models against
// the fake upstream (own process, 50 ms per request), global and per-provider caps 32,
// per-account timeout 30 s, real SQLite in a temp dir, access tokens that never expire.
//
//   node --import tsx bench/sync-throughput.ts [--accounts 1000] [--models 20] [--latency 50]
//                                              [--concurrency 32] [--cycles 3]
//
// Same-run baselines: the bound ceil(accounts / cap) x latency (a perfect client), and a raw
// fan-out of the same number of POSTs with global fetch and p-limit(cap) straight to the fake.
// The warm-up cycle also calls loadCodeAssist once per account (two requests each, so its
// bound is twice the steady one); the steady cycles call only fetchAvailableModels.
import pLimit from 'p-limit';
import type { SyncReport } from '../src/shared/types';
import { call, googleSettings, makeHarness, type Harness } from '../test/helpers/harness';
import type { FakeAccountSpec, FakeModel } from '../test/helpers/fake-google';
import { arg, f, machine, measure, median, mb, printResult, startFakeServer, table, type FakeStats, type Measured } from './lib';

const N = arg('accounts', 1000);
const M = arg('models', 20);
const LATENCY = arg('latency', 50);
const CAP = arg('concurrency', 32);
const CYCLES = Math.max(1, arg('cycles', 3));
const TIMEOUT_SEC = 30;
const BOUND_MS = Math.ceil(N / CAP) * LATENCY;
const TARGET_RATIO = 1.15;
const TARGET_RSS_MB = 150;

const REAL_MODELS = [
  'gemini-3-pro-high', 'gemini-3-pro-low', 'gemini-3-flash', 'gemini-2.5-pro', 'gemini-2.5-flash',
  'gemini-2.5-flash-lite', 'gemini-2.5-flash-thinking', 'gemini-2.5-flash-image', 'claude-sonnet-4-5',
  'claude-sonnet-4-5-thinking', 'claude-opus-4-5-thinking', 'gpt-oss-120b-medium',
];
const MODELS = Array.from({ length: M }, (_, j) => REAL_MODELS[j] ?? `bench-model-${String(j).padStart(2, '0')}`);

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

/** The transport alone: N POSTs of fetchAvailableModels with p-limit(CAP), bodies read as text. */
async function rawFanout(baseUrl: string, specs: Array<{ accessToken: string; projectId: string }>): Promise<{ ok: number; bytes: number }> {
  const limit = pLimit(CAP);
  let ok = 0;
  let bytes = 0;
  await Promise.all(
    specs.map((s) =>
      limit(async () => {
        const res = await fetch(`${baseUrl}/v1internal:fetchAvailableModels`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${s.accessToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ project: s.projectId }),
        });
        const text = await res.text();
        bytes += text.length;
        if (res.status === 200) ok++;
      }),
    ),
  );
  return { ok, bytes };
}

interface Row {
  wallMs: number;
  ratio: number;
  cpuMs: number;
  cpuMsPerAccount: number;
  peakRssMb: number;
  maxRssMb: number;
  elu: number;
  requests: number;
  maxConcurrent: number;
  reportDurationMs?: number;
  windowUs?: [number, number];
  phases?: Phases;
}

function row(m: Measured<unknown>, bound: number, fake: FakeStats, reportDurationMs?: number, phases?: Phases): Row {
  return {
    wallMs: m.wallMs,
    ratio: m.wallMs / bound,
    cpuMs: m.cpuMs,
    cpuMsPerAccount: m.cpuMs / N,
    peakRssMb: m.peakRssMb,
    maxRssMb: m.maxRssMb,
    elu: m.elu,
    requests: fake.requests,
    maxConcurrent: fake.maxConcurrent,
    ...(reportDurationMs === undefined ? {} : { reportDurationMs }),
    windowUs: m.windowUs,
    ...(phases ? { phases } : {}),
  };
}

function medianRow(rows: Row[]): Row {
  const pick = (k: keyof Row) => median(rows.map((r) => r[k] as number));
  return {
    wallMs: pick('wallMs'), ratio: pick('ratio'), cpuMs: pick('cpuMs'), cpuMsPerAccount: pick('cpuMsPerAccount'),
    peakRssMb: Math.max(...rows.map((r) => r.peakRssMb)), maxRssMb: Math.max(...rows.map((r) => r.maxRssMb)),
    elu: pick('elu'), requests: pick('requests'), maxConcurrent: Math.max(...rows.map((r) => r.maxConcurrent)),
  };
}

interface Phases {
  /** From the call to the cycle's first stats event (stats are computed before requests start). */
  startMs: number;
  /** From the start event to the report's finishedAt: the fetch phase. */
  fetchMs: number;
  /** From finishedAt to monitor:syncFinished: the cycle's transaction, cache cleanup, pruning. */
  writeMs: number;
  /** From monitor:syncFinished to the closing stats event. */
  finalStatsMs: number;
  /** From the closing stats event until the awaited call returns. */
  tailMs: number;
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

function checkPaths(what: string, s: FakeStats, expected: Record<string, number>): void {
  const got = JSON.stringify(Object.entries(s.byPath).sort());
  const want = JSON.stringify(Object.entries(expected).sort());
  if (got !== want) throw new Error(`${what}: upstream saw ${got}, expected ${want}`);
}

async function main(): Promise<void> {
  console.log(`# sync-throughput — ${machine()}`);
  console.log(`# ${N} accounts x ${M} models, fake upstream in its own process at ${LATENCY} ms/request, caps ${CAP}/${CAP}, timeout ${TIMEOUT_SEC} s`);
  const rssAtStartMb = mb(process.memoryUsage().rss);
  const fake = await startFakeServer(LATENCY);
  const resetTime = new Date(Math.ceil((Date.now() + 5 * 3_600_000) / 60_000) * 60_000).toISOString();
  // Specs are built in batches and only their tokens kept, so this process holds no upstream data.
  const specs: Array<{ refreshToken: string; accessToken: string; projectId: string }> = [];
  for (let i = 0; i < N; i += 250) {
    const batch = Array.from({ length: Math.min(250, N - i) }, (_, k) => specFor(i + k, resetTime));
    await fake.control('/accounts', { accounts: batch });
    for (const b of batch) specs.push({ refreshToken: b.refreshToken, accessToken: b.accessToken!, projectId: b.projectId! });
  }

  const h = await makeHarness({
    overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { concurrency: CAP, providerConcurrency: CAP, syncTimeoutSec: TIMEOUT_SEC }),
  });
  try {
    const doc = {
      accounts: specs.map((s, i) => ({
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

    // The transport alone in a process that has not run a cycle yet: the RSS baseline.
    await fake.control('/reset-stats', {});
    const cold = await measure(() => rawFanout(fake.baseUrl, specs));
    const coldFake = await fake.control<FakeStats>('/stats');
    if (cold.result.ok !== N) throw new Error(`raw fan-out: ${cold.result.ok} of ${N} answered 200`);
    const coldRow = row(cold, BOUND_MS, coldFake);

    // Warm-up: loadCodeAssist + fetchAvailableModels per account (learns project and tier).
    await fake.control('/reset-stats', {});
    const warm = await measure(() => syncNowWithPhases(h));
    const warmFake = await fake.control<FakeStats>('/stats');
    checkReport('warm-up cycle', warm.result.report);
    checkPaths('warm-up cycle', warmFake, { '/v1internal:loadCodeAssist': N, '/v1internal:fetchAvailableModels': N });
    const warmRow = row(warm, 2 * BOUND_MS, warmFake, warm.result.report.durationMs, warm.result.phases);

    const raws: Row[] = [];
    const steadies: Row[] = [];
    for (let k = 0; k < CYCLES; k++) {
      await fake.control('/reset-stats', {});
      const raw = await measure(() => rawFanout(fake.baseUrl, specs));
      const rawFake = await fake.control<FakeStats>('/stats');
      if (raw.result.ok !== N) throw new Error(`raw fan-out: ${raw.result.ok} of ${N} answered 200`);
      raws.push(row(raw, BOUND_MS, rawFake));

      await fake.control('/reset-stats', {});
      const steady = await measure(() => syncNowWithPhases(h));
      const steadyFake = await fake.control<FakeStats>('/stats');
      checkReport(`steady cycle ${k + 1}`, steady.result.report);
      checkPaths(`steady cycle ${k + 1}`, steadyFake, { '/v1internal:fetchAvailableModels': N });
      steadies.push(row(steady, BOUND_MS, steadyFake, steady.result.report.durationMs, steady.result.phases));
    }
    const raw = medianRow(raws);
    const steady = medianRow(steadies);
    const dbRows = (h.app.services.db.prepare('SELECT COUNT(*) AS n FROM quota_latest').get() as { n: number }).n;

    const line = (name: string, r: Row, bound: number) => [
      name, f(r.wallMs, 0), f(bound, 0), f(r.ratio, 3), f(r.cpuMs, 0), f(r.cpuMsPerAccount, 3), f(r.peakRssMb), f(r.maxRssMb), f(r.elu, 2), r.requests, r.maxConcurrent,
    ];
    console.log();
    console.log(table([
      ['step', 'wall ms', 'bound ms', 'ratio', 'cpu ms', 'cpu ms/acct', 'peak RSS MB', 'maxRSS MB', 'ELU', 'requests', 'max conc.'],
      line('raw fetch fan-out, cold (first)', coldRow, BOUND_MS),
      line('warm-up cycle (load+models)', warmRow, 2 * BOUND_MS),
      ...raws.map((r, k) => line(`raw fetch fan-out #${k + 1}`, r, BOUND_MS)),
      ...steadies.map((r, k) => line(`steady cycle #${k + 1}`, r, BOUND_MS)),
      line(`raw fetch fan-out (median)`, raw, BOUND_MS),
      line(`steady cycle (median)`, steady, BOUND_MS),
    ]));
    const ph = (name: string, r: Row) => {
      const p = r.phases!;
      return [name, p.startMs, p.fetchMs, p.writeMs, p.finalStatsMs, p.tailMs, f(r.wallMs, 0)];
    };
    console.log();
    console.log('serial phases of each cycle (ms, product clock; from monitor:stats / monitor:syncFinished events):');
    console.log(table([
      ['cycle', 'start stats', 'fetch phase', 'end writes', 'final stats', 'tail', 'wall'],
      ph('warm-up', warmRow),
      ...steadies.map((r, k) => ph(`steady #${k + 1}`, r)),
    ]));
    const ratioOk = steady.ratio <= TARGET_RATIO;
    const rssOk = steady.peakRssMb < TARGET_RSS_MB && steady.maxRssMb < TARGET_RSS_MB;
    console.log();
    console.log(`steady cycle: ${f(steady.wallMs, 0)} ms = ${f(steady.ratio, 3)} x bound ${BOUND_MS} ms (target <= ${TARGET_RATIO}: ${ratioOk ? 'MET' : 'MISSED'}); ` +
      `product's own report ${f(median(steadies.map((r) => r.reportDurationMs!)), 0)} ms`);
    console.log(`steady cycle: peak RSS ${f(steady.peakRssMb)} MB sampled, maxRSS ${f(steady.maxRssMb)} MB (target < ${TARGET_RSS_MB} MB: ${rssOk ? 'MET' : 'MISSED'})`);
    console.log(`steady cycle: ${f(steady.cpuMsPerAccount, 3)} CPU ms per account vs raw fetch ${f(raw.cpuMsPerAccount, 3)} per request ` +
      `(product overhead ${f(steady.cpuMsPerAccount - raw.cpuMsPerAccount, 3)} ms/account); wall ${f(steady.wallMs / raw.wallMs, 3)} x raw fan-out`);
    console.log(`raw fetch fan-out run first (before any cycle): peak RSS ${f(coldRow.peakRssMb)} MB, ${f(coldRow.wallMs, 0)} ms — the transport's own memory baseline`);
    console.log(`warm-up cycle: ${f(warmRow.wallMs, 0)} ms = ${f(warmRow.ratio, 3)} x its bound ${2 * BOUND_MS} ms, ${f(warmRow.cpuMsPerAccount, 3)} CPU ms/account, peak RSS ${f(warmRow.peakRssMb)} MB`);
    console.log(`quota_latest rows: ${dbRows}; log lines kept by the test logger: ${h.logger.lines.length}`);

    printResult('sync-throughput', {
      machine: machine(), accounts: N, models: M, latencyMs: LATENCY, cap: CAP, boundMs: BOUND_MS, cycles: CYCLES,
      rssAtStartMb, rssIdleMb, rawCold: coldRow, warmup: warmRow, raw, raws, steady, steadies,
      targets: { ratio: TARGET_RATIO, rssMb: TARGET_RSS_MB }, met: { ratio: ratioOk, rss: rssOk },
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
