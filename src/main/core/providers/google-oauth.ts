// Google OAuth refresh (refresh_token grant). invalid_grant means the refresh token is dead:
// the account is marked and no longer polled. The OAuth client is the account's own (an import
// field, or the one it signed in with), else the googleClientId setting, else the public
// installed-app client of the official tool the provider belongs to (Gemini CLI, Antigravity).
import { z } from 'zod';
import type { ProviderId, Settings } from '../../../shared/types';
import type { Credentials } from '../model';
import type { ProviderAdapter, ProviderContext } from './provider-adapter';
import { badResponse, httpRequest, parseRetryAfter } from './http';
import { ProviderError } from './provider-error';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface OAuthClient {
  id: string;
  secret: string | null;
}

/**
 * The public installed-app clients the official open-source tools publish (Google documents that
 * an installed app's secret is not a secret). Sources are in docs/PROVIDERS.md.
 */
export const GOOGLE_DEFAULT_CLIENTS: Readonly<Record<'antigravity' | 'gemini-cli', OAuthClient>> = {
  // Antigravity (as published by CLIProxyAPI internal/auth/antigravity/constants.go and the Antigravity tools).
  antigravity: { id: '1071006060591-tmhssin2h21lcre235vtolojh4g403ep.apps.googleusercontent.com', secret: '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' },
  // Gemini CLI (google-gemini/gemini-cli packages/core/src/code_assist/oauth2.ts).
  'gemini-cli': { id: '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com', secret: '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' },
};

/** Secrets of public clients an imported account may name by id alone (the Antigravity IDE's second client too). */
const KNOWN_SECRETS = new Map<string, string>([
  ...Object.values(GOOGLE_DEFAULT_CLIENTS).map((c) => [c.id, c.secret!] as [string, string]),
  ['884354919052-36trc1jjb3tguiac32ov6cod268c5blh.apps.googleusercontent.com', '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'],
]);

/** The default client of a Google provider (Gemini CLI's for gemini-cli, Antigravity's otherwise). */
export function defaultGoogleClient(provider: ProviderId): OAuthClient {
  return provider === 'gemini-cli' ? GOOGLE_DEFAULT_CLIENTS['gemini-cli'] : GOOGLE_DEFAULT_CLIENTS.antigravity;
}

/** The client the settings choose for new sign-ins: the googleClientId setting, else the provider's default. */
export function googleSignInClient(provider: ProviderId, settings: Pick<Settings, 'googleClientId' | 'googleClientSecret'>): OAuthClient {
  if (settings.googleClientId) return { id: settings.googleClientId, secret: settings.googleClientSecret ?? KNOWN_SECRETS.get(settings.googleClientId) ?? null };
  return defaultGoogleClient(provider);
}

/** The client an account's tokens were issued to: its own, else the one the settings choose. */
export function googleClientFor(provider: ProviderId, settings: Pick<Settings, 'googleClientId' | 'googleClientSecret'>, c: Credentials): OAuthClient {
  if (c.clientId) {
    const fromSettings = settings.googleClientId === c.clientId ? settings.googleClientSecret : null;
    return { id: c.clientId, secret: c.clientSecret ?? fromSettings ?? KNOWN_SECRETS.get(c.clientId) ?? null };
  }
  return googleSignInClient(provider, settings);
}

/** Refresh this long before expiry (peers use 5–15 min). */
export const REFRESH_SKEW_MS = 5 * 60 * 1000;

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
});

export function googleNeedsRefresh(c: Credentials, now: number): boolean {
  if (!c.accessToken) return true;
  return c.accessTokenExpiresAt !== undefined && c.accessTokenExpiresAt - REFRESH_SKEW_MS <= now;
}

export async function refreshGoogleToken(ctx: ProviderContext): Promise<Credentials> {
  const { credentials: c, settings } = ctx;
  if (!c.refreshToken) {
    throw new ProviderError({ kind: 'permanent', code: 'no_refresh_token', accountStatus: 'invalid_credentials', message: 'No refresh token stored for this account' });
  }
  const client = googleClientFor(ctx.account.provider, settings, c);
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.refreshToken, client_id: client.id });
  if (client.secret) form.set('client_secret', client.secret);
  const res = await httpRequest(ctx.fetch, ctx.oauthTokenUrl ?? GOOGLE_TOKEN_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: form.toString(),
    signal: ctx.signal,
  });
  const body = res.json as { error?: unknown; error_description?: unknown } | undefined;
  if (res.status === 200) {
    const ok = tokenAnswer.safeParse(res.json);
    if (!ok.success) throw badResponse('the OAuth token endpoint', res.status);
    const next: Credentials = { ...c, accessToken: ok.data.access_token };
    if (ok.data.expires_in) next.accessTokenExpiresAt = ctx.now() + ok.data.expires_in * 1000;
    else delete next.accessTokenExpiresAt;
    if (ok.data.refresh_token) next.refreshToken = ok.data.refresh_token;
    return next;
  }
  // Only a plain error code is shown; free text from the upstream never reaches the message.
  const code = typeof body?.error === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(body.error) ? body.error : null;
  if (code === 'invalid_grant') {
    throw new ProviderError({
      kind: 'permanent',
      code: 'invalid_grant',
      status: res.status,
      accountStatus: 'invalid_credentials',
      message: 'The refresh token was expired or revoked; sign in again and re-import this account',
    });
  }
  if (res.status >= 500 || res.status === 429) {
    throw new ProviderError({ kind: 'transient', code: 'oauth_unavailable', status: res.status, retryAt: parseRetryAfter(res.headers.get('retry-after'), ctx.now()), message: `OAuth token endpoint error ${res.status}` });
  }
  throw new ProviderError({ kind: 'transient', code: code ?? `oauth_http_${res.status}`, status: res.status, message: `OAuth token refresh failed (${code ?? `HTTP ${res.status}`})` });
}

/**
 * What every Google Code Assist adapter (Antigravity, Gemini CLI) shares: OAuth with Google's
 * token endpoint, the v1internal host, polled, and models listed by the upstream itself.
 */
export const GOOGLE_CODE_ASSIST = {
  auth: 'oauth',
  defaultBaseUrl: 'https://cloudcode-pa.googleapis.com',
  oauthFamily: 'google',
  pollable: true,
  defaultModels: [],
  needsRefresh: googleNeedsRefresh,
  refreshCredentials: refreshGoogleToken,
} as const satisfies Partial<ProviderAdapter>;
