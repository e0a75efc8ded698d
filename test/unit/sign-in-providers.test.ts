// What each provider's sign-in sends (client, scopes, redirect, extra parameters), which port it
// listens on by default, and how a pasted code is read.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/main/core/settings-store';
import { authorizeUrlFor, callbackPortFor, endpointsFor, SIGN_IN_DEFS } from '../../src/main/core/auth/sign-in-providers';
import { parsePastedCode } from '../../src/main/core/auth/sign-in-service';
import { createPkce, s256 } from '../../src/main/core/auth/pkce';

describe('sign-in providers', () => {
  it('listen on the port their public client is registered for, else any; a setting overrides', () => {
    expect(callbackPortFor(SIGN_IN_DEFS.codex, DEFAULT_SETTINGS)).toBe(1455);
    expect(callbackPortFor(SIGN_IN_DEFS.claude, DEFAULT_SETTINGS)).toBe(54545);
    expect(callbackPortFor(SIGN_IN_DEFS.antigravity, DEFAULT_SETTINGS)).toBe(0);
    expect(callbackPortFor(SIGN_IN_DEFS['gemini-cli'], DEFAULT_SETTINGS)).toBe(0);
    expect(callbackPortFor(SIGN_IN_DEFS.codex, { ...DEFAULT_SETTINGS, oauthCallbackPorts: { codex: 0 } })).toBe(0);
  });

  it('build authorize links with the default public clients, S256 and each provider\'s own parameters', () => {
    const link = (p: keyof typeof SIGN_IN_DEFS) => {
      const def = SIGN_IN_DEFS[p];
      const u = new URL(authorizeUrlFor(def, endpointsFor(def, DEFAULT_SETTINGS).authorizeUrl, { clientId: def.client(DEFAULT_SETTINGS).id, redirectUri: 'http://127.0.0.1:1/cb', state: 'st', challenge: 'ch' }));
      return { origin: `${u.origin}${u.pathname}`, q: Object.fromEntries(u.searchParams) };
    };
    expect(link('gemini-cli')).toEqual({
      origin: 'https://accounts.google.com/o/oauth2/v2/auth',
      q: expect.objectContaining({ client_id: '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com', access_type: 'offline', prompt: 'consent', code_challenge_method: 'S256', code_challenge: 'ch', state: 'st', response_type: 'code' }),
    });
    expect(link('antigravity').q.scope).toContain('https://www.googleapis.com/auth/cclog');
    expect(link('antigravity').q.client_id).toBe('1071006060591-tmhssin2h21lcre235vtolojh4g403ep.apps.googleusercontent.com');
    expect(link('claude')).toEqual({ origin: 'https://claude.ai/oauth/authorize', q: expect.objectContaining({ code: 'true', client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e', scope: 'org:create_api_key user:profile user:inference' }) });
    expect(link('codex')).toEqual({
      origin: 'https://auth.openai.com/oauth/authorize',
      q: expect.objectContaining({ client_id: 'app_EMoamEEZ73f0CkXaXp7hrann', scope: 'openid profile email offline_access', codex_cli_simplified_flow: 'true', id_token_add_organizations: 'true' }),
    });
  });

  it('endpoints follow the settings (and so their environment overrides)', () => {
    const s = { ...DEFAULT_SETTINGS, oauthAuthorizeUrls: { google: 'http://127.0.0.1:9/authorize' }, oauthTokenUrls: { google: 'http://127.0.0.1:9/token' }, googleUserinfoUrl: 'http://127.0.0.1:9/userinfo' };
    expect(endpointsFor(SIGN_IN_DEFS.antigravity, s)).toEqual({ authorizeUrl: 'http://127.0.0.1:9/authorize', tokenUrl: 'http://127.0.0.1:9/token', userinfoUrl: 'http://127.0.0.1:9/userinfo' });
    expect(endpointsFor(SIGN_IN_DEFS.codex, s).tokenUrl).toBe('https://auth.openai.com/oauth/token');
  });

  it('PKCE: a fresh 43-character verifier each time, with its S256 challenge', () => {
    const a = createPkce();
    const b = createPkce();
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.verifier).not.toBe(b.verifier);
    expect(a.challenge).toBe(s256(a.verifier));
    // RFC 7636 appendix B.
    expect(s256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('reads a pasted code alone, code#state, or the whole address the browser ended on', () => {
    expect(parsePastedCode(' abc ')).toEqual({ code: 'abc', state: null, error: null });
    expect(parsePastedCode('abc#st')).toEqual({ code: 'abc', state: 'st', error: null });
    expect(parsePastedCode('http://localhost:1455/auth/callback?code=abc&state=st')).toEqual({ code: 'abc', state: 'st', error: null });
    expect(parsePastedCode('http://127.0.0.1:5/oauth-callback?error=access_denied&state=st')).toEqual({ code: null, state: 'st', error: 'access_denied' });
  });
});
