// Google OAuth refresh (refresh_token grant). invalid_grant means the refresh token is dead:
// the account is marked and no longer polled. Client id/secret are settings, never hard-coded.
import { z } from 'zod';
import type { Credentials } from '../model';
import type { ProviderAdapter, ProviderContext } from './provider-adapter';
import { badResponse, httpRequest, parseRetryAfter } from './http';
import { ProviderError } from './provider-error';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

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
  if (!settings.googleClientId) {
    throw new ProviderError({
      kind: 'transient',
      code: 'oauth_client_missing',
      message: 'Google OAuth client id is not set (setting googleClientId or QUOTADECK_GOOGLE_CLIENT_ID)',
    });
  }
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.refreshToken, client_id: settings.googleClientId });
  if (settings.googleClientSecret) form.set('client_secret', settings.googleClientSecret);
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
  const code = typeof body?.error === 'string' ? body.error : null;
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
