// One owner per behaviour: account changes are announced by the AccountStore alone (seen here on
// the SSE stream after a token-API suspension), and "sync one account now" goes through the
// QuotaService's gate and timeout whoever asks (monitor:syncAccount, accounts:reactivate).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlServer, type ControlServer } from '../../src/main/core/server/control-server';
import { silentLogger } from '../../src/main/core/ports';
import type { SyncProgressEvent } from '../../src/shared/contract';
import type { AccountView, QuotaView, SyncReport } from '../../src/shared/types';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google';
import { call, googleSettings, makeHarness, type Harness } from '../helpers/harness';
import { seedGoogleAccounts } from '../helpers/seed';

let fake: FakeGoogle;
let h: Harness | undefined;
let server: ControlServer | undefined;
const TOKEN = 'control-token-for-ownership-tests-0123';
const auth = { Authorization: `Bearer ${TOKEN}` };

beforeEach(async () => {
  fake = await startFakeGoogle();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await h?.close();
  h = undefined;
  await fake.close();
});

/** Reads an SSE stream until `until` holds for the text so far. */
async function readEvents(res: Response, until: (text: string) => boolean): Promise<string> {
  const reader = res.body!.getReader();
  let text = '';
  while (!until(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  return text;
}

describe('account changes have one announcer', () => {
  it('a suspension by the token API goes out as accounts:changed on the event stream', async () => {
    h = await makeHarness({ overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { syncTimeoutSec: 2 }) });
    server = await startControlServer({ app: h.app, token: TOKEN, port: 0, rendererDir: null, log: silentLogger });
    // Its refresh token is dead: the token API's refresh is refused for good.
    const [dead] = await seedGoogleAccounts(h.app, fake, 1, () => ({ tokenBehaviour: { kind: 'status', status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } } }), { withAccessToken: false });
    // It serves the model by declaration (it has no readings yet).
    await call(h.app, 'accounts:update', { id: dead!.id, models: ['gemini-*'] });
    const ac = new AbortController();
    const events = await fetch(`${server.url}/api/events`, { headers: auth, signal: ac.signal });
    const token = await fetch(`${server.url}/v1/token`, { method: 'POST', headers: auth, body: JSON.stringify({ model: 'gemini-3-pro-high' }) });
    expect(token.status).toBe(429);
    const text = await readEvents(events, (t) => t.includes('event: accounts:changed'));
    ac.abort();
    const block = text.split('\n\n').find((b) => b.startsWith('event: accounts:changed'))!;
    expect(JSON.parse(block.split('\ndata: ')[1]!)).toEqual({ accountIds: [dead!.id] });
    const [view] = await call<AccountView[]>(h.app, 'accounts:list');
    expect(view).toMatchObject({ id: dead!.id, status: 'invalid_credentials' });
  });

  it('an import announces once, with the ids it changed; a rolled-back import announces nothing', async () => {
    h = await makeHarness({ overrides: googleSettings(fake.baseUrl, fake.tokenUrl) });
    const seen: string[][] = [];
    h.app.events.on('accounts:changed', (e) => seen.push(e.accountIds));
    const seeded = await seedGoogleAccounts(h.app, fake, 3);
    expect(seen).toEqual([seeded.map((s) => s.id)]);
    await expect(call(h.app, 'accounts:import', { accounts: [{ provider: 'antigravity', refreshToken: '1//fine-token' }, { provider: 'antigravity' }] })).rejects.toMatchObject({ code: 'import_invalid' });
    expect(seen).toHaveLength(1);
    await call(h.app, 'accounts:update', { id: seeded[1]!.id, label: 'renamed' });
    await call(h.app, 'accounts:remove', { id: seeded[2]!.id });
    expect(seen.slice(1)).toEqual([[seeded[1]!.id], [seeded[2]!.id]]);
    expect(h.app.services.store.version()).toBeGreaterThan(0);
  });

  it('no service imports the composition root', () => {
    for (const file of ['proxy/dispatch-loop.ts', 'proxy/proxy-server.ts', 'server/control-server.ts', 'quota/quota-service.ts', 'quota/quota-monitor.ts', 'accounts/account-service.ts']) {
      const src = readFileSync(join(__dirname, '../../src/main/core', file), 'utf8');
      expect(src, file).not.toMatch(/from '\.\.\/app'/);
    }
  });
});

describe('one owner for "sync one account now"', () => {
  it('monitor:syncAccount polls one account and answers its readings', async () => {
    h = await makeHarness({ overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { syncTimeoutSec: 2 }) });
    const [a, b] = await seedGoogleAccounts(h.app, fake, 2);
    const views = await call<QuotaView[]>(h.app, 'monitor:syncAccount', { id: a!.id });
    expect(views.map((v) => [v.model, v.remainingFraction])).toEqual([
      ['claude-sonnet-4-5', 0.5],
      ['gemini-3-pro-high', 0.8],
    ]);
    expect(views.every((v) => 'nextPollAt' in v && 'forecast' in v)).toBe(true);
    expect(a!.handle.callCount('fetchAvailableModels')).toBe(1);
    expect(b!.handle.callCount('fetchAvailableModels')).toBe(0);
    // Saved like a cycle's: the readings survive a restart.
    h = await h.reopen();
    expect((await call<QuotaView[]>(h.app, 'quota:list', { accountId: a!.id })).map((v) => v.remainingFraction)).toEqual([0.5, 0.8]);
  });

  it('monitor:syncAccount is cut by the sync timeout and says so', async () => {
    h = await makeHarness({ overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { syncTimeoutSec: 0.3 }) });
    const [a] = await seedGoogleAccounts(h.app, fake, 1, () => ({ behaviour: { kind: 'hang' } }));
    await expect(call(h.app, 'monitor:syncAccount', { id: a!.id })).rejects.toThrow(/timeout/);
    const [acc] = await call<AccountView[]>(h.app, 'accounts:list');
    expect(acc!.sync).toMatchObject({ lastErrorCode: 'timeout', consecutiveFailures: 1 });
  });

  it('accounts:reactivate makes an invalid account active and checks it at once', async () => {
    h = await makeHarness({ overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { syncTimeoutSec: 2 }) });
    const [a] = await seedGoogleAccounts(h.app, fake, 1, () => ({ tokenBehaviour: { kind: 'status', status: 400, body: { error: 'invalid_grant' } } }), { withAccessToken: false });
    const report = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(report.errors).toBe(1);
    expect((await call<AccountView[]>(h.app, 'accounts:list'))[0]!.status).toBe('invalid_credentials');
    // Still refused: reactivation checks at once and the account is marked again, with why.
    const again = await call<AccountView>(h.app, 'accounts:reactivate', { id: a!.id });
    expect(again).toMatchObject({ status: 'invalid_credentials' });
    expect(again.statusReason).toMatch(/refresh token/i);
    // Fixed upstream: reactivated, polled, readings in hand.
    a!.handle.spec.tokenBehaviour = { kind: 'normal' };
    const changed: string[][] = [];
    h.app.events.on('accounts:changed', (e) => changed.push(e.accountIds));
    const ok = await call<AccountView>(h.app, 'accounts:reactivate', { id: a!.id });
    expect(ok).toMatchObject({ status: 'active', statusReason: null });
    expect(ok.sync.lastErrorCode).toBeNull();
    expect(changed[0]).toEqual([a!.id]);
    expect((await call<QuotaView[]>(h.app, 'quota:list', { accountId: a!.id })).length).toBe(2);
    await expect(call(h.app, 'accounts:reactivate', { id: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a cycle tells its progress, the last event counting every account', async () => {
    h = await makeHarness({ overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { syncTimeoutSec: 2, concurrency: 2 }) });
    await seedGoogleAccounts(h.app, fake, 6, (i) => (i === 4 ? { behaviour: { kind: 'status', status: 500 } } : { latencyMs: 20 }));
    const progress: SyncProgressEvent[] = [];
    h.app.events.on('monitor:syncProgress', (p) => progress.push(p));
    await call(h.app, 'monitor:syncNow');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toMatchObject({ done: 0, total: 6, failed: 0 });
    expect(progress.at(-1)).toEqual({ cycleId: progress[0]!.cycleId, done: 6, total: 6, failed: 1 });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done);
    await call(h.app, 'monitor:syncNow');
    expect(progress.at(-1)!.cycleId).toBe(progress[0]!.cycleId + 1);
  });
});
