// The shipped headless service (out/main/headless.js, no tsx in the process) syncing 1,000
// accounts x 20 models against the fake upstream (50 ms, its own process), caps 32, driven over
// the control API as a user's script would: wall time per cycle as seen by the client, and the
// service's RSS and peak RSS from /proc. Run after `npm run build`:
//   npx tsx bench/headless-service.ts
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHeadless } from '../test/helpers/headless-process';
import { startFakeServer } from './lib';
async function main() {
  const fake = await startFakeServer(50);
  const models = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`model-${i}`, { displayName: `Model ${i}`, remainingFraction: 0.5 + i / 100, resetTime: '2026-11-23T18:00:00Z' }]));
  const specs = Array.from({ length: 1000 }, (_, i) => ({ refreshToken: `1//rss-${i}`, accessToken: `ya29.rss-${i}`, projectId: `p-${i}`, models }));
  await fake.control('/accounts', { accounts: specs });
  const dir = mkdtempSync(join(tmpdir(), 'rss-'));
  const svc = await startHeadless(dir, ['--no-proxy', '--sync-interval', '3600', '--concurrency', '32', '--provider-concurrency', '32'], { QUOTADECK_ANTIGRAVITY_BASE_URL: fake.baseUrl, QUOTADECK_GOOGLE_OAUTH_TOKEN_URL: fake.tokenUrl, QUOTADECK_GOOGLE_CLIENT_ID: 'x' });
  const rss = () => { const s = readFileSync(`/proc/${svc.child.pid}/status`, 'utf8'); return `rss ${Math.round(Number(/VmRSS:\s+(\d+)/.exec(s)![1]) / 1024)} MB, peak ${Math.round(Number(/VmHWM:\s+(\d+)/.exec(s)![1]) / 1024)} MB`; };
  await svc.api('accounts:import', { accounts: specs.map((s, i) => ({ email: `u${i}@example.com`, refreshToken: s.refreshToken, accessToken: s.accessToken, expiresAt: '2099-01-01T00:00:00Z', projectId: s.projectId })) });
  for (let c = 0; c < 12; c++) {
    const t0 = Date.now();
    await svc.api<any>('monitor:syncNow');
    const ms = Date.now() - t0;
    console.log(`cycle ${c}: ${ms} ms = ${(ms / 1600).toFixed(3)} x the 1,600 ms one-round-trip bound; ${rss()}`);
  }
  await svc.stop(); await fake.stop();
  rmSync(dir, { recursive: true, force: true });
}
main();
