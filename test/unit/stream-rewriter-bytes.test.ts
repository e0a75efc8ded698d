// The OpenAI usage stripper sends chunks of whole, unchanged events as the very bytes it got,
// and everything else (split events, split characters, the usage chunk) rewritten exactly.
import { describe, expect, it } from 'vitest';
import { transformerFor } from '../../src/main/core/proxy/stream-relay';

const ev = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const delta = (t: string) => ev({ id: 'c1', choices: [{ index: 0, delta: { content: t } }] });
const usage = ev({ id: 'c1', choices: [], usage: { prompt_tokens: 7, completion_tokens: 3 } });

function run(chunks: Buffer[]) {
  const t = transformerFor({ kind: 'openai-strip-usage' }, true);
  const parts = chunks.map((c) => t.chunk(c));
  const out = Buffer.concat([...parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)), Buffer.from(t.end())]).toString('utf8');
  return { parts, out, usage: t.usage() };
}

describe('OpenAI usage stripper', () => {
  it('passes a chunk of whole unchanged events on as the same buffer', () => {
    const a = Buffer.from(delta('Hel') + delta('lo'));
    const b = Buffer.from(delta(' wörld') + usage + 'data: [DONE]\n\n');
    const r = run([a, b]);
    expect(r.parts[0]).toBe(a);
    // The usage chunk is dropped: that chunk is rewritten.
    expect(typeof r.parts[1]).toBe('string');
    expect(r.out).toBe(delta('Hel') + delta('lo') + delta(' wörld') + 'data: [DONE]\n\n');
    expect(r.usage).toEqual({ input: 7, output: 3 });
  });

  it('rewrites exactly when events and characters are split across chunks', () => {
    const text = delta('añb') + delta('€uro') + usage + 'data: [DONE]\n\n';
    const bytes = Buffer.from(text);
    // Every split point, including inside the multi-byte characters.
    for (let i = 1; i < bytes.length; i++) {
      const r = run([bytes.subarray(0, i), bytes.subarray(i)]);
      expect(r.out).toBe(delta('añb') + delta('€uro') + 'data: [DONE]\n\n');
      expect(r.usage).toEqual({ input: 7, output: 3 });
    }
    // A character split right after a whole event: the next chunk is not passed as is.
    const head = Buffer.from(delta('a'));
    const euro = Buffer.from('€');
    const r = run([Buffer.concat([head, Buffer.from('data: '), euro.subarray(0, 1)]), Buffer.concat([euro.subarray(1), Buffer.from('\n\n')])]);
    expect(r.out).toBe(delta('a') + 'data: €\n\n');
  });
});
