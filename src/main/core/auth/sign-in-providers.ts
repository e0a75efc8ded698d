// What each sign-in provider's public OAuth client expects: authorize and token endpoints,
// scopes, the loopback redirect it is registered for (a fixed port or any), the code-display
// page for paste flows, and how the token request is encoded. Facts and sources: docs/PROVIDERS.md.
import type { OAuthFamily, Settings, SignInProvider } from '../../../shared/types';
import { CLAUDE_CLIENT_ID, CLAUDE_TOKEN_URL } from '../providers/claude';
import { CODEX_CLIENT_ID, CODEX_TOKEN_URL } from '../providers/codex';
import { GOOGLE_TOKEN_URL, googleSignInClient, type OAuthClient } from '../providers/google-oauth';

export const GOOGLE_AUTHORIZE_URL = 'https://accounts.google.com/o/oauth2/v2/auth';
export const GOOGLE_USERINFO_URL = 'https://www.googleapis.com/oauth2/v2/userinfo';
export const CLAUDE_AUTHORIZE_URL = 'https://claude.ai/oauth/authorize';
export const CODEX_AUTHORIZE_URL = 'https://auth.openai.com/oauth/authorize';

const GOOGLE_SCOPES = ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/userinfo.email', 'https://www.googleapis.com/auth/userinfo.profile'];

export interface SignInProviderDef {
  provider: SignInProvider;
  family: OAuthFamily;
  /** "Google (Antigravity)", shown on the callback page and in messages. */
  displayName: string;
  defaultAuthorizeUrl: string;
  defaultTokenUrl: string;
  scopes: readonly string[];
  /** Host written in the redirect URI (the listener itself only ever binds 127.0.0.1). */
  redirectHost: 'localhost' | '127.0.0.1';
  callbackPath: string;
  /** The port the public client is registered for; null: any free port. */
  fixedPort: number | null;
  /** The provider's page that shows the code to paste, for paste flows; null: none. */
  pasteRedirectUri: string | null;
  extraParams: Readonly<Record<string, string>>;
  /** How the authorization_code grant is sent. */
  tokenEncoding: 'form' | 'json';
  /** Claude's token endpoint wants the state back in the grant. */
  stateInTokenRequest: boolean;
  client(settings: Settings): OAuthClient;
}

const google = {
  family: 'google',
  defaultAuthorizeUrl: GOOGLE_AUTHORIZE_URL,
  defaultTokenUrl: GOOGLE_TOKEN_URL,
  redirectHost: '127.0.0.1',
  fixedPort: null,
  // offline + consent: Google only returns a refresh token when asked this way.
  extraParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
  tokenEncoding: 'form',
  stateInTokenRequest: false,
} as const;

export const SIGN_IN_DEFS: Readonly<Record<SignInProvider, SignInProviderDef>> = {
  antigravity: {
    ...google,
    provider: 'antigravity',
    displayName: 'Google (Antigravity)',
    scopes: [...GOOGLE_SCOPES, 'https://www.googleapis.com/auth/cclog', 'https://www.googleapis.com/auth/experimentsandconfigs'],
    callbackPath: '/oauth-callback',
    pasteRedirectUri: null,
    client: (s) => googleSignInClient('antigravity', s),
  },
  'gemini-cli': {
    ...google,
    provider: 'gemini-cli',
    displayName: 'Google (Gemini CLI)',
    scopes: GOOGLE_SCOPES,
    callbackPath: '/oauth2callback',
    pasteRedirectUri: 'https://codeassist.google.com/authcode',
    client: (s) => googleSignInClient('gemini-cli', s),
  },
  claude: {
    provider: 'claude',
    family: 'claude',
    displayName: 'Claude',
    defaultAuthorizeUrl: CLAUDE_AUTHORIZE_URL,
    defaultTokenUrl: CLAUDE_TOKEN_URL,
    scopes: ['org:create_api_key', 'user:profile', 'user:inference'],
    redirectHost: 'localhost',
    callbackPath: '/callback',
    fixedPort: 54545,
    pasteRedirectUri: 'https://console.anthropic.com/oauth/code/callback',
    extraParams: { code: 'true' },
    tokenEncoding: 'json',
    stateInTokenRequest: true,
    client: () => ({ id: CLAUDE_CLIENT_ID, secret: null }),
  },
  codex: {
    provider: 'codex',
    family: 'codex',
    displayName: 'ChatGPT (Codex)',
    defaultAuthorizeUrl: CODEX_AUTHORIZE_URL,
    defaultTokenUrl: CODEX_TOKEN_URL,
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    redirectHost: 'localhost',
    callbackPath: '/auth/callback',
    fixedPort: 1455,
    pasteRedirectUri: null,
    extraParams: { id_token_add_organizations: 'true', codex_cli_simplified_flow: 'true' },
    tokenEncoding: 'form',
    stateInTokenRequest: false,
    client: () => ({ id: CODEX_CLIENT_ID, secret: null }),
  },
};

/** The endpoints in effect: settings (and their env overrides) first, then the defaults. */
export function endpointsFor(def: SignInProviderDef, s: Settings): { authorizeUrl: string; tokenUrl: string; userinfoUrl: string } {
  return {
    authorizeUrl: s.oauthAuthorizeUrls[def.family] ?? def.defaultAuthorizeUrl,
    tokenUrl: s.oauthTokenUrls[def.family] ?? def.defaultTokenUrl,
    userinfoUrl: s.googleUserinfoUrl ?? GOOGLE_USERINFO_URL,
  };
}

/** The loopback port to listen on: the setting (0: any), else the registered one, else any. */
export function callbackPortFor(def: SignInProviderDef, s: Settings): number {
  return s.oauthCallbackPorts[def.provider] ?? def.fixedPort ?? 0;
}

export function authorizeUrlFor(def: SignInProviderDef, base: string, o: { clientId: string; redirectUri: string; state: string; challenge: string }): string {
  const url = new URL(base);
  const params: Record<string, string> = {
    ...def.extraParams,
    client_id: o.clientId,
    response_type: 'code',
    redirect_uri: o.redirectUri,
    scope: def.scopes.join(' '),
    code_challenge: o.challenge,
    code_challenge_method: 'S256',
    state: o.state,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}
