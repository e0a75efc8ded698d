// A fresh data dir with no OAuth client configured still refreshes Google tokens: each Google
// provider uses the public installed-app client of its official tool; a setting or the account's
// own client overrides it.
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src/shared/types';
import { GOOGLE_DEFAULT_CLIENTS } from '../../src/main/core/providers/google-oauth';
import { call, makeHarness, type Harness } from '../helpers/harness';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google';
import { startFakeOAuth, type FakeOAuth } from '../helpers/fake-oauth';

let h: Harness | null = null;
let google: FakeGoogle | null = null;
let oauth: FakeOAuth | null = null;
afterEach(async () => {
  await h?.close();
  await google?.close();
  await oauth?.close();
  h = google = oauth = null;
});

describe('Google refresh with nothing configured', () => {
  it.each(['antigravity', 'gemini-cli'] as const)('%s: a fresh data dir refreshes with the default public client', async (provider) => {
    const client = GOOGLE_DEFAULT_CLIENTS[provider];
    oauth = await startFakeOAuth({ flavour: 'google', clientId: client.id, clientSecret: client.secret! });
    google = await startFakeGoogle();
    oauth.addRefreshToken('1//fresh-refresh', 'ya29.fresh-access');
    google.addAccount({ refreshToken: '1//upstream-only', accessToken: 'ya29.fresh-access', projectId: 'proj-fresh', models: { 'gemini-2.5-pro': { remainingFraction: 0.5 } } });
    // Only endpoints are pointed at the fakes (as a mirror would be): no client id, no secret.
    h = await makeHarness({ env: { QUOTADECK_GOOGLE_OAUTH_TOKEN_URL: oauth.tokenUrl, [`QUOTADECK_${provider === 'antigravity' ? 'ANTIGRAVITY' : 'GEMINI_CLI'}_BASE_URL`]: google.baseUrl } });
    expect(h.app.services.settings.get().googleClientId).toBeNull();
    await call(h.app, 'accounts:import', { accounts: [{ provider, email: 'fresh@example.com', refreshToken: '1//fresh-refresh' }] });
    const report = await call<{ results: Array<{ outcome: string; errorCode: string | null }> }>(h.app, 'monitor:syncNow');
    // The refresh went out with the default client and was accepted.
    expect(oauth.tokenCalls).toEqual([expect.objectContaining({ grantType: 'refresh_token', clientId: client.id, clientSecret: client.secret, rejected: null })]);
    expect(report.results[0]).toMatchObject({ outcome: 'ok', errorCode: null });
    const [a] = await call<AccountView[]>(h.app, 'accounts:list');
    expect(a).toMatchObject({ status: 'active', projectId: 'proj-fresh' });
  });

  it('the googleClientId setting and an account\'s own client override the default', async () => {
    oauth = await startFakeOAuth({ flavour: 'google', clientId: 'custom.apps.example', clientSecret: 'custom-secret' });
    oauth.addRefreshToken('1//a', 'x');
    oauth.addRefreshToken('1//b', 'y');
    google = await startFakeGoogle();
    h = await makeHarness({ overrides: { oauthTokenUrls: { google: oauth.tokenUrl }, baseUrls: { antigravity: google.baseUrl }, googleClientId: 'custom.apps.example', googleClientSecret: 'custom-secret' } });
    await call(h.app, 'accounts:import', {
      accounts: [
        { provider: 'antigravity', email: 'a@example.com', refreshToken: '1//a' },
        { provider: 'antigravity', email: 'b@example.com', refreshToken: '1//b', clientId: 'other.apps.example', clientSecret: 'other-secret' },
      ],
    });
    await call(h.app, 'monitor:syncNow');
    const byId = new Map(oauth.tokenCalls.map((c) => [c.clientId, c]));
    expect(byId.get('custom.apps.example')).toMatchObject({ clientSecret: 'custom-secret', rejected: null });
    expect(byId.get('other.apps.example')).toMatchObject({ clientSecret: 'other-secret', rejected: expect.stringMatching(/client_id/) });
  });
});
