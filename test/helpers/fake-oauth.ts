// A real HTTP fake of an OAuth 2.0 authorization server for browser sign-in (Google, Claude or
// Codex flavour): /authorize redirects to the caller's redirect_uri with a code and the state
// (or an error), /token checks client_id, client_secret, redirect_uri and the PKCE verifier
// against the challenge before it issues the tokens it was told to, and answers refresh grants
// (checking the client too); /userinfo answers the email for an issued access token.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeServerKit } from './fake-server-kit';
import { fakeJwt } from './fake-codex';

export type OAuthFlavour = 'google' | 'claude' | 'codex';

/** Who the next sign-in is, and the tokens to issue for it. */
export interface FakeIdentity {
  email: string;
  refreshToken: string;
  accessToken: string;
  /** Codex: chatgpt_account_id in the id_token. */
  accountId?: string;
  expiresIn?: number;
}

export type AuthorizeBehaviour = { kind: 'grant' } | { kind: 'deny' } | { kind: 'wrongState' } | { kind: 'noState' };
export type TokenBehaviour = { kind: 'normal' } | { kind: 'refuse'; status?: number; error?: string } | { kind: 'garbage' } | { kind: 'noEmail' };

export interface TokenCall {
  grantType: string;
  clientId: string | null;
  clientSecret: string | null;
  redirectUri: string | null;
  encoding: 'json' | 'form';
  /** What the fake found wrong with the request (null: accepted). */
  rejected: string | null;
}

export interface FakeOAuth {
  baseUrl: string;
  authorizeUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
  /** The next sign-in signs in as this identity (the same one until changed). */
  setIdentity(id: FakeIdentity): void;
  setAuthorizeBehaviour(b: AuthorizeBehaviour): void;
  setTokenBehaviour(b: TokenBehaviour): void;
  /** Adds a refresh token the token endpoint accepts, and the access token a refresh with it issues. */
  addRefreshToken(refreshToken: string, accessToken: string): void;
  /** Every authorize request's query. */
  authorizeRequests: URLSearchParams[];
  tokenCalls: TokenCall[];
  close(): Promise<void>;
}

const s256 = (v: string) => createHash('sha256').update(v).digest('base64url');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeOAuth(o: { flavour: OAuthFlavour; clientId: string; clientSecret?: string }): Promise<FakeOAuth> {
  const kit = fakeServerKit();
  let identity: FakeIdentity | null = null;
  let authorizeBehaviour: AuthorizeBehaviour = { kind: 'grant' };
  let tokenBehaviour: TokenBehaviour = { kind: 'normal' };
  const codes = new Map<string, { clientId: string; redirectUri: string; challenge: string; identity: FakeIdentity }>();
  const refreshTokens = new Map<string, { email: string; accessToken: string | null }>();
  const accessTokens = new Map<string, string>(); // access token -> email
  const authorizeRequests: URLSearchParams[] = [];
  const tokenCalls: TokenCall[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const json = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      if (req.method === 'GET' && url.pathname === '/authorize') {
        const q = url.searchParams;
        authorizeRequests.push(q);
        const redirectUri = q.get('redirect_uri');
        if (!redirectUri || q.get('client_id') !== o.clientId || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
          res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad authorize request');
          return;
        }
        const back = new URL(redirectUri);
        const state = q.get('state') ?? '';
        if (authorizeBehaviour.kind === 'deny') {
          back.searchParams.set('error', 'access_denied');
          back.searchParams.set('state', state);
        } else {
          if (!identity) throw new Error('fake OAuth: setIdentity() before signing in');
          const code = `code-${randomBytes(12).toString('hex')}`;
          codes.set(code, { clientId: q.get('client_id')!, redirectUri, challenge: q.get('code_challenge')!, identity });
          back.searchParams.set('code', code);
          if (authorizeBehaviour.kind === 'wrongState') back.searchParams.set('state', `${state}x`);
          else if (authorizeBehaviour.kind !== 'noState') back.searchParams.set('state', state);
        }
        res.writeHead(302, { Location: back.toString() }).end();
        return;
      }
      if (req.method === 'POST' && url.pathname === '/token') {
        const raw = await readBody(req);
        const isJson = (req.headers['content-type'] ?? '').includes('application/json');
        let p: Record<string, string> = {};
        try {
          p = isJson ? (JSON.parse(raw) as Record<string, string>) : Object.fromEntries(new URLSearchParams(raw));
        } catch {
          p = {};
        }
        const call: TokenCall = { grantType: p['grant_type'] ?? '', clientId: p['client_id'] ?? null, clientSecret: p['client_secret'] ?? null, redirectUri: p['redirect_uri'] ?? null, encoding: isJson ? 'json' : 'form', rejected: null };
        tokenCalls.push(call);
        const reject = (why: string, error = 'invalid_grant') => {
          call.rejected = why;
          json(400, { error, error_description: why });
        };
        if (p['client_id'] !== o.clientId) return reject(`client_id ${p['client_id']}`, 'invalid_client');
        if (o.clientSecret !== undefined && p['client_secret'] !== o.clientSecret) return reject('client_secret', 'invalid_client');
        if (p['grant_type'] === 'refresh_token') {
          const known = refreshTokens.get(p['refresh_token'] ?? '');
          if (known === undefined) return reject('unknown refresh token');
          const access = known.accessToken ?? `at-${randomBytes(8).toString('hex')}`;
          accessTokens.set(access, known.email);
          return json(200, { access_token: access, expires_in: 3600, token_type: 'Bearer' });
        }
        if (p['grant_type'] !== 'authorization_code') return reject('grant_type', 'unsupported_grant_type');
        const issued = codes.get(p['code'] ?? '');
        if (!issued) return reject('unknown or used code');
        codes.delete(p['code']!);
        if (p['redirect_uri'] !== issued.redirectUri) return reject('redirect_uri does not match');
        if (!p['code_verifier'] || s256(p['code_verifier']) !== issued.challenge) return reject('PKCE verifier does not match the challenge');
        if (o.flavour === 'claude' && !p['state']) return reject('state missing', 'invalid_request');
        if (tokenBehaviour.kind === 'refuse') return reject('told to refuse', tokenBehaviour.error ?? 'invalid_grant');
        if (tokenBehaviour.kind === 'garbage') {
          res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>not json</html>');
          return;
        }
        const id = issued.identity;
        refreshTokens.set(id.refreshToken, { email: id.email, accessToken: null });
        accessTokens.set(id.accessToken, id.email);
        const answer: Record<string, unknown> = { access_token: id.accessToken, refresh_token: id.refreshToken, expires_in: id.expiresIn ?? 3600, token_type: 'Bearer' };
        const email = tokenBehaviour.kind === 'noEmail' ? undefined : id.email;
        if (o.flavour === 'claude') answer['account'] = { uuid: 'acct-uuid', email_address: email };
        if (o.flavour === 'codex') {
          answer['id_token'] = fakeJwt({ email, 'https://api.openai.com/auth': { chatgpt_account_id: tokenBehaviour.kind === 'noEmail' ? undefined : id.accountId }, exp: Math.floor(Date.now() / 1000) + 3600 });
        }
        if (o.flavour === 'google') answer['scope'] = 'openid email';
        return json(200, answer);
      }
      if (req.method === 'GET' && url.pathname === '/userinfo') {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const email = token === undefined ? undefined : accessTokens.get(token);
        if (email === undefined || tokenBehaviour.kind === 'noEmail') return json(401, { error: 'invalid_token' });
        return json(200, { id: '1234', email, verified_email: true });
      }
      res.writeHead(404).end();
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(err));
    });
  });
  kit.track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    authorizeUrl: `${baseUrl}/authorize`,
    tokenUrl: `${baseUrl}/token`,
    userinfoUrl: `${baseUrl}/userinfo`,
    setIdentity: (id) => (identity = id),
    setAuthorizeBehaviour: (b) => (authorizeBehaviour = b),
    setTokenBehaviour: (b) => (tokenBehaviour = b),
    addRefreshToken: (rt, at) => refreshTokens.set(rt, { email: 'someone@example.com', accessToken: at }),
    authorizeRequests,
    tokenCalls,
    close: () => kit.close(server),
  };
}
