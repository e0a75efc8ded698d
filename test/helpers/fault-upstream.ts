// A scripted fake upstream for every provider at once: each credential (the Bearer token,
// x-api-key or x-goog-api-key it is called with) has its own behaviour — a healthy answer
// (OpenRouter's /v1/key, OpenAI chat), a garbage body, a 5xx, a 429 with Retry-After, or an
// answer that never comes. Real HTTP on loopback; hung requests end when the fake closes.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeServerKit } from './fake-server-kit';

export type Fault = 'ok' | 'garbage' | '5xx' | '429' | 'hang';

export const RETRY_AFTER_SEC = 120;

function presented(req: IncomingMessage): string {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  for (const h of ['x-api-key', 'x-goog-api-key']) {
    const v = req.headers[h];
    if (typeof v === 'string') return v.trim();
  }
  return '';
}

export interface FaultUpstream {
  url: string;
  /** Requests seen per credential. */
  seen: Map<string, number>;
  set(secret: string, fault: Fault): void;
  close(): Promise<void>;
}

export async function startFaultUpstream(initial: Record<string, Fault> = {}): Promise<FaultUpstream> {
  const faults = new Map<string, Fault>(Object.entries(initial));
  const seen = new Map<string, number>();
  const kit = fakeServerKit();
  const server = createServer((req, res) => {
    const secret = presented(req);
    seen.set(secret, (seen.get(secret) ?? 0) + 1);
    req.resume();
    req.on('end', () => {
      const fault = faults.get(secret) ?? 'ok';
      if (fault === 'hang') return; // never answers; the product's timeout must end it
      if (fault === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<html>\u0000not json at all{{{');
        return;
      }
      if (fault === '5xx') {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"overloaded","type":"overloaded_error"}}');
        return;
      }
      if (fault === '429') {
        const reset = new Date(Date.now() + RETRY_AFTER_SEC * 1000).toISOString();
        res.writeHead(429, {
          'content-type': 'application/json',
          'retry-after': String(RETRY_AFTER_SEC),
          'x-ratelimit-limit-requests': '100',
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': `${RETRY_AFTER_SEC}s`,
          'anthropic-ratelimit-requests-limit': '100',
          'anthropic-ratelimit-requests-remaining': '0',
          'anthropic-ratelimit-requests-reset': reset,
        });
        res.end('{"error":{"message":"rate limited","type":"rate_limit_error","code":"rate_limit_exceeded"}}');
        return;
      }
      const path = (req.url ?? '/').split('?')[0]!;
      let body: unknown = {};
      if (path.endsWith('/v1/key')) body = { data: { label: 'key', usage: 1, limit: 100, limit_remaining: 60, is_free_tier: false } };
      else if (path.endsWith('/chat/completions')) {
        body = { id: 'chatcmpl-fault', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 } };
      }
      const text = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-ratelimit-limit-requests': '1000000', 'x-ratelimit-remaining-requests': '999999', 'x-ratelimit-reset-requests': '60s' });
      res.end(text);
    });
  });
  kit.track(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    set: (secret, fault) => void faults.set(secret, fault),
    close: () => kit.close(server),
  };
}
