// quota:probe through the contract: plain API keys (OpenAI-compatible with the account's own
// base URL, the Anthropic API through the provider setting) learn their limits from one minimal
// real request; the readings land like a poll's and the selector uses them. A 429 is "0 left
// until the retry time", a 401 kills the key, and providers that are polled refuse to probe.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView, ImportReport, QuotaView, SelectionView } from '../../src/shared/types';
import { startFakeLlmApi, type FakeLlmApi } from '../helpers/fake-llm-api';
import { call, FakeClock, makeHarness, type Harness } from '../helpers/harness';

const OPENAI_KEY = 'sk-proj-probe-healthy-0123456789abcdef';
const LIMITED_KEY = 'sk-proj-probe-limited-0123456789abcdef';
const DEAD_KEY = 'sk-proj-probe-revoked-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-api03-probe-0123456789abcdef';
const SEC = 1000;

let llm: FakeLlmApi;
let h: Harness | undefined;
let clock: FakeClock; // on a whole second: Anthropic's RFC 3339 resets carry no milliseconds

beforeEach(async () => {
  clock = new FakeClock();
  llm = await startFakeLlmApi({ now: () => clock.now() });
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await llm.close();
});

const iso = (t: number) => new Date(t).toISOString();

async function start(): Promise<void> {
  h = await makeHarness({
    clock,
    overrides: {
      // OpenAI's setting points nowhere (port 1 refuses): only the account's own base URL can work.
      // Antigravity and Google's token endpoint point at the LLM fake, which records any stray call.
      baseUrls: { openai: 'http://127.0.0.1:1/v1', anthropic: llm.anthropicBaseUrl, antigravity: llm.baseUrl },
      oauthTokenUrls: { google: `${llm.baseUrl}/token` },
      googleClientId: 'test-client-id.apps.example',
    },
  });
}

async function importAccounts(accounts: Record<string, unknown>[]): Promise<Record<string, string>> {
  const r = await call<ImportReport>(h!.app, 'accounts:import', { accounts });
  return Object.fromEntries(r.accounts.map((a) => [a.label, a.id]));
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; details?: unknown }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string; details?: unknown };
  }
  throw new Error('expected the call to fail');
}

describe('quota:probe', () => {
  it('reads OpenAI and Anthropic rate-limit headers into readings the selector then uses', async () => {
    await start();
    llm.addKey({ key: OPENAI_KEY, limits: {
      requests: { limit: 100, remaining: 61, resetMs: 60 * SEC },
      tokens: { limit: 10_000, remaining: 9_009, resetMs: 30 * SEC },
    } });
    llm.addKey({ key: ANTHROPIC_KEY, limits: {
      requests: { limit: 50, remaining: 41, resetMs: 60 * SEC },
      tokens: { limit: 100_000, remaining: 90_009, resetMs: 30 * SEC },
    } });
    const ids = await importAccounts([
      { provider: 'openai', label: 'openai', apiKey: OPENAI_KEY, baseUrl: llm.openaiBaseUrl },
      { provider: 'anthropic', label: 'anthropic', apiKey: ANTHROPIC_KEY },
    ]);
    // Nothing is known before a probe.
    expect(await call<QuotaView[]>(h!.app, 'quota:list')).toEqual([]);

    const openai = await call<QuotaView[]>(h!.app, 'quota:probe', { accountId: ids.openai, model: 'gpt-4o' });
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests[0]).toMatchObject({ family: 'openai', path: '/v1/chat/completions', status: 200 });
    expect(llm.requests[0]!.body).toMatchObject({ model: 'gpt-4o', max_tokens: 1 });
    // After the probe: 60 of 100 requests (0.6) and 9 000 of 10 000 tokens left: requests bind.
    expect(openai).toEqual([expect.objectContaining({
      accountId: ids.openai, model: 'gpt-4o', remainingFraction: 0.6, resetAt: iso(clock.now() + 60 * SEC),
      window: 'requests', limit: 100, remaining: 60, source: 'poll', stale: false, ageMs: 0,
      decision: { kind: 'proceed', remainingFraction: 0.6, resetAt: iso(clock.now() + 60 * SEC), reason: null },
    })]);

    const anthropic = await call<QuotaView[]>(h!.app, 'quota:probe', { accountId: ids.anthropic, model: 'claude-sonnet-4-5' });
    expect(llm.requests).toHaveLength(2);
    expect(llm.requests[1]).toMatchObject({ family: 'anthropic', path: '/v1/messages', status: 200 });
    expect(llm.requests[1]!.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    // Anthropic's limits are per key: the model's reading and a key-wide "*" one.
    const expected = { remainingFraction: 0.8, resetAt: iso(clock.now() + 60 * SEC), window: 'requests', limit: 50, remaining: 40 };
    expect(anthropic).toEqual([
      expect.objectContaining({ model: '*', ...expected }),
      expect.objectContaining({ model: 'claude-sonnet-4-5', ...expected }),
    ]);

    // quota:list shows exactly what the probes answered.
    const listed = await call<QuotaView[]>(h!.app, 'quota:list');
    expect(listed).toEqual([...openai, ...anthropic]);
    const details = (await call<AccountView[]>(h!.app, 'accounts:list')).map((a) => a.details);
    expect(details[0]).toMatchObject({ probed_model: 'gpt-4o', probe_status: 200, requests_remaining: 60, tokens_remaining: 9000 });
    expect(details[1]).toMatchObject({ probed_model: 'claude-sonnet-4-5', probe_status: 200, requests_remaining: 40 });

    // The selector uses the readings: each model goes to the key that has a reading for it.
    const select = (model: string) => call<SelectionView>(h!.app, 'selector:select', { model });
    expect(await select('gpt-4o')).toMatchObject({ accountId: ids.openai, provider: 'openai', decision: { kind: 'proceed', remainingFraction: 0.6 } });
    expect(await select('claude-sonnet-4-5')).toMatchObject({ accountId: ids.anthropic, provider: 'anthropic', decision: { kind: 'proceed', remainingFraction: 0.8 } });
    // Any other Claude model is bound by the key-wide reading; an OpenAI-compatible key serves "*" but knows nothing of it.
    expect(await select('claude-opus-4-5')).toMatchObject({ accountId: ids.anthropic, decision: { kind: 'proceed', remainingFraction: 0.8 } });
    expect(llm.requests).toHaveLength(2); // selection never calls out
  });

  it('a 429 leaves 0 remaining until the retry time: the selector skips the key and names the reset', async () => {
    await start();
    llm.addKey({ key: OPENAI_KEY, limits: { requests: { limit: 100, remaining: 100, resetMs: 60 * SEC } } });
    llm.addKey({ key: LIMITED_KEY, behaviour: { kind: 'rateLimited', retryAfterSec: 120 } });
    const ids = await importAccounts([
      { provider: 'openai', label: 'healthy', apiKey: OPENAI_KEY, baseUrl: llm.openaiBaseUrl },
      { provider: 'openai', label: 'limited', apiKey: LIMITED_KEY, baseUrl: llm.openaiBaseUrl },
    ]);
    await call(h!.app, 'quota:probe', { accountId: ids.healthy, model: 'gpt-4o' });

    const err = await failure(call(h!.app, 'quota:probe', { accountId: ids.limited, model: 'gpt-4o' }));
    expect(err.message).toMatch(/rate_limited/);
    expect(err.message).not.toContain(LIMITED_KEY);
    expect(llm.requests.map((r) => r.status)).toEqual([200, 429]);
    const resetAt = iso(clock.now() + 120 * SEC);
    // The caller hears a 429 with the reset the upstream named, not an internal error (issue 14).
    expect(err).toMatchObject({ code: 'rate_limited', details: { resetAt, retryAfterSec: 120 } });
    const [view] = await call<QuotaView[]>(h!.app, 'quota:list', { accountId: ids.limited });
    expect(view).toMatchObject({ model: 'gpt-4o', remainingFraction: 0, remaining: 0, resetAt, decision: { kind: 'exhausted', resetAt } });
    // A rate limit is no reason to mark the key.
    const limited = (await call<AccountView[]>(h!.app, 'accounts:list')).find((a) => a.id === ids.limited)!;
    expect(limited).toMatchObject({ status: 'active', sync: { lastErrorCode: 'rate_limited' } });

    const select = () => call<SelectionView>(h!.app, 'selector:select', { model: 'gpt-4o' });
    expect(await select()).toMatchObject({ accountId: ids.healthy });
    // With the healthy key out of the way, nothing is left, and the answer says when that changes.
    await call(h!.app, 'accounts:setEnabled', { id: ids.healthy, enabled: false });
    const none = await failure(select());
    expect(none).toMatchObject({ code: 'no_account_available', details: { model: 'gpt-4o', earliestResetAt: resetAt } });
    expect(none.message).toContain(resetAt);

    clock.advance(119 * SEC);
    expect((await failure(select())).code).toBe('no_account_available');
    clock.advance(1 * SEC); // the retry time: worth trying again, with nothing known
    expect(await select()).toMatchObject({ accountId: ids.limited, decision: { kind: 'unknown', reason: 'reset_passed' } });
    expect(llm.requests).toHaveLength(2);
  });

  it('a 401 marks the key invalid_credentials; the selector no longer offers it', async () => {
    await start();
    // The fake knows no DEAD_KEY: it answers 401 invalid_api_key.
    const ids = await importAccounts([{ provider: 'openai', label: 'dead', apiKey: DEAD_KEY, baseUrl: llm.openaiBaseUrl }]);
    expect(await call<SelectionView>(h!.app, 'selector:select', { model: 'gpt-4o' })).toMatchObject({ accountId: ids.dead, decision: { kind: 'unknown' } });

    const err = await failure(call(h!.app, 'quota:probe', { accountId: ids.dead, model: 'gpt-4o' }));
    expect(err.code).toBe('bad_request');
    expect(err.message).toMatch(/invalid_api_key/);
    expect(err.message).not.toContain(DEAD_KEY);
    expect(llm.requests.map((r) => r.status)).toEqual([401]);
    const [dead] = await call<AccountView[]>(h!.app, 'accounts:list');
    expect(dead).toMatchObject({ status: 'invalid_credentials', sync: { lastErrorCode: 'invalid_api_key' } });
    expect(dead!.statusReason).toMatch(/rejected \(401\)/);
    expect(await call<QuotaView[]>(h!.app, 'quota:list')).toEqual([]);
    expect((await failure(call(h!.app, 'selector:select', { model: 'gpt-4o' }))).code).toBe('no_account_available');
  });

  it('a provider that is polled (antigravity) refuses to probe, clearly and without a request', async () => {
    await start();
    const ids = await importAccounts([
      { provider: 'antigravity', label: 'google', email: 'g@example.com', refreshToken: '1//probe-refresh-0123456789', accessToken: 'ya29.probe-access-0123456789', expiresAt: '2099-01-01T00:00:00Z' },
    ]);
    const env = await h!.app.api.call('quota:probe', { accountId: ids.google });
    expect(env).toEqual({ ok: false, error: { code: 'bad_request', message: 'Probe failed (no_probe): Google Antigravity has no probe; its quota is polled' } });
    expect(llm.requests).toHaveLength(0);
    const [account] = await call<AccountView[]>(h!.app, 'accounts:list');
    expect(account).toMatchObject({ status: 'active', statusReason: null });
    expect(await call<QuotaView[]>(h!.app, 'quota:list')).toEqual([]);
    // An unknown account is a not_found, not a probe failure.
    expect((await failure(call(h!.app, 'quota:probe', { accountId: 'no-such-account' }))).code).toBe('not_found');
  });
});
