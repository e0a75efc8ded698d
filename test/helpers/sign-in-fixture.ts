// One provider's browser sign-in against fakes: a fake OAuth server (the provider's default public
// client), the provider's fake quota upstream holding the account the sign-in issues tokens for,
// and the settings that point the product at both. `browse` follows the authorize link the way a
// browser does (the authorize redirect, then the loopback callback).
import type { Settings, SignInProvider } from '../../src/shared/types';
import { CLAUDE_CLIENT_ID } from '../../src/main/core/providers/claude';
import { CODEX_CLIENT_ID } from '../../src/main/core/providers/codex';
import { GOOGLE_DEFAULT_CLIENTS } from '../../src/main/core/providers/google-oauth';
import { startFakeClaude } from './fake-claude';
import { startFakeCodex } from './fake-codex';
import { startFakeGoogle } from './fake-google';
import { startFakeOAuth, type FakeIdentity, type FakeOAuth, type OAuthFlavour } from './fake-oauth';

export interface SignInFixture {
  provider: SignInProvider;
  oauth: FakeOAuth;
  /** Settings pointing the product at the fakes (any free loopback port). */
  settings: Partial<Settings>;
  /** Env variables doing the same, for the built service. */
  env: Record<string, string>;
  /** Registers an account upstream and makes it the next sign-in's identity. */
  addIdentity(email: string, n: number): FakeIdentity & { projectId?: string };
  close(): Promise<void>;
}

const FLAVOUR: Record<SignInProvider, OAuthFlavour> = { antigravity: 'google', 'gemini-cli': 'google', claude: 'claude', codex: 'codex' };

export function defaultClientOf(provider: SignInProvider): { id: string; secret?: string } {
  if (provider === 'claude') return { id: CLAUDE_CLIENT_ID };
  if (provider === 'codex') return { id: CODEX_CLIENT_ID };
  const c = GOOGLE_DEFAULT_CLIENTS[provider];
  return { id: c.id, secret: c.secret! };
}

export async function startSignInFixture(provider: SignInProvider): Promise<SignInFixture> {
  const flavour = FLAVOUR[provider];
  const client = defaultClientOf(provider);
  const oauth = await startFakeOAuth({ flavour, clientId: client.id, ...(client.secret ? { clientSecret: client.secret } : {}) });
  const family = flavour;
  const settings: Partial<Settings> = {
    oauthAuthorizeUrls: { [family]: oauth.authorizeUrl },
    oauthTokenUrls: { [family]: oauth.tokenUrl },
    oauthCallbackPorts: { [provider]: 0 },
    ...(flavour === 'google' ? { googleUserinfoUrl: oauth.userinfoUrl } : {}),
  };
  const F = family.toUpperCase();
  const env: Record<string, string> = {
    [`QUOTADECK_${F}_OAUTH_AUTHORIZE_URL`]: oauth.authorizeUrl,
    [`QUOTADECK_${F}_OAUTH_TOKEN_URL`]: oauth.tokenUrl,
    [`QUOTADECK_${provider.toUpperCase().replace(/-/g, '_')}_OAUTH_CALLBACK_PORT`]: '0',
    ...(flavour === 'google' ? { QUOTADECK_GOOGLE_USERINFO_URL: oauth.userinfoUrl } : {}),
  };
  const envBase = `QUOTADECK_${provider.toUpperCase().replace(/-/g, '_')}_BASE_URL`;
  let addIdentity: SignInFixture['addIdentity'];
  let closeUpstream: () => Promise<void>;
  if (flavour === 'google') {
    const g = await startFakeGoogle();
    settings.baseUrls = { [provider]: g.baseUrl };
    env[envBase] = g.baseUrl;
    closeUpstream = () => g.close();
    addIdentity = (email, n) => {
      const id = { email, refreshToken: `1//rt-${provider}-${n}`, accessToken: `ya29.at-${provider}-${n}`, projectId: `proj-${email.toLowerCase().replace(/[^a-z0-9]+/g, '-')}` };
      g.addAccount({
        refreshToken: id.refreshToken,
        accessToken: id.accessToken,
        projectId: id.projectId,
        paidTierId: 'g1-pro-tier',
        paidTierName: 'Google AI Pro',
        models: { 'gemini-2.5-pro': { remainingFraction: 0.42, resetTime: '2030-01-01T00:00:00Z' } },
      });
      oauth.setIdentity(id);
      return id;
    };
  } else if (flavour === 'claude') {
    const c = await startFakeClaude();
    settings.baseUrls = { claude: c.baseUrl };
    env[envBase] = c.baseUrl;
    closeUpstream = () => c.close();
    addIdentity = (email, n) => {
      const id = { email, refreshToken: `sk-ant-ort01-rt-${n}`, accessToken: `sk-ant-oat01-at-${n}` };
      c.addAccount({ refreshToken: id.refreshToken, accessToken: id.accessToken });
      oauth.setIdentity(id);
      return id;
    };
  } else {
    const x = await startFakeCodex();
    settings.baseUrls = { codex: x.baseUrl };
    env[envBase] = x.baseUrl;
    closeUpstream = () => x.close();
    addIdentity = (email, n) => {
      const acct = x.addAccount({ refreshToken: `rt-codex-${n}`, accountId: `acct-${n}`, email, planType: 'plus' });
      const id = { email, refreshToken: acct.refreshToken(), accessToken: acct.accessToken(), accountId: acct.accountId() };
      oauth.setIdentity(id);
      return id;
    };
  }
  return {
    provider,
    oauth,
    settings,
    env,
    addIdentity,
    close: async () => {
      await oauth.close();
      await closeUpstream();
    },
  };
}

/** Follows the authorize link like a browser: the provider's redirect, then the page it lands on. */
export async function browse(authorizeUrl: string): Promise<{ status: number; html: string; landedOn: string }> {
  const first = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = first.headers.get('location');
  if (first.status !== 302 || !location) throw new Error(`authorize answered ${first.status}`);
  if (!location.startsWith('http://')) return { status: 0, html: '', landedOn: location };
  const page = await fetch(location);
  return { status: page.status, html: await page.text(), landedOn: location };
}
