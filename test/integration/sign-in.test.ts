// Browser sign-in through the real core: PKCE and state checked by a fake OAuth server on
// 127.0.0.1, the loopback callback answered by the product's own listener, the account saved
// encrypted in SQLite and synced against the provider's fake upstream at once.
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountView, SignInProvider, SignInStart, SignInStatus } from '../../src/shared/types';
import type { EventMap } from '../../src/shared/contract';
import { call, makeHarness, type Harness } from '../helpers/harness';
import { browse, defaultClientOf, startSignInFixture, type SignInFixture } from '../helpers/sign-in-fixture';

let h: Harness | null = null;
let fx: SignInFixture | null = null;
afterEach(async () => {
  await h?.close();
  await fx?.close();
  h = null;
  fx = null;
});

async function setup(provider: SignInProvider) {
  fx = await startSignInFixture(provider);
  h = await makeHarness({ overrides: fx.settings });
  const finished: SignInStatus[] = [];
  const changed: EventMap['accounts:changed'][] = [];
  h.app.events.on('accounts:signInFinished', (s) => finished.push(s));
  h.app.events.on('accounts:changed', (e) => changed.push(e));
  return { fx, h, finished, changed };
}

function ended(app: Harness['app'], flowId: string): Promise<SignInStatus> {
  return new Promise((resolve) => {
    const off = app.events.on('accounts:signInFinished', (s) => {
      if (s.flowId !== flowId) return;
      off();
      resolve(s);
    });
  });
}

const PROVIDERS: SignInProvider[] = ['antigravity', 'gemini-cli', 'claude', 'codex'];

describe('browser sign-in', () => {
  it.each(PROVIDERS)('%s: signs in through the loopback callback, saves the account encrypted and syncs it at once', async (provider) => {
    const { fx, h, finished, changed } = await setup(provider);
    const id = fx.addIdentity('Ada@Example.com', 1);
    const start = await call<SignInStart>(h.app, 'accounts:signIn', { provider });
    expect(start).toMatchObject({ provider, mode: 'loopback' });
    expect(start.redirectUri).toMatch(/^http:\/\/(127\.0\.0\.1|localhost):\d+\//);
    expect(Date.parse(start.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    const q = new URL(start.authorizeUrl).searchParams;
    expect(q.get('client_id')).toBe(defaultClientOf(provider).id);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(q.get('redirect_uri')).toBe(start.redirectUri);

    const done = ended(h.app, start.flowId);
    const page = await browse(start.authorizeUrl);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Signed in as ada@example.com');
    expect(page.html).toContain('you can close this tab'.replace('you', 'You'));
    const status = await done;
    expect(status).toMatchObject({ flowId: start.flowId, provider, state: 'done', email: 'ada@example.com' });
    expect(await call<SignInStatus>(h.app, 'accounts:signInStatus', { flowId: start.flowId })).toEqual(status);
    expect(finished).toEqual([status]);

    // The token endpoint saw the default public client, the same redirect and a verifier matching the challenge.
    expect(fx.oauth.tokenCalls).toHaveLength(1);
    expect(fx.oauth.tokenCalls[0]).toMatchObject({ grantType: 'authorization_code', clientId: defaultClientOf(provider).id, redirectUri: start.redirectUri, rejected: null });
    expect(fx.oauth.tokenCalls[0]!.encoding).toBe(provider === 'claude' ? 'json' : 'form');

    const accounts = await call<AccountView[]>(h.app, 'accounts:list');
    expect(accounts).toHaveLength(1);
    const a = accounts[0]!;
    expect(a).toMatchObject({ id: status.accountId, provider, email: 'ada@example.com', status: 'active' });
    expect(a.sync.lastSuccessAt).not.toBeNull();
    expect(changed.some((e) => e.accountIds.includes(a.id))).toBe(true);
    if (provider === 'antigravity' || provider === 'gemini-cli') expect(a.projectId).toBe(id.projectId);
    const quotas = await call<unknown[]>(h.app, 'quota:list', { accountId: a.id });
    expect(quotas.length).toBeGreaterThan(0);

    // Stored through the secret box: the database file never holds the tokens in clear.
    const creds = h.app.services.store.credentials(a.id);
    expect(creds).toMatchObject({ refreshToken: id.refreshToken, accessToken: id.accessToken, clientId: defaultClientOf(provider).id });
    const row = h.app.services.db.prepare('SELECT secret FROM accounts WHERE id = ?').get(a.id) as { secret: Buffer };
    expect(row.secret.toString('latin1')).not.toContain(id.refreshToken);
    // Neither the code nor any token reached the log.
    const log = h.logger.lines.join('\n');
    expect(log).not.toContain(id.refreshToken);
    expect(log).not.toContain(id.accessToken);
    expect(log).not.toMatch(/code-[0-9a-f]{24}/);
  });

  it('signing in again as the same person updates that account, never a second one', async () => {
    const { fx, h } = await setup('antigravity');
    fx.addIdentity('grace@example.com', 1);
    const first = await call<SignInStart>(h.app, 'accounts:signIn', { provider: 'antigravity' });
    const done1 = ended(h.app, first.flowId);
    await browse(first.authorizeUrl);
    const s1 = await done1;
    // The refresh token died meanwhile: the account is marked, and "Sign in again" brings it back.
    h.app.services.store.setStatus(s1.accountId!, 'invalid_credentials', 'invalid_grant');
    const id2 = fx.addIdentity('GRACE@example.com', 2);
    const second = await call<SignInStart>(h.app, 'accounts:signIn', { provider: 'antigravity' });
    const done2 = ended(h.app, second.flowId);
    await browse(second.authorizeUrl);
    const s2 = await done2;
    expect(s2.accountId).toBe(s1.accountId);
    const accounts = await call<AccountView[]>(h.app, 'accounts:list');
    expect(accounts).toHaveLength(1);
    expect(accounts[0]!.status).toBe('active');
    expect(h.app.services.store.credentials(s1.accountId!).refreshToken).toBe(id2.refreshToken);
  });

  it('runs several flows at once, each with its own state, verifier and listener', async () => {
    const { fx, h } = await setup('gemini-cli');
    fx.addIdentity('one@example.com', 1);
    const a = await call<SignInStart>(h.app, 'accounts:signIn', { provider: 'gemini-cli' });
    const b = await call<SignInStart>(h.app, 'accounts:signIn', { provider: 'gemini-cli' });
    expect(a.redirectUri).not.toBe(b.redirectUri);
    expect(new URL(a.authorizeUrl).searchParams.get('state')).not.toBe(new URL(b.authorizeUrl).searchParams.get('state'));
    expect(new URL(a.authorizeUrl).searchParams.get('code_challenge')).not.toBe(new URL(b.authorizeUrl).searchParams.get('code_challenge'));
    const doneB = ended(h.app, b.flowId);
    await browse(b.authorizeUrl);
    expect((await doneB).state).toBe('done');
    expect((await call<SignInStatus>(h.app, 'accounts:signInStatus', { flowId: a.flowId })).state).toBe('pending');
    expect((await call<SignInStatus>(h.app, 'accounts:signInCancel', { flowId: a.flowId })).state).toBe('cancelled');
    // The cancelled flow's listener is gone.
    await expect(fetch(a.redirectUri)).rejects.toThrow();
  });

  it('paste mode: the provider shows code#state and accounts:signInComplete finishes the flow', async () => {
    const { fx, h } = await setup('claude');
    fx.addIdentity('paste@example.com', 1);
    const start = await call<SignInStart>(h.app, 'accounts:signIn', { provider: 'claude', mode: 'paste' });
    expect(start).toMatchObject({ mode: 'paste', redirectUri: 'https://console.anthropic.com/oauth/code/callback' });
    const landed = new URL((await browse(start.authorizeUrl)).landedOn);
    const pasted = `${landed.searchParams.get('code')}#${landed.searchParams.get('state')}`;
    const status = await call<SignInStatus>(h.app, 'accounts:signInComplete', { flowId: start.flowId, code: pasted });
    expect(status).toMatchObject({ state: 'done', email: 'paste@example.com' });
    expect(fx.oauth.tokenCalls[0]).toMatchObject({ redirectUri: 'https://console.anthropic.com/oauth/code/callback', rejected: null });
    expect(await call<AccountView[]>(h.app, 'accounts:list')).toHaveLength(1);
  });

  it('a loopback flow also accepts the whole address the browser landed on, pasted', async () => {
    const { fx, h } = await setup('codex');
    fx.addIdentity('remote@example.com', 1);
    const start = await call<SignInStart>(h.app, 'accounts:signIn', { provider: 'codex' });
    const first = await fetch(start.authorizeUrl, { redirect: 'manual' });
    const status = await call<SignInStatus>(h.app, 'accounts:signInComplete', { flowId: start.flowId, code: first.headers.get('location')! });
    expect(status).toMatchObject({ state: 'done', email: 'remote@example.com' });
  });
});
