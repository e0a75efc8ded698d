// Adaptive polling: a mixed fleet simulated for N hours on a fake clock, through the real core
// (createApp, its QuotaMonitor and poll plan, SQLite in a temp dir). The upstream is simulated in
// process (a provider adapter whose answers follow each account's scripted use), so the figures
// count what the monitor asks for, not network time. Run twice on the same script: the adaptive
// plan (the product's default) and the fixed interval (every account every interval, the loop
// before it) as the same-run baseline.
//
//   node --require tsx/cjs bench/adaptive-polling.ts [--accounts 60] [--hours 8] [--interval 300]
//
// Figures:
//  - upstream calls per hour (quota polls) for the whole fleet — target: adaptive / fixed <= 0.8;
//  - freshness where it matters: for accounts near exhaustion (0 < true remaining <= 2 × the low
//    threshold), the age of the monitor's last reading, sampled every 10 s of simulated time —
//    target: adaptive mean and p95 <= fixed's (equal or better);
//  - how late each exhaustion is seen (from the true quota reaching 0 to the decision
//    "exhausted"), reported beside them.
import type { QuotaInfo } from '../src/main/core/model';
import type { ProviderAdapter, ProviderContext, QuotaResult } from '../src/main/core/providers/provider-adapter';
import type { ImportReport } from '../src/shared/types';
import { call, FakeClock, makeHarness } from '../test/helpers/harness';
import { arg, f, machine, pct, printResult, table, target } from './lib';

const N = arg('accounts', 60);
const HOURS = arg('hours', 8);
const INTERVAL_SEC = arg('interval', 300);
const STEP_MS = 10_000;
const LOW = 0.1;
const MODEL = 'sim-model';
const HOUR = 3_600_000;
const WINDOW = 5 * HOUR;
const TARGET_CALLS_RATIO = 0.8;

type Profile = 'idle' | 'light' | 'steady' | 'heavy';
/** Share of the fleet and use per hour while working (fraction of the window's quota). */
const PROFILES: Array<{ profile: Profile; share: number; ratePerHour: number }> = [
  { profile: 'idle', share: 0.45, ratePerHour: 0 },
  { profile: 'light', share: 0.25, ratePerHour: 0.05 },
  { profile: 'steady', share: 0.15, ratePerHour: 0.15 },
  { profile: 'heavy', share: 0.15, ratePerHour: 0.35 },
];

interface SimAccount {
  index: number;
  profile: Profile;
  ratePerHour: number;
  /** Reset phase: windows start at t0 + offset + k × WINDOW. */
  offset: number;
  /** Working hours: uses its quota only while (hour of day - start) mod 24 < length. */
  workStart: number;
  workLength: number;
}

/** A deterministic PRNG so both runs see the same fleet. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function fleet(n: number): SimAccount[] {
  const random = rng(7);
  const out: SimAccount[] = [];
  let i = 0;
  for (const p of PROFILES) {
    const count = p.profile === 'heavy' ? n - i : Math.round(n * p.share);
    for (let k = 0; k < count && i < n; k++, i++) {
      out.push({ index: i, profile: p.profile, ratePerHour: p.ratePerHour, offset: Math.floor(random() * WINDOW), workStart: Math.floor(random() * 6), workLength: 6 + Math.floor(random() * 6) });
    }
  }
  return out;
}

/** The simulated upstream's truth for one account at time t (since t0). */
function truth(a: SimAccount, t: number): { fraction: number; resetAt: number; working: boolean } {
  const since = (t - a.offset) % WINDOW;
  const windowStart = t - (since < 0 ? since + WINDOW : since);
  const resetAt = windowStart + WINDOW;
  // Use accrues during working hours within the window.
  let used = 0;
  for (let s = windowStart; s < t; s += 60_000) if (isWorking(a, s)) used += (a.ratePerHour * Math.min(60_000, t - s)) / HOUR;
  return { fraction: Math.max(0, Math.round((1 - used) * 1000) / 1000), resetAt, working: isWorking(a, t) };
}

function isWorking(a: SimAccount, t: number): boolean {
  if (a.ratePerHour === 0) return false;
  const hour = Math.floor(t / HOUR) % 24;
  return (hour - a.workStart + 24) % 24 < a.workLength;
}

interface RunResult {
  plan: 'adaptive' | 'fixed';
  calls: number;
  callsPerHour: number;
  cycles: number;
  nearSamples: number;
  nearAgeMeanSec: number;
  nearAgeP95Sec: number;
  exhaustions: number;
  exhaustedSeenLateMeanSec: number;
  exhaustedSeenLateP95Sec: number;
}

async function run(plan: 'adaptive' | 'fixed', accounts: SimAccount[]): Promise<RunResult> {
  const clock = new FakeClock();
  const t0 = clock.now();
  const calls = new Map<string, number>();
  const byAccountId = new Map<string, SimAccount>();
  // The simulated upstream: one quota per account, its truth at the (fake) time of the call.
  const sim: ProviderAdapter = {
    id: 'openrouter',
    displayName: 'Simulated',
    auth: 'api-key',
    defaultBaseUrl: 'http://127.0.0.1:9',
    pollable: true,
    defaultModels: [MODEL],
    needsRefresh: () => false,
    refreshCredentials: async (ctx: ProviderContext) => ctx.credentials,
    fetchQuota: async (ctx: ProviderContext): Promise<QuotaResult> => {
      const a = byAccountId.get(ctx.account.id)!;
      calls.set(ctx.account.id, (calls.get(ctx.account.id) ?? 0) + 1);
      const now = ctx.now();
      const tr = truth(a, now - t0);
      const info: QuotaInfo = { accountId: ctx.account.id, model: MODEL, displayName: null, remainingFraction: tr.fraction, resetAt: t0 + tr.resetAt, fetchedAt: now, source: 'poll', window: '5h', limit: null, remaining: null };
      return { quotas: [info] };
    },
  };
  const h = await makeHarness({ clock, pollPlan: plan, ports: { providers: [sim] }, overrides: { syncIntervalSec: INTERVAL_SEC, lowThreshold: LOW, concurrency: 16, providerConcurrency: 16 } });
  const report = await call<ImportReport>(h.app, 'accounts:import', {
    accounts: accounts.map((a) => ({ provider: 'openrouter', label: `sim-${a.index}-${a.profile}`, apiKey: `sk-sim-${String(a.index).padStart(4, '0')}-xxxxxxxxxxxx` })),
  });
  report.accounts.forEach((v, i) => byAccountId.set(v.id, accounts[i]!));
  const { monitor, engine, store } = h.app.services;
  let cycles = 0;
  h.app.events.on('monitor:syncFinished', () => cycles++);
  const settle = async () => {
    while (monitor.isSyncing()) await new Promise((r) => setImmediate(r));
  };
  monitor.start();
  clock.advance(0);
  await settle();

  const nearAges: number[] = [];
  const lateness: number[] = [];
  /** account id → when its true quota reached 0 (until the monitor saw it). */
  const outSince = new Map<string, number>();
  const end = t0 + HOURS * HOUR;
  while (clock.now() < end) {
    // Traffic: a working account serves requests through the proxy (reported as it would be).
    for (const [id, a] of byAccountId) {
      const tr = truth(a, clock.now() - t0);
      if (tr.working && tr.fraction > 0) engine.report(store.require(id), MODEL, 'ok');
    }
    clock.advance(STEP_MS);
    await settle();
    const now = clock.now();
    for (const [id, a] of byAccountId) {
      const tr = truth(a, now - t0);
      const known = engine.knownReadings(id)[0];
      if (tr.fraction > 0 && tr.fraction <= 2 * LOW && known) nearAges.push((now - known.fetchedAt) / 1000);
      if (tr.fraction <= 0) {
        if (!outSince.has(id)) outSince.set(id, now);
        if (engine.decision(id, MODEL, now).kind === 'exhausted' && outSince.get(id)! >= 0) {
          lateness.push((now - outSince.get(id)!) / 1000);
          outSince.set(id, -1); // seen; wait for the reset
        }
      } else outSince.delete(id);
    }
  }
  await monitor.stop();
  await h.close();
  const total = [...calls.values()].reduce((s, n) => s + n, 0);
  const sortedAges = [...nearAges].sort((x, y) => x - y);
  const sortedLate = [...lateness].sort((x, y) => x - y);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
  return {
    plan,
    calls: total,
    callsPerHour: total / HOURS,
    cycles,
    nearSamples: nearAges.length,
    nearAgeMeanSec: mean(nearAges),
    nearAgeP95Sec: sortedAges.length ? pct(sortedAges, 95) : NaN,
    exhaustions: lateness.length,
    exhaustedSeenLateMeanSec: mean(lateness),
    exhaustedSeenLateP95Sec: sortedLate.length ? pct(sortedLate, 95) : NaN,
  };
}

async function main(): Promise<void> {
  const accounts = fleet(N);
  const mix = PROFILES.map((p) => `${accounts.filter((a) => a.profile === p.profile).length} ${p.profile}`).join(', ');
  console.log(`# adaptive-polling — ${machine()}`);
  console.log(`# ${N} accounts (${mix}), ${HOURS} h simulated on a fake clock, interval ${INTERVAL_SEC} s, low threshold ${LOW * 100} %, 5 h reset windows`);
  const fixed = await run('fixed', accounts);
  const adaptive = await run('adaptive', accounts);
  const row = (r: RunResult) => [r.plan, r.calls, f(r.callsPerHour, 1), r.cycles, r.nearSamples, f(r.nearAgeMeanSec, 1), f(r.nearAgeP95Sec, 1), r.exhaustions, f(r.exhaustedSeenLateMeanSec, 1), f(r.exhaustedSeenLateP95Sec, 1)];
  console.log();
  console.log(table([
    ['plan', 'polls', 'polls/hour', 'cycles', 'near samples', 'near age mean s', 'near age p95 s', 'exhaustions seen', 'seen late mean s', 'seen late p95 s'],
    row(fixed),
    row(adaptive),
  ]));
  const callsRatio = adaptive.callsPerHour / fixed.callsPerHour;
  const ageMeanRatio = adaptive.nearAgeMeanSec / fixed.nearAgeMeanSec;
  const ageP95Ratio = adaptive.nearAgeP95Sec / fixed.nearAgeP95Sec;
  const callsMet = callsRatio <= TARGET_CALLS_RATIO;
  const freshMet = ageMeanRatio <= 1 && ageP95Ratio <= 1;
  console.log();
  console.log(`upstream polls per hour: adaptive ${f(adaptive.callsPerHour, 1)} vs fixed ${f(fixed.callsPerHour, 1)} = ${f(callsRatio, 3)} x (target <= ${TARGET_CALLS_RATIO}: ${callsMet ? 'MET' : 'MISSED'})`);
  console.log(`age of the last reading of accounts near exhaustion: mean ${f(adaptive.nearAgeMeanSec, 1)} s vs ${f(fixed.nearAgeMeanSec, 1)} s (${f(ageMeanRatio, 3)} x), p95 ${f(adaptive.nearAgeP95Sec, 1)} s vs ${f(fixed.nearAgeP95Sec, 1)} s (${f(ageP95Ratio, 3)} x) (target <= 1: ${freshMet ? 'MET' : 'MISSED'})`);
  printResult('adaptive-polling', {
    machine: machine(),
    accounts: N,
    hours: HOURS,
    intervalSec: INTERVAL_SEC,
    fixed,
    adaptive,
    ratio: callsRatio,
    targets: [
      target('upstream polls per hour, mixed fleet (adaptive vs fixed interval)', `${f(adaptive.callsPerHour, 1)} /h`, `fixed ${f(fixed.callsPerHour, 1)} /h`, callsRatio, `<= ${TARGET_CALLS_RATIO}`, callsMet),
      target('age of readings of accounts near exhaustion, p95 (adaptive vs fixed)', `p95 ${f(adaptive.nearAgeP95Sec, 1)} s, mean ${f(adaptive.nearAgeMeanSec, 1)} s`, `fixed p95 ${f(fixed.nearAgeP95Sec, 1)} s, mean ${f(fixed.nearAgeMeanSec, 1)} s`, ageP95Ratio, '<= 1 (mean too)', freshMet),
    ],
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
