import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView, ImportIssue, ImportReport, QuotaView, SyncReport } from '../../src/shared/types';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google';
import { call, FakeClock, googleSettings, makeHarness, type Harness } from '../helpers/harness';
import { seedGoogleAccounts } from '../helpers/seed';

let fake: FakeGoogle;
let h: Harness;
let clock: FakeClock;

beforeEach(async () => {
  fake = await startFakeGoogle();
  clock = new FakeClock();
  h = await makeHarness({ clock, overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { syncTimeoutSec: 5 }) });
});
afterEach(async () => {
  await h.close();
  // A reopened harness does not own the temp dir; remove it here.
  rmSync(h.dir, { recursive: true, force: true });
  await fake.close();
});

interface CallError extends Error {
  code: string;
  details?: { issues?: ImportIssue[] };
}
async function callError(method: string, req?: unknown): Promise<CallError> {
  try {
    await call(h.app, method, req);
  } catch (e) {
    return e as CallError;
  }
  throw new Error(`${method} unexpectedly succeeded`);
}

const TABLES = ['accounts', 'account_model_prefs', 'quota_latest', 'quota_snapshots', 'quota_locks', 'account_sync_state', 'settings', 'sync_runs'];
/** Every row of every table, blobs as hex: equal dumps mean nothing was written. */
function dump(): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    out[t] = (h.app.services.db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all() as Record<string, unknown>[]).map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('hex') : v])),
    );
  }
  return out;
}
const rows = (table: string, accountId: string) =>
  (h.app.services.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ?`).get(accountId) as { n: number }).n;

const ours = (n: number, prefix = 'user') => ({
  accounts: Array.from({ length: n }, (_, i) => ({
    provider: 'antigravity',
    email: `${prefix}${i}@example.com`,
    label: `Account ${i}`,
    refreshToken: `1//0g-refresh-${prefix}-${i}-abcdefgh`,
    accessToken: `ya29.access-${prefix}-${i}`,
    expiresAt: '2099-01-01T00:00:00Z',
    tier: 'pro',
    projectId: `proj-${i}`,
  })),
});

describe('accounts:import formats', () => {
  it('imports our own format with every field', async () => {
    const r = await call<ImportReport>(h.app, 'accounts:import', ours(2));
    expect(r).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
    expect(r.accounts.map((a) => [a.email, a.label, a.tier, a.projectId, a.status, a.provider])).toEqual([
      ['user0@example.com', 'Account 0', 'pro', 'proj-0', 'active', 'antigravity'],
      ['user1@example.com', 'Account 1', 'pro', 'proj-1', 'active', 'antigravity'],
    ]);
    expect(r.accounts[0]!.secretHint).toBe('1//0…efgh');
    expect(h.app.services.store.credentials(r.accounts[0]!.id)).toEqual({
      refreshToken: '1//0g-refresh-user-0-abcdefgh',
      accessToken: 'ya29.access-user-0',
      accessTokenExpiresAt: Date.parse('2099-01-01T00:00:00Z'),
    });
    const list = await call<AccountView[]>(h.app, 'accounts:list');
    expect(list.map((a) => a.id)).toEqual(r.accounts.map((a) => a.id));
  });

  it('imports the peer format {accounts:[{email, refresh_token}]} as antigravity accounts', async () => {
    const r = await call<ImportReport>(h.app, 'accounts:import', {
      version: 3,
      accounts: [
        { email: 'Peer.One@Example.com', refresh_token: '1//peer-one-token', access_token: 'ya29.peer-one', project_id: 'p-1', extra: { ignored: true } },
        { email: 'peer2@example.com', refresh_token: '1//peer-two-token' },
      ],
    });
    expect(r).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
    expect(r.accounts.map((a) => [a.provider, a.email, a.label, a.tier, a.projectId])).toEqual([
      ['antigravity', 'peer.one@example.com', 'peer.one@example.com', 'free', 'p-1'],
      ['antigravity', 'peer2@example.com', 'peer2@example.com', 'free', null],
    ]);
    expect(h.app.services.store.credentials(r.accounts[0]!.id)).toEqual({ refreshToken: '1//peer-one-token', accessToken: 'ya29.peer-one' });
  });

  it('imports a bare array', async () => {
    const r = await call<ImportReport>(h.app, 'accounts:import', [
      { email: 'a@example.com', refreshToken: '1//bare-a-token' },
      { email: 'b@example.com', refresh_token: '1//bare-b-token', expiresAt: 4_070_908_800 },
    ]);
    expect(r).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
    // Epoch seconds become milliseconds.
    expect(h.app.services.store.credentials(r.accounts[1]!.id).accessTokenExpiresAt).toBe(4_070_908_800_000);
  });
});

describe('accounts:import idempotence and updates', () => {
  it('the same file twice changes nothing the second time', async () => {
    const doc = ours(3);
    const first = await call<ImportReport>(h.app, 'accounts:import', doc);
    const before = dump();
    clock.advance(60_000);
    const second = await call<ImportReport>(h.app, 'accounts:import', doc);
    expect(second).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(second.accounts.map((a) => a.id)).toEqual(first.accounts.map((a) => a.id));
    expect(second.accounts.map((a) => a.updatedAt)).toEqual(first.accounts.map((a) => a.updatedAt));
    // Not even the encrypted secret was rewritten (a rewrite would use a fresh IV).
    expect(dump()).toEqual(before);
  });

  it('matches on the email case-insensitively', async () => {
    await call(h.app, 'accounts:import', [{ email: 'Mixed@Example.com', refreshToken: '1//case-token' }]);
    const r = await call<ImportReport>(h.app, 'accounts:import', [{ email: 'mixed@example.COM', refreshToken: '1//case-token' }]);
    expect(r).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
  });

  it('a new label counts as updated and moves updatedAt', async () => {
    const doc = ours(2);
    const first = await call<ImportReport>(h.app, 'accounts:import', doc);
    clock.advance(60_000);
    doc.accounts[1]!.label = 'Renamed';
    const r = await call<ImportReport>(h.app, 'accounts:import', doc);
    expect(r).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    expect(r.accounts[1]!.label).toBe('Renamed');
    expect(Date.parse(r.accounts[1]!.updatedAt)).toBe(Date.parse(first.accounts[1]!.updatedAt) + 60_000);
    expect(r.accounts[0]!.updatedAt).toBe(first.accounts[0]!.updatedAt);
  });

  it('a new refresh token counts as updated and drops the old access token', async () => {
    const first = await call<ImportReport>(h.app, 'accounts:import', ours(1));
    const id = first.accounts[0]!.id;
    const r = await call<ImportReport>(h.app, 'accounts:import', [{ email: 'user0@example.com', refreshToken: '1//0g-brand-new-refresh-9876' }]);
    expect(r).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    expect(r.accounts[0]!.id).toBe(id);
    expect(r.accounts[0]!.secretHint).toBe('1//0…9876');
    // The old access token belonged to the old grant.
    expect(h.app.services.store.credentials(id)).toEqual({ refreshToken: '1//0g-brand-new-refresh-9876' });
    // Fields absent from the entry keep their values.
    expect(r.accounts[0]).toMatchObject({ label: 'Account 0', tier: 'pro', projectId: 'proj-0' });
  });

  it('importing a new refresh token for an invalid_credentials account reactivates it', async () => {
    const [a] = await seedGoogleAccounts(h.app, fake, 1);
    a!.handle.revokeAccessToken();
    a!.handle.revokeRefreshToken();
    const failed = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(failed.results[0]).toMatchObject({ errorCode: 'invalid_grant' });
    expect(h.app.services.store.get(a!.id)?.status).toBe('invalid_credentials');

    // Re-importing the same dead token changes nothing.
    const same = await call<ImportReport>(h.app, 'accounts:import', [{ email: a!.email, refreshToken: a!.handle.spec.refreshToken }]);
    expect(same).toMatchObject({ updated: 0, unchanged: 1 });
    expect(same.accounts[0]!.status).toBe('invalid_credentials');

    const fresh = fake.addAccount({ refreshToken: '1//0g-reissued-grant-token' });
    const r = await call<ImportReport>(h.app, 'accounts:import', [{ email: a!.email, refreshToken: fresh.spec.refreshToken }]);
    expect(r).toMatchObject({ created: 0, updated: 1 });
    expect(r.accounts[0]).toMatchObject({ id: a!.id, status: 'active', statusReason: null });
    const next = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(next.results[0]).toMatchObject({ accountId: a!.id, outcome: 'ok' });
    expect(fresh.callCount('/token')).toBe(1);
  });
});

describe('accounts:import rejects invalid documents whole', () => {
  const good = (i: number) => ({ email: `good${i}@example.com`, refreshToken: `1//good-token-${i}` });
  const cases: Array<{ name: string; doc: unknown; issue: Partial<ImportIssue> }> = [
    { name: 'missing refreshToken', doc: [good(0), { email: 'x@example.com' }], issue: { entry: 1, index: 1, field: 'refreshToken' } },
    { name: 'bad email', doc: [good(0), good(1), { email: 'not-an-email', refreshToken: '1//t' }], issue: { entry: 2, index: 2, field: 'email' } },
    { name: 'API-key provider without a key', doc: { accounts: [good(0), { provider: 'openai', email: 'c@example.com', refreshToken: 'r' }] }, issue: { entry: 1, index: 1, field: 'apiKey' } },
    { name: 'OAuth provider without a refresh token', doc: { accounts: [good(0), { provider: 'claude', apiKey: 'sk-ant-api03-xxxxxxxxxxxx' }] }, issue: { entry: 1, index: 1, field: 'refreshToken' } },
    { name: 'bad base URL', doc: [good(0), { provider: 'openai', apiKey: 'sk-test-123456789', baseUrl: 'not a url' }], issue: { entry: 1, index: 1, field: 'baseUrl' } },
    { name: 'unknown provider', doc: [{ provider: 'nope', email: 'c@example.com', refreshToken: 'r' }], issue: { entry: 0, index: 0, field: 'provider' } },
    { name: 'bad expiresAt', doc: [good(0), { ...good(1), expiresAt: 'next tuesday' }], issue: { entry: 1, index: 1, field: 'expiresAt' } },
    { name: 'negative expiresAt', doc: [good(0), { ...good(1), expiresAt: -5 }], issue: { entry: 1, index: 1, field: 'expiresAt' } },
    { name: 'bad tier', doc: [good(0), { ...good(1), tier: 'platinum' }], issue: { entry: 1, index: 1, field: 'tier' } },
    { name: 'duplicate entries', doc: [good(0), good(1), { ...good(0), email: 'GOOD0@example.com' }], issue: { entry: 2, index: 2, field: 'email' } },
    { name: 'an entry that is not an object', doc: [good(0), 'user@example.com'], issue: { entry: 1, index: 1, field: '(entry)' } },
    { name: 'a null entry', doc: { accounts: [good(0), null] }, issue: { entry: 1, index: 1, field: '(entry)' } },
    { name: 'wrong document shape (object)', doc: { users: [good(0)] }, issue: { entry: null, field: '(document)' } },
    { name: 'wrong document shape (accounts not a list)', doc: { accounts: good(0) }, issue: { entry: null, field: '(document)' } },
    { name: 'wrong document shape (string)', doc: 'accounts.json', issue: { entry: null, field: '(document)' } },
    { name: 'no document', doc: undefined, issue: { entry: null, field: '(document)' } },
    { name: 'empty list', doc: { accounts: [] }, issue: { entry: null, field: 'accounts' } },
    { name: 'empty bare array', doc: [], issue: { entry: null, field: 'accounts' } },
  ];

  for (const c of cases) {
    it(`${c.name}: import_invalid naming entry and field, database unchanged`, async () => {
      // Existing accounts that the bad document would otherwise update.
      await call(h.app, 'accounts:import', [{ ...good(0), label: 'Original' }]);
      const before = dump();
      const listBefore = await call<AccountView[]>(h.app, 'accounts:list');
      clock.advance(1000);
      const withUpdate = Array.isArray(c.doc) && c.doc.length > 0 ? c.doc.map((e, i) => (i === 0 && typeof e === 'object' ? { ...e, label: 'Changed' } : e)) : c.doc;
      const err = await callError('accounts:import', withUpdate);
      expect(err.code).toBe('import_invalid');
      expect(err.message).toMatch(/nothing was changed/);
      const issues = err.details?.issues ?? [];
      expect(issues).toContainEqual(expect.objectContaining(c.issue));
      expect(issues.every((i) => typeof i.message === 'string' && i.message.length > 0)).toBe(true);
      // Numbered from 0 in the message as in `entry`, with the entry's email or label when it has one.
      if (c.issue.entry !== null && c.issue.entry !== undefined) expect(err.message).toMatch(new RegExp(`entry ${c.issue.entry}( \\([^)]*\\))?, ${c.issue.field!.replace(/[()]/g, '\\$&')}`));
      expect(dump()).toEqual(before);
      expect(await call<AccountView[]>(h.app, 'accounts:list')).toEqual(listBefore);
    });
  }

  it('names every bad entry at once', async () => {
    const err = await callError('accounts:import', [
      { email: 'ok@example.com', refreshToken: '1//ok' },
      { email: 'bad', refreshToken: '1//x' },
      { email: 'y@example.com' },
      { email: 'z@example.com', refreshToken: '1//z', expiresAt: 'soon' },
    ]);
    expect(err.details?.issues?.map((i) => [i.entry, i.index, i.label, i.field])).toEqual([
      [1, 1, 'bad', 'email'],
      [2, 2, 'y@example.com', 'refreshToken'],
      [3, 3, 'z@example.com', 'expiresAt'],
    ]);
    expect(await call<AccountView[]>(h.app, 'accounts:list')).toEqual([]);
  });
});

describe('account methods', () => {
  const add = (extra: Record<string, unknown> = {}) =>
    call<AccountView>(h.app, 'accounts:add', { provider: 'antigravity', email: 'solo@example.com', refreshToken: '1//0g-solo-refresh-wxyz', ...extra });

  it('accounts:add creates an account, and adding it again returns the same one', async () => {
    const a = await add({ label: 'Solo', tier: 'ultra' });
    expect(a).toMatchObject({ provider: 'antigravity', email: 'solo@example.com', label: 'Solo', tier: 'ultra', status: 'active', secretHint: '1//0…wxyz', modelPrefs: [] });
    expect(a.sync).toEqual({ lastSuccessAt: null, lastAttemptAt: null, lastErrorCode: null, lastErrorMessage: null, consecutiveFailures: 0, nextAttemptAt: null });
    clock.advance(1000);
    const again = await add({ label: 'Solo', tier: 'ultra' });
    expect(again).toEqual(a);
    expect(await call<AccountView[]>(h.app, 'accounts:list')).toHaveLength(1);
  });

  it('accounts:add validates like an import', async () => {
    expect((await callError('accounts:add', { provider: 'antigravity', email: 'x@example.com' })).code).toBe('import_invalid');
    expect((await callError('accounts:add', { provider: 'claude', email: 'x@example.com' })).code).toBe('import_invalid');
    expect((await callError('accounts:add', { provider: 'openrouter', email: 'x@example.com' })).code).toBe('import_invalid');
    expect((await callError('accounts:add', { provider: 'antigravity', refreshToken: 'r', password: 'x' })).code).toBe('bad_request');
    expect((await callError('accounts:add', { provider: 'antigravity', email: 'nope', refreshToken: 'r' })).code).toBe('bad_request');
    expect(await call<AccountView[]>(h.app, 'accounts:list')).toEqual([]);
  });

  it('accounts:update changes label, tier, reserve and project', async () => {
    const a = await add();
    clock.advance(5000);
    const u = await call<AccountView>(h.app, 'accounts:update', { id: a.id, label: '  Work  ', tier: 'pro', reserve: 0.25, projectId: 'proj-x' });
    expect(u).toMatchObject({ id: a.id, label: 'Work', tier: 'pro', reserve: 0.25, projectId: 'proj-x' });
    expect(Date.parse(u.updatedAt)).toBe(Date.parse(a.updatedAt) + 5000);
    const cleared = await call<AccountView>(h.app, 'accounts:update', { id: a.id, reserve: null, projectId: null });
    expect(cleared).toMatchObject({ label: 'Work', tier: 'pro', reserve: null, projectId: null });
    expect((await callError('accounts:update', { id: a.id, label: '   ' })).code).toBe('bad_request');
    expect((await callError('accounts:update', { id: 'missing', label: 'x' })).code).toBe('not_found');
    // Survives a restart.
    h = await h.reopen();
    expect((await call<AccountView[]>(h.app, 'accounts:list'))[0]).toMatchObject({ label: 'Work', tier: 'pro', reserve: null });
  });

  it('accounts:setEnabled disables, and enabling clears invalid_credentials and the backoff', async () => {
    const [a] = await seedGoogleAccounts(h.app, fake, 1);
    const off = await call<AccountView>(h.app, 'accounts:setEnabled', { id: a!.id, enabled: false });
    expect(off).toMatchObject({ status: 'disabled', statusReason: 'disabled by the user' });
    const skipped = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(skipped.accounts).toBe(0);
    expect(a!.handle.callCount()).toBe(0);
    expect((await call<AccountView>(h.app, 'accounts:setEnabled', { id: a!.id, enabled: true })).status).toBe('active');

    a!.handle.revokeAccessToken();
    a!.handle.revokeRefreshToken();
    await call<SyncReport>(h.app, 'monitor:syncNow');
    const dead = (await call<AccountView[]>(h.app, 'accounts:list'))[0]!;
    expect(dead).toMatchObject({ status: 'invalid_credentials', sync: { lastErrorCode: 'invalid_grant', consecutiveFailures: 1 } });
    const on = await call<AccountView>(h.app, 'accounts:setEnabled', { id: a!.id, enabled: true });
    expect(on).toMatchObject({ status: 'active', statusReason: null, sync: { consecutiveFailures: 0, nextAttemptAt: null } });
    // The user said it is fixed; the next sync tries again (and tells).
    const tried = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(tried.accounts).toBe(1);
    expect(tried.results[0]).toMatchObject({ outcome: 'error', errorCode: 'invalid_grant' });
  });

  it('accounts:remove cascades to every quota row and forgets the account', async () => {
    const [a, b] = await seedGoogleAccounts(h.app, fake, 2);
    await call(h.app, 'monitor:syncNow');
    await call(h.app, 'quota:report', { accountId: a!.id, model: 'gemini-3-pro-high', outcome: '429', retryAfter: 600 });
    await call(h.app, 'accounts:setModelPref', { id: a!.id, model: 'claude-sonnet-4-5', excluded: true });
    for (const t of ['quota_latest', 'quota_snapshots', 'quota_locks', 'account_sync_state', 'account_model_prefs']) expect(rows(t, a!.id), t).toBeGreaterThan(0);
    const bRows = ['quota_latest', 'quota_snapshots', 'account_sync_state'].map((t) => rows(t, b!.id));

    expect(await call(h.app, 'accounts:remove', { id: a!.id })).toEqual({ removed: true });
    for (const t of ['quota_latest', 'quota_snapshots', 'quota_locks', 'account_sync_state', 'account_model_prefs']) expect(rows(t, a!.id), t).toBe(0);
    expect(['quota_latest', 'quota_snapshots', 'account_sync_state'].map((t) => rows(t, b!.id))).toEqual(bRows);
    expect((await call<AccountView[]>(h.app, 'accounts:list')).map((x) => x.id)).toEqual([b!.id]);
    expect((await callError('quota:list', { accountId: a!.id })).code).toBe('not_found');
    expect((await call<QuotaView[]>(h.app, 'quota:list')).every((q) => q.accountId === b!.id)).toBe(true);
    expect(await call(h.app, 'quota:listLocks')).toEqual([]);
    expect(await call(h.app, 'accounts:remove', { id: a!.id })).toEqual({ removed: false });
    // Nothing comes back after a restart.
    h = await h.reopen();
    expect((await call<AccountView[]>(h.app, 'accounts:list')).map((x) => x.id)).toEqual([b!.id]);
    expect((await call<QuotaView[]>(h.app, 'quota:list')).every((q) => q.accountId === b!.id)).toBe(true);
  });

  it('accounts:setModelPref sets, merges and clears a preference', async () => {
    const a = await add();
    const p1 = await call<AccountView>(h.app, 'accounts:setModelPref', { id: a.id, model: 'gemini-3-pro-high', reserve: 0.2, excluded: true });
    expect(p1.modelPrefs).toEqual([{ model: 'gemini-3-pro-high', reserve: 0.2, excluded: true }]);
    // Omitted fields keep their values.
    const p2 = await call<AccountView>(h.app, 'accounts:setModelPref', { id: a.id, model: 'gemini-3-pro-high', excluded: false });
    expect(p2.modelPrefs).toEqual([{ model: 'gemini-3-pro-high', reserve: 0.2, excluded: false }]);
    await call(h.app, 'accounts:setModelPref', { id: a.id, model: 'claude-sonnet-4-5', excluded: true });
    h = await h.reopen();
    const listed = (await call<AccountView[]>(h.app, 'accounts:list'))[0]!;
    expect(listed.modelPrefs).toEqual(
      expect.arrayContaining([
        { model: 'gemini-3-pro-high', reserve: 0.2, excluded: false },
        { model: 'claude-sonnet-4-5', reserve: null, excluded: true },
      ]),
    );
    // Nothing left to remember: the row goes.
    const p3 = await call<AccountView>(h.app, 'accounts:setModelPref', { id: a.id, model: 'gemini-3-pro-high', reserve: null });
    expect(p3.modelPrefs).toEqual([{ model: 'claude-sonnet-4-5', reserve: null, excluded: true }]);
    expect(rows('account_model_prefs', a.id)).toBe(1);
    expect((await callError('accounts:setModelPref', { id: 'missing', model: 'm', excluded: true })).code).toBe('not_found');
  });

  it('bad request payloads give bad_request and change nothing', async () => {
    const a = await add();
    const before = dump();
    const bad: Array<[string, unknown]> = [
      ['accounts:list', { extra: 1 }],
      ['accounts:add', {}],
      ['accounts:add', { provider: 'antigravity', refreshToken: '' }],
      ['accounts:add', 'solo@example.com'],
      ['accounts:update', { label: 'no id' }],
      ['accounts:update', { id: a.id, reserve: 1.5 }],
      ['accounts:update', { id: a.id, tier: 'gold' }],
      ['accounts:update', { id: a.id, status: 'active' }],
      ['accounts:setEnabled', { id: a.id, enabled: 'yes' }],
      ['accounts:setEnabled', { id: a.id }],
      ['accounts:remove', {}],
      ['accounts:remove', { id: '' }],
      ['accounts:remove', a.id],
      ['accounts:setModelPref', { id: a.id, model: 'm', reserve: -0.1 }],
      ['accounts:setModelPref', { id: a.id, reserve: 0.1 }],
      ['accounts:setModelPref', { id: a.id, model: 'm', excluded: 'true' }],
    ];
    for (const [method, req] of bad) {
      const err = await callError(method, req);
      expect(err.code, `${method} ${JSON.stringify(req)}`).toBe('bad_request');
    }
    expect(dump()).toEqual(before);
  });
});
