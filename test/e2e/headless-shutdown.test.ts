// A stop is bounded: the built headless service, restarted after a kill -9 (pending ledger rows
// recovered at start), with a proxied request hung on its upstream, a sync cycle hung on its
// upstreams, a new key's first reading hung and an SSE client connected, exits with 0 within a few seconds of SIGTERM; the hung
// request's ledger row is finished (failed, not pending) by the stop itself, not by the next start.
import { Agent, request, type ClientRequest } from 'node:http';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultUpstream, type FaultUpstream } from '../helpers/fault-upstream';
import { tempDir } from '../helpers/harness';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';

let tmp: { dir: string; cleanup: () => void };
let svc: HeadlessProcess | undefined;
let fake: FaultUpstream | undefined;

beforeEach(() => {
  tmp = tempDir('quotadeck-e2e-shutdown-');
});
afterEach(async () => {
  await svc?.stop('SIGKILL');
  svc = undefined;
  await fake?.close();
  fake = undefined;
  tmp.cleanup();
});

const PROXIED = `sk-shutdown-proxied-${'p'.repeat(24)}`;
const LATE = `sk-shutdown-late-${'l'.repeat(24)}`;
const POLLED = Array.from({ length: 3 }, (_, i) => `sk-or-shutdown-polled-${i}-${'q'.repeat(20)}`);

function env(url: string): Record<string, string> {
  const e: Record<string, string> = {};
  for (const p of ['ANTIGRAVITY', 'GEMINI_CLI', 'CLAUDE', 'CODEX', 'OPENROUTER', 'OPENAI', 'ANTHROPIC']) e[`QUOTADECK_${p}_BASE_URL`] = url;
  for (const f of ['GOOGLE', 'CLAUDE', 'CODEX']) e[`QUOTADECK_${f}_OAUTH_TOKEN_URL`] = `${url}/oauth/token`;
  e['QUOTADECK_OPENAI_BASE_URL'] = `${url}/v1`;
  return e;
}

/** One chat completion through the proxy; resolves with the status, or null when the connection ended without one. */
function chat(url: string, key: string, tag: string, agent: Agent): Promise<number | null> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const req = request(`${url}/v1/chat/completions`, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'user-agent': tag, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? null));
      res.on('error', () => resolve(null));
      res.on('aborted', () => resolve(null));
    });
    req.on('error', () => resolve(null));
    req.end(body);
  });
}

function sse(s: HeadlessProcess): { connected: Promise<void>; ended: Promise<void>; close: () => void } {
  let req: ClientRequest;
  let onEnd: () => void = () => {};
  const ended = new Promise<void>((r) => (onEnd = r));
  const connected = new Promise<void>((resolve) => {
    req = request(`${s.url}/api/events`, { headers: { authorization: `Bearer ${s.token}` } }, (res) => {
      res.once('data', () => resolve());
      res.on('error', onEnd);
      res.on('close', onEnd);
    });
    req.on('error', onEnd);
    req.end();
  });
  return { connected, ended, close: () => req.destroy() };
}

function polledSeen(f: FaultUpstream): number {
  return POLLED.reduce((n, k) => n + (f.seen.get(k) ?? 0), 0);
}

/** The ledger row's status of the request tagged `client` (read beside the running service: WAL). */
function rowStatus(client: string): string | null {
  let db: Database.Database;
  try {
    db = new Database(join(tmp.dir, 'quotadeck.db'), { readonly: true, fileMustExist: true });
  } catch {
    return null;
  }
  try {
    return (db.prepare('SELECT status FROM usage_ledger WHERE client = ?').pluck().get(client) as string | undefined) ?? null;
  } finally {
    db.close();
  }
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SIGTERM with work in flight', () => {
  it('exits with 0 within seconds and leaves the hung request finished in the ledger', async () => {
    fake = await startFaultUpstream();
    const e = env(fake.url);

    // A first life that dies by kill -9 with a request in flight: its row is left pending.
    svc = await startHeadless(tmp.dir, ['--no-sync'], e);
    const imported = await svc.api('accounts:import', {
      accounts: [{ provider: 'openai', label: 'proxied', apiKey: PROXIED }, ...POLLED.map((apiKey, i) => ({ provider: 'openrouter', label: `polled-${i}`, apiKey }))],
    });
    expect(imported.status).toBe(200);
    let proxyKey = (await svc.api<{ key: string }>('proxy:getInfo')).body.result!.key;
    let agent = new Agent({ keepAlive: true });
    expect(await chat(svc.proxyUrl!, proxyKey, 'shutdown/ok', agent)).toBe(200);
    // Every key hangs from here on (the proxy may route the model to any of them).
    for (const k of [PROXIED, ...POLLED]) fake.set(k, 'hang');
    const lost = chat(svc.proxyUrl!, proxyKey, 'shutdown/killed', agent);
    await until('the killed request to be dispatched', () => rowStatus('shutdown/killed') === 'pending');
    svc.child.kill('SIGKILL');
    await svc.stop();
    await lost;
    agent.destroy();
    const polledBefore = polledSeen(fake);

    // Restarted with sync on: the pending row is recovered; the sync's upstream hangs.
    svc = await startHeadless(tmp.dir, [], e);
    const s = svc;
    const events = sse(s);
    await events.connected;
    proxyKey = (await s.api<{ key: string }>('proxy:getInfo')).body.result!.key;
    agent = new Agent({ keepAlive: true });
    const hung = chat(s.proxyUrl!, proxyKey, 'shutdown/hung', agent);
    await until('the hung request to be dispatched', () => rowStatus('shutdown/hung') === 'pending');
    void s.api('monitor:syncNow').catch(() => null); // joins or starts a cycle, hung on its upstreams
    await until('a sync cycle to reach the upstream', () => polledSeen(fake!) > polledBefore);
    // A key added now gets its first reading (a probe outside any cycle), hung too.
    fake.set(LATE, 'hang');
    expect((await s.api('accounts:import', { accounts: [{ provider: 'openai', label: 'late', apiKey: LATE }] })).status).toBe(200);
    await until('the first reading to reach the upstream', () => (fake!.seen.get(LATE) ?? 0) > 0);

    const t0 = Date.now();
    const code = await s.stop('SIGTERM');
    const took = Date.now() - t0;
    svc = undefined;
    expect(code, s.stdout() + s.stderr()).toBe(0);
    expect(took).toBeLessThan(6_000);
    expect(s.stdout()).toContain('QuotaDeck headless stopped');
    // The client saw its connection end; the SSE stream ended too.
    expect(await hung).toBe(null);
    await events.ended;
    agent.destroy();

    const db = new Database(join(tmp.dir, 'quotadeck.db'), { readonly: true });
    try {
      // Finished by the stop itself (failed, with its own reason), not left for the next start.
      const row = db.prepare("SELECT status, error FROM usage_ledger WHERE client = 'shutdown/hung'").get() as { status: string; error: string | null } | undefined;
      expect(row?.status).toBe('failed');
      expect(row?.error).not.toBe('interrupted');
      expect(db.prepare("SELECT status, error FROM usage_ledger WHERE client = 'shutdown/killed'").get()).toEqual({ status: 'failed', error: 'interrupted' });
      expect(db.prepare("SELECT COUNT(*) FROM usage_ledger WHERE status = 'pending'").pluck().get()).toBe(0);
    } finally {
      db.close();
    }

    // And after a restart it stays so.
    svc = await startHeadless(tmp.dir, ['--no-sync'], e);
    expect(await svc.stop('SIGTERM')).toBe(0);
    svc = undefined;
    const again = new Database(join(tmp.dir, 'quotadeck.db'), { readonly: true });
    try {
      expect(again.prepare("SELECT status, error FROM usage_ledger WHERE client = 'shutdown/hung'").get()).toMatchObject({ status: 'failed' });
      expect((again.prepare("SELECT error FROM usage_ledger WHERE client = 'shutdown/hung'").get() as { error: string | null }).error).not.toBe('interrupted');
    } finally {
      again.close();
    }
  }, 60_000);
});
