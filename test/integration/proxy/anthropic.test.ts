// The proxy with the real `@anthropic-ai/sdk` client pointed at it: Anthropic API-key accounts
// (x-api-key) and Claude subscription accounts (OAuth bearer + anthropic-beta), streaming and
// not, token counting, and the 401 → refresh → retry path against the fake OAuth endpoint.
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startProxyHarness, type ProxyHarness } from '../../helpers/proxy-harness';

const MODEL = 'claude-proxy-test';
const API_KEY = 'sk-ant-api03-upstream-aaaaaaaaaaaa';
const messages = [{ role: 'user' as const, content: 'hi' }];

let ph: ProxyHarness;
let client: Anthropic;

beforeEach(async () => {
  ph = await startProxyHarness();
  client = new Anthropic({ baseURL: ph.proxy.url, apiKey: ph.key, maxRetries: 0 });
});
afterEach(async () => {
  await ph.close();
});

describe('proxy — Anthropic routes', () => {
  it('relays a message to an API-key account with x-api-key and the client\'s anthropic-version', async () => {
    ph.llm.addKey({ key: API_KEY, reply: ['Hel', 'lo'] });
    const [acc] = await ph.importAccounts([{ provider: 'anthropic', label: 'Team key', apiKey: API_KEY }]);

    const { data, response } = await client.messages.create({ model: MODEL, max_tokens: 16, messages }).withResponse();
    expect(data.content).toEqual([{ type: 'text', text: 'Hello' }]);
    expect(data.usage).toMatchObject({ input_tokens: 8, output_tokens: 2 });
    expect(response.headers.get('x-quotadeck-account')).toBe(`anthropic/Tea*** (${acc!.id.slice(0, 8)})`);
    expect(response.headers.get('request-id')).toMatch(/^req_fake/);

    const up = ph.llm.requests[0]!;
    expect(up.path).toBe('/v1/messages');
    expect(up.headers['x-api-key']).toBe(API_KEY);
    // Whatever version the SDK speaks is passed through untouched.
    expect(up.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(up.headers.authorization).toBeUndefined();
    expect(JSON.stringify(up.headers)).not.toContain(ph.key);
    expect(ph.ledger.settled()[0]).toMatchObject({ route: 'anthropic.messages', provider: 'anthropic', status: 'completed', inputTokens: 8, outputTokens: 2 });
  });

  it('streams events in order and records the tokens of message_start + message_delta', async () => {
    ph.llm.addKey({ key: API_KEY, reply: ['one ', 'two ', 'three'] });
    await ph.importAccounts([{ provider: 'anthropic', apiKey: API_KEY }]);

    const stream = await client.messages.create({ model: MODEL, max_tokens: 16, messages, stream: true });
    const types: string[] = [];
    const text: string[] = [];
    for await (const e of stream) {
      types.push(e.type);
      if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text.push(e.delta.text);
    }
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(text).toEqual(['one ', 'two ', 'three']);
    expect(await ph.ledger.waitFor(() => true)).toMatchObject({ status: 'completed', httpStatus: 200, inputTokens: 8, outputTokens: 3 });

    // The SDK's stream helper over the same route.
    const final = await client.messages.stream({ model: MODEL, max_tokens: 16, messages }).finalMessage();
    expect(final.content).toHaveLength(1);
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'one two three' });
    expect(final.usage.output_tokens).toBe(3);
  });

  it('counts tokens through /v1/messages/count_tokens without booking tokens', async () => {
    ph.llm.addKey({ key: API_KEY });
    await ph.importAccounts([{ provider: 'anthropic', apiKey: API_KEY }]);
    const r = await client.messages.countTokens({ model: MODEL, messages });
    expect(r.input_tokens).toBe(8);
    expect(ph.llm.requests[0]!.path).toBe('/v1/messages/count_tokens');
    expect(ph.ledger.settled()[0]).toMatchObject({ route: 'anthropic.count_tokens', status: 'completed', httpStatus: 200 });
  });

  it('Claude OAuth: a 401 refreshes the token once and retries; the retry carries the new bearer and the oauth beta', async () => {
    const fc = ph.claude.addAccount({ refreshToken: 'sk-ant-ort01-refresh-one' });
    ph.llm.addKey({ key: 'claude-subscription', bearerToken: () => fc.accessToken() });
    // Imported with an access token the upstream no longer takes (it looks unexpired).
    const [acc] = await ph.importAccounts([{ provider: 'claude', email: 'claude.user@example.com', refreshToken: 'sk-ant-ort01-refresh-one', accessToken: 'sk-ant-oat01-stale-token', expiresAt: '2099-01-01T00:00:00Z' }]);

    const { data, response } = await client.messages.create({ model: MODEL, max_tokens: 16, messages }, { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } }).withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text', text: 'Hi' });
    expect(response.headers.get('x-quotadeck-attempts')).toBe('2');
    expect(response.headers.get('x-quotadeck-account')).toBe(`claude/c***@example.com (${acc!.id.slice(0, 8)})`);

    expect(fc.callCount('/v1/oauth/token')).toBe(1);
    const [stale, fresh] = ph.llm.requests;
    expect(stale!.headers.authorization).toBe('Bearer sk-ant-oat01-stale-token');
    expect(stale!.status).toBe(401);
    expect(fresh!.headers.authorization).toBe(`Bearer ${fc.accessToken()}`);
    expect(fresh!.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14,oauth-2025-04-20');
    expect(fresh!.headers['x-api-key']).toBeUndefined();
    // The refreshed (rotated) credentials were kept.
    expect(ph.h.app.services.store.credentials(acc!.id)).toMatchObject({ accessToken: fc.accessToken(), refreshToken: fc.refreshToken() });
    expect(ph.h.app.services.store.require(acc!.id).status).toBe('active');

    const rows = ph.ledger.settled();
    expect(rows.map((r) => [r.attempt, r.accountId, r.status, r.httpStatus])).toEqual([
      [1, acc!.id, 'failed', 401],
      [2, acc!.id, 'completed', 200],
    ]);
    const log = ph.h.logger.lines.join('\n');
    expect(log).not.toContain(fc.accessToken());
    expect(log).not.toContain('sk-ant-oat01-stale-token');
  });

  it('Claude OAuth: a dead refresh token marks the account invalid and the request moves on', async () => {
    const fc = ph.claude.addAccount({ refreshToken: 'sk-ant-ort01-refresh-dead' });
    fc.revokeRefreshToken();
    ph.llm.addKey({ key: 'claude-subscription', bearerToken: () => fc.accessToken() });
    ph.llm.addKey({ key: API_KEY });
    const [oauth, keyed] = await ph.importAccounts([
      { provider: 'claude', email: 'dead@example.com', refreshToken: 'sk-ant-ort01-refresh-dead', accessToken: 'sk-ant-oat01-stale-2', expiresAt: '2099-01-01T00:00:00Z', tier: 'ultra' },
      { provider: 'anthropic', apiKey: API_KEY, tier: 'free' },
    ]);
    const { response } = await client.messages.create({ model: MODEL, max_tokens: 16, messages }).withResponse();
    expect(response.headers.get('x-quotadeck-account')).toContain(keyed!.id.slice(0, 8));
    expect(ph.h.app.services.store.require(oauth!.id).status).toBe('invalid_credentials');
    expect(ph.ledger.settled().map((r) => [r.accountId, r.httpStatus])).toEqual([[oauth!.id, 401], [keyed!.id, 200]]);
  });

  it('a 401 on an API key (nothing to refresh) marks it invalid and retries on the next account', async () => {
    ph.llm.addKey({ key: API_KEY });
    const [dead, ok] = await ph.importAccounts([
      { provider: 'anthropic', apiKey: 'sk-ant-api03-revoked-bbbbbbbb', tier: 'pro' },
      { provider: 'anthropic', apiKey: API_KEY, tier: 'free' },
    ]);
    const m = await client.messages.create({ model: MODEL, max_tokens: 16, messages });
    expect(m.content[0]).toMatchObject({ text: 'Hi' });
    expect(ph.h.app.services.store.require(dead!.id).status).toBe('invalid_credentials');
    expect(ph.h.app.services.store.require(ok!.id).status).toBe('active');
  });

  it('a 429 with anthropic-ratelimit headers locks the key and the request is served by the next one', async () => {
    ph.llm.addKey({ key: 'sk-ant-api03-limited-cccccccc', limits: { requests: { limit: 50, remaining: 0, resetMs: 40_000 } } });
    ph.llm.addKey({ key: API_KEY });
    const [first, second] = await ph.importAccounts([
      { provider: 'anthropic', apiKey: 'sk-ant-api03-limited-cccccccc', tier: 'pro' },
      { provider: 'anthropic', apiKey: API_KEY, tier: 'free' },
    ]);
    const before = Date.now();
    const { response } = await client.messages.create({ model: MODEL, max_tokens: 16, messages }).withResponse();
    expect(response.headers.get('x-quotadeck-account')).toContain(second!.id.slice(0, 8));
    const lock = ph.h.app.services.engine.listLocks().find((l) => l.accountId === first!.id)!;
    expect(Date.parse(lock.lockedUntil)).toBeGreaterThanOrEqual(before + 39_000);
    // Key-wide reading: every model of that key is exhausted until the reset.
    expect(ph.h.app.services.engine.decision(first!.id, 'claude-opus-4-1').kind).toBe('exhausted');
  });
});
