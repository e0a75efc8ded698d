import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeHttpClient } from '../../src/main/core/net/node-http-client';
import { httpRequest } from '../../src/main/core/providers/http';
import { ProviderError } from '../../src/main/core/providers/provider-error';
import { systemClock } from '../../src/main/core/ports';
import { deadline } from '../../src/main/core/quota/sync-deadline';

let server: Server;
let base: string;
const client = createNodeHttpClient();
const hung: Array<() => void> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/echo') {
        res.writeHead(201, { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': '7' });
        res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body }));
      } else if (req.url === '/big') {
        res.writeHead(200);
        res.write('x'.repeat(3 * 1024 * 1024));
        res.end('y'.repeat(3 * 1024 * 1024));
      } else if (req.url === '/hang') {
        hung.push(() => res.destroy());
      } else if (req.url === '/garbage') {
        res.end('{"not": json');
      } else {
        res.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  hung.forEach((f) => f());
  client.close();
  await new Promise((r) => server.close(r));
});

describe('node:http client behind the FetchFn port', () => {
  it('answers httpRequest with status, headers, text and JSON over keep-alive', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await httpRequest(client, `${base}/echo`, { method: 'POST', headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' }, body: '{"a":1}', signal: AbortSignal.timeout(2000) });
      expect(r.status).toBe(201);
      expect(r.headers.get('x-ratelimit-remaining-requests')).toBe('7');
      expect(r.json).toEqual({ method: 'POST', auth: 'Bearer t', body: '{"a":1}' });
    }
    const g = await httpRequest(client, `${base}/garbage`, { signal: AbortSignal.timeout(2000) });
    expect(g.json).toBeUndefined();
    expect(g.text).toBe('{"not": json');
  });

  it('is also a fetch: Response with a streamed body', async () => {
    const res = await client(`${base}/echo`, { method: 'POST', body: 'hello' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ body: 'hello' });
    expect((await client(`${base}/empty`)).status).toBe(204);
  });

  it('refuses answers over the size bound and turns a timeout into a transient error', async () => {
    await expect(httpRequest(client, `${base}/big`, { signal: AbortSignal.timeout(2000) })).rejects.toMatchObject({ code: 'bad_response' });
    const t0 = Date.now();
    const err = await httpRequest(client, `${base}/hang`, { signal: deadline(systemClock, 200).signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'transient', code: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(1500);
    const stopped = new AbortController();
    const p = httpRequest(client, `${base}/hang`, { signal: stopped.signal }).catch((e: unknown) => e);
    stopped.abort();
    expect(await p).toMatchObject({ kind: 'aborted' });
  });

  it('reports a refused connection as a transient network error', async () => {
    const e = await httpRequest(client, 'http://127.0.0.1:1/x', { signal: AbortSignal.timeout(2000) }).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'transient', code: 'network' });
  });
});
