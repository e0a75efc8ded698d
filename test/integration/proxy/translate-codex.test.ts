// Protocol translation onto Codex subscriptions: the official `openai` and `@anthropic-ai/sdk`
// clients, unchanged, against the real proxy whose only accounts are Codex accounts on the fake
// Codex backend (Responses API, SSE only). OpenAI Chat → Codex (text, streamed tool round trip),
// OpenAI Responses → Codex (the client's body passed through with only what the backend
// insists on), Anthropic → Codex (reasoning signatures round-tripping), failover on a
// usage-limit 429 mid-conversation, 404 for an unknown model, an alias and a fallback chain, a
// cut stream, and bad input.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeCodexAccount, FakeCodexAccountSpec } from '../../helpers/fake-codex';
import { call } from '../../helpers/harness';
import { startProxyHarness, type ProxyHarness } from '../../helpers/proxy-harness';

const MODEL = 'gpt-5-codex';
const far = '2099-01-01T00:00:00Z';

let ph: ProxyHarness;
let openai: OpenAI;
let anthropic: Anthropic;
let accounts: Array<{ handle: FakeCodexAccount; id: string }>;

const weather: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

/** A function call first (with signed reasoning), then text once the call's output is in the input. */
const toolTurn: FakeCodexAccountSpec['turn'] = (body) => {
  const input = body['input'] as Array<Record<string, unknown>>;
  if (input.some((i) => i['type'] === 'function_call_output')) return { items: [{ type: 'message', text: ['It is ', 'sunny.'] }] };
  return {
    items: [
      { type: 'reasoning', summary: ['Need the ', 'weather'], encrypted: 'enc-codex-1' },
      { type: 'function_call', callId: 'call_abc', name: 'get_weather', arguments: ['{"city":', '"Paris"}'] },
    ],
    usage: { input_tokens: 30, output_tokens: 12 },
  };
};

async function seed(spec: Partial<FakeCodexAccountSpec> = {}): Promise<void> {
  const handles = [0, 1].map((i) => ph.codex.addAccount({ refreshToken: `rt-codex-${i}`, accountId: `acct-codex-${i}`, ...spec }));
  const views = await ph.importAccounts(
    handles.map((h, i) => ({ provider: 'codex', email: `cx${i}@example.com`, refreshToken: h.refreshToken(), accessToken: h.accessToken(), idToken: h.idToken(), accountId: h.accountId(), expiresAt: far })),
  );
  accounts = handles.map((handle, i) => ({ handle, id: views[i]!.id }));
  await call(ph.h.app, 'monitor:syncNow');
}

function lastUpstream(): { headers: { account: string | null }; body: Record<string, any> } {
  const r = [...ph.codex.requests].reverse().find((x) => x.path === '/backend-api/codex/responses');
  if (!r) throw new Error('no Codex responses request');
  return { headers: { account: r.accountIdHeader }, body: JSON.parse(r.body) };
}

beforeEach(async () => {
  ph = await startProxyHarness();
  openai = new OpenAI({ baseURL: `${ph.proxy.url}/v1`, apiKey: ph.key, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: ph.proxy.url, apiKey: ph.key, maxRetries: 0 });
});
afterEach(async () => {
  await ph.close();
});

describe('translation — OpenAI Chat client onto Codex', () => {
  it('answers text through the Codex Responses backend (store false, stream true, instructions) and records the tokens', async () => {
    await seed();
    const { data, response } = await openai.chat.completions
      .create({ model: MODEL, max_completion_tokens: 200, temperature: 0.3, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data).toMatchObject({ object: 'chat.completion', model: MODEL, choices: [{ message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 3 } });
    expect(response.headers.get('x-quotadeck-account')).toMatch(/^codex\//);
    const up = lastUpstream();
    expect(accounts.map((a) => a.handle.accountId())).toContain(up.headers.account);
    expect(up.body).toEqual({
      model: MODEL,
      instructions: 'Be brief.',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
      reasoning: { effort: 'medium', summary: 'auto' },
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
    });
    expect(ph.ledger.settled()[0]).toMatchObject({ route: 'openai.chat', provider: 'codex', model: MODEL, status: 'completed', inputTokens: 10, outputTokens: 3 });
  });

  it('streams a tool call (SDK helper), keeps its id, and answers once the tool output is sent back', async () => {
    await seed({ turn: toolTurn });
    const first = await openai.chat.completions.stream({ model: MODEL, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } }).finalChatCompletion();
    const msg = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(msg.tool_calls).toEqual([expect.objectContaining({ id: 'call_abc', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } })]);
    expect(lastUpstream().body).toMatchObject({ tools: [{ type: 'function', name: 'get_weather', parameters: weather.function.parameters }], tool_choice: { type: 'function', name: 'get_weather' }, parallel_tool_calls: true });
    expect(await ph.ledger.waitFor(() => true)).toMatchObject({ status: 'completed', inputTokens: 30, outputTokens: 12 });

    const second = await openai.chat.completions.create({
      model: MODEL,
      tools: [weather],
      messages: [{ role: 'user', content: 'Weather in Paris?' }, { role: 'assistant', content: null, tool_calls: msg.tool_calls }, { role: 'tool', tool_call_id: 'call_abc', content: 'sunny' }],
    });
    expect(second.choices[0]!.message.content).toBe('It is sunny.');
    // The Chat client could not carry the signed reasoning; the proxy puts it back before the call.
    expect(lastUpstream().body['input']).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] },
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Need the weather' }], encrypted_content: 'enc-codex-1' },
      { type: 'function_call', call_id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_abc', output: 'sunny' },
    ]);
  });

  it('fails over to the second account on a usage-limit 429 mid-conversation, locked until resets_in_seconds', async () => {
    await seed();
    const user = 'conv-codex';
    const r1 = await openai.chat.completions.create({ model: MODEL, user, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const a = accounts.find((x) => r1.response.headers.get('x-quotadeck-account')!.includes(x.id.slice(0, 8)))!;
    const b = accounts.find((x) => x !== a)!;
    a.handle.setResponsesBehaviour({ kind: 'usageLimit', resetsInSeconds: 7200 });
    const r2 = await openai.chat.completions.create({ model: MODEL, user, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'Hi' }, { role: 'user', content: 'more' }] }).withResponse();
    expect(r2.data.choices[0]!.message.content).toBe('Hi');
    expect(r2.response.headers.get('x-quotadeck-account')).toContain(b.id.slice(0, 8));
    const lock = ph.h.app.services.engine.listLocks().find((l) => l.accountId === a.id)!;
    expect(Date.parse(lock.lockedUntil)).toBeGreaterThan(Date.now() + 7_000_000);
  });

  it('ends a stream cut mid-answer with an error chunk the SDK raises, and the ledger row says so', async () => {
    await seed({ turn: () => ({ items: [{ type: 'message', text: ['one ', 'two ', 'three'] }], cutAfter: 5 }) });
    const stream = await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true });
    const got: string[] = [];
    const err = await (async () => {
      for await (const c of stream) if (c.choices[0]?.delta.content) got.push(c.choices[0].delta.content);
    })().catch((e: unknown) => e);
    expect(got).toEqual(['one ']);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as Error).message).toContain('interrupted');
    expect(await ph.ledger.waitFor(() => true)).toMatchObject({ status: 'failed', error: 'upstream stream interrupted' });
  });

  it('answers 404 for a model no Codex account serves, and walks an alias and a fallback chain', async () => {
    await seed();
    const nf = await openai.chat.completions.create({ model: 'claude-opus-4-5', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(nf).toMatchObject({ status: 404, code: 'model_not_found' });

    await call(ph.h.app, 'settings:update', { modelAliases: { codex: MODEL }, modelFallbacks: { [MODEL]: ['gpt-5'] } });
    const viaAlias = await openai.chat.completions.create({ model: 'codex', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(viaAlias.response.headers.get('x-quotadeck-model')).toBe(MODEL);
    for (const a of accounts) ph.h.app.services.engine.report(ph.h.app.services.store.require(a.id), MODEL, '429', 600);
    const fell = await openai.chat.completions.create({ model: 'codex', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(fell.response.headers.get('x-quotadeck-model')).toBe('gpt-5');
    expect(fell.data.model).toBe('gpt-5');
    expect(lastUpstream().body['model']).toBe('gpt-5');
  });
});

describe('translation — OpenAI Responses client onto Codex', () => {
  it('passes the client body through with only what the backend insists on, streamed and not', async () => {
    await seed({ turn: toolTurn });
    const r = await openai.responses.create({
      model: MODEL,
      instructions: 'You are Codex.',
      input: 'Weather in Paris?',
      max_output_tokens: 500,
      temperature: 0.2,
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }, { type: 'custom', name: 'apply_patch', description: 'Patch files' } as never],
    });
    expect(r.output.map((o) => o.type)).toEqual(['reasoning', 'function_call']);
    expect(r.output[1]).toMatchObject({ type: 'function_call', call_id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' });
    const up = lastUpstream().body;
    expect(up).toMatchObject({ model: MODEL, instructions: 'You are Codex.', store: false, stream: true, input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] }] });
    expect(up['tools'][1]).toEqual({ type: 'custom', name: 'apply_patch', description: 'Patch files' });
    expect(up['max_output_tokens']).toBeUndefined();
    expect(up['temperature']).toBeUndefined();
    expect(await ph.ledger.waitFor(() => true)).toMatchObject({ route: 'openai.responses', provider: 'codex', status: 'completed', inputTokens: 30, outputTokens: 12 });

    const stream = openai.responses.stream({
      model: MODEL,
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_abc', output: 'sunny' },
      ],
    });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas).toEqual(['It is ', 'sunny.']);
    expect(final.output_text).toBe('It is sunny.');
  });

  it('refuses previous_response_id and a body without input with a 400 naming the field', async () => {
    await seed();
    const prev = await openai.responses.create({ model: MODEL, input: 'hi', previous_response_id: 'resp_123' }).catch((e: unknown) => e);
    expect(prev).toBeInstanceOf(OpenAI.BadRequestError);
    expect((prev as Error).message).toContain('previous_response_id');
    const noInput = await openai.responses.create({ model: MODEL } as never).catch((e: unknown) => e);
    expect(noInput).toBeInstanceOf(OpenAI.BadRequestError);
    expect((noInput as Error).message).toMatch(/input: /);
    expect(ph.codex.requests.filter((r) => r.path === '/backend-api/codex/responses')).toHaveLength(0);
  });
});

describe('translation — Anthropic client onto Codex', () => {
  it('answers with thinking from the reasoning summary and takes the signed reasoning back next turn', async () => {
    await seed({ turn: toolTurn });
    const first = await anthropic.messages.stream({
      model: MODEL,
      max_tokens: 1024,
      thinking: { type: 'enabled', budget_tokens: 20000 },
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    }).finalMessage();
    expect(first.content).toEqual([
      { type: 'thinking', thinking: 'Need the weather', signature: 'enc-codex-1' },
      { type: 'tool_use', id: 'call_abc', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(first.stop_reason).toBe('tool_use');
    expect(lastUpstream().body['reasoning']).toEqual({ effort: 'high', summary: 'auto' });

    const second = await anthropic.messages.create({
      model: MODEL,
      max_tokens: 1024,
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_abc', content: 'sunny' }] },
      ],
    });
    expect(second.content).toEqual([expect.objectContaining({ type: 'text', text: 'It is sunny.' })]);
    expect(lastUpstream().body['input'].slice(1)).toEqual([
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Need the weather' }], encrypted_content: 'enc-codex-1' },
      { type: 'function_call', call_id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_abc', output: 'sunny' },
    ]);
  });
});

describe('translation — Gemini client onto Codex', () => {
  it('answers generateContent and streamGenerateContent (alt=sse) from the Codex backend', async () => {
    await seed({ turn: () => ({ items: [{ type: 'message', text: ['Ge', 'mini'] }] }) });
    const post = (path: string) =>
      fetch(`${ph.proxy.url}${path}`, {
        method: 'POST',
        headers: { 'x-goog-api-key': ph.key, 'content-type': 'application/json' },
        body: JSON.stringify({ systemInstruction: { parts: [{ text: 'sys' }] }, contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
    const r = await post(`/v1beta/models/${MODEL}:generateContent`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ candidates: [{ content: { role: 'model', parts: [{ text: 'Gemini' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 3 } });
    expect(lastUpstream().body).toMatchObject({ model: MODEL, instructions: 'sys', input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }] });

    const sse = await post(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
    const events = (await sse.text()).split('\r\n\r\n').filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, '')));
    expect(events.flatMap((e) => e.candidates[0].content.parts.map((p: { text: string }) => p.text))).toEqual(['Ge', 'mini']);
    expect(await ph.ledger.waitFor((row) => row.route === 'gemini.stream')).toMatchObject({ provider: 'codex', status: 'completed', inputTokens: 10, outputTokens: 3 });
  });
});
