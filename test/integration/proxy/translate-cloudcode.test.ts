// Protocol translation onto Cloud Code: the official `@anthropic-ai/sdk` and `openai` clients,
// unchanged, against the real proxy whose only accounts are Cloud Code accounts (Antigravity,
// Gemini CLI) on the fake v1internal upstream. Text, streams read with the SDKs' own helpers,
// thinking with its signature round-tripping, a full tool-use round trip with ids preserved,
// failover on a 429 mid-conversation, 404 for an unknown model, an alias and a fallback chain,
// a stream cut mid-answer, and bad input answered 400 in the client's shape.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeAccountSpec, FakeTurn } from '../../helpers/fake-google';
import { call } from '../../helpers/harness';
import { startProxyHarness, type ProxyHarness } from '../../helpers/proxy-harness';
import { seedGoogleAccounts, type Seeded } from '../../helpers/seed';

const CLAUDE = 'claude-sonnet-4-5';
const GEMINI = 'gemini-3-pro-high';
const SIG = `sig-claude-${'x'.repeat(80)}`;
const weatherTool = {
  name: 'get_weather',
  description: 'Weather in a city',
  input_schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
};

let ph: ProxyHarness;
let seeded: Seeded[];
let anthropic: Anthropic;
let openai: OpenAI;

/** The request the fake upstream got last for a v1internal method, parsed. */
function lastUpstream(method = 'generateContent'): { model: string; project: string; request: Record<string, any> } {
  const r = [...ph.google.requests].reverse().find((x) => x.path === `/v1internal:${method}`);
  if (!r) throw new Error(`no ${method} request`);
  return JSON.parse(r.body);
}

/** Answers a function call first, then text once the function's response is in the request. */
const toolTurn: FakeAccountSpec['turn'] = ({ request }) => {
  const contents = request['contents'] as Array<{ parts: Array<Record<string, unknown>> }>;
  const lastParts = contents[contents.length - 1]!.parts;
  if (lastParts.some((p) => p['functionResponse'])) return { chunks: [[{ text: 'It is ' }], [{ text: 'sunny.' }]] };
  return { chunks: [[{ text: 'Checking.' }], [{ functionCall: { name: 'get_weather', args: { city: 'Paris' }, id: 'toolu_fake_1' } }]], usage: { promptTokenCount: 20, candidatesTokenCount: 5 } };
};

async function seed(spec: (i: number) => Partial<FakeAccountSpec> = () => ({})): Promise<void> {
  seeded = await seedGoogleAccounts(ph.h.app, ph.google, 2, spec);
  await call(ph.h.app, 'monitor:syncNow');
}

function servedBy(res: Response | { headers: Headers }): string | null {
  return res.headers.get('x-quotadeck-account');
}

beforeEach(async () => {
  ph = await startProxyHarness();
  anthropic = new Anthropic({ baseURL: ph.proxy.url, apiKey: ph.key, maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${ph.proxy.url}/v1`, apiKey: ph.key, maxRetries: 0 });
});
afterEach(async () => {
  await ph.close();
});

describe('translation — Anthropic client onto Cloud Code', () => {
  it('answers a Claude model on Antigravity: system, sampling and stop sequences go up as Gemini fields', async () => {
    await seed(() => ({ reply: ['Hello', ' there'] }));
    const { data, response } = await anthropic.messages
      .create({ model: CLAUDE, max_tokens: 64, system: 'Be brief.', temperature: 0.2, top_p: 0.9, stop_sequences: ['END'], messages: [{ role: 'user', content: 'hi' }] } as Anthropic.MessageCreateParamsNonStreaming)
      .withResponse();
    // (temperature and top_p are no longer in this SDK's types; clients such as Claude Code still send them.)
    expect(data).toMatchObject({ type: 'message', role: 'assistant', model: CLAUDE, content: [{ type: 'text', text: 'Hello there' }], stop_reason: 'end_turn', usage: { input_tokens: 8, output_tokens: 2 } });
    expect(data.id).toMatch(/^msg_/);
    expect(response.headers.get('x-quotadeck-model')).toBe(CLAUDE);
    expect(servedBy(response)).toMatch(/^antigravity\//);

    const up = lastUpstream();
    expect(up.model).toBe(CLAUDE);
    expect(seeded.map((s) => s.handle.spec.projectId)).toContain(up.project);
    expect(up.request).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      systemInstruction: { role: 'user', parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 64, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
    });
    expect(ph.ledger.settled()[0]).toMatchObject({ route: 'anthropic.messages', provider: 'antigravity', model: CLAUDE, status: 'completed', inputTokens: 8, outputTokens: 2 });
  });

  it('streams event by event (finalMessage), thinking with its signature, and takes the signed thinking back next turn', async () => {
    const turn: FakeTurn = {
      chunks: [[{ text: 'Let me think', thought: true }], [{ text: '', thought: true, thoughtSignature: SIG }], [{ text: 'Hello ' }], [{ text: 'world' }]],
      usage: { promptTokenCount: 12, candidatesTokenCount: 2, thoughtsTokenCount: 3 },
    };
    await seed(() => ({ turn: () => turn }));
    const stream = anthropic.messages.stream({ model: CLAUDE, max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: 'hi' }] });
    const types: string[] = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const final = await stream.finalMessage();
    expect(final.content).toEqual([
      { type: 'thinking', thinking: 'Let me think', signature: SIG },
      { type: 'text', text: 'Hello world', citations: null },
    ].map((b) => (b.type === 'text' ? expect.objectContaining({ type: 'text', text: 'Hello world' }) : b)));
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ output_tokens: 5 });
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types.filter((t) => t === 'content_block_start')).toHaveLength(2);
    expect(lastUpstream('streamGenerateContent').request['generationConfig']).toEqual({ maxOutputTokens: 4096, thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 } });
    expect(await ph.ledger.waitFor(() => true)).toMatchObject({ route: 'anthropic.messages', status: 'completed', inputTokens: 12, outputTokens: 5 });

    // Next turn: the thinking Cloud Code signed goes back with its signature; a block signed elsewhere is dropped.
    await anthropic.messages.create({
      model: CLAUDE,
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'Foreign', signature: 'signed-by-someone-else' }, { type: 'thinking', thinking: 'Let me think', signature: SIG }, { type: 'text', text: 'Hello world' }] },
        { role: 'user', content: 'again' },
      ],
    });
    const contents = lastUpstream().request['contents'];
    expect(contents[1]).toEqual({ role: 'model', parts: [{ text: 'Let me think', thought: true, thoughtSignature: SIG }, { text: 'Hello world' }] });
  });

  it('runs a full tool-use round trip with the call id preserved, streamed and not', async () => {
    await seed(() => ({ turn: toolTurn }));
    const first = await anthropic.messages.create({ model: CLAUDE, max_tokens: 256, tools: [weatherTool], tool_choice: { type: 'auto' }, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([expect.objectContaining({ type: 'text', text: 'Checking.' }), { type: 'tool_use', id: 'toolu_fake_1', name: 'get_weather', input: { city: 'Paris' } }]);
    const up1 = lastUpstream().request;
    expect(up1['tools']).toEqual([{ functionDeclarations: [{ name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }] }]);
    expect(up1['toolConfig']).toEqual({ functionCallingConfig: { mode: 'AUTO' } });

    // The same first turn streamed: the SDK rebuilds the tool input from input_json_delta.
    const streamed = await anthropic.messages.stream({ model: CLAUDE, max_tokens: 256, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in Paris?' }] }).finalMessage();
    expect(streamed.content[1]).toEqual({ type: 'tool_use', id: 'toolu_fake_1', name: 'get_weather', input: { city: 'Paris' } });
    expect(streamed.stop_reason).toBe('tool_use');

    const second = await anthropic.messages.create({
      model: CLAUDE,
      max_tokens: 256,
      tools: [weatherTool],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_fake_1', content: 'sunny, 21C' }] },
      ],
    });
    expect(second.content).toEqual([expect.objectContaining({ type: 'text', text: 'It is sunny.' })]);
    expect(second.stop_reason).toBe('end_turn');
    const up2 = lastUpstream().request;
    expect(up2['contents']).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ text: 'Checking.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' }, id: 'toolu_fake_1' } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: 'sunny, 21C' }, id: 'toolu_fake_1' } }] },
    ]);
    expect(up2['toolConfig']).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
  });

  it('fails over to the second account on a 429 mid-conversation, locking the first until quotaResetDelay', async () => {
    await seed();
    const metadata = { user_id: 'conv-1' };
    const r1 = await anthropic.messages.create({ model: CLAUDE, max_tokens: 32, metadata, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const firstId = seeded.find((s) => servedBy(r1.response)!.includes(s.id.slice(0, 8)))!;
    const other = seeded.find((s) => s !== firstId)!;
    firstId.handle.setMethodBehaviour('generateContent', { kind: 'quota429', resetDelay: '1h2m3s' });

    const r2 = await anthropic.messages
      .create({ model: CLAUDE, max_tokens: 32, metadata, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'Hi' }, { role: 'user', content: 'more' }] })
      .withResponse();
    expect(r2.data.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hi' })]);
    expect(servedBy(r2.response)).toContain(other.id.slice(0, 8));
    expect(r2.response.headers.get('x-quotadeck-attempts')).toBe('2');
    const lock = ph.h.app.services.engine.listLocks().find((l) => l.accountId === firstId.id)!;
    expect(Date.parse(lock.lockedUntil)).toBeGreaterThan(Date.now() + 3_600_000);
    const rows = ph.ledger.settled().slice(-2);
    expect(rows.map((r) => [r.accountId, r.status, r.httpStatus])).toEqual([[firstId.id, 'failed', 429], [other.id, 'completed', 200]]);
  });

  it('answers 404 model_not_found for a model no Cloud Code account serves, without calling upstream', async () => {
    await seed();
    ph.google.resetStats();
    const err = await anthropic.messages.create({ model: 'claude-unknown-9', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error', code: 'model_not_found' } });
    expect(ph.google.requests.filter((r) => r.path.includes('generateContent'))).toHaveLength(0);
  });

  it('resolves an alias and walks the fallback chain onto a Gemini model when the Claude accounts are exhausted', async () => {
    await seed(() => ({ reply: ['From Gemini'] }));
    await call(ph.h.app, 'settings:update', { modelAliases: { 'claude-sonnet-4-5-20250929': CLAUDE }, modelFallbacks: { [CLAUDE]: [GEMINI] } });
    const viaAlias = await anthropic.messages.create({ model: 'claude-sonnet-4-5-20250929', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(viaAlias.response.headers.get('x-quotadeck-model')).toBe(CLAUDE);
    expect(lastUpstream().model).toBe(CLAUDE);

    for (const s of seeded) ph.h.app.services.engine.report(ph.h.app.services.store.require(s.id), CLAUDE, '429', 600);
    const fell = await anthropic.messages.create({ model: 'claude-sonnet-4-5-20250929', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(fell.data.content).toEqual([expect.objectContaining({ type: 'text', text: 'From Gemini' })]);
    expect(fell.data.model).toBe(GEMINI);
    expect(fell.response.headers.get('x-quotadeck-model')).toBe(GEMINI);
    expect(lastUpstream().model).toBe(GEMINI);
    const row = ph.ledger.settled().at(-1)!;
    expect(row).toMatchObject({ model: GEMINI, requestedModel: 'claude-sonnet-4-5-20250929', status: 'completed' });
  });

  it('ends a stream cut mid-answer with an Anthropic error event, and the ledger row says so', async () => {
    await seed(() => ({ turn: () => ({ chunks: [[{ text: 'Part one' }], [{ text: ' part two' }], [{ text: ' end' }]], cutAfter: 1 }) }));
    const res = await fetch(`${ph.proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': ph.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: CLAUDE, max_tokens: 32, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"text":"Part one"');
    expect(text.trimEnd().split('\n\n').at(-1)).toMatch(/^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The upstream stream was interrupted/);
    expect(text).not.toContain('message_stop');
    const row = await ph.ledger.waitFor(() => true);
    expect(row).toMatchObject({ status: 'failed', error: 'upstream stream interrupted' });

    // The SDK sees it as an error.
    const err = await anthropic.messages.stream({ model: CLAUDE, max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }).finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
  });

  it('answers 400 in the Anthropic shape naming the field for a malformed body or an attachment Cloud Code cannot take', async () => {
    await seed();
    const bad = await anthropic.messages.create({ model: CLAUDE, max_tokens: 'many' as unknown as number, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/^max_tokens: /) } });

    const doc = await anthropic.messages
      .create({ model: CLAUDE, max_tokens: 8, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0x' } }] }] })
      .catch((e: unknown) => e);
    expect(doc).toBeInstanceOf(Anthropic.BadRequestError);
    expect((doc as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringMatching(/^messages\.0\.content\.0: content of type "document" cannot be sent/) } });
    expect(ph.google.requests.filter((r) => r.path.includes('generateContent'))).toHaveLength(0);
    expect(ph.ledger.settled().map((r) => [r.status, r.httpStatus])).toEqual([['rejected', 400], ['rejected', 400]]);
  });

  it('sends images inline and serves a Gemini model on a Gemini CLI account, its function-call signature kept across turns', async () => {
    const h = ph.google.addAccount({
      refreshToken: '1//gemini-cli-only',
      models: { 'gemini-2.5-pro': { remainingFraction: 0.9, resetTime: new Date(Date.now() + 3_600_000).toISOString() } },
      turn: ({ request }) => {
        const contents = request['contents'] as Array<{ parts: Array<Record<string, unknown>> }>;
        if (contents.at(-1)!.parts.some((p) => p['functionResponse'])) return { chunks: [[{ text: 'Done.' }]] };
        return { chunks: [[{ functionCall: { name: 'get_weather', args: { city: 'Oslo' } }, thoughtSignature: 'gemini-sig-1' }]] };
      },
    });
    await ph.importAccounts([{ provider: 'gemini-cli', email: 'cli@example.com', refreshToken: h.spec.refreshToken, accessToken: h.accessToken(), expiresAt: '2099-01-01T00:00:00Z' }]);
    await call(ph.h.app, 'monitor:syncNow');
    const png = Buffer.from('fake-png').toString('base64');
    const first = await anthropic.messages.create({
      model: 'gemini-2.5-pro',
      max_tokens: 64,
      tools: [weatherTool],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }] }],
    });
    const use = first.content.find((b) => b.type === 'tool_use')!;
    expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Oslo' } });
    expect(lastUpstream().request['contents'][0].parts).toEqual([{ text: 'Weather?' }, { inlineData: { mimeType: 'image/png', data: png } }]);

    await anthropic.messages.create({
      model: 'gemini-2.5-pro',
      max_tokens: 64,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: (use as { id: string }).id, content: 'cold' }] },
      ],
    });
    const contents = lastUpstream().request['contents'];
    expect(contents[1].parts[0]).toEqual({ functionCall: { name: 'get_weather', args: { city: 'Oslo' }, id: (use as { id: string }).id }, thoughtSignature: 'gemini-sig-1' });
    expect(contents[2].parts[0]).toEqual({ functionResponse: { name: 'get_weather', response: { output: 'cold' }, id: (use as { id: string }).id } });
  });

  it('counts tokens for a Cloud Code model locally (no upstream call)', async () => {
    await seed();
    ph.google.resetStats();
    const n = await anthropic.messages.countTokens({ model: CLAUDE, messages: [{ role: 'user', content: 'x'.repeat(400) }] });
    expect(n.input_tokens).toBeGreaterThanOrEqual(100);
    expect(ph.google.requests.filter((r) => r.path.includes('generateContent'))).toHaveLength(0);
  });
});

describe('translation — OpenAI Chat client onto Cloud Code', () => {
  it('answers text and streams chunks with a usage chunk when asked', async () => {
    await seed(() => ({ reply: ['Hel', 'lo'] }));
    const r = await openai.chat.completions.create({ model: CLAUDE, max_tokens: 32, temperature: 0.5, stop: ['STOP'], messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }] });
    expect(r).toMatchObject({ object: 'chat.completion', model: CLAUDE, choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 } });
    expect(lastUpstream().request).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      systemInstruction: { role: 'user', parts: [{ text: 'sys' }] },
      generationConfig: { maxOutputTokens: 32, temperature: 0.5, stopSequences: ['STOP'] },
    });

    const stream = await openai.chat.completions.create({ model: GEMINI, messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    const deltas: string[] = [];
    let usage: unknown = null;
    let finish: string | null = null;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) deltas.push(chunk.choices[0].delta.content);
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 2 });
    expect(await ph.ledger.waitFor((r) => r.model === GEMINI)).toMatchObject({ route: 'openai.chat', provider: 'antigravity', status: 'completed', inputTokens: 8, outputTokens: 2 });
  });

  it('runs a tool round trip with tool_calls ids preserved (streamed with the SDK helper, then answered)', async () => {
    await seed(() => ({ turn: toolTurn }));
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: weatherTool.input_schema } }];
    const runner = openai.chat.completions.stream({ model: CLAUDE, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools, tool_choice: 'required' });
    const first = await runner.finalChatCompletion();
    const msg = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(msg.content).toBe('Checking.');
    expect(msg.tool_calls).toEqual([expect.objectContaining({ id: 'toolu_fake_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } })]);
    expect(lastUpstream('streamGenerateContent').request['toolConfig']).toEqual({ functionCallingConfig: { mode: 'ANY' } });

    const second = await openai.chat.completions.create({
      model: CLAUDE,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: msg.content, tool_calls: msg.tool_calls },
        { role: 'tool', tool_call_id: 'toolu_fake_1', content: '{"temp":21}' },
      ],
    });
    expect(second.choices[0]!.message.content).toBe('It is sunny.');
    expect(lastUpstream().request['contents'].slice(1)).toEqual([
      { role: 'model', parts: [{ text: 'Checking.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' }, id: 'toolu_fake_1' } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 21 }, id: 'toolu_fake_1' } }] },
    ]);
  });

  it('keeps Claude thinking across a tool loop for a client that cannot carry signatures (reasoning_content out, signed thinking put back)', async () => {
    await seed(() => ({
      turn: ({ request }) => {
        const contents = request['contents'] as Array<{ parts: Array<Record<string, unknown>> }>;
        if (contents.at(-1)!.parts.some((p) => p['functionResponse'])) return { chunks: [[{ text: 'Done.' }]] };
        return { chunks: [[{ text: 'I should look it up', thought: true }], [{ text: '', thought: true, thoughtSignature: SIG }], [{ functionCall: { name: 'get_weather', args: { city: 'Rome' }, id: 'toolu_rome' } }]] };
      },
    }));
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool.input_schema } }];
    const first = await openai.chat.completions.stream({ model: CLAUDE, reasoning_effort: 'low', tools, messages: [{ role: 'user', content: 'Weather in Rome?' }] }).finalChatCompletion();
    const msg = first.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    expect(msg.reasoning_content).toBe('I should look it up');
    expect(lastUpstream('streamGenerateContent').request['generationConfig']).toEqual({ thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 } });

    // The client sends the call back without its reasoning: the signed thinking is put back before it.
    await openai.chat.completions.create({
      model: CLAUDE,
      reasoning_effort: 'low',
      tools,
      messages: [{ role: 'user', content: 'Weather in Rome?' }, { role: 'assistant', content: null, tool_calls: msg.tool_calls }, { role: 'tool', tool_call_id: 'toolu_rome', content: 'warm' }],
    });
    const up = lastUpstream().request;
    expect(up['contents'][1]).toEqual({ role: 'model', parts: [{ text: 'I should look it up', thought: true, thoughtSignature: SIG }, { functionCall: { name: 'get_weather', args: { city: 'Rome' }, id: 'toolu_rome' } }] });
    expect(up['generationConfig']).toEqual({ thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 } });
  });

  it('fails over on a 429 and answers errors and bad input in the OpenAI shape', async () => {
    await seed();
    const first = ph.h.app.services.selector.select(CLAUDE, undefined, (a) => a.provider === 'antigravity').account.id;
    const s1 = seeded.find((s) => s.id === first)!;
    s1.handle.setMethodBehaviour('generateContent', { kind: 'quota429', resetDelay: '30m' });
    const ok = await openai.chat.completions.create({ model: CLAUDE, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(servedBy(ok.response)).not.toContain(first.slice(0, 8));

    const notFound = await openai.chat.completions.create({ model: 'gpt-nobody', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(notFound).toMatchObject({ status: 404, code: 'model_not_found' });

    const bad = await openai.chat.completions.create({ model: CLAUDE, messages: [{ role: 'wizard', content: 'hi' } as never] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/messages\.0/);
    const audio = await openai.chat.completions
      .create({ model: CLAUDE, messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] })
      .catch((e: unknown) => e);
    expect(audio).toBeInstanceOf(OpenAI.BadRequestError);
    expect((audio as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ message: expect.stringContaining('messages.0.content.0: content of type "input_audio" cannot be sent'), type: 'invalid_request_error' });

    // Every account answers 400: the upstream's message reaches the client in the OpenAI shape.
    for (const s of seeded) s.handle.setMethodBehaviour('generateContent', { kind: 'status', status: 400 });
    const up400 = await openai.chat.completions.create({ model: CLAUDE, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(up400).toBeInstanceOf(OpenAI.BadRequestError);
    expect((up400 as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ message: 'Fake error 400.', type: 'invalid_request_error' });
  });
});
