// Browser sign-ins that must not succeed: every one ends failed (or answers 400) with a clear
// message, creates no account and writes no code or token to the log.
import { afterEach, describe, expect, it } from 'vitest';
import type { SignInStart, SignInStatus } from '../../src/shared/types';
import { call, FakeClock, makeHarness, type Harness } from '../helpers/harness';
import { browse, startSignInFixture, type SignInFixture } from '../helpers/sign-in-fixture';

let h: Harness | null = null;
let fx: SignInFixture | null = null;
afterEach(async () => {
  await h?.close();
  await fx?.close();
  h = null;
  fx = null;
});

async function setup(provider: 'antigravity' | 'claude' | 'codex' = 'antigravity', clock?: FakeClock) {
  fx = await startSignInFixture(provider);
  h = await makeHarness({ overrides: fx.settings, clock });
  fx.addIdentity('eve@example.com', 1);
  return { fx, h };
}

async function nothingCreated(h: Harness) {
  expect(await call<unknown[]>(h.app, 'accounts:list')).toEqual([]);
  const log = h.logger.lines.join('\n');
  expect(log).not.toMatch(/code-[0-9a-f]{24}/);
  expect(log).not.toContain('1//rt-');
  expect(log).not.toContain('ya29.');
}

describe('browser sign-in refusals', () => {
  it('error=access_denied in the callback: failed, with a page that says so', async () => {
    const { fx, h } = await setup();
    fx.oauth.setAuthorizeBehaviour({ kind: 'deny' });
    const start = await call<SignInStart>(h.app, 'accounts:signIn', { provider: 'antigravity' });
    const page = await browse(start.authorizeUrl);
    expect(page.status).toBe(400);
    expect(page.html).toContain('Sign-in failed');
    expect(page.html).toContain('Access was denied');
    const s = await call<SignInStatus>(h.app, 'accounts:signInStatus', { flowId: start.flowId });
    expect(s).toMatchObject({ state: 'failed', error: { code: 'access_denied' } });
    expect(fx.oauth.tokenCalls).toEqual([]);
    await nothingCreated(h);
  });

  it.each(['wrongState', 'noState'] as const)('a callback with %s: failed before any token request', async (kind) => {
    const { fx, h } = await setup();
    fx.oauth.setAuthorizeBehaviour({ kind });
    const start = await call<SignInStart>(h.app, 'accounts:signIn', { provider: 'antigravity' });
    const page = await browse(start.authorizeUrl);
    expect(page.status).toBe(400);
    expect(page.html).toContain('wrong state');
    expect(await call<SignInStatus>(h.app, 'accounts:signInStatus', { flowId: start.flowId })).toMatchObject({ state: 'failed', error: { code: 'state_mismatch' } });
    expect(fx.oauth.tokenCalls).toEqual([]);
    await nothingCreated(h);
  });

  it.each([
    [{ kind: 'refuse', error: 'invalid_grant' } as const, 'token_exchange_failed', /refused the sign-in code \(invalid_grant\)/],
    [{ kind: 'garbage' } as const, 'bad_response', /cannot read/],
    [{ kind: 'noEmail' } as const, 'identity_unknown', /did not say which account/],
  ])('a token endpoint that answers %o: failed (%s)', async (behaviour, code, message) => {
    const { fx, h } = await setup('claude');
    fx.oauth.setTokenBehaviour(behaviour);
    // Claude's profile endpoint (asked when the answer has no email) is the fake upstream, which does not know it.
    const start = await call<SignInStart>(h.app, 'accounts:signIn', { provider: 'claude' });
    const page = await browse(start.authorizeUrl);
    expect(page.status).toBe(400);
    const s = await call<SignInStatus>(h.app, 'accounts:signInStatus', { flowId: start.flowId });
    expect(s).toMatchObject({ state: 'failed', error: { code } });
    expect(s.error!.message).toMatch(message);
    await nothingCreated(h);
  });

  it('a flow not finished within 10 minutes expires, its listener closes, and a late code is refused', async () => {
    const clock = new FakeClock(Date.now());
    const { h } = await setup('antigravity', clock);
    const finished: SignInStatus[] = [];
    h.app.events.on('accounts:signInFinished', (s) => finished.push(s));
    const start = await call<SignInStart>(h.app, 'accounts:signIn', { provider: 'antigravity' });
    expect(Date.parse(start.expiresAt)).toBe(clock.now() + 10 * 60_000);
    clock.advance(10 * 60_000 - 1);
    expect((await call<SignInStatus>(h.app, 'accounts:signInStatus', { flowId: start.flowId })).state).toBe('pending');
    clock.advance(1);
    expect(finished).toEqual([{ flowId: start.flowId, provider: 'antigravity', state: 'expired', error: { code: 'expired', message: expect.stringMatching(/10 minutes/) } }]);
    await expect(fetch(start.redirectUri)).rejects.toThrow();
    await expect(call(h.app, 'accounts:signInComplete', { flowId: start.flowId, code: 'code-abc' })).rejects.toMatchObject({ code: 'bad_request' });
    await nothingCreated(h);
  });

  it('a pasted code for an unknown flow answers 400; a pasted code with the wrong state fails the flow', async () => {
    const { fx, h } = await setup('claude');
    const env = await h.app.api.call('accounts:signInComplete', { flowId: 'no-such-flow', code: 'abc#def' });
    expect(env).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/No such sign-in/) } });
    const start = await call<SignInStart>(h.app, 'accounts:signIn', { provider: 'claude', mode: 'paste' });
    const s = await call<SignInStatus>(h.app, 'accounts:signInComplete', { flowId: start.flowId, code: 'code-1234#not-the-state' });
    expect(s).toMatchObject({ state: 'failed', error: { code: 'state_mismatch' } });
    expect(fx.oauth.tokenCalls).toEqual([]);
    await nothingCreated(h);
  });

  it('an unknown provider or a malformed request is refused by the contract', async () => {
    const { h } = await setup();
    expect(await h.app.api.call('accounts:signIn', { provider: 'openai' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await h.app.api.call('accounts:signInComplete', { flowId: 'x' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await h.app.api.call('accounts:signInStatus', { flowId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('a fixed port that is taken: Codex says so clearly; Claude falls back to pasting the code', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      fx = await startSignInFixture('codex');
      h = await makeHarness({ overrides: { ...fx.settings, oauthCallbackPorts: { codex: port, claude: port } } });
      const env = await h.app.api.call('accounts:signIn', { provider: 'codex' });
      expect(env).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(new RegExp(`Port ${port} on 127.0.0.1 is in use`)) } });
      const claude = await call<SignInStart>(h.app, 'accounts:signIn', { provider: 'claude' });
      expect(claude).toMatchObject({ mode: 'paste', redirectUri: 'https://console.anthropic.com/oauth/code/callback' });
    } finally {
      blocker.close();
    }
  });
});
