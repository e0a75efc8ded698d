// Aliases, fallback chains and sticky sessions through the real proxy (fake upstreams on
// loopback, real SQLite): which model each attempt asks for, the `x-quotadeck-model` header, the
// ledger's requested/served models, and which account a conversation lands on as accounts
// become exhausted, recover, and as idle sessions expire.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../../src/shared/types';
import { call, FakeClock } from '../../helpers/harness';
import type { FakeLlmKey } from '../../helpers/fake-llm-api';
import { startProxyHarness, type ProxyHarness, type ProxyHarnessOptions } from '../../helpers/proxy-harness';

const messages = [{ role: 'user' as const, content: 'hi' }];
const OPUS = 'claude-opus-4-5';
const SONNET = 'claude-sonnet-4-5';
const HAIKU = 'claude-haiku-4-5';

let ph: ProxyHarness;
let anthropic: Anthropic;

async function start(o: ProxyHarnessOptions = {}): Promise<void> {
  ph = await startProxyHarness(o);
  anthropic = new Anthropic({ baseURL: ph.proxy.url, apiKey: ph.key, maxRetries: 0 });
}
afterEach(async () => {
  await ph.close();
});

const upstreamModels = () => ph.llm.requests.map((r) => (r.body as { model: string }).model);

describe('proxy — aliases and fallback chains', () => {
  it('serves an alias with the model the accounts serve and says so in x-quotadeck-model', async () => {
    await start({ settings: { modelAliases: { 'claude-opus-4-5-20251101': OPUS } } });
    ph.llm.addKey({ key: 'sk-ant-api03-alias-aaaaaaaa', models: [OPUS] });
    await ph.importAccounts([{ provider: 'anthropic', apiKey: 'sk-ant-api03-alias-aaaaaaaa', models: [OPUS] }]);

    const { data, response } = await anthropic.messages.create({ model: 'claude-opus-4-5-20251101', max_tokens: 8, messages }).withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text', text: 'Hi' });
    expect(response.headers.get('x-quotadeck-model')).toBe(OPUS);
    expect(upstreamModels()).toEqual([OPUS]);
    expect(ph.ledger.settled()).toMatchObject([{ model: OPUS, requestedModel: 'claude-opus-4-5-20251101', status: 'completed' }]);

    // Streaming over the alias too.
    const final = await anthropic.messages.stream({ model: 'claude-opus-4-5-20251101', max_tokens: 8, messages }).finalMessage();
    expect(final.content[0]).toMatchObject({ text: 'Hi' });
    expect(upstreamModels()).toEqual([OPUS, OPUS]);
  });

  it('walks the fallback chain in order when every account for a model is exhausted', async () => {
    await start();
    ph.llm.addKey({ key: 'sk-ant-api03-opus-aaaaaaaa', models: [OPUS], behaviour: { kind: 'rateLimited', retryAfterSec: 600 } });
    ph.llm.addKey({ key: 'sk-ant-api03-sonnet-bbbbbbb', models: [SONNET], behaviour: { kind: 'rateLimited', retryAfterSec: 300 } });
    ph.llm.addKey({ key: 'sk-ant-api03-haiku-ccccccc', models: [HAIKU] });
    const [opus, sonnet, haiku] = await ph.importAccounts([
      { provider: 'anthropic', apiKey: 'sk-ant-api03-opus-aaaaaaaa', models: [OPUS] },
      { provider: 'anthropic', apiKey: 'sk-ant-api03-sonnet-bbbbbbb', models: [SONNET] },
      { provider: 'anthropic', apiKey: 'sk-ant-api03-haiku-ccccccc', models: [HAIKU] },
    ]);
    await call(ph.h.app, 'settings:update', { modelFallbacks: { [OPUS]: [SONNET], [SONNET]: [HAIKU] } });

    const { response } = await anthropic.messages.create({ model: OPUS, max_tokens: 8, messages }).withResponse();
    expect(response.headers.get('x-quotadeck-model')).toBe(HAIKU);
    expect(response.headers.get('x-quotadeck-attempts')).toBe('3');
    expect(upstreamModels()).toEqual([OPUS, SONNET, HAIKU]);
    const rows = ph.ledger.request(ph.ledger.rows[0]!.requestId);
    expect(rows.map((r) => [r.attempt, r.accountId, r.model, r.requestedModel, r.status, r.httpStatus])).toEqual([
      [1, opus!.id, OPUS, OPUS, 'failed', 429],
      [2, sonnet!.id, SONNET, OPUS, 'failed', 429],
      [3, haiku!.id, HAIKU, OPUS, 'completed', 200],
    ]);

    // Both are locked now: the next request goes straight to the chain's end, no wasted attempt.
    const again = await anthropic.messages.create({ model: OPUS, max_tokens: 8, messages }).withResponse();
    expect(again.response.headers.get('x-quotadeck-model')).toBe(HAIKU);
    expect(again.response.headers.get('x-quotadeck-attempts')).toBe('1');

    // The chain's last model exhausted too: 429 naming the earliest reset of the whole chain.
    ph.llm.requests.length = 0;
    ph.h.app.services.engine.report(ph.h.app.services.store.require(haiku!.id), HAIKU, '429', 60);
    const res = await fetch(`${ph.proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': ph.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: OPUS, max_tokens: 8, messages }),
    });
    expect(res.status).toBe(429);
    const body = (await res.json()) as { earliestResetAt: string; error: { code: string } };
    expect(body.error.code).toBe('no_account_available');
    const at = Date.parse(body.earliestResetAt);
    expect(at).toBeGreaterThan(Date.now() + 50_000);
    expect(at).toBeLessThan(Date.now() + 70_000);
    expect(ph.llm.requests).toHaveLength(0);
  });

  it('an OpenAI client gets the header and the fallback too', async () => {
    await start({ settings: { modelFallbacks: { 'gpt-big': ['gpt-small'] } } });
    ph.llm.addKey({ key: 'sk-openai-big-aaaaaaaa', models: ['gpt-big'], behaviour: { kind: 'insufficientQuota' } });
    ph.llm.addKey({ key: 'sk-openai-small-bbbbbbb', models: ['gpt-small'] });
    await ph.importAccounts([
      { provider: 'openai', apiKey: 'sk-openai-big-aaaaaaaa', models: ['gpt-big'] },
      { provider: 'openai', apiKey: 'sk-openai-small-bbbbbbb', models: ['gpt-small'] },
    ]);
    const openai = new OpenAI({ baseURL: `${ph.proxy.url}/v1`, apiKey: ph.key, maxRetries: 0 });
    const { data, response } = await openai.chat.completions.create({ model: 'gpt-big', messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe('Hi');
    expect(response.headers.get('x-quotadeck-model')).toBe('gpt-small');
    expect(upstreamModels()).toEqual(['gpt-big', 'gpt-small']);
  });

  it('refuses aliases and fallbacks that form a cycle, across saves, and keeps what was saved', async () => {
    await start();
    await call(ph.h.app, 'settings:update', { modelFallbacks: { a: ['b'] }, modelAliases: { c: 'a' } });
    const env = await ph.h.app.api.call('settings:update', { modelFallbacks: { b: ['c'] } });
    expect(env).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('cycle') } });
    const self = await ph.h.app.api.call('settings:update', { modelAliases: { x: 'x' } });
    expect(self).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const glob = await ph.h.app.api.call('settings:update', { modelAliases: { 'x*': 'y' } });
    expect(glob).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const s = ph.h.app.services.settings.get();
    expect(s.modelFallbacks).toEqual({ a: ['b'] });
    expect(s.modelAliases).toEqual({ c: 'a' });
    // An empty value removes an entry; the rest stays.
    await call(ph.h.app, 'settings:update', { modelAliases: { c: '' }, modelFallbacks: { b: ['c'] } });
    expect(ph.h.app.services.settings.get()).toMatchObject({ modelAliases: {}, modelFallbacks: { a: ['b'], b: ['c'] } });
  });
});

describe('proxy — sticky sessions', () => {
  const A = 'sk-ant-api03-sticky-aaaaaaa';
  const B = 'sk-ant-api03-sticky-bbbbbbb';
  const MODEL = 'claude-sticky-test';

  async function twoKeys(o: ProxyHarnessOptions = {}): Promise<{ a: AccountView; b: AccountView; keyA: FakeLlmKey }> {
    await start(o);
    const keyA = ph.llm.addKey({ key: A });
    ph.llm.addKey({ key: B });
    // A is the selector's first choice (tier), B the second.
    const [a, b] = await ph.importAccounts([
      { provider: 'anthropic', apiKey: A, tier: 'pro' },
      { provider: 'anthropic', apiKey: B, tier: 'free' },
    ]);
    return { a: a!, b: b!, keyA };
  }

  const served = () => ph.llm.requests[ph.llm.requests.length - 1]!.key;
  const ask = (session: string | null, extra: Record<string, string> = {}) =>
    anthropic.messages.create({ model: MODEL, max_tokens: 8, messages, ...(session ? { metadata: { user_id: session } } : {}) }, { headers: extra });

  it('keeps a conversation on its account, moves it when that account is exhausted, sticks there, and forgets idle sessions', async () => {
    const clock = new FakeClock(Date.now());
    const { a, keyA } = await twoKeys({ clock });

    await ask('session-1');
    expect(served()).toBe(A);

    // A runs out: the conversation moves to B.
    ph.llm.requests.length = 0;
    keyA.setBehaviour({ kind: 'rateLimited', retryAfterSec: 30 });
    await ask('session-1');
    expect(ph.llm.requests.map((r) => [r.key, r.status])).toEqual([[A, 429], [B, 200]]);
    keyA.setBehaviour({ kind: 'normal' });

    // A is back (past its retry time): new conversations go to A, this one stays on B.
    clock.advance(60_000);
    expect(ph.h.app.services.engine.decision(a.id, MODEL).kind).not.toBe('exhausted');
    await ask(null);
    expect(served()).toBe(A);
    await ask('session-1');
    expect(served()).toBe(B);
    await ask('session-2');
    expect(served()).toBe(A);

    // Idle past the TTL (an hour by default): forgotten, it goes where the selector says.
    clock.advance(3_600_000 + 1000);
    await ask('session-1');
    expect(served()).toBe(A);
  });

  it('reads the session from x-session-id, OpenAI `user` and `prompt_cache_key`, and is off when the setting is', async () => {
    const { a } = await twoKeys();
    const openai = new OpenAI({ baseURL: `${ph.proxy.url}/v1`, apiKey: ph.key, maxRetries: 0 });
    // Every session lands on B once, while A is locked.
    ph.h.app.services.engine.report(ph.h.app.services.store.require(a.id), MODEL, '429', 600);
    await ask(null, { 'x-session-id': 'hdr-1' });
    expect(served()).toBe(B);
    ph.h.app.services.engine.clearLock(ph.h.app.services.store.require(a.id), MODEL);
    await ask(null, { 'x-session-id': 'hdr-1' });
    expect(served()).toBe(B);
    await ask(null, { 'x-session-id': 'hdr-2' });
    expect(served()).toBe(A);

    // OpenAI-family sessions, read through an OpenAI account pair (an OpenAI client prefers the
    // accounts of its own protocol).
    ph.llm.addKey({ key: 'sk-openai-sticky-aaaaaaa' });
    ph.llm.addKey({ key: 'sk-openai-sticky-bbbbbbb' });
    const [oa] = await ph.importAccounts([
      { provider: 'openai', apiKey: 'sk-openai-sticky-aaaaaaa', tier: 'pro' },
      { provider: 'openai', apiKey: 'sk-openai-sticky-bbbbbbb', tier: 'free' },
    ]);
    const lockOa = (on: boolean) =>
      on ? ph.h.app.services.engine.report(ph.h.app.services.store.require(oa!.id), 'gpt-sticky', '429', 600) : ph.h.app.services.engine.clearLock(ph.h.app.services.store.require(oa!.id), 'gpt-sticky');
    lockOa(true);
    await openai.chat.completions.create({ model: 'gpt-sticky', messages, user: 'u-1' });
    await openai.chat.completions.create({ model: 'gpt-sticky', messages, prompt_cache_key: 'pck-1' } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    lockOa(false);
    await openai.chat.completions.create({ model: 'gpt-sticky', messages, user: 'u-1' });
    expect(served()).toBe('sk-openai-sticky-bbbbbbb');
    await openai.chat.completions.create({ model: 'gpt-sticky', messages, prompt_cache_key: 'pck-1' } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(served()).toBe('sk-openai-sticky-bbbbbbb');
    await openai.chat.completions.create({ model: 'gpt-sticky', messages, user: 'u-2' });
    expect(served()).toBe('sk-openai-sticky-aaaaaaa');

    // Off: the same session goes wherever the selector says.
    await call(ph.h.app, 'settings:update', { stickySessions: false });
    await ask(null, { 'x-session-id': 'hdr-1' });
    expect(served()).toBe(A);
  });
});
