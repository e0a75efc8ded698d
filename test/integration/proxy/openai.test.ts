// The proxy with the real `openai` npm client pointed at it (baseURL = proxy, apiKey = proxy key),
// a real core and the fake OpenAI-compatible upstream on 127.0.0.1. The SDK's own retries are
// off (maxRetries: 0): every retry seen here is the proxy's.
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountRecord } from '../../../src/main/core/model';
import type { FakeLlmKey, FakeLlmKeySpec, LlmBehaviour } from '../../helpers/fake-llm-api';
import { call } from '../../helpers/harness';
import { startProxyHarness, type ProxyHarness } from '../../helpers/proxy-harness';

const MODEL = 'gpt-4o-mini';
const KEY_A = 'sk-upstream-aaaaaaaaaaaa';
const KEY_B = 'sk-upstream-bbbbbbbbbbbb';
const messages = [{ role: 'user' as const, content: 'hi' }];

let ph: ProxyHarness;
let client: OpenAI;
const handles = new Map<string, FakeLlmKey>();

function addKey(spec: FakeLlmKeySpec): FakeLlmKey {
  const h = ph.llm.addKey(spec);
  handles.set(spec.key, h);
  return h;
}

function setBehaviour(key: string, b: LlmBehaviour): void {
  handles.get(key)!.setBehaviour(b);
}

beforeEach(async () => {
  handles.clear();
  ph = await startProxyHarness();
  client = new OpenAI({ baseURL: `${ph.proxy.url}/v1`, apiKey: ph.key, maxRetries: 0 });
});
afterEach(async () => {
  await ph.close();
});

/** Two OpenAI key accounts; returns them in the order the proxy will try them. */
async function twoAccounts(): Promise<{ first: { account: AccountRecord; key: string }; second: { account: AccountRecord; key: string } }> {
  const [a, b] = await ph.importAccounts([
    { provider: 'openai', label: 'Key A', apiKey: KEY_A },
    { provider: 'openai', label: 'Key B', apiKey: KEY_B },
  ]);
  const keyOf = new Map([[a!.id, KEY_A], [b!.id, KEY_B]]);
  const firstAccount = ph.h.app.services.selector.select(MODEL, undefined, (x) => x.provider === 'openai').account;
  const secondAccount = ph.h.app.services.store.require(firstAccount.id === a!.id ? b!.id : a!.id);
  return { first: { account: firstAccount, key: keyOf.get(firstAccount.id)! }, second: { account: secondAccount, key: keyOf.get(secondAccount.id)! } };
}

describe('proxy — OpenAI-compatible routes', () => {
  it('relays a chat completion intact, with its own headers, the upstream key injected and a ledger row', async () => {
    addKey({ key: KEY_A, reply: ['Hel', 'lo'] });
    const [acc] = await ph.importAccounts([{ provider: 'openai', label: 'Work key', apiKey: KEY_A }]);

    const { data, response } = await client.chat.completions.create({ model: MODEL, messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello');
    expect(data.usage).toEqual({ prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 });

    const added = Number(response.headers.get('x-quotadeck-proxy-ms'));
    expect(Number.isFinite(added) && added >= 0).toBe(true);
    expect(response.headers.get('x-quotadeck-attempts')).toBe('1');
    // A JSON answer passes through unchanged: with its length, not re-chunked.
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    expect(response.headers.get('transfer-encoding')).toBeNull();
    const shown = response.headers.get('x-quotadeck-account')!;
    expect(shown).toBe(`openai/Wor*** (${acc!.id.slice(0, 8)})`);
    expect(response.headers.get('server-timing')).toMatch(/^proxy;dur=[\d.]+, upstream;dur=[\d.]+$/);

    const up = ph.llm.requests[0]!;
    expect(up.path).toBe('/v1/chat/completions');
    expect(up.headers.authorization).toBe(`Bearer ${KEY_A}`);
    expect(JSON.stringify(up.headers)).not.toContain(ph.key);
    expect(up.body).toEqual({ model: MODEL, messages });

    const rows = ph.ledger.settled();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      attempt: 1, accountId: acc!.id, provider: 'openai', model: MODEL, route: 'openai.chat', status: 'completed',
      httpStatus: 200, inputTokens: 8, outputTokens: 2, error: null,
    });
    expect(rows[0]!.client).toMatch(/^OpenAI\//);
    expect(ph.limits.globalChecks).toBe(1);
    expect(ph.limits.accountChecks).toEqual([acc!.id]);
    // Neither credential is ever logged.
    const log = ph.h.logger.lines.join('\n');
    expect(log).not.toContain(KEY_A);
    expect(log).not.toContain(ph.key);
  });

  it('streams chunks in order; the usage chunk the proxy asked for is read for the ledger but not sent', async () => {
    addKey({ key: KEY_A, reply: ['a', 'b', 'c', 'd'] });
    await ph.importAccounts([{ provider: 'openai', apiKey: KEY_A }]);

    const stream = await client.chat.completions.create({ model: MODEL, messages, stream: true });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('abcd');
    expect(chunks.map((c) => c.choices[0]?.delta.content).filter((x) => x)).toEqual(['a', 'b', 'c', 'd']);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);

    expect((ph.llm.requests[0]!.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
    const row = await ph.ledger.waitFor(() => true);
    expect(row).toMatchObject({ status: 'completed', httpStatus: 200, inputTokens: 8, outputTokens: 4 });
  });

  it('passes the usage chunk through when the client asked for it', async () => {
    addKey({ key: KEY_A, reply: ['x', 'y'] });
    await ph.importAccounts([{ provider: 'openai', apiKey: KEY_A }]);
    const stream = await client.chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 });
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(await ph.ledger.waitFor(() => true)).toMatchObject({ inputTokens: 8, outputTokens: 2 });
  });

  it('relays each event as it arrives: the first chunks reach the client while the upstream holds the rest', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    addKey({ key: KEY_A, reply: ['one', 'two', 'three'], behaviour: { kind: 'gated', gate, afterEvents: 2 } });
    await ph.importAccounts([{ provider: 'openai', apiKey: KEY_A }]);

    const stream = await client.chat.completions.create({ model: MODEL, messages, stream: true });
    const it = stream[Symbol.asyncIterator]();
    expect((await it.next()).value.choices[0].delta.role).toBe('assistant');
    expect((await it.next()).value.choices[0].delta.content).toBe('one');
    // Only now does the upstream send the rest.
    release();
    const rest: string[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value.choices[0]?.delta.content ?? '');
    expect(rest.join('')).toBe('twothree');
  });

  it('retries a 429 on the next account without the client noticing, and locks the first one', async () => {
    addKey({ key: KEY_A });
    addKey({ key: KEY_B });
    const { first, second } = await twoAccounts();
    setBehaviour(first.key, { kind: 'rateLimited', retryAfterSec: 30 });

    const before = Date.now();
    const { data, response } = await client.chat.completions.create({ model: MODEL, messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe('Hi');
    expect(response.headers.get('x-quotadeck-attempts')).toBe('2');
    expect(response.headers.get('x-quotadeck-account')).toContain(second.account.id.slice(0, 8));

    const lock = ph.h.app.services.engine.listLocks().find((l) => l.accountId === first.account.id);
    expect(lock).toBeDefined();
    expect(lock!.model).toBe(MODEL);
    expect(Date.parse(lock!.lockedUntil)).toBeGreaterThanOrEqual(before + 29_000);
    expect(Date.parse(lock!.lockedUntil)).toBeLessThanOrEqual(Date.now() + 31_000);
    // The 429's headers also landed as a reading: exhausted until the retry time.
    expect(ph.h.app.services.engine.view(first.account.id, MODEL)).toMatchObject({ remainingFraction: 0, decision: { kind: 'exhausted' } });

    const rows = ph.ledger.request(ph.ledger.rows[0]!.requestId);
    expect(rows.map((r) => [r.attempt, r.accountId, r.status, r.httpStatus, r.inputTokens, r.outputTokens])).toEqual([
      [1, first.account.id, 'failed', 429, null, null],
      [2, second.account.id, 'completed', 200, 8, 1],
    ]);
    expect(rows[0]!.error).toMatch(/^HTTP 429: Rate limit reached/);
  });

  it('answers 429 naming the earliest reset when every account is exhausted', async () => {
    addKey({ key: KEY_A, behaviour: { kind: 'rateLimited', retryAfterSec: 30 } });
    addKey({ key: KEY_B, behaviour: { kind: 'rateLimited', retryAfterSec: 90 } });
    await twoAccounts();

    const before = Date.now();
    const err = await client.chat.completions.create({ model: MODEL, messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).message).toContain('No account is available for model "gpt-4o-mini"');
    expect(ph.llm.requests).toHaveLength(2);

    // Once both are locked, the next request is refused before any dispatch (one rejected row).
    const res = await fetch(`${ph.proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ph.key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages }),
    });
    expect(res.status).toBe(429);
    const body = (await res.json()) as { earliestResetAt: string; error: { code: string } };
    expect(body.error.code).toBe('no_account_available');
    const at = Date.parse(body.earliestResetAt);
    expect(at).toBeGreaterThanOrEqual(before + 29_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 31_000);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
    expect(ph.llm.requests).toHaveLength(2);
    expect(ph.ledger.settled().filter((r) => r.status === 'rejected')).toHaveLength(1);
  });

  it('retries a 5xx on the next account and cools the failing one down briefly', async () => {
    addKey({ key: KEY_A });
    addKey({ key: KEY_B });
    const { first, second } = await twoAccounts();
    setBehaviour(first.key, { kind: 'status', status: 503 });

    const { response } = await client.chat.completions.create({ model: MODEL, messages }).withResponse();
    expect(response.headers.get('x-quotadeck-account')).toContain(second.account.id.slice(0, 8));
    const lock = ph.h.app.services.engine.listLocks().find((l) => l.accountId === first.account.id)!;
    expect(Date.parse(lock.lockedUntil) - Date.now()).toBeLessThanOrEqual(15_000);
    const rows = ph.ledger.settled();
    expect(rows.map((r) => [r.status, r.httpStatus])).toEqual([['failed', 503], ['completed', 200]]);
  });

  it('makes at most proxyMaxAttempts attempts, then relays what the last upstream said', async () => {
    await call(ph.h.app, 'settings:update', { proxyMaxAttempts: 1 });
    addKey({ key: KEY_A });
    addKey({ key: KEY_B });
    const { first } = await twoAccounts();
    setBehaviour(first.key, { kind: 'status', status: 502 });
    const err = await client.chat.completions.create({ model: MODEL, messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as { status: number }).status).toBe(502);
    expect(ph.llm.requests).toHaveLength(1);
  });

  it('never retries once a byte reached the client: a stream cut midway fails the client and the ledger row', async () => {
    addKey({ key: KEY_A, reply: ['p', 'q', 'r', 's'] });
    addKey({ key: KEY_B, reply: ['p', 'q', 'r', 's'] });
    const { first, second } = await twoAccounts();
    let cut!: () => void;
    const gate = new Promise<void>((r) => { cut = r; });
    setBehaviour(first.key, { kind: 'cutStream', afterEvents: 2, gate });

    const stream = await client.chat.completions.create({ model: MODEL, messages, stream: true });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const c of stream) {
        seen.push(c.choices[0]?.delta.content ?? '');
        // The first content has reached the client: now the upstream dies.
        if (c.choices[0]?.delta.content === 'p') cut();
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(seen.join('')).toBe('p');
    const row = await ph.ledger.waitFor(() => true);
    expect(row).toMatchObject({ attempt: 1, accountId: first.account.id, status: 'failed', httpStatus: 200, error: 'upstream stream interrupted' });
    expect(ph.ledger.rows).toHaveLength(1);
    expect(ph.llm.requests.filter((r) => r.key === second.key)).toHaveLength(0);
  });

  it('a client that hangs up cancels the upstream request (waiting for its first byte, and mid-stream)', async () => {
    addKey({ key: KEY_A, behaviour: { kind: 'slowFirstByte', delayMs: 60_000 } });
    await ph.importAccounts([{ provider: 'openai', apiKey: KEY_A }]);

    const ac = new AbortController();
    const pending = client.chat.completions.create({ model: MODEL, messages, stream: true }, { signal: ac.signal });
    await ph.llm.waitFor((r) => r.key === KEY_A, 'request');
    ac.abort();
    await expect(pending).rejects.toThrow();
    expect((await ph.llm.waitFor((r) => r.key === KEY_A, 'aborted')).aborted).toBe(true);
    expect(await ph.ledger.waitFor(() => true)).toMatchObject({ status: 'failed', error: 'client disconnected' });

    // Mid-stream: the client stops reading after the first chunk and hangs up.
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    setBehaviour(KEY_A, { kind: 'gated', gate, afterEvents: 2 });
    const stream = await client.chat.completions.create({ model: MODEL, messages, stream: true });
    for await (const c of stream) {
      expect(c.choices[0]!.delta.role).toBe('assistant');
      break; // aborts the SDK's request
    }
    const second = await ph.llm.waitFor((r) => r.key === KEY_A && r !== ph.llm.requests[0], 'aborted');
    expect(second.aborted).toBe(true);
    release();
    const row = await ph.ledger.waitFor((r) => r.id === 2);
    expect(row).toMatchObject({ status: 'failed', httpStatus: 200, error: 'client disconnected' });
  });

  it('learns from rate-limit headers between polls (passive update)', async () => {
    addKey({
      key: KEY_A,
      limits: { requests: { limit: 100, remaining: 51, resetMs: 60_000 }, tokens: { limit: 10_000, remaining: 9_000, resetMs: 1_000 } },
    });
    const [acc] = await ph.importAccounts([{ provider: 'openai', apiKey: KEY_A }]);
    expect(ph.h.app.services.engine.view(acc!.id, MODEL)).toBeNull();
    const before = Date.now();
    await client.chat.completions.create({ model: MODEL, messages });
    const v = ph.h.app.services.engine.view(acc!.id, MODEL)!;
    expect(v).toMatchObject({ source: 'headers', window: 'requests', limit: 100, remaining: 50, remainingFraction: 0.5 });
    expect(Date.parse(v.resetAt!)).toBeGreaterThanOrEqual(before + 59_000);
  });

  it('serves the Responses API, plain and streamed, with tokens from its usage', async () => {
    addKey({ key: KEY_A, reply: ['Re', 'sp'] });
    await ph.importAccounts([{ provider: 'openai', apiKey: KEY_A }]);
    const r = await client.responses.create({ model: MODEL, input: 'hi' });
    expect(r.output_text).toBe('Resp');
    expect(ph.llm.requests[0]!.path).toBe('/v1/responses');

    const stream = await client.responses.create({ model: MODEL, input: 'hi', stream: true });
    const deltas: string[] = [];
    let completed = false;
    for await (const e of stream) {
      if (e.type === 'response.output_text.delta') deltas.push(e.delta);
      if (e.type === 'response.completed') completed = true;
    }
    expect(deltas).toEqual(['Re', 'sp']);
    expect(completed).toBe(true);
    await ph.ledger.waitFor((row) => row.id === 2);
    expect(ph.ledger.rows.map((row) => [row.route, row.status, row.inputTokens, row.outputTokens])).toEqual([
      ['openai.responses', 'completed', 8, 2],
      ['openai.responses', 'completed', 8, 2],
    ]);
  });

  it('routes OpenRouter accounts to {base}/v1/chat/completions', async () => {
    addKey({ key: 'sk-or-v1-fakefakefake' });
    await ph.importAccounts([{ provider: 'openrouter', apiKey: 'sk-or-v1-fakefakefake' }]);
    const c = await client.chat.completions.create({ model: 'anthropic/claude-sonnet-4.5', messages });
    expect(c.choices[0]!.message.content).toBe('Hi');
    expect(ph.llm.requests[0]!.path).toBe('/api/v1/chat/completions');
  });

  it('lists the models it can route in the OpenAI list shape', async () => {
    await ph.importAccounts([{ provider: 'openai', apiKey: KEY_A, models: ['gpt-4o-mini', 'gpt-4.1', 'o*'] }]);
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual(['gpt-4.1', 'gpt-4o-mini']);
    expect(list.data[0]).toMatchObject({ object: 'model', owned_by: 'openai' });
    expect(ph.llm.requests).toHaveLength(0);
  });

  it('checks limits before dispatch: global once per request, per account per candidate', async () => {
    addKey({ key: KEY_A });
    addKey({ key: KEY_B });
    const { first, second } = await twoAccounts();
    const resetAt = Date.now() + 3_600_000;

    // One account over its own limit: skipped, the other serves.
    ph.limits.accounts.set(first.account.id, { ok: false, breach: { scope: 'account', accountId: first.account.id, limit: 'requests_per_hour', max: 10, used: 10, resetAt } });
    const { response } = await client.chat.completions.create({ model: MODEL, messages }).withResponse();
    expect(response.headers.get('x-quotadeck-account')).toContain(second.account.id.slice(0, 8));
    expect(ph.llm.requests.map((r) => r.key)).toEqual([second.key]);

    // Every candidate over its limit: 429 with the limit's body, one rejected row, no dispatch.
    ph.limits.accounts.set(second.account.id, { ok: false, breach: { scope: 'account', accountId: second.account.id, limit: 'output_tokens_per_month', max: 5, used: 6, resetAt: resetAt + 1000 } });
    const res = await postChat();
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ limit: 'requests_per_hour', scope: 'account', used: 10, max: 10, resetAt: new Date(resetAt).toISOString(), error: { code: 'usage_limit_exceeded' } });

    // The global limit: refused before any account is considered.
    ph.limits.accounts.clear();
    const checks = ph.limits.accountChecks.length;
    ph.limits.global = { ok: false, breach: { scope: 'global', accountId: null, limit: 'cost_per_month', max: 20, used: 20.5, resetAt } };
    const g = await postChat();
    expect(g.status).toBe(429);
    expect(await g.json()).toMatchObject({ limit: 'cost_per_month', used: 20.5, resetAt: new Date(resetAt).toISOString(), error: { message: expect.stringContaining('global') } });
    expect(ph.limits.accountChecks.length).toBe(checks);
    expect(ph.limits.globalChecks).toBe(3);
    expect(ph.llm.requests).toHaveLength(1);
    const rejected = ph.ledger.settled().filter((r) => r.status === 'rejected');
    expect(rejected.map((r) => [r.accountId, r.httpStatus, r.error])).toEqual([
      [null, 429, 'account limit requests_per_hour reached (10/10)'],
      [null, 429, 'global limit cost_per_month reached (20.5/20)'],
    ]);
  });
});

function postChat(): Promise<Response> {
  return fetch(`${ph.proxy.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ph.key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages }),
  });
}

describe('proxy — upstream through an injected fetch port', () => {
  it('relays plain and streamed answers, with usage, when given a fetch instead of its node:http agents', async () => {
    const other = await startProxyHarness({ proxy: { fetch: globalThis.fetch } });
    try {
      other.llm.addKey({ key: KEY_A, reply: ['f', 'e', 't', 'ch'] });
      await other.importAccounts([{ provider: 'openai', apiKey: KEY_A }]);
      const sdk = new OpenAI({ baseURL: `${other.proxy.url}/v1`, apiKey: other.key, maxRetries: 0 });
      const plain = await sdk.chat.completions.create({ model: MODEL, messages });
      expect(plain.choices[0]!.message.content).toBe('fetch');
      const stream = await sdk.chat.completions.create({ model: MODEL, messages, stream: true });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
      expect(text).toBe('fetch');
      await other.ledger.waitFor((r) => r.id === 2);
      expect(other.ledger.rows.map((r) => [r.status, r.inputTokens, r.outputTokens])).toEqual([['completed', 8, 4], ['completed', 8, 4]]);
    } finally {
      await other.close();
    }
  });
});
