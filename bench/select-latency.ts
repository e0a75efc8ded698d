// Selector latency: TokenSelector.select over 1,000 accounts (mixed tiers, remaining fractions,
// some exhausted / low / unknown / below reserve / excluded), 20 models each, one model asked.
// Real core: SQLite accounts (accounts:import, accounts:update, accounts:setModelPref) and the
// real QuotaEngine fed through app.services.engine.applyReadings.
//
//   node --import tsx bench/select-latency.ts [--accounts 1000] [--calls 200000] [--rebuilds 2000]
//
// Per-call latency is taken with process.hrtime.bigint() around each call; the same-run
// baseline is the same timing harness around an empty body. The judged figure is select()
// under churn: before EVERY timed call, readings change as a sync and proxy traffic change
// them — a poll's complete reading of one account (20 models) every other call, a rate-limit
// header's reading of one account and the asked model every call, a 429 lock now and then —
// so every call finds its index out of date (incremental update, no full rebuild per change).
// For reference: select on an unchanged index, and select right after engine.bump() (a
// change of everything: the full rebuild every call used to pay).
import type { QuotaInfo } from '../src/main/core/model';
import type { ImportReport, Tier } from '../src/shared/types';
import { call, makeHarness } from '../test/helpers/harness';
import { arg, f, machine, pct, printResult, table, target } from './lib';

const N = arg('accounts', 1000);
const M = arg('models', 20);
const CALLS = arg('calls', 200_000);
const WARM = Math.min(CALLS, 20_000);
const REBUILDS = arg('rebuilds', 2000);
const CONTRACT_CALLS = arg('contract-calls', 20_000);
const MODEL = 'gemini-3-pro-high';
const TARGET_P99_US = 20;

interface Dist { p50: number; p99: number; p999: number; max: number; mean: number; n: number }

function dist(ns: Float64Array): Dist {
  let sum = 0;
  for (const x of ns) sum += x;
  const s = ns.slice().sort();
  const us = (x: number) => x / 1000;
  return { p50: us(pct(s, 50)), p99: us(pct(s, 99)), p999: us(pct(s, 99.9)), max: us(s[s.length - 1]!), mean: us(sum / s.length), n: s.length };
}

let sink: unknown;

/** The timing harness: hrtime.bigint() before and after `body`, one sample per call. */
function timed(n: number, body: () => unknown): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    sink = body();
    const t1 = process.hrtime.bigint();
    out[i] = Number(t1 - t0);
  }
  return out;
}

function untimedMeanNs(n: number, body: () => unknown): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink = body();
  return Number(process.hrtime.bigint() - t0) / n;
}

async function main(): Promise<void> {
  console.log(`# select-latency — ${machine()}`);
  console.log(`# ${N} accounts x ${M} models, select("${MODEL}"), ${CALLS} timed calls after ${WARM} warm-up calls`);
  const h = await makeHarness();
  try {
    const { engine, store, selector } = h.app.services;
    const tierOf = (i: number): Tier => (i % 10 === 0 ? 'ultra' : i % 10 < 4 ? 'pro' : 'free');
    const doc = {
      accounts: Array.from({ length: N }, (_, i) => ({
        provider: 'antigravity', email: `sel${i}@example.com`, refreshToken: `1//sel-refresh-${i}`, tier: tierOf(i), label: `sel${i}`,
      })),
    };
    const report = await call<ImportReport>(h.app, 'accounts:import', doc);
    const ids = report.accounts.map((a) => a.id);
    const now = Date.now();
    const models = [MODEL, ...Array.from({ length: M - 1 }, (_, j) => `bench-model-${String(j).padStart(2, '0')}`)];
    const counts = { exhausted: 0, low: 0, unknown: 0, proceed: 0, reserve: 0, excluded: 0 };
    for (let i = 0; i < N; i++) {
      let fraction: number | null = 0.1 + ((i * 37) % 90) / 100;
      let resetAt: number | null = now + 5 * 3_600_000;
      if (i % 20 === 0) { fraction = 0; resetAt = now + 2 * 3_600_000; counts.exhausted++; }
      else if (i % 20 === 1) { fraction = 0.05; counts.low++; }
      else if (i % 20 === 2) { fraction = null; resetAt = null; counts.unknown++; }
      else counts.proceed++;
      const infos: QuotaInfo[] = models.map((model, j) => ({
        accountId: ids[i]!, model, displayName: model, remainingFraction: j === 0 ? fraction : ((i + j * 13) % 100) / 100,
        resetAt: j === 0 ? resetAt : now + 5 * 3_600_000, fetchedAt: now, source: 'poll', window: null, limit: null, remaining: null,
      }));
      engine.applyReadings(store.require(ids[i]!), infos, true);
    }
    for (let i = 3; i < N; i += 50) { await call(h.app, 'accounts:update', { id: ids[i], reserve: 0.95 }); counts.reserve++; }
    for (let i = 7; i < N; i += 100) { await call(h.app, 'accounts:setModelPref', { id: ids[i], model: MODEL, excluded: true }); counts.excluded++; }
    const cands = selector.candidates(MODEL);
    console.log(`# readings: ${JSON.stringify(counts)}; ${cands.length} candidates; top: ${cands[0]!.account.label} (${cands[0]!.account.tier}, ${cands[0]!.decision.kind} ${cands[0]!.decision.remainingFraction})`);

    const results: Record<string, { timed: Dist; untimedMeanUs: number }> = {};
    // Baseline first: the same harness around an empty body.
    timed(WARM, () => undefined);
    const empty = { timed: dist(timed(CALLS, () => undefined)), untimedMeanUs: untimedMeanNs(CALLS, () => undefined) / 1000 };
    for (const strategy of ['priority', 'reset-aware', 'round-robin'] as const) {
      await call(h.app, 'settings:update', { selectionStrategy: strategy });
      timed(WARM, () => selector.select(MODEL));
      const t = dist(timed(CALLS, () => selector.select(MODEL)));
      results[strategy] = { timed: t, untimedMeanUs: untimedMeanNs(CALLS, () => selector.select(MODEL)) / 1000 };
    }
    // Churn under the default strategy (reset-aware: its key is computed once per evaluation).
    await call(h.app, 'settings:update', { selectionStrategy: 'reset-aware' });

    // Under churn: every timed call follows changes a sync and proxy traffic make.
    const rebuildsBefore = selector.counters.rebuilds;
    const CHURN = Math.min(CALLS, arg('churn-calls', 50_000));
    const churnNs = new Float64Array(CHURN);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const change = (i: number) => {
      const t = Date.now();
      if (i % 2 === 0) {
        const a = Math.floor(rnd() * N);
        const infos: QuotaInfo[] = models.map((model, j) => ({
          accountId: ids[a]!, model, displayName: model, remainingFraction: a % 20 === 0 && j === 0 ? 0 : Math.round(rnd() * 100) / 100,
          resetAt: t + 5 * 3_600_000, fetchedAt: t, source: 'poll', window: null, limit: null, remaining: null,
        }));
        engine.applyReadings(store.require(ids[a]!), infos, true);
      }
      const b = Math.floor(rnd() * N);
      engine.applyReadings(store.require(ids[b]!), [{ accountId: ids[b]!, model: MODEL, displayName: null, remainingFraction: Math.round(rnd() * 100) / 100, resetAt: t + 60_000, fetchedAt: t, source: 'headers', window: 'requests', limit: 1000, remaining: 500 }], false);
      if (i % 97 === 0) engine.report(store.require(ids[Math.floor(rnd() * N)]!), MODEL, '429', 30);
    };
    for (let i = 0; i < Math.min(2000, CHURN); i++) {
      change(i);
      sink = selector.select(MODEL);
    }
    for (let i = 0; i < CHURN; i++) {
      change(i);
      const t0 = process.hrtime.bigint();
      sink = selector.select(MODEL);
      churnNs[i] = Number(process.hrtime.bigint() - t0);
    }
    const churn = dist(churnNs);
    const churnRebuilds = selector.counters.rebuilds - rebuildsBefore;

    // Rebuild path: every call follows a change of everything.
    timed(Math.min(200, REBUILDS), () => { engine.bump(); return undefined; });
    const rebuildNs = new Float64Array(REBUILDS);
    for (let i = 0; i < REBUILDS; i++) {
      engine.bump();
      const t0 = process.hrtime.bigint();
      sink = selector.select(MODEL);
      rebuildNs[i] = Number(process.hrtime.bigint() - t0);
    }
    const rebuild = dist(rebuildNs);

    // The same selection through the contract dispatcher (validation + envelope), awaited.
    const contractNs = new Float64Array(CONTRACT_CALLS);
    for (let i = 0; i < Math.min(2000, CONTRACT_CALLS); i++) await h.app.api.call('selector:select', { model: MODEL });
    for (let i = 0; i < CONTRACT_CALLS; i++) {
      const t0 = process.hrtime.bigint();
      sink = await h.app.api.call('selector:select', { model: MODEL });
      contractNs[i] = Number(process.hrtime.bigint() - t0);
    }
    const contract = dist(contractNs);
    void sink;

    const mr = results['priority']!;
    const ra = results['reset-aware']!;
    const rr = results['round-robin']!;
    const row = (name: string, d: Dist, untimed?: number) => [name, d.n, f(d.p50, 2), f(d.p99, 2), f(d.p999, 2), f(d.max, 1), f(d.mean, 2), untimed === undefined ? '-' : f(untimed, 3), f(d.p99 / TARGET_P99_US, 3)];
    console.log();
    console.log(table([
      ['path', 'calls', 'p50 µs', 'p99 µs', 'p99.9 µs', 'max µs', 'mean µs', 'untimed µs/call', 'p99 / 20 µs'],
      row('empty timed loop (baseline)', empty.timed, empty.untimedMeanUs),
      row('select, priority', mr.timed, mr.untimedMeanUs),
      row('select, reset-aware', ra.timed, ra.untimedMeanUs),
      row('select, round-robin', rr.timed, rr.untimedMeanUs),
      row('select under churn (sync + proxy readings)', churn),
      row('select after engine.bump()', rebuild),
      row('api.call selector:select', contract),
    ]));
    const worstP99 = Math.max(mr.timed.p99, ra.timed.p99, rr.timed.p99);
    const ok = churn.p99 <= TARGET_P99_US;
    console.log(`\nselect under churn: p50 ${f(churn.p50, 2)} µs, p99 ${f(churn.p99, 2)} µs over ${CHURN} calls, each after a change (target p99 <= 20 µs: ${ok ? 'MET' : 'MISSED'}); full rebuilds during the run: ${churnRebuilds}`);
    console.log();
    console.log(`select on an unchanged index p99 ${f(worstP99, 2)} µs (worst strategy); ` +
      `timer floor p50 ${f(empty.timed.p50, 3)} µs, so select's own p50 ≈ ${f(mr.timed.p50 - empty.timed.p50, 2)} µs`);
    console.log(`rebuild (index over ${N} accounts) p50 ${f(rebuild.p50, 0)} µs, p99 ${f(rebuild.p99, 0)} µs = ${f(rebuild.p50 / mr.timed.p50, 0)} x a cached select; ${f((rebuild.p50 * 1000) / N, 0)} ns per account`);

    printResult('select-latency', {
      machine: machine(), accounts: N, models: M, calls: CALLS, candidates: cands.length, readings: counts,
      empty, priority: mr, resetAware: ra, roundRobin: rr, rebuild, contract, churn, churnRebuilds,
      target: { p99Us: TARGET_P99_US }, ratio: churn.p99 / TARGET_P99_US, met: { p99: ok },
      targets: [
        target('select() p99 over 1,000 accounts under churn (every call after a sync/proxy change)', `p99 ${f(churn.p99, 2)} µs (p50 ${f(churn.p50, 2)}); ${churnRebuilds} full rebuilds`, `unchanged index p99 ${f(mr.timed.p99, 2)} µs; full rebuild p99 ${f(rebuild.p99, 0)} µs; timer floor p99 ${f(empty.timed.p99, 2)} µs`, churn.p99, '<= 20 µs', ok),
      ],
    });
  } finally {
    await h.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
