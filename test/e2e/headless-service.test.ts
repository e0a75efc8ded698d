import { request } from 'node:http';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DecisionRow, ImportReport, MonitorStats, SyncReport } from '../../src/shared/types';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google';
import { tempDir } from '../helpers/harness';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';

let fake: FakeGoogle;
let tmp: { dir: string; cleanup: () => void };
let svc: HeadlessProcess | undefined;

beforeEach(async () => {
  fake = await startFakeGoogle();
  tmp = tempDir('quotadeck-e2e-');
});
afterEach(async () => {
  await svc?.stop('SIGKILL');
  svc = undefined;
  await fake.close();
  tmp.cleanup();
});

const env = () => ({
  QUOTADECK_ANTIGRAVITY_BASE_URL: fake.baseUrl,
  QUOTADECK_GOOGLE_OAUTH_TOKEN_URL: fake.tokenUrl,
  QUOTADECK_GOOGLE_CLIENT_ID: 'e2e-client.apps.example',
  QUOTADECK_GOOGLE_CLIENT_SECRET: 'e2e-secret',
});

function rawGet(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{}');
  });
}

describe('headless service (child process, HTTP control API)', () => {
  it('imports, syncs, decides and hands out tokens; stops cleanly on SIGTERM and keeps its data', async () => {
    const a = fake.addAccount({ refreshToken: '1//e2e-refresh-a', paidTierId: 'g1-pro-tier', paidTierName: 'Gemini Pro' });
    const b = fake.addAccount({ refreshToken: '1//e2e-refresh-b', models: { 'gemini-3-pro-high': { remainingFraction: 0.04, resetTime: '2099-01-01T00:00:00Z' } } });
    svc = await startHeadless(tmp.dir, ['--sync-interval', '3600', '--concurrency', '4', '--provider-concurrency', '2'], env());
    expect(statSync(join(tmp.dir, 'control-token')).mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp.dir, 'secret.key')).mode & 0o777).toBe(0o600);

    const imp = await svc.api<ImportReport>('accounts:import', {
      accounts: [
        { provider: 'antigravity', email: 'a@example.com', refreshToken: a.spec.refreshToken },
        { email: 'b@example.com', refresh_token: b.spec.refreshToken },
      ],
    });
    expect(imp.status).toBe(200);
    expect(imp.body.result).toMatchObject({ created: 2, updated: 0, unchanged: 0 });

    const sync = await svc.api<SyncReport>('monitor:syncNow');
    expect(sync.body.result).toMatchObject({ accounts: 2, successes: 2, errors: 0 });
    const stats = await svc.api<MonitorStats>('monitor:getStats');
    expect(stats.body.result).toMatchObject({ totalAccounts: 2, cachedQuotas: 3, lowQuotas: 1, running: true, paused: false });

    const dec = await svc.api<DecisionRow[]>('quota:getDecisions', { model: 'gemini-3-pro-high' });
    const byLabel = Object.fromEntries(dec.body.result!.map((r) => [r.label, r]));
    expect(byLabel['a@example.com']).toMatchObject({ decision: 'proceed', tier: 'pro', remainingFraction: 0.8 });
    expect(byLabel['b@example.com']).toMatchObject({ decision: 'low', remainingFraction: 0.04 });

    // Token API: the best account (pro, proceed) with its real access token.
    const tok = await fetch(`${svc.url}/v1/token`, { method: 'POST', headers: { Authorization: `Bearer ${svc.token}` }, body: JSON.stringify({ model: 'gemini-3-pro-high' }) });
    expect(tok.status).toBe(200);
    const tokBody = (await tok.json()) as { accountId: string; accessToken: string; provider: string; decision: { kind: string } };
    expect(tokBody).toMatchObject({ provider: 'antigravity', accessToken: a.accessToken(), decision: { kind: 'proceed' } });

    // A reported 429 moves the next token to the low fallback, then nothing is left.
    const rep = await fetch(`${svc.url}/v1/report`, { method: 'POST', headers: { Authorization: `Bearer ${svc.token}` }, body: JSON.stringify({ accountId: tokBody.accountId, model: 'gemini-3-pro-high', outcome: '429', retryAfter: 120 }) });
    expect(rep.status).toBe(200);
    const tok2 = await fetch(`${svc.url}/v1/token`, { method: 'POST', headers: { Authorization: `Bearer ${svc.token}` }, body: JSON.stringify({ model: 'gemini-3-pro-high' }) });
    expect(((await tok2.json()) as { accessToken: string }).accessToken).toBe(b.accessToken());
    const none = await fetch(`${svc.url}/v1/token`, { method: 'POST', headers: { Authorization: `Bearer ${svc.token}` }, body: JSON.stringify({ model: 'no-such-model' }) });
    expect(none.status).toBe(429);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('no_account_available');

    // The control API refuses a wrong token, a foreign Host and a bad payload.
    expect((await fetch(`${svc.url}/api/accounts:list`, { method: 'POST', headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect(await rawGet(`${svc.url}/api/accounts:list`, { Authorization: `Bearer ${svc.token}`, Host: 'evil.example:80' })).toBe(403);
    const bad = await svc.api('accounts:remove', { id: 42 });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('bad_request');
    const unknown = await svc.api('accounts:explode');
    expect(unknown.body.error?.code).toBe('unknown_method');

    expect(await svc.stop('SIGTERM')).toBe(0);
    expect(svc.stdout()).toContain('stopped');

    // Restart on the same data dir: accounts, readings and the lock are still there.
    svc = await startHeadless(tmp.dir, ['--no-sync'], env());
    const list = await svc.api<unknown[]>('accounts:list');
    expect(list.body.result).toHaveLength(2);
    const locks = await svc.api<unknown[]>('quota:listLocks');
    expect(locks.body.result).toHaveLength(1);
    const stats2 = await svc.api<MonitorStats>('monitor:getStats');
    expect(stats2.body.result).toMatchObject({ cachedQuotas: 3, running: false });
  });

  it('aborts an in-flight sync on SIGTERM and exits promptly', async () => {
    fake.addAccount({ refreshToken: '1//e2e-hang', behaviour: { kind: 'hang' } });
    svc = await startHeadless(tmp.dir, ['--sync-interval', '3600', '--sync-timeout', '60'], env());
    await svc.api('accounts:import', [{ email: 'h@example.com', refresh_token: '1//e2e-hang' }]);
    void svc.api('monitor:syncNow').catch(() => undefined);
    await expect.poll(() => fake.inFlight(), { timeout: 10_000 }).toBeGreaterThan(0);
    const t0 = Date.now();
    expect(await svc.stop('SIGTERM')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('rejects bad flags with usage and exit code 2', async () => {
    await expect(startHeadless(tmp.dir, ['--concurrency', 'lots'], env())).rejects.toThrow(/exited with 2[\s\S]*--concurrency must be/);
  });
});
