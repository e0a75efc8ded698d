// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and inclusive time by
// source file, optionally only inside time windows printed by a benchmark (its BENCH_RESULT
// line carries `windowUs` pairs on the same monotonic clock as the profile).
//
//   node --require tsx/cjs bench/profile-summary.ts PROFILE.cpuprofile [BENCH_STDOUT.txt] [--step steadies] [--top 30]
import { readFileSync } from 'node:fs';
import { RESULT_PREFIX } from './lib';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const [profilePath, stdoutPath] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const stepArg = process.argv.indexOf('--step');
const step = stepArg >= 0 ? process.argv[stepArg + 1]! : 'steadies';
const topArg = process.argv.indexOf('--top');
const TOP = topArg >= 0 ? Number(process.argv[topArg + 1]) : 30;
if (!profilePath) throw new Error('usage: profile-summary.ts PROFILE.cpuprofile [BENCH_STDOUT.txt] [--step steadies] [--top 30]');

const prof = JSON.parse(readFileSync(profilePath, 'utf8')) as Profile;
let windows: Array<[number, number]> = [[-Infinity, Infinity]];
if (stdoutPath) {
  const line = readFileSync(stdoutPath, 'utf8').split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) throw new Error(`no ${RESULT_PREFIX.trim()} line in ${stdoutPath}`);
  const data = JSON.parse(line.slice(RESULT_PREFIX.length)) as Record<string, unknown>;
  const v = data[step];
  const rows = (Array.isArray(v) ? v : [v]) as Array<{ windowUs?: [number, number] }>;
  windows = rows.map((r) => r.windowUs!).filter(Boolean);
}

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^\/work\/main\//, '');
const fnKey = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url) || '(native/VM)'}:${n.callFrame.lineNumber + 1}`;
const fileKey = (n: Node) => {
  const u = short(n.callFrame.url);
  if (!u) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native/VM)';
  if (u.startsWith('node_modules/')) return u.split('/').slice(0, u.split('/')[1]!.startsWith('@') ? 3 : 2).join('/');
  if (u.startsWith('node:')) return u;
  return u;
};

const self = new Map<string, number>();
const inclFile = new Map<string, number>();
let total = 0;
let t = prof.startTime;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i]!;
  const dt = prof.timeDeltas[i + 1] ?? 0;
  if (!windows.some(([a, b]) => t >= a && t <= b)) continue;
  const leaf = byId.get(prof.samples[i]!)!;
  total += dt;
  self.set(fnKey(leaf), (self.get(fnKey(leaf)) ?? 0) + dt);
  const files = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) files.add(fileKey(byId.get(id)!));
  for (const fk of files) inclFile.set(fk, (inclFile.get(fk) ?? 0) + dt);
}
const ms = (us: number) => (us / 1000).toFixed(1).padStart(8);
const pc = (us: number) => ((100 * us) / total).toFixed(1).padStart(5);
console.log(`profile ${profilePath}: ${(total / 1000).toFixed(0)} ms sampled in ${windows.length} window(s) of step "${stdoutPath ? step : 'all'}"`);
console.log(`\nself time by function (top ${TOP}):`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${ms(v)} ms ${pc(v)}%  ${k}`);
console.log(`\ninclusive time by file (top ${TOP}):`);
for (const [k, v] of [...inclFile].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${ms(v)} ms ${pc(v)}%  ${k}`);
