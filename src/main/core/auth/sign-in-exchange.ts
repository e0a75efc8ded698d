// The end of a browser sign-in: trade the code (with the PKCE verifier) for tokens, then learn who
// signed in — Google from its userinfo endpoint, Claude from the token answer (or its profile
// endpoint), Codex from the id_token's claims. Upstream free text never reaches a message, and
// nothing here logs a code or a token.
import { z } from 'zod';
import type { Settings } from '../../../shared/types';
import type { Credentials } from '../model';
import type { FetchFn } from '../ports';
import { chatgptAccountIdFromJwt, decodeJwtPayload, jwtExpiresAt } from '../providers/codex';
import { httpRequest, type HttpResult } from '../providers/http';
import { USER_AGENT } from '../providers/provider-adapter';
import { endpointsFor, type SignInProviderDef } from './sign-in-providers';

/** A sign-in that cannot finish: a stable code and a message for people. */
export class SignInError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

export interface SignedIn {
  email: string | null;
  credentials: Credentials;
}

export interface ExchangeInput {
  def: SignInProviderDef;
  settings: Settings;
  code: string;
  state: string;
  verifier: string;
  redirectUri: string;
  fetch: FetchFn;
  now: number;
  signal: AbortSignal;
}

const tokenAnswer = z
  .object({
    access_token: z.string().min(1),
    refresh_token: z.string().min(1).optional(),
    id_token: z.string().min(1).optional(),
    expires_in: z.coerce.number().positive().optional(),
    account: z.object({ email_address: z.string().optional(), uuid: z.string().optional() }).passthrough().nullable().optional(),
  })
  .passthrough();

const SAFE_CODE = /^[A-Za-z0-9_.-]{1,64}$/;
const emailSchema = z.string().trim().toLowerCase().email().max(320);

function safeEmail(v: unknown): string | null {
  const r = emailSchema.safeParse(v);
  return r.success ? r.data : null;
}

function oauthErrorCode(json: unknown): string | null {
  const e = (json as { error?: unknown } | undefined)?.error;
  const code = typeof e === 'string' ? e : (e as { type?: unknown; code?: unknown } | undefined)?.code ?? (e as { type?: unknown } | undefined)?.type;
  return typeof code === 'string' && SAFE_CODE.test(code) ? code : null;
}

async function request(what: string, fetchFn: FetchFn, url: string, init: RequestInit & { signal: AbortSignal }): Promise<HttpResult> {
  try {
    return await httpRequest(fetchFn, url, init);
  } catch (err) {
    throw new SignInError('network_error', `${what} could not be reached (${(err as { code?: string }).code ?? 'network error'})`);
  }
}

export async function exchangeCode(x: ExchangeInput): Promise<SignedIn> {
  const { def, settings } = x;
  const client = def.client(settings);
  const { tokenUrl } = endpointsFor(def, settings);
  const grant: Record<string, string> = {
    grant_type: 'authorization_code',
    code: x.code,
    redirect_uri: x.redirectUri,
    client_id: client.id,
    code_verifier: x.verifier,
  };
  if (client.secret) grant['client_secret'] = client.secret;
  if (def.stateInTokenRequest) grant['state'] = x.state;
  const json = def.tokenEncoding === 'json';
  const res = await request(`${def.displayName}'s token endpoint`, x.fetch, tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded', Accept: 'application/json', 'User-Agent': USER_AGENT },
    body: json ? JSON.stringify(grant) : new URLSearchParams(grant).toString(),
    signal: x.signal,
  });
  if (res.status !== 200) {
    const code = oauthErrorCode(res.json);
    throw new SignInError('token_exchange_failed', `${def.displayName} refused the sign-in code (${code ?? `HTTP ${res.status}`}); start the sign-in again`);
  }
  const parsed = tokenAnswer.safeParse(res.json);
  if (!parsed.success) throw new SignInError('bad_response', `${def.displayName}'s token endpoint gave an answer QuotaDeck cannot read (HTTP ${res.status})`);
  const t = parsed.data;
  if (!t.refresh_token) {
    throw new SignInError('no_refresh_token', `${def.displayName} did not grant offline access (no refresh token); remove QuotaDeck's access in your account settings and sign in again`);
  }
  const credentials: Credentials = { refreshToken: t.refresh_token, accessToken: t.access_token };
  const expiresAt = t.expires_in ? x.now + t.expires_in * 1000 : jwtExpiresAt(t.access_token);
  if (expiresAt !== null) credentials.accessTokenExpiresAt = expiresAt;
  // Tokens are bound to the client that asked for them: refreshes must use the same one.
  credentials.clientId = client.id;
  if (client.secret) credentials.clientSecret = client.secret;
  if (def.family === 'google') {
    return { email: await googleEmail(x, t.access_token), credentials };
  }
  if (def.family === 'codex') {
    if (t.id_token) credentials.idToken = t.id_token;
    const accountId = chatgptAccountIdFromJwt(t.id_token) ?? chatgptAccountIdFromJwt(t.access_token);
    if (accountId) credentials.accountId = accountId;
    const claims = decodeJwtPayload(t.id_token) ?? {};
    const profile = claims['https://api.openai.com/profile'] as { email?: unknown } | undefined;
    const email = safeEmail(claims['email']) ?? safeEmail(profile?.email);
    if (!email && !accountId) throw new SignInError('identity_unknown', 'ChatGPT did not say which account signed in (no email or account id in the id_token)');
    return { email, credentials };
  }
  const email = safeEmail(t.account?.email_address) ?? (await claudeProfileEmail(x, t.access_token));
  if (!email) throw new SignInError('identity_unknown', 'Claude did not say which account signed in (no email in the answer or the profile)');
  return { email, credentials };
}

async function googleEmail(x: ExchangeInput, accessToken: string): Promise<string> {
  const { userinfoUrl } = endpointsFor(x.def, x.settings);
  const res = await request('Google userinfo', x.fetch, userinfoUrl, {
    method: 'GET',
    headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json', 'User-Agent': USER_AGENT },
    signal: x.signal,
  });
  const email = res.status === 200 ? safeEmail((res.json as { email?: unknown } | undefined)?.email) : null;
  if (!email) throw new SignInError('identity_unknown', `Google did not say which account signed in (userinfo answered HTTP ${res.status} without an email)`);
  return email;
}

/** Claude's profile endpoint, asked only when the token answer carries no email. */
async function claudeProfileEmail(x: ExchangeInput, accessToken: string): Promise<string | null> {
  const base = (x.settings.baseUrls.claude ?? 'https://api.anthropic.com').replace(/\/+$/, '');
  const res = await request('Claude profile', x.fetch, `${base}/api/oauth/profile`, {
    method: 'GET',
    headers: { Authorization: `Bearer ${accessToken}`, 'anthropic-beta': 'oauth-2025-04-20', Accept: 'application/json', 'User-Agent': USER_AGENT },
    signal: x.signal,
  });
  const account = (res.json as { account?: { email?: unknown; email_address?: unknown } } | undefined)?.account;
  return res.status === 200 ? (safeEmail(account?.email) ?? safeEmail(account?.email_address)) : null;
}
