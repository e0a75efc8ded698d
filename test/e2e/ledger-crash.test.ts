// The ledger's promise under a crash: the shipped headless service proxies traffic (group
// commit on, limits on, rate-limit headers on every answer) and is killed with SIGKILL mid-load.
// Reopened, the database is intact and every request whose answer reached a client has its row
// (each request carries its own User-Agent product, which the ledger keeps as `client`).
import { Agent } from 'node:http';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src/shared/types';
import { tempDir } from '../helpers/harness';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { startFakeLlmApi, type FakeLlmApi } from '../helpers/fake-llm-api';
import { chatThroughProxy } from '../helpers/proxy-chat';

let tmp: { dir: string; cleanup: () => void };
let svc: HeadlessProcess | undefined;
let fake: FakeLlmApi | undefined;

beforeEach(() => {
  tmp = tempDir('quotadeck-e2e-crash-');
});
afterEach(async () => {
  await svc?.stop('SIGKILL');
  svc = undefined;
  await fake?.close();
  fake = undefined;
  tmp.cleanup();
});

const KEYS = Array.from({ length: 4 }, (_, i) => `sk-crash-test-key-${i}-${'x'.repeat(20)}`);


describe('usage ledger under kill -9', () => {
  it('loses no row of an answered request and leaves an intact database', async () => {
    fake = await startFakeLlmApi({ record: false });
    for (const key of KEYS) fake.addKey({ key, limits: { requests: { limit: 1_000_000, remaining: 999_999, resetMs: 60_000 }, tokens: { limit: 10_000_000, remaining: 9_999_000, resetMs: 60_000 } } });
    svc = await startHeadless(tmp.dir, ['--no-sync'], { QUOTADECK_OPENAI_BASE_URL: fake.openaiBaseUrl });
    const imported = await svc.api<{ accounts: AccountView[] }>('accounts:import', { accounts: KEYS.map((apiKey, i) => ({ provider: 'openai', label: `crash-${i}`, apiKey })) });
    expect(imported.status).toBe(200);
    const accounts = (await svc.api<AccountView[]>('accounts:list')).body.result!;
    expect(accounts).toHaveLength(KEYS.length);
    // Limits on (global and per account), so the limit windows are on the path too.
    expect((await svc.api('limits:set', { scope: 'global', requestsPerHour: 1_000_000, requestsPerDay: 1_000_000 })).status).toBe(200);
    for (const a of accounts) expect((await svc.api('limits:set', { scope: a.id, requestsPerDay: 1_000_000, costPerMonth: 1_000_000 })).status).toBe(200);
    const proxyKey = (await svc.api<{ key: string }>('proxy:getInfo')).body.result!.key;

    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const answered: string[] = [];
    let sent = 0;
    let stop = false;
    const loop = async () => {
      while (!stop) {
        const tag = `crash-test/${++sent}`;
        if (await chatThroughProxy(svc!.proxyUrl!, proxyKey, tag, agent)) answered.push(tag);
      }
    };
    const loops = Array.from({ length: 16 }, loop);
    // Kill it mid-load, once a good number of answers are out.
    while (answered.length < 400) await new Promise((r) => setTimeout(r, 5));
    svc.child.kill('SIGKILL');
    stop = true;
    await Promise.all(loops);
    await svc.stop();
    svc = undefined;
    agent.destroy();

    expect(sent).toBeGreaterThan(answered.length);
    const db = new Database(join(tmp.dir, 'quotadeck.db'));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const clients = new Set(db.prepare("SELECT client FROM usage_ledger WHERE client LIKE 'crash-test/%'").pluck().all() as string[]);
      const missing = answered.filter((t) => !clients.has(t));
      expect(missing).toEqual([]);
    } finally {
      db.close();
    }

    // The next start marks what the crash left pending as interrupted; every row is settled.
    svc = await startHeadless(tmp.dir, ['--no-sync'], { QUOTADECK_OPENAI_BASE_URL: fake.openaiBaseUrl });
    await svc.stop();
    svc = undefined;
    const after = new Database(join(tmp.dir, 'quotadeck.db'), { readonly: true });
    try {
      expect(after.prepare("SELECT COUNT(*) FROM usage_ledger WHERE status = 'pending'").pluck().get()).toBe(0);
      const rows = after.prepare("SELECT COUNT(*) FROM usage_ledger WHERE client LIKE 'crash-test/%'").pluck().get() as number;
      expect(rows).toBeGreaterThanOrEqual(answered.length);
    } finally {
      after.close();
    }
  }, 60_000);
});
