// The pure translators, pair by pair: client requests into the IR (validation naming the field),
// the IR into each upstream's body (images inline, tool_choice, stop sequences, max tokens,
// temperature, thinking and its signatures), answers and stop reasons back, and streams
// translated event by event.
import { describe, expect, it } from 'vitest';
import { anthropicBody, anthropicClient, anthropicUpstream } from '../../src/main/core/proxy/translate/anthropic-protocol';
import { cloudCodeUpstream, geminiClient, geminiRequest, geminiSchema } from '../../src/main/core/proxy/translate/gemini-protocol';
import { AnswerCollector, BadClientRequest, type IrEvent, type IrRequest } from '../../src/main/core/proxy/translate/ir';
import { chatBody, openAiChatClient, openAiChatUpstream } from '../../src/main/core/proxy/translate/openai-chat-protocol';
import type { TranslateContext } from '../../src/main/core/proxy/translate/protocol';
import { codexBody, codexUpstream, responsesClient } from '../../src/main/core/proxy/translate/responses-protocol';
import { SignatureCache, SKIP_SIGNATURE } from '../../src/main/core/proxy/translate/signature-cache';
import { TranslatingStream } from '../../src/main/core/proxy/translate/translating-stream';

const PNG = 'iVBORw0KGgo=';
const ctx = (over: Partial<TranslateContext> = {}): TranslateContext => ({ model: 'm-1', signatures: new SignatureCache(), clientSse: true, ...over });

function anthropicIr(body: Record<string, unknown>): IrRequest {
  return anthropicClient.parse({ model: 'claude-x', max_tokens: 100, ...body }, 'anthropic.messages');
}

function sseEvents(text: string): Array<{ event: string | null; data: any }> {
  return text
    .split(/\r?\n\r?\n/)
    .filter((b) => b.trim())
    .map((b) => {
      const event = /^event: (.*)$/m.exec(b)?.[1] ?? null;
      const data = /^data: (.*)$/m.exec(b)![1]!;
      return { event, data: data === '[DONE]' ? data : JSON.parse(data) };
    });
}

describe('Anthropic client → IR', () => {
  it('reads system blocks, images, tool use/results (naming results), tool_choice, sampling, stops and thinking', () => {
    const ir = anthropicIr({
      system: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }],
      temperature: 0.3,
      top_k: 5,
      stop_sequences: ['Z'],
      thinking: { type: 'enabled', budget_tokens: 3000 },
      tool_choice: { type: 'tool', name: 'f' },
      tools: [{ name: 'f', input_schema: { type: 'object' } }, { type: 'web_search_20250305', name: 'web_search' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's' }, { type: 'redacted_thinking', data: 'x' }, { type: 'tool_use', id: 'tu1', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu1', content: [{ type: 'text', text: 'ok' }], is_error: true }] },
      ],
    });
    expect(ir.system).toBe('a\nb');
    expect(ir).toMatchObject({ maxTokens: 100, temperature: 0.3, topK: 5, stop: ['Z'], thinking: { budget: 3000, effort: null }, toolChoice: { type: 'tool', name: 'f' }, stream: false });
    expect(ir.tools).toEqual([{ name: 'f', description: null, parameters: { type: 'object' } }]);
    expect(ir.messages).toEqual([
      { role: 'user', parts: [{ kind: 'text', text: 'look' }, { kind: 'image', mediaType: 'image/png', data: PNG }] },
      { role: 'assistant', parts: [{ kind: 'thinking', text: 't', signature: 's' }, { kind: 'tool_call', id: 'tu1', name: 'f', args: '{"a":1}' }] },
      { role: 'user', parts: [{ kind: 'tool_result', id: 'tu1', name: 'f', content: [{ kind: 'text', text: 'ok' }], isError: true }] },
    ]);
  });

  it('drops server tools Anthropic ran itself and keeps disable_parallel_tool_use', () => {
    const ir = anthropicIr({
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'search' },
        { role: 'assistant', content: [{ type: 'server_tool_use', id: 'srv', name: 'web_search', input: {} }, { type: 'web_search_tool_result', tool_use_id: 'srv', content: [] }, { type: 'text', text: 'found' }] },
      ],
    });
    expect(ir.messages[1]!.parts).toEqual([{ kind: 'text', text: 'found' }]);
    expect(ir.parallelToolCalls).toBe(false);
    expect(chatBody(ir, 'gpt-4o', 'openai')['parallel_tool_calls']).toBe(false);
    expect(anthropicBody(ir, 'claude-x', () => false)['tool_choice']).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  });

  it('refuses a malformed body or an unsupported attachment naming the field', () => {
    expect(() => anthropicIr({ messages: [{ role: 'robot', content: 'x' }] })).toThrow(/^messages\.0\.role: /);
    expect(() => anthropicClient.parse({ model: 'c', messages: [] }, 'anthropic.messages')).toThrow('max_tokens: Field required');
    expect(() => anthropicIr({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] })).toThrow(/messages\.0\.content\.0\.source: an image by URL cannot be sent/);
    expect(() => anthropicIr({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/tiff', data: 'AA' } }] }] })).toThrow(/media_type: an image of type "image\/tiff"/);
    expect(() => anthropicIr({ messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'x', name: 'f' }] }] })).toThrow(/^messages\.0\.content\.0\.input: /);
    const e = (() => {
      try {
        anthropicIr({ messages: [{ role: 'user', content: [{ type: 'document' }] }] });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(BadClientRequest);
  });
});

describe('IR → Cloud Code (Anthropic and OpenAI clients)', () => {
  it('writes images inline, tool declarations with a schema Gemini takes, tool_choice modes, stops, max tokens, temperature and thinking', () => {
    const ir = anthropicIr({
      temperature: 0.5,
      top_p: 0.8,
      stop_sequences: ['END'],
      thinking: { type: 'enabled', budget_tokens: 2000 },
      tool_choice: { type: 'any' },
      tools: [{ name: 'f', description: 'd', input_schema: { $schema: 'x', type: 'object', additionalProperties: false, properties: { k: { type: ['string', 'null'], const: 'v', format: 'uri' } } } }],
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: PNG } }, { type: 'text', text: 'hi' }] }],
    });
    const req = geminiRequest(ir, 'gemini-3-pro', new SignatureCache());
    expect(req).toEqual({
      contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/jpeg', data: PNG } }, { text: 'hi' }] }],
      tools: [{ functionDeclarations: [{ name: 'f', description: 'd', parameters: { type: 'object', properties: { k: { type: 'string', nullable: true, enum: ['v'] } } } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      generationConfig: { maxOutputTokens: 100, temperature: 0.5, topP: 0.8, stopSequences: ['END'], thinkingConfig: { includeThoughts: true, thinkingBudget: 2000 } },
    });
    const none = geminiRequest({ ...ir, toolChoice: { type: 'none' } }, 'gemini-3-pro', new SignatureCache());
    expect(none['toolConfig']).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(geminiSchema({ anyOf: [{ type: 'string', default: 'x' }] })).toEqual({ anyOf: [{ type: 'string' }] });
  });

  it('keeps only Cloud Code-signed thinking for Claude, signs Gemini function calls (own, cached, or the placeholder), and turns thinking off when the pending call lost its thinking', () => {
    const sigs = new SignatureCache();
    sigs.noteSignature('ours', 'cloudcode');
    sigs.noteTool('call-2', 'cached-sig');
    const ir = anthropicIr({
      thinking: { type: 'enabled', budget_tokens: 2000 },
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'mine', signature: 'ours' }, { type: 'tool_use', id: 'call-1', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call-1', content: 'r1' }] },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'foreign', signature: 'theirs' }, { type: 'tool_use', id: 'call-2', name: 'f', input: {} }, { type: 'tool_use', id: 'call-3', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call-2', content: 'r2' }, { type: 'tool_result', tool_use_id: 'call-3', content: '{"x":1}' }] },
      ],
    });
    const claude = geminiRequest(ir, 'claude-sonnet-4-5', sigs) as { contents: Array<{ parts: unknown[] }>; generationConfig?: Record<string, unknown> };
    expect(claude.contents[1]!.parts[0]).toEqual({ text: 'mine', thought: true, thoughtSignature: 'ours' });
    expect(claude.contents[3]!.parts).toEqual([{ functionCall: { name: 'f', args: {}, id: 'call-2' } }, { functionCall: { name: 'f', args: {}, id: 'call-3' } }]);
    expect(claude.contents[4]!.parts).toEqual([{ functionResponse: { name: 'f', response: { output: 'r2' }, id: 'call-2' } }, { functionResponse: { name: 'f', response: { x: 1 }, id: 'call-3' } }]);
    // The last call's thinking was dropped: thinking is off rather than a refused turn.
    expect(claude.generationConfig).toEqual({ maxOutputTokens: 100 });

    const gemini = geminiRequest(ir, 'gemini-3-pro', sigs) as { contents: Array<{ parts: Array<Record<string, unknown>> }> };
    expect(gemini.contents[1]!.parts).toEqual([{ functionCall: { name: 'f', args: {}, id: 'call-1' }, thoughtSignature: SKIP_SIGNATURE }]);
    expect(gemini.contents[3]!.parts[0]).toEqual({ functionCall: { name: 'f', args: {}, id: 'call-2' }, thoughtSignature: 'cached-sig' });
    expect(gemini.contents[3]!.parts[1]).toEqual({ functionCall: { name: 'f', args: {}, id: 'call-3' } });
  });

  it('reads an OpenAI Chat request: system/developer, tool messages, data-URL images, required tool_choice, effort', () => {
    const ir = openAiChatClient.parse(
      {
        model: 'x',
        max_completion_tokens: 9,
        stop: 'S',
        reasoning_effort: 'high',
        tool_choice: 'required',
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
        messages: [
          { role: 'developer', content: 'dev' },
          { role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: 'done' },
        ],
      },
      'openai.chat',
    );
    expect(ir).toMatchObject({ system: 'dev', maxTokens: 9, stop: ['S'], thinking: { effort: 'high' }, toolChoice: { type: 'any' } });
    expect(ir.messages[2]).toEqual({ role: 'user', parts: [{ kind: 'tool_result', id: 'c1', name: 'f', content: [{ kind: 'text', text: 'done' }], isError: false }] });
    expect(() => openAiChatClient.parse({ model: 'x', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://e/x.png' } }] }] }, 'openai.chat')).toThrow(/messages\.0\.content\.0\.image_url\.url: an image by URL/);
    expect(() => openAiChatClient.parse({ model: 'x', messages: [] }, 'openai.chat')).toThrow(/^messages: /);
  });
});

describe('Gemini and Responses clients → IR', () => {
  it('reads generateContent: roles, inline images, thoughts, function calls paired with responses by order when ids are missing, tool config, generation config', () => {
    const ir = geminiClient.parse(
      {
        systemInstruction: { parts: [{ text: 'sys' }] },
        contents: [
          { role: 'user', parts: [{ text: 'q' }, { inlineData: { mimeType: 'image/webp', data: PNG } }] },
          { role: 'model', parts: [{ text: 'plan', thought: true, thoughtSignature: 'ts' }, { functionCall: { name: 'a', args: { x: 1 } }, thoughtSignature: 'fs' }, { functionCall: { name: 'b', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'b', response: { output: 'B' } } }, { functionResponse: { name: 'a', response: { error: 'bad' } } }] },
        ],
        tools: [{ functionDeclarations: [{ name: 'a', parametersJsonSchema: { type: 'object' } }] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['a'] } },
        generationConfig: { maxOutputTokens: 50, temperature: 1, stopSequences: ['s'], thinkingConfig: { thinkingBudget: 1000, includeThoughts: true } },
      },
      'gemini.stream',
    );
    expect(ir).toMatchObject({ system: 'sys', stream: true, maxTokens: 50, temperature: 1, stop: ['s'], thinking: { budget: 1000 }, toolChoice: { type: 'tool', name: 'a' } });
    const calls = ir.messages[1]!.parts.filter((p) => p.kind === 'tool_call') as Array<{ id: string; name: string; signature?: string | null }>;
    expect(calls.map((c) => [c.name, c.signature])).toEqual([['a', 'fs'], ['b', null]]);
    const results = ir.messages[2]!.parts as Array<{ id: string; name: string; isError: boolean }>;
    expect(results.map((r) => [r.name, r.id === calls.find((c) => c.name === r.name)!.id, r.isError])).toEqual([['b', true, false], ['a', true, true]]);
    expect(ir.messages[0]!.parts[1]).toEqual({ kind: 'image', mediaType: 'image/webp', data: PNG });
    expect(() => geminiClient.parse({ contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'gs://x' } }] }] }, 'gemini.generate')).toThrow(/contents\.0\.parts\.0\.fileData: a file by URI cannot be sent/);
    expect(() => geminiClient.parse({ contents: 'hi' }, 'gemini.generate')).toThrow(/^contents: /);
  });

  it('reads Responses input items: messages, function calls and outputs, reasoning with its encrypted content; refuses what it cannot carry', () => {
    const ir = responsesClient.parse(
      {
        model: 'm',
        instructions: 'inst',
        reasoning: { effort: 'low' },
        tool_choice: { type: 'function', name: 'f' },
        tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }, { type: 'web_search' }],
        input: [
          { role: 'developer', content: 'dev' },
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q' }, { type: 'input_image', image_url: `data:image/gif;base64,${PNG}` }] },
          { type: 'reasoning', summary: [{ type: 'summary_text', text: 'why' }], encrypted_content: 'enc' },
          { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
          { type: 'function_call_output', call_id: 'c1', output: 'out' },
        ],
      },
      'openai.responses',
    );
    expect(ir).toMatchObject({ system: 'inst\ndev', thinking: { effort: 'low' }, toolChoice: { type: 'tool', name: 'f' }, tools: [{ name: 'f' }] });
    expect(ir.messages).toEqual([
      { role: 'user', parts: [{ kind: 'text', text: 'q' }, { kind: 'image', mediaType: 'image/gif', data: PNG }] },
      { role: 'assistant', parts: [{ kind: 'thinking', text: 'why', signature: 'enc' }, { kind: 'tool_call', id: 'c1', name: 'f', args: '{}' }] },
      { role: 'user', parts: [{ kind: 'tool_result', id: 'c1', name: 'f', content: [{ kind: 'text', text: 'out' }], isError: false }] },
    ]);
    expect(() => responsesClient.parse({ model: 'm', input: [{ type: 'message', role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, 'openai.responses')).toThrow(/input\.0\.content\.0: content of type "input_file"/);
    expect(() => responsesClient.parse({ model: 'm', input: 'x', previous_response_id: 'r' }, 'openai.responses')).toThrow(/^previous_response_id: /);
  });

  it('streams Responses events whose final response carries every item', () => {
    const c = ctx();
    const ir = responsesClient.parse({ model: 'm', input: 'q', stream: true }, 'openai.responses');
    const enc = responsesClient.encoder(c, ir);
    const out = [
      enc.push({ t: 'start', id: 'resp_1', model: null }),
      enc.push({ t: 'thinking', text: 'hm' }),
      enc.push({ t: 'signature', signature: 'sig' }),
      enc.push({ t: 'text', text: 'Hi' }),
      enc.push({ t: 'tool', id: 'c1', name: 'f', args: '{"a"' }),
      enc.push({ t: 'tool_args', args: ':1}' }),
      enc.push({ t: 'usage', usage: { input: 3, output: 4, cacheRead: null, reasoning: 1 } }),
      enc.finish(),
    ].join('');
    const ev = sseEvents(out);
    expect(ev[0]!.event).toBe('response.created');
    expect(ev.map((e) => e.data.sequence_number)).toEqual(ev.map((_, i) => i));
    const done = ev.at(-1)!.data;
    expect(ev.at(-1)!.event).toBe('response.completed');
    expect(done.response.output).toEqual([
      { type: 'reasoning', id: expect.any(String), summary: [{ type: 'summary_text', text: 'hm' }], encrypted_content: 'sig' },
      { type: 'message', id: expect.any(String), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi', annotations: [] }] },
      { type: 'function_call', id: expect.any(String), call_id: 'c1', name: 'f', arguments: '{"a":1}', status: 'completed' },
    ]);
    expect(done.response.usage).toMatchObject({ input_tokens: 3, output_tokens: 4, output_tokens_details: { reasoning_tokens: 1 } });
  });
});

describe('IR → Anthropic, OpenAI Chat, Codex', () => {
  const ir = anthropicIr({
    max_tokens: 300,
    temperature: 0.7,
    stop_sequences: ['Q'],
    tool_choice: { type: 'any' },
    tools: [{ name: 'f', input_schema: { type: 'object' } }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 'cx-sig' }, { type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c1', content: 'res' }, { type: 'text', text: 'next' }] },
    ],
  });

  it('writes Anthropic Messages: thinking only where Anthropic signed it; budget from effort; sampling dropped with thinking', () => {
    const body = anthropicBody(ir, 'claude-x', () => false);
    expect(body).toMatchObject({ model: 'claude-x', max_tokens: 300, temperature: 0.7, stop_sequences: ['Q'], tool_choice: { type: 'any' } });
    expect((body['messages'] as Array<{ content: unknown[] }>)[1]!.content).toEqual([{ type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 } }]);
    const withThinking = anthropicBody({ ...ir, thinking: { budget: null, effort: 'low' }, messages: ir.messages.slice(0, 1) }, 'claude-x', () => false);
    expect(withThinking['thinking']).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(withThinking['temperature']).toBeUndefined();
  });

  it('writes Chat Completions: tool messages before the user text, data-URL images, max_completion_tokens for reasoning models, required', () => {
    const body = chatBody(ir, 'gpt-5', 'openai');
    expect(body['max_completion_tokens']).toBe(300);
    expect(chatBody(ir, 'llama-3', 'openai')['max_tokens']).toBe(300);
    expect(body['tool_choice']).toBe('required');
    expect(body['messages']).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'res' },
      { role: 'user', content: 'next' },
    ]);
  });

  it('writes the Codex body: reasoning only when Codex signed it, function items, instructions, no sampling', () => {
    const body = codexBody(ir, 'gpt-5-codex', (s) => s === 'cx-sig');
    expect(body['input']).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }, { type: 'input_image', image_url: `data:image/png;base64,${PNG}` }] },
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'hm' }], encrypted_content: 'cx-sig' },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
      { type: 'function_call_output', call_id: 'c1', output: 'res' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'next' }] },
    ]);
    expect(body).toMatchObject({ instructions: '', tool_choice: 'required', store: false, stream: true });
    expect(body['temperature']).toBeUndefined();
    expect((codexBody(ir, 'gpt-5-codex', () => false)['input'] as unknown[]).some((i) => (i as { type: string }).type === 'reasoning')).toBe(false);
  });
});

describe('answers and stop reasons', () => {
  it('maps each upstream stop to each client', () => {
    const cc = (finishReason: string, parts: unknown[] = [{ text: 'x' }]) => cloudCodeUpstream.answer({ response: { candidates: [{ content: { parts }, finishReason }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, thoughtsTokenCount: 1 } } }, ctx());
    expect((anthropicClient.answer(cc('MAX_TOKENS'), ctx(), anthropicIr({ messages: [] })) as { stop_reason: string }).stop_reason).toBe('max_tokens');
    expect((openAiChatClient.answer(cc('MAX_TOKENS'), ctx(), anthropicIr({ messages: [] })) as { choices: Array<{ finish_reason: string }> }).choices[0]!.finish_reason).toBe('length');
    expect((openAiChatClient.answer(cc('SAFETY'), ctx(), anthropicIr({ messages: [] })) as { choices: Array<{ finish_reason: string }> }).choices[0]!.finish_reason).toBe('content_filter');
    const tool = cc('STOP', [{ functionCall: { name: 'f', args: { a: 1 } } }]);
    expect(tool.stop).toBe('tool_use');
    expect(tool.usage).toEqual({ input: 3, output: 3, cacheRead: null, reasoning: 1 });
    const chat = openAiChatUpstream.answer({ choices: [{ message: { content: null, tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 1, completion_tokens: 2 } }, ctx());
    expect((anthropicClient.answer(chat, ctx(), anthropicIr({ messages: [] })) as { stop_reason: string; content: unknown[] })).toMatchObject({ stop_reason: 'tool_use', content: [{ type: 'tool_use', id: 'c', name: 'f', input: {} }] });
    const ant = anthropicUpstream.answer({ content: [{ type: 'text', text: 'x' }], stop_reason: 'stop_sequence', stop_sequence: 'Q', usage: { input_tokens: 2, cache_read_input_tokens: 5, output_tokens: 1 } }, ctx());
    expect(ant).toMatchObject({ stop: 'stop_sequence', stopSequence: 'Q', usage: { input: 7, output: 1, cacheRead: 5 } });
    expect((geminiClient.answer(ant, ctx(), anthropicIr({ messages: [] })) as { candidates: Array<{ finishReason: string }> }).candidates[0]!.finishReason).toBe('STOP');
    const codex = codexUpstream.answer({ status: 'incomplete', output: [{ type: 'message', content: [{ type: 'output_text', text: 'cut' }] }], usage: { input_tokens: 4, output_tokens: 9 } }, ctx());
    expect(codex).toMatchObject({ stop: 'max_tokens', parts: [{ kind: 'text', text: 'cut' }] });
    expect((responsesClient.answer(codex, ctx(), anthropicIr({ messages: [] })) as { status: string; incomplete_details: unknown })).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  });

  it('writes errors in each client shape', () => {
    const e = { status: 429, type: 'rate_limit' as const, message: 'slow down' };
    expect(anthropicClient.error(e)).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
    expect(openAiChatClient.error(e)).toEqual({ error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } });
    expect(geminiClient.error(e)).toEqual({ error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } });
  });
});

describe('streams, event by event', () => {
  const cloudSse = (parts: unknown[], extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ response: { candidates: [{ content: { role: 'model', parts }, ...extra }], responseId: 'r1' } })}\r\n\r\n`;

  it('Cloud Code → Anthropic: thinking, signature, text and a tool call with input_json_delta, written as each event arrives', () => {
    const c = ctx({ model: 'claude-sonnet-4-5' });
    const ir = anthropicIr({ messages: [] });
    const t = new TranslatingStream(cloudCodeUpstream.decoder(c), anthropicClient.encoder(c, ir));
    const a = cloudSse([{ text: 'hmm', thought: true }]);
    // Half an event: nothing yet; the rest: its events at once.
    expect(t.chunk(Buffer.from(a.slice(0, 20)))).toBe('');
    const first = sseEvents(t.chunk(Buffer.from(a.slice(20))));
    expect(first.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    const rest = sseEvents(
      t.chunk(Buffer.from(cloudSse([{ text: '', thought: true, thoughtSignature: 'S1' }]) + cloudSse([{ text: 'Hi' }]) + cloudSse([{ functionCall: { name: 'f', args: { q: 1 }, id: 'tc1' } }], { finishReason: 'STOP' }))) + t.end(),
    );
    expect(rest.map((e) => [e.event, e.data.delta?.type ?? e.data.content_block?.type ?? null])).toEqual([
      ['content_block_delta', 'signature_delta'],
      ['content_block_stop', null],
      ['content_block_start', 'text'],
      ['content_block_delta', 'text_delta'],
      ['content_block_stop', null],
      ['content_block_start', 'tool_use'],
      ['content_block_delta', 'input_json_delta'],
      ['content_block_stop', null],
      ['message_delta', null],
      ['message_stop', null],
    ]);
    expect(rest[6]!.data.delta.partial_json).toBe('{"q":1}');
    expect(rest[8]!.data.delta.stop_reason).toBe('tool_use');
    expect(t.failure()).toBeNull();
    expect(c.signatures.origin('S1')).toBe('cloudcode');
  });

  it('OpenAI Chat chunks → Anthropic (tool_calls by index) and Anthropic events → OpenAI chunks (usage chunk, [DONE])', () => {
    const c = ctx();
    const chunk = (delta: unknown, finish: string | null = null, usage?: unknown) => `data: ${JSON.stringify({ id: 'x', choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
    const t = new TranslatingStream(openAiChatUpstream.decoder(c), anthropicClient.encoder(c, anthropicIr({ messages: [] })));
    const out =
      t.chunk(Buffer.from(chunk({ role: 'assistant', content: '' }) + chunk({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{"a"' } }] }) + chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }) + chunk({}, 'tool_calls'))) +
      t.chunk(Buffer.from(`data: ${JSON.stringify({ id: 'x', choices: [], usage: { prompt_tokens: 5, completion_tokens: 7 } })}\n\ndata: [DONE]\n\n`)) +
      t.end();
    const ev = sseEvents(out);
    expect(ev.filter((e) => e.event === 'content_block_delta').map((e) => e.data.delta.partial_json)).toEqual(['{"a"', ':1}']);
    expect(ev.at(-2)!.data).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { input_tokens: 5, output_tokens: 7 } });
    expect(t.usage()).toEqual({ input: 5, output: 7 });

    const ir = openAiChatClient.parse({ model: 'x', messages: [{ role: 'user', content: 'q' }], stream: true, stream_options: { include_usage: true } }, 'openai.chat');
    const back = new TranslatingStream(anthropicUpstream.decoder(c), openAiChatClient.encoder(c, ir));
    const a = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const text =
      back.chunk(Buffer.from(a('message_start', { message: { id: 'msg_1', usage: { input_tokens: 3, output_tokens: 1 } } }) + a('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) + a('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Yo' } }))) +
      back.chunk(Buffer.from(a('content_block_stop', { index: 0 }) + a('message_delta', { delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 4 } }) + a('message_stop', {}))) +
      back.end();
    const chunks = sseEvents(text).map((e) => e.data);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks[1].choices[0].delta).toEqual({ content: 'Yo' });
    expect(chunks[2].choices[0].finish_reason).toBe('length');
    expect(chunks[3]).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } });
    expect(chunks[4]).toBe('[DONE]');
  });

  it('ends with the client protocol\'s error event on an upstream error event, a cut, or an end without "done"', () => {
    const c = ctx();
    const ir = anthropicIr({ messages: [] });
    const t = new TranslatingStream(cloudCodeUpstream.decoder(c), anthropicClient.encoder(c, ir));
    t.chunk(Buffer.from(cloudSse([{ text: 'a' }])));
    const err = t.chunk(Buffer.from(`data: ${JSON.stringify({ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } })}\r\n\r\n`));
    expect(sseEvents(err)).toEqual([{ event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'overloaded' } } }]);
    expect(t.end()).toBe('');
    expect(t.failure()).toBe('upstream error mid-stream: overloaded');

    const chatIr = openAiChatClient.parse({ model: 'x', messages: [{ role: 'user', content: 'q' }], stream: true }, 'openai.chat');
    const cut = new TranslatingStream(cloudCodeUpstream.decoder(c), openAiChatClient.encoder(c, chatIr));
    cut.chunk(Buffer.from(cloudSse([{ text: 'a' }])));
    expect(sseEvents(cut.abort('upstream stream interrupted'))[0]!.data.error.message).toContain('interrupted');

    const gem = new TranslatingStream(openAiChatUpstream.decoder(c), geminiClient.encoder(c, ir));
    gem.chunk(Buffer.from(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'x' } }] })}\n\n`));
    expect(sseEvents(gem.end()).at(-1)!.data).toMatchObject({ error: { code: 502 } });
    expect(gem.failure()).toBe('upstream stream ended before the answer completed');
  });

  it('collects a stream into a whole answer (Codex for a client that did not stream)', () => {
    const c = ctx();
    const dec = codexUpstream.decoder(c);
    const events: IrEvent[] = [];
    const ev = (type: string, data: Record<string, unknown>) => JSON.stringify({ type, ...data });
    dec.event(null, ev('response.created', { response: { id: 'resp_1' } }), events);
    dec.event(null, ev('response.output_item.added', { item: { type: 'function_call', call_id: 'c9', name: 'f', arguments: '' } }), events);
    dec.event(null, ev('response.function_call_arguments.delta', { delta: '{}' }), events);
    dec.event(null, ev('response.completed', { response: { usage: { input_tokens: 2, output_tokens: 3 } } }), events);
    const col = new AnswerCollector();
    for (const e of events) col.push(e);
    expect(col.done).toBe(true);
    expect(col.answer('m')).toMatchObject({ id: 'resp_1', stop: 'tool_use', parts: [{ kind: 'tool_call', id: 'c9', name: 'f', args: '{}' }], usage: { input: 2, output: 3 } });
  });
});

describe('signature cache', () => {
  it('remembers who signed what, bounded', () => {
    const s = new SignatureCache(2);
    s.noteSignature('a'.repeat(500), 'anthropic');
    s.noteSignature('b', 'codex');
    s.noteSignature('c', 'cloudcode');
    expect(s.origin('a'.repeat(500))).toBeNull();
    expect(s.origin('b')).toBe('codex');
    expect(s.origin('c')).toBe('cloudcode');
  });
});
