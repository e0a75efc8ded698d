// Token counts from upstream answers and streams (each family's shape), and SSE framing split
// at arbitrary chunk boundaries.
import { describe, expect, it } from 'vitest';
import { eventData, SseFramer, unwrapCloudCode } from '../../src/main/core/proxy/stream-relay';
import { lastObjectValue, SseUsageTap, usageFromJsonText, usageOf } from '../../src/main/core/proxy/usage-extract';

describe('usage from JSON answers', () => {
  it('reads OpenAI chat, Responses, Anthropic (cache counted as input) and Gemini shapes', () => {
    expect(usageFromJsonText(JSON.stringify({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } }))).toEqual({ input: 12, output: 3 });
    expect(usageFromJsonText(JSON.stringify({ output: [], usage: { input_tokens: 9, output_tokens: 4, output_tokens_details: { reasoning_tokens: 2 } } }))).toEqual({ input: 9, output: 4 });
    expect(usageFromJsonText(JSON.stringify({ content: [], usage: { input_tokens: 5, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 7 } }))).toEqual({ input: 1105, output: 7 });
    expect(usageOf({ usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 2, thoughtsTokenCount: 30 } })).toEqual({ input: 8, output: 32 });
    expect(usageFromJsonText('<html>502 Bad Gateway</html>')).toEqual({ input: null, output: null });
    expect(usageFromJsonText('{"id":"x"}')).toEqual({ input: null, output: null });
  });

  it('takes the top-level usage even when a "usage" key appears inside the content first', () => {
    const body = { content: [{ type: 'tool_use', input: { usage: { note: 'not this' } } }], usage: { input_tokens: 3, output_tokens: 1 } };
    expect(usageFromJsonText(JSON.stringify(body))).toEqual({ input: 3, output: 1 });
    expect(lastObjectValue('{"a":"}\\"usage\\":{","usage" : {"x":"{}"}}', 'usage')).toBe('{"x":"{}"}');
  });

  it('unwraps a Cloud Code answer and reads its usage', () => {
    const r = unwrapCloudCode(JSON.stringify({ response: { candidates: [], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 6 } }, traceId: 't' }));
    expect(JSON.parse(r.text)).toEqual({ candidates: [], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 6 } });
    expect(r.usage).toEqual({ input: 4, output: 6 });
  });
});

/** Feeds `text` to `push` in pieces of `size` characters. */
function inPieces(text: string, size: number, push: (s: string) => void): void {
  for (let i = 0; i < text.length; i += size) push(text.slice(i, i + size));
}

describe('usage from streams', () => {
  const anthropic = [
    'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":1}}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"usage: {x}"}}\n\n',
    'event: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":42}}\n\n',
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ].join('');

  it.each([1, 3, 17, 1000])('Anthropic message_start + message_delta, split every %i chars', (size) => {
    const tap = new SseUsageTap();
    inPieces(anthropic, size, (s) => tap.push(s));
    tap.end();
    expect(tap.usage).toEqual({ input: 15, output: 42 });
  });

  it('OpenAI final usage chunk (CRLF framing), Responses response.completed, Gemini last usageMetadata', () => {
    const openai = new SseUsageTap();
    openai.push('data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\r\n\r\ndata: {"choices":[],"usage":{"prompt_tokens":8,"completion_tokens":2}}\r\n\r\ndata: [DONE]\r\n\r\n');
    openai.end();
    expect(openai.usage).toEqual({ input: 8, output: 2 });

    const responses = new SseUsageTap();
    responses.push('event: response.created\ndata: {"type":"response.created","response":{"usage":null}}\n\n');
    responses.push('event: response.completed\ndata: {"type":"response.completed","response":{"usage":{"input_tokens":3,"output_tokens":9}}}\n\n');
    expect(responses.usage).toEqual({ input: 3, output: 9 });

    const gemini = new SseUsageTap();
    gemini.push('data: {"candidates":[],"usageMetadata":{"promptTokenCount":8}}\r\n\r\n');
    gemini.push('data: {"candidates":[],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":5}}');
    gemini.end();
    expect(gemini.usage).toEqual({ input: 8, output: 5 });
  });

  it('frames SSE events across chunk boundaries, LF and CRLF alike', () => {
    const text = 'event: a\ndata: 1\n\ndata: {"x":\ndata: 2}\r\n\r\n: comment\n\ndata: tail';
    for (const size of [1, 2, 5, 64]) {
      const f = new SseFramer();
      const events: string[] = [];
      inPieces(text, size, (s) => events.push(...f.push(s)));
      expect(events).toEqual(['event: a\ndata: 1\n\n', 'data: {"x":\ndata: 2}\r\n\r\n', ': comment\n\n']);
      expect(f.rest()).toBe('data: tail');
    }
    expect(eventData('event: a\ndata: {"x":\ndata: 2}\r\n\r\n')).toBe('{"x":\n2}');
    expect(eventData(': keep-alive\n\n')).toBeNull();
  });
});
