// Protocol translation between the key-based upstreams on the fake OpenAI/Anthropic API: OpenAI
// Chat → Anthropic (API key and Claude subscription), Anthropic → OpenAI-compatible, Gemini
// generateContent → Anthropic, OpenAI Responses → Cloud Code; the official SDKs unchanged.
// Also: a key declared as serving "*" is never reached by translation, and an upstream's error
// reaches the client in the client's own shape.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageLogPage } from '../../../src/shared/types';
import { call } from '../../helpers/harness';
import { startProxyHarness, type ProxyHarness } from '../../helpers/proxy-harness';
import { seedGoogleAccounts } from '../../helpers/seed';

const ANT_KEY = 'sk-ant-api03-translate-aaaaaaaa';
const OAI_KEY = 'sk-openai-translate-bbbbbbbb';

let ph: ProxyHarness;
let openai: OpenAI;
let anthropic: Anthropic;

beforeEach(async () => {
  ph = await startProxyHarness();
  openai = new OpenAI({ baseURL: `${ph.proxy.url}/v1`, apiKey: ph.key, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: ph.proxy.url, apiKey: ph.key, maxRetries: 0 });
});
afterEach(async () => {
  await ph.close();
});

const lastPost = () => [...ph.llm.requests].reverse().find((r) => r.method === 'POST')!;

describe('translation — OpenAI Chat client onto Anthropic', () => {
  it('sends a Messages request to an API key and answers in the Chat shape, streamed and not', async () => {
    ph.llm.addKey({ key: ANT_KEY, reply: ['one ', 'two'] });
    await ph.importAccounts([{ provider: 'anthropic', apiKey: ANT_KEY }]);
    const r = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', max_tokens: 50, temperature: 0.1, stop: ['X'], messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }] });
    expect(r).toMatchObject({ object: 'chat.completion', model: 'claude-sonnet-4-5', choices: [{ message: { role: 'assistant', content: 'one two' }, finish_reason: 'length' }], usage: { prompt_tokens: 8, completion_tokens: 2 } });
    const up = lastPost();
    expect(up.path).toBe('/v1/messages');
    expect(up.headers['x-api-key']).toBe(ANT_KEY);
    expect(up.headers['anthropic-version']).toBe('2023-06-01');
    expect(up.body).toEqual({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], max_tokens: 50, system: 'sys', stop_sequences: ['X'], temperature: 0.1 });

    const stream = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    const deltas: string[] = [];
    let finish: string | null = null;
    let usage: unknown = null;
    for await (const c of stream) {
      if (c.choices[0]?.delta.content) deltas.push(c.choices[0].delta.content);
      if (c.choices[0]?.finish_reason) finish = c.choices[0].finish_reason;
      if (c.usage) usage = c.usage;
    }
    expect(deltas).toEqual(['one ', 'two']);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 2 });
    expect((lastPost().body as { max_tokens: number }).max_tokens).toBe(8192);
    expect(await ph.ledger.waitFor((r) => r.id === 2)).toMatchObject({ route: 'openai.chat', provider: 'anthropic', status: 'completed', inputTokens: 8, outputTokens: 2 });
  });

  it('reaches a Claude subscription with its OAuth bearer and beta flag', async () => {
    const fc = ph.claude.addAccount({ refreshToken: 'sk-ant-ort01-translate' });
    ph.llm.addKey({ key: 'claude-sub', bearerToken: () => fc.accessToken(), reply: ['Sub'] });
    await ph.importAccounts([{ provider: 'claude', email: 'sub@example.com', refreshToken: 'sk-ant-ort01-translate', accessToken: fc.accessToken(), expiresAt: '2099-01-01T00:00:00Z' }]);
    const r = await openai.chat.completions.create({ model: 'claude-opus-4-5', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0]!.message.content).toBe('Sub');
    const up = lastPost();
    expect(up.headers.authorization).toBe(`Bearer ${fc.accessToken()}`);
    expect(String(up.headers['anthropic-beta'])).toContain('oauth-2025-04-20');
    expect(up.headers['x-api-key']).toBeUndefined();
  });

  it("answers the upstream's error in the OpenAI shape", async () => {
    ph.llm.addKey({ key: ANT_KEY, behaviour: { kind: 'status', status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'messages: roles must alternate' } } } });
    await ph.importAccounts([{ provider: 'anthropic', apiKey: ANT_KEY }]);
    const err = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).error).toEqual({ message: 'messages: roles must alternate', type: 'invalid_request_error', param: null, code: null });
  });
});

describe('translation — tool round trips between Anthropic and OpenAI-compatible upstreams', () => {
  const args = '{"city":"Paris"}';

  it('OpenAI Chat → Anthropic: tool_use comes back as tool_calls (streamed and not), the result goes up as tool_result with the same id', async () => {
    ph.llm.addKey({ key: ANT_KEY, toolCall: { id: 'toolu_ant_1', name: 'get_weather', arguments: args }, reply: ['Sunny.'] });
    await ph.importAccounts([{ provider: 'anthropic', apiKey: ANT_KEY }]);
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const first = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', tools, tool_choice: 'auto', messages: [{ role: 'user', content: 'Weather?' }] });
    expect(first.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { content: null, tool_calls: [{ id: 'toolu_ant_1', type: 'function', function: { name: 'get_weather', arguments: args } }] } });
    expect(lastPost().body).toMatchObject({ tools: [{ name: 'get_weather', input_schema: { type: 'object' } }], tool_choice: { type: 'auto' } });
    const streamed = await openai.chat.completions.stream({ model: 'claude-sonnet-4-5', tools, messages: [{ role: 'user', content: 'Weather?' }] }).finalChatCompletion();
    expect(streamed.choices[0]!.message.tool_calls).toEqual([expect.objectContaining({ id: 'toolu_ant_1', function: { name: 'get_weather', arguments: args } })]);

    const second = await openai.chat.completions.create({
      model: 'claude-sonnet-4-5',
      tools,
      messages: [{ role: 'user', content: 'Weather?' }, first.choices[0]!.message as OpenAI.ChatCompletionMessageParam, { role: 'tool', tool_call_id: 'toolu_ant_1', content: '21C' }],
    });
    expect(second.choices[0]!.message.content).toBe('Sunny.');
    expect((lastPost().body as { messages: unknown[] }).messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_ant_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_ant_1', content: [{ type: 'text', text: '21C' }] }] },
    ]);
  });

  it('Anthropic → OpenAI-compatible: tool_calls come back as tool_use (finalMessage), the result goes up as a tool message with the same id', async () => {
    ph.llm.addKey({ key: OAI_KEY, toolCall: { id: 'call_oai_1', name: 'get_weather', arguments: args }, reply: ['Sunny.'] });
    await ph.importAccounts([{ provider: 'openai', apiKey: OAI_KEY, models: ['gpt-4o-mini'] }]);
    const tools = [{ name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }];
    const first = await anthropic.messages.stream({ model: 'gpt-4o-mini', max_tokens: 64, tools, tool_choice: { type: 'tool', name: 'get_weather' }, messages: [{ role: 'user', content: 'Weather?' }] }).finalMessage();
    expect(first.content).toEqual([{ type: 'tool_use', id: 'call_oai_1', name: 'get_weather', input: { city: 'Paris' } }]);
    expect(first.stop_reason).toBe('tool_use');
    expect(lastPost().body).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather' } }], tool_choice: { type: 'function', function: { name: 'get_weather' } } });

    const second = await anthropic.messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 64,
      tools,
      messages: [{ role: 'user', content: 'Weather?' }, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_oai_1', content: '21C' }] }],
    });
    expect(second.content).toEqual([expect.objectContaining({ type: 'text', text: 'Sunny.' })]);
    expect((lastPost().body as { messages: unknown[] }).messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_oai_1', type: 'function', function: { name: 'get_weather', arguments: args } }] },
      { role: 'tool', tool_call_id: 'call_oai_1', content: '21C' },
    ]);
  });
});

describe('translation — Anthropic client onto OpenAI-compatible keys', () => {
  it('sends a Chat request (usage chunk asked) and answers Messages, streamed with finalMessage', async () => {
    ph.llm.addKey({ key: OAI_KEY, reply: ['Hel', 'lo'] });
    const [acc] = await ph.importAccounts([{ provider: 'openai', apiKey: OAI_KEY, models: ['gpt-4o-mini'] }]);
    const m = await anthropic.messages.create({ model: 'gpt-4o-mini', max_tokens: 20, system: 'sys', messages: [{ role: 'user', content: 'hi' }] });
    expect(m).toMatchObject({ type: 'message', model: 'gpt-4o-mini', content: [{ type: 'text', text: 'Hello' }], stop_reason: 'max_tokens', usage: { input_tokens: 8, output_tokens: 2 } });
    const up = lastPost();
    expect(up.path).toBe('/v1/chat/completions');
    expect(up.headers.authorization).toBe(`Bearer ${OAI_KEY}`);
    expect(up.body).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }], max_tokens: 20 });

    const final = await anthropic.messages.stream({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hello' })]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(2);
    expect(lastPost().body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(await ph.ledger.waitFor((r) => r.id === 2)).toMatchObject({ route: 'anthropic.messages', provider: 'openai', accountId: acc!.id, status: 'completed', inputTokens: 8, outputTokens: 2 });
  });

  it('never reaches a key declared as serving "*" by translation (404), while its own protocol still does', async () => {
    ph.llm.addKey({ key: OAI_KEY });
    await ph.importAccounts([{ provider: 'openai', apiKey: OAI_KEY }]);
    const err = await anthropic.messages.create({ model: 'gpt-4o-mini', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    const ok = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.choices[0]!.message.content).toBe('Hi');
  });

  it('passes a same-protocol request through untouched (never parsed by the translation: a PDF block still reaches an Anthropic key)', async () => {
    ph.llm.addKey({ key: ANT_KEY, reply: ['Read it'] });
    await ph.importAccounts([{ provider: 'anthropic', apiKey: ANT_KEY }]);
    const body = { model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0x' } }, { type: 'text', text: 'summarise' }] }], custom_field: { kept: true } };
    const res = await fetch(`${ph.proxy.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': ph.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    expect(lastPost().body).toEqual(body);
  });

  it('prefers an account of the client\'s own protocol, and translates when it is exhausted', async () => {
    ph.llm.addKey({ key: ANT_KEY, reply: ['native'] });
    ph.llm.addKey({ key: OAI_KEY, reply: ['translated'] });
    const [ant] = await ph.importAccounts([
      { provider: 'anthropic', apiKey: ANT_KEY, models: ['claude-sonnet-4-5'] },
      { provider: 'openai', apiKey: OAI_KEY, models: ['claude-sonnet-4-5'], tier: 'ultra' },
    ]);
    const a = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
    expect(a.content[0]).toMatchObject({ text: 'native' });
    ph.h.app.services.engine.report(ph.h.app.services.store.require(ant!.id), 'claude-sonnet-4-5', '429', 600);
    const b = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
    expect(b.content[0]).toMatchObject({ text: 'translated' });
    // The catalog lists the model once with both kinds, for either client.
    const list = await anthropic.models.list();
    expect(list.data.find((m) => m.id === 'claude-sonnet-4-5')).toMatchObject({ kinds: ['anthropic', 'openai'] });
  });
});

describe('translation — ledger cost and OpenRouter', () => {
  it('records a translated attempt with its tokens and cost in SQLite, and reaches an OpenRouter key that names its models', async () => {
    ph.llm.addKey({ key: ANT_KEY, reply: ['a', 'b'] });
    ph.llm.addKey({ key: 'sk-or-v1-translate-cccccccc', reply: ['routed'] });
    const [ant, or] = await ph.importAccounts([
      { provider: 'anthropic', apiKey: ANT_KEY },
      { provider: 'openrouter', apiKey: 'sk-or-v1-translate-cccccccc', models: ['anthropic/claude-sonnet-4.5'] },
    ]);
    await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
    await expect.poll(async () => (await call<UsageLogPage>(ph.h.app, 'usage:log', { status: 'completed' })).rows.length).toBe(1);
    const row = (await call<UsageLogPage>(ph.h.app, 'usage:log', {})).rows[0]!;
    expect(row).toMatchObject({ accountId: ant!.id, model: 'claude-sonnet-4-5', status: 'completed', inputTokens: 8, outputTokens: 2 });
    expect(row.cost).toBeGreaterThan(0);

    const m = await anthropic.messages.create({ model: 'anthropic/claude-sonnet-4.5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(m.data.content[0]).toMatchObject({ type: 'text', text: 'routed' });
    expect(m.response.headers.get('x-quotadeck-account')).toContain(or!.id.slice(0, 8));
    expect(lastPost().path).toBe('/api/v1/chat/completions');
  });
});

describe('translation — Gemini and Responses clients', () => {
  it('answers generateContent and streamGenerateContent (SSE and JSON array) from an Anthropic key', async () => {
    ph.llm.addKey({ key: ANT_KEY, reply: ['Gem', 'ini'] });
    await ph.importAccounts([{ provider: 'anthropic', apiKey: ANT_KEY }]);
    const post = (path: string) =>
      fetch(`${ph.proxy.url}${path}`, {
        method: 'POST',
        headers: { 'x-goog-api-key': ph.key, 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], systemInstruction: { parts: [{ text: 'sys' }] }, generationConfig: { maxOutputTokens: 30 } }),
      });
    const r = await post('/v1beta/models/claude-sonnet-4-5:generateContent');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ candidates: [{ content: { role: 'model', parts: [{ text: 'Gemini' }] }, finishReason: 'MAX_TOKENS' }], usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 2 } });
    expect(lastPost().body).toMatchObject({ model: 'claude-sonnet-4-5', system: 'sys', max_tokens: 30 });

    const sse = await post('/v1beta/models/claude-sonnet-4-5:streamGenerateContent?alt=sse');
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    const events = (await sse.text()).split('\r\n\r\n').filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, '')));
    expect(events.flatMap((e) => e.candidates[0].content.parts.map((p: { text: string }) => p.text))).toEqual(['Gem', 'ini']);
    expect(events.at(-1)).toMatchObject({ candidates: [{ finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 2 } });

    const arr = await post('/v1beta/models/claude-sonnet-4-5:streamGenerateContent');
    expect(arr.headers.get('content-type')).toContain('application/json');
    const items = (await arr.json()) as unknown[];
    expect(items.length).toBe(3);
  });

  it('answers OpenAI Responses from Cloud Code accounts (create and stream), and a bad item with a 400', async () => {
    await seedGoogleAccounts(ph.h.app, ph.google, 1, () => ({ reply: ['Res', 'ponse'] }));
    await call(ph.h.app, 'monitor:syncNow');
    const r = await openai.responses.create({ model: 'claude-sonnet-4-5', instructions: 'sys', input: 'hi', max_output_tokens: 64 });
    expect(r.output_text).toBe('Response');
    expect(r.usage).toMatchObject({ input_tokens: 8, output_tokens: 2 });
    const up = JSON.parse([...ph.google.requests].reverse().find((x) => x.path.endsWith(':generateContent'))!.body);
    expect(up.request).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], systemInstruction: { role: 'user', parts: [{ text: 'sys' }] }, generationConfig: { maxOutputTokens: 64 } });

    const stream = openai.responses.stream({ model: 'claude-sonnet-4-5', input: [{ role: 'user', content: 'hi' }] });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Response');
    expect(final.status).toBe('completed');

    const bad = await openai.responses.create({ model: 'claude-sonnet-4-5', input: [{ type: 'input_file_search', id: 'x' } as never] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as Error).message).toContain('input.0: an input item of type "input_file_search" cannot be sent');
  });
});
