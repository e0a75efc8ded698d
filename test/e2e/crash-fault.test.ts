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
import { Agent, request, type ClientRequest } from 'node:http';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView, SyncReport } from '../../src/shared/types';
import { canaryAccount, leaks, plainCanary, startCanaryUpstream, type CanaryAccount, type CanaryUpstream } from '../helpers/canary-upstream';
import { RETRY_AFTER_SEC, startFaultUpstream, type Fault } from '../helpers/fault-upstream';
import { tempDir } from '../helpers/harness';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { chatThroughProxy } from '../helpers/proxy-chat';

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

describe('upstream fault matrix', () => {
  it('garbage bodies, 5xx, 429 with Retry-After and hung answers each leave every account in a defined state within the timeout', async () => {
    const faults: Fault[] = ['garbage', '5xx', '429', 'hang'];
    const polled = ['claude', 'codex', 'openrouter', 'antigravity'];
    const entries: Array<{ provider: string; fault: Fault; secret: string }> = [];
    for (const provider of [...polled, 'openai']) for (const fault of faults) entries.push({ provider, fault, secret: plainCanary() });
    const fake = await startFaultUpstream(Object.fromEntries(entries.map((e) => [e.secret, e.fault])));
    closers.push(() => fake.close());
    svc = await startHeadless(tmp.dir, ['--no-sync'], upstreamEnv(fake.url));
    const TIMEOUT_SEC = 3;
    expect((await svc.api('settings:update', { syncTimeoutSec: TIMEOUT_SEC })).status).toBe(200);
    const doc = {
      accounts: entries.map((e, i) =>
        KEYED.has(e.provider)
          ? { provider: e.provider, label: `${e.provider}-${e.fault}`, apiKey: e.secret }
          : { provider: e.provider, label: `${e.provider}-${e.fault}`, email: `fault${i}@${e.provider}.example`, accessToken: e.secret, refreshToken: plainCanary(), expiresAt: EXPIRES, ...(e.provider === 'codex' ? { accountId: `acct-${i}` } : {}) },
      ),
    };
    expect((await svc.api('accounts:import', doc)).status).toBe(200);
    const byLabel = new Map((await svc.api<AccountView[]>('accounts:list')).body.result!.map((a) => [a.label, a]));

    // One cycle over every polled account, and a probe of every API key, all at once.
    const t0 = Date.now();
    const [cycle, ...probes] = await Promise.all([
      svc.api<SyncReport>('monitor:syncNow'),
      ...faults.map((f) => svc!.api('quota:probe', { accountId: byLabel.get(`openai-${f}`)!.id })),
    ]);
    const elapsed = Date.now() - t0;
    expect(elapsed, 'everything settled within the timeout (plus slack)').toBeLessThan(TIMEOUT_SEC * 1000 + 4000);
    expect(cycle.status).toBe(200);
    expect(cycle.body.result!.errors).toBe(polled.length * faults.length);

    // The probe's answers: a 429 is a 429 with the reset, never an internal error.
    const probe = Object.fromEntries(faults.map((f, i) => [f, probes[i]!]));
    expect(probe['429']!.status).toBe(429);
    expect(probe['429']!.body.error).toMatchObject({ code: 'rate_limited' });
    const details = probe['429']!.body.error!.details as { resetAt: string; retryAfterSec: number };
    expect(details.retryAfterSec).toBeGreaterThan(RETRY_AFTER_SEC - 10);
    expect(Date.parse(details.resetAt)).toBeGreaterThan(Date.now() + (RETRY_AFTER_SEC - 10) * 1000);
    for (const f of ['garbage', '5xx', 'hang'] as const) {
      // An upstream failure of another kind: an error of the service's own (5xx), named.
      expect(probe[f]!.status, f).toBeGreaterThanOrEqual(500);
      expect(probe[f]!.body.ok).toBe(false);
      expect(probe[f]!.body.error!.message).toMatch(/Probe failed/);
    }

    // Every account: still active (a fault of the upstream is no fault of the account), its error
    // named, its next attempt planned — the 429 no sooner than the upstream asked.
    const after = new Map((await svc.api<AccountView[]>('accounts:list')).body.result!.map((a) => [a.label, a]));
    const expected: Record<Fault, RegExp> = { ok: /^$/, garbage: /^bad_response$/, '5xx': /^upstream_unavailable$/, '429': /^rate_limited$/, hang: /^timeout$/ };
    const states: Record<string, string> = {};
    for (const e of entries) {
      const a = after.get(`${e.provider}-${e.fault}`)!;
      states[`${e.provider}-${e.fault}`] = `${a.status} ${a.sync.lastErrorCode}`;
      expect(a.status, `${e.provider}-${e.fault}`).toBe('active');
      expect(a.sync.lastErrorCode ?? '', `${e.provider}-${e.fault}: ${a.sync.lastErrorMessage}`).toMatch(expected[e.fault]);
      expect(a.sync.consecutiveFailures, `${e.provider}-${e.fault}`).toBe(1);
      expect(a.sync.nextAttemptAt, `${e.provider}-${e.fault}`).not.toBeNull();
      if (e.fault === '429') expect(Date.parse(a.sync.nextAttemptAt!), `${e.provider}-429 waits`).toBeGreaterThan(Date.now() + (RETRY_AFTER_SEC - 10) * 1000);
    }
    // The service is still fine: it answers, and a healthy upstream heals an account at once.
    fake.set(entries.find((e) => e.provider === 'openrouter' && e.fault === '5xx')!.secret, 'ok');
    const healed = await svc.api('monitor:syncAccount', { id: after.get('openrouter-5xx')!.id });
    expect(healed.status).toBe(200);
    expect((await svc.api<AccountView[]>('accounts:list')).body.result!.find((a) => a.label === 'openrouter-5xx')!.sync.lastErrorCode).toBeNull();
  }, 30_000);
});


describe('kill -9 under proxy traffic and sync, in a loop', () => {
  it('every kill leaves an intact database, a row for every answered request, and a restart that recovers every pending row', async () => {
    const fake = await startFaultUpstream();
    closers.push(() => fake.close());
    const env = { ...upstreamEnv(fake.url), QUOTADECK_OPENAI_BASE_URL: `${fake.url}/v1` };
    const db = join(tmp.dir, 'quotadeck.db');
    const ROUNDS = 4;
    let total = 0;
    /** Rows the kills left pending, in all. */
    let leftPending = 0;
    for (let round = 0; round < ROUNDS; round++) {
      svc = await startHeadless(tmp.dir, ['--no-sync'], env);
      const s = svc;
      // What the last kill left pending was settled by this start, before anything dispatched.
      const check = new Database(db, { readonly: true });
      try {
        expect(check.prepare("SELECT COUNT(*) FROM usage_ledger WHERE status = 'pending'").pluck().get(), `round ${round}: pending after restart`).toBe(0);
        expect(check.prepare("SELECT COUNT(*) FROM usage_ledger WHERE error = 'interrupted'").pluck().get() as number, `round ${round}: pending rows recovered`).toBeGreaterThanOrEqual(leftPending);
      } finally {
        check.close();
      }
      if (round === 0) {
        const keys = Array.from({ length: 3 }, (_, i) => ({ provider: 'openai', label: `proxy-${i}`, apiKey: `sk-kill-loop-${i}-${plainCanary()}` }));
        const polled = Array.from({ length: 6 }, (_, i) => ({ provider: 'openrouter', label: `sync-${i}`, apiKey: `sk-or-kill-loop-${i}-${plainCanary()}` }));
        expect((await s.api('accounts:import', { accounts: [...keys, ...polled] })).status).toBe(200);
        expect((await s.api('limits:set', { scope: 'global', requestsPerHour: 1_000_000, requestsPerDay: 1_000_000 })).status).toBe(200);
      }
      const proxyKey = (await s.api<{ key: string }>('proxy:getInfo')).body.result!.key;
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const answered: string[] = [];
      let stop = false;
      let sent = 0;
      let syncs = 0;
      const traffic = async () => {
        while (!stop) {
          const tag = `kill-loop/${round}-${++sent}`;
          if (await chatThroughProxy(s.proxyUrl!, proxyKey, tag, agent)) answered.push(tag);
        }
      };
      const syncing = async () => {
        while (!stop) {
          const r = await fetch(`${s.url}/api/monitor:syncNow`, { method: 'POST', headers: { authorization: `Bearer ${s.token}` } }).catch(() => null);
          if (r?.ok) syncs++;
          await r?.arrayBuffer().catch(() => null);
        }
      };
      const loops = [...Array.from({ length: 8 }, traffic), syncing()];
      const started = Date.now();
      while ((answered.length < 150 || syncs < 2) && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 5));
      s.child.kill('SIGKILL');
      stop = true;
      await Promise.all(loops);
      await s.stop();
      svc = undefined;
      agent.destroy();
      expect(answered.length, `round ${round}: traffic flowed`).toBeGreaterThan(20);
      expect(syncs, `round ${round}: syncs ran`).toBeGreaterThan(0);
      total += answered.length;
      const after = new Database(db);
      try {
        expect(after.pragma('integrity_check', { simple: true }), `round ${round}`).toBe('ok');
        const clients = new Set(after.prepare("SELECT client FROM usage_ledger WHERE client LIKE 'kill-loop/%'").pluck().all() as string[]);
        expect(answered.filter((t) => !clients.has(t)), `round ${round}: answered without a row`).toEqual([]);
        leftPending += after.prepare("SELECT COUNT(*) FROM usage_ledger WHERE status = 'pending'").pluck().get() as number;
      } finally {
        after.close();
      }
    }
    // A last start settles the last kill's pending rows too (read while it runs: WAL readers never wait).
    svc = await startHeadless(tmp.dir, ['--no-sync'], env);
    expect((await svc.api<AccountView[]>('accounts:list')).body.result!).toHaveLength(9);
    const last = new Database(db, { readonly: true });
    try {
      expect(last.prepare("SELECT COUNT(*) FROM usage_ledger WHERE status = 'pending'").pluck().get()).toBe(0);
      // Every answered request has its row; one whose completion was still queued when the kill
      // came reads failed 'interrupted' (the answer had reached the client: the row says so).
      expect(last.prepare("SELECT COUNT(*) FROM usage_ledger WHERE client LIKE 'kill-loop/%'").pluck().get() as number).toBeGreaterThanOrEqual(total);
      expect(last.prepare("SELECT COUNT(*) FROM usage_ledger WHERE error = 'interrupted'").pluck().get() as number).toBeGreaterThanOrEqual(leftPending);
      expect(last.prepare('SELECT COUNT(*) FROM sync_runs').pluck().get() as number).toBeGreaterThan(0);
    } finally {
      last.close();
    }
    await svc.stop('SIGKILL');
    svc = undefined;
  }, 60_000);
});

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i += step) out.push(i);
  return out;
}
