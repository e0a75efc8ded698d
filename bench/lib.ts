// Small helpers shared by the benchmarks: argument parsing, percentiles, resource sampling
// around an async step, the out-of-process fake upstream, and the machine-readable result line.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';

/** Prefix of the one JSON line each benchmark prints for bench/run-all.ts. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} expects a number`);
  return v;
}

export function machine(): string {
  const c = cpus();
  return `${c.length} cores (${c[0]?.model.trim() ?? 'unknown cpu'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** Percentile of an already sorted array (nearest rank). */
export function pct(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const mb = (bytes: number) => bytes / 2 ** 20;
export const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

export interface Measured<T> {
  result: T;
  wallMs: number;
  cpuMs: number;
  /** Highest process.memoryUsage().rss seen (sampled every 10 ms, plus before and after). */
  peakRssMb: number;
  rssBeforeMb: number;
  /** process.resourceUsage().maxRSS after the step: the process's lifetime peak. */
  maxRssMb: number;
  rssSamples: number;
  /** Event-loop utilisation over the step (1 = the loop never idled). */
  elu: number;
  /** The step's start and end on the monotonic clock, in µs (the clock of V8's CPU profiles). */
  windowUs: [number, number];
}

/** Runs `fn` once, timing it and sampling this process's memory and CPU. */
export async function measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  const before = process.memoryUsage().rss;
  let peak = before;
  let samples = 0;
  const timer = setInterval(() => {
    const r = process.memoryUsage().rss;
    samples++;
    if (r > peak) peak = r;
  }, 10);
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = await fn();
  const t1 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return {
    result,
    wallMs: Number(t1 - t0) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: mb(peak),
    rssBeforeMb: mb(before),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    rssSamples: samples,
    elu: elu.utilization,
    windowUs: [Number(t0 / 1000n), Number(t1 / 1000n)],
  };
}

export interface FakeServerInfo {
  baseUrl: string;
  tokenUrl: string;
  controlUrl: string;
  pid: number;
}

export interface FakeServer extends FakeServerInfo {
  child: ChildProcess;
  control<T = unknown>(path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Starts bench/fake-google-server.ts in its own Node process (its own CPU and event loop). */
export async function startFakeServer(latencyMs: number): Promise<FakeServer> {
  const script = join(__dirname, 'fake-google-server.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--latency', String(latencyMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: join(__dirname, '..'),
  });
  const info = await new Promise<FakeServerInfo>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    child.once('exit', (code) => reject(new Error(`fake-google-server exited early (code ${code})`)));
    rl.once('line', (line) => {
      try {
        resolve(JSON.parse(line) as FakeServerInfo);
      } catch (err) {
        reject(new Error(`fake-google-server printed ${JSON.stringify(line)}: ${String(err)}`));
      }
    });
  });
  child.removeAllListeners('exit');
  const control = async <T,>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${info.controlUrl}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    if (!res.ok) throw new Error(`fake control ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    ...info,
    child,
    control,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface FakeStats {
  requests: number;
  byPath: Record<string, number>;
  byStatus: Record<string, number>;
  maxConcurrent: number;
  inFlight: number;
}

/** One judged figure: what was measured, its same-run baseline, their ratio and the target. */
export interface Target {
  figure: string;
  value: string;
  baseline: string;
  /** value / baseline (or value / bound), the number the target judges; NaN when none. */
  ratio: number;
  target: string;
  met: boolean;
}

export function target(figure: string, value: string, baseline: string, ratio: number, tgt: string, met: boolean): Target {
  return { figure, value, baseline, ratio, target: tgt, met };
}

/** Median and range of per-round figures, e.g. "1.23 (1.10–1.40)". */
export function mr(xs: number[], digits = 2): string {
  return `${f(median(xs), digits)} (${f(Math.min(...xs), digits)}–${f(Math.max(...xs), digits)})`;
}

/** user+system CPU of another process in ms, from /proc (10 ms ticks). */
export function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Current and peak RSS of another process in MB, from /proc. */
export function procRssMb(pid: number): { rss: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: Number(/VmRSS:\s+(\d+)/.exec(s)![1]) / 1024, peak: Number(/VmHWM:\s+(\d+)/.exec(s)![1]) / 1024 };
}

export function printResult(name: string, data: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ name, ...(data as object) })}\n`);
}

/** Prints rows as an aligned text table. */
export function table(rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}
