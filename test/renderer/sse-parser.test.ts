import { describe, expect, it } from 'vitest';
import { createSseParser, type SseMessage } from '../../src/renderer/src/api/sse-parser';

function parse(chunks: string[]): SseMessage[] {
  const out: SseMessage[] = [];
  const p = createSseParser((m) => out.push(m));
  for (const c of chunks) p.push(c);
  p.end();
  return out;
}

describe('createSseParser', () => {
  it('reads named events, skips comments, joins multi-line data', () => {
    expect(parse([': connected\n\nevent: monitor:stats\ndata: {"a":1}\n\n: ping\n\ndata: line1\ndata: line2\n\n'])).toEqual([
      { event: 'monitor:stats', data: '{"a":1}' },
      { event: 'message', data: 'line1\nline2' },
    ]);
  });

  it('handles lines and CRLF pairs split across chunks', () => {
    const text = 'event: quota:changed\r\ndata: {"accountId":"x"}\r\n\r\nevent: b\rdata: 2\r\r';
    const whole = parse([text]);
    // Every possible split point must give the same messages.
    for (let i = 1; i < text.length; i++) expect(parse([text.slice(0, i), text.slice(i)])).toEqual(whole);
    expect(whole).toEqual([
      { event: 'quota:changed', data: '{"accountId":"x"}' },
      { event: 'b', data: '2' },
    ]);
  });

  it('drops a message cut before its blank line', () => {
    expect(parse(['event: a\ndata: 1\n'])).toEqual([]);
  });
});
