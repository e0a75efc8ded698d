// The headless service's V8 memory policy, applied by the entry before the service starts.
//
// A sync cycle is a burst: thousands of small requests and JSON answers in a couple of
// seconds. Under V8's defaults the young generation grows to 32 MB (two 16 MB semi-spaces)
// and the old one to 2–4 times the live data before a major GC: at 1,000 accounts (~30 MB
// live) the service sat at 160–175 MB of RSS, of which ~70 MB is Node itself, its native
// modules and malloc. Two limits bring it to ~130–140 MB (BENCHMARKS.md, "The shipped
// headless service") for ~0.1 ms more CPU per account and no measurable change in cycle time:
//
// - the young generation stops growing at 16 MB (8 MB semi-spaces). Node only takes
//   --max-semi-space-size at startup, and the service is started as `node headless.js`, so the
//   cap is kept at run time: after each GC, V8's growth factor for the young generation is set
//   to 1 (no growth) once it reached the cap, and back to V8's default 2 below it (V8 shrinks
//   it again when the service idles). V8 grows it at most once per GC, by one doubling, so it
//   never passes the cap by more than that doubling would.
// - the old generation grows by 20% of the live data between major GCs, not by up to 300%.
//   A cycle promotes little (~5 MB per 1,000 accounts), so this costs about one more major GC
//   per cycle; at 10,000 accounts (~165 MB live) 50% let the peak reach 441 MB, 20% keeps it at
//   ~350 MB (bench/service-rss.ts) for no measurable change in CPU per cycle.
//
// No hard heap limit: that would crash a user with ten times the accounts; these only change
// how often V8 collects. Whoever sets V8 heap flags themselves (NODE_OPTIONS or node's own
// arguments) keeps them, and this policy stays off.
import v8 from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';

/** Young generation (both semi-spaces) the service lets V8 grow to. */
export const YOUNG_GENERATION_CAP = 16 * 1024 * 1024;
/** Old-generation growth between major GCs, in percent of the live data. */
export const OLD_GENERATION_GROWTH_PERCENT = 20;
/** V8's default --semi-space-growth-factor (node --v8-options). */
const V8_DEFAULT_GROWTH_FACTOR = 2;

const USER_HEAP_FLAGS = /--(no-)?(optimize[-_]for[-_]size|max[-_]semi[-_]space[-_]size|min[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor|max[-_]old[-_]space[-_]size|max[-_]heap[-_]size|heap[-_]growing[-_]percent)\b/;

/** False when the user tuned V8's heap (node arguments or NODE_OPTIONS): then the policy stays off. */
export function policyApplies(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return !USER_HEAP_FLAGS.test([...execArgv, nodeOptions ?? ''].join(' '));
}

/**
 * Keeps the young generation at `cap`: called after each GC with its committed size, it sets
 * V8's growth factor only when the answer changes (1 at or above the cap, the default below).
 */
export function youngGenerationCap(cap: number, setFlags: (flag: string) => void): (youngBytes: number) => void {
  let growing = true;
  return (youngBytes) => {
    const grow = youngBytes < cap;
    if (grow === growing) return;
    growing = grow;
    setFlags(`--semi-space-growth-factor=${grow ? V8_DEFAULT_GROWTH_FACTOR : 1}`);
  };
}

/** Applies the policy to this process; answers whether it did. */
export function applyServiceMemoryPolicy(): boolean {
  if (!policyApplies(process.execArgv, process.env.NODE_OPTIONS)) return false;
  const setFlags = (f: string) => v8.setFlagsFromString(f);
  setFlags(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
  const afterGc = youngGenerationCap(YOUNG_GENERATION_CAP, setFlags);
  const youngBytes = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  new PerformanceObserver(() => afterGc(youngBytes())).observe({ entryTypes: ['gc'] });
  afterGc(youngBytes());
  return true;
}
