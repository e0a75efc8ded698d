// The OpenAI stream's usage request is spliced into the client's JSON bytes, not re-encoded.
import { describe, expect, it } from 'vitest';
import { withMember } from '../../src/main/core/proxy/upstream-request';

const M = Buffer.from(',"stream_options":{"include_usage":true}');

describe('withMember', () => {
  it('adds the member before the closing brace, keeping the client bytes as they were', () => {
    const body = '{"model":"m","messages":[{"role":"user","content":"é \\u00e9 }"}],"stream":true ,"n":1.50}';
    const out = withMember(Buffer.from(body), M)!.toString('utf8');
    expect(out.startsWith(body.slice(0, -1))).toBe(true);
    expect(JSON.parse(out)).toEqual({ ...JSON.parse(body), stream_options: { include_usage: true } });
  });

  it('ignores trailing whitespace and refuses what does not end with a brace', () => {
    expect(JSON.parse(withMember(Buffer.from('{"stream":true}\r\n \t'), M)!.toString())).toEqual({ stream: true, stream_options: { include_usage: true } });
    expect(withMember(Buffer.from('[1,2]'), M)).toBeNull();
    expect(withMember(Buffer.from('}'), M)).toBeNull();
  });
});
