// What guards the proxy port: the proxy key (three headers, never the query string), the Host
// check, the Origin allow-list (no wildcard CORS), the 32 MiB body ceiling answered with 413
// without reading the rest, the header timeout that drops a slowloris client, and the key file.
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { statSync } from 'node:fs';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateProxyKey, proxyKeyPath, regenerateProxyKey } from '../../../src/main/core/proxy/proxy-key';
import { startProxyServer } from '../../../src/main/core/proxy/proxy-server';
import { systemClock } from '../../../src/main/core/ports';
import { startProxyHarness, type ProxyHarness } from '../../helpers/proxy-harness';

const MODEL = 'gpt-4o-mini';
const UPSTREAM_KEY = 'sk-upstream-guard-aaaaaaaa';
const MiB = 1024 * 1024;
const chat = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });

let ph: ProxyHarness;

beforeEach(async () => {
  ph = await startProxyHarness({ proxy: { allowedOrigins: ['http://localhost:5173'] } });
  ph.llm.addKey({ key: UPSTREAM_KEY });
  await ph.importAccounts([{ provider: 'openai', apiKey: UPSTREAM_KEY }]);
});
afterEach(async () => {
  await ph.close();
});

interface Raw { status: number; headers: IncomingMessage['headers']; body: string }

/** One node:http request (it lets a test set Host and stream a body). */
function raw(path: string, headers: Record<string, string>, body?: string, method = 'POST'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${ph.proxy.url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const auth = () => ({ Authorization: `Bearer ${ph.key}`, 'Content-Type': 'application/json' });

describe('proxy guard', () => {
  it('takes the proxy key from Authorization: Bearer, x-api-key or x-goog-api-key, and nothing else', async () => {
    expect((await raw('/v1/chat/completions', auth(), chat)).status).toBe(200);
    expect((await raw('/v1/chat/completions', { 'x-api-key': ph.key, 'Content-Type': 'application/json' }, chat)).status).toBe(200);
    expect((await raw('/v1/chat/completions', { 'x-goog-api-key': ph.key, 'Content-Type': 'application/json' }, chat)).status).toBe(200);

    const wrong = await raw('/v1/chat/completions', { Authorization: `Bearer ${ph.key}x` }, chat);
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({ error: { type: 'authentication_error', code: 'invalid_proxy_key' } });
    expect((await raw('/v1/chat/completions', {}, chat)).status).toBe(401);
    expect((await raw(`/v1/chat/completions?key=${ph.key}`, {}, chat)).status).toBe(401);
    // The upstream key is not a proxy key either.
    expect((await raw('/v1/chat/completions', { Authorization: `Bearer ${UPSTREAM_KEY}` }, chat)).status).toBe(401);
    expect((await raw('/v1/models', {}, undefined, 'GET')).status).toBe(401);

    const sdk = new OpenAI({ baseURL: `${ph.proxy.url}/v1`, apiKey: 'sk-not-the-proxy-key', maxRetries: 0 });
    await expect(sdk.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(ph.llm.requests).toHaveLength(3);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin with 403; no wildcard CORS', async () => {
    const host = await raw('/v1/chat/completions', { ...auth(), Host: 'evil.example:4821' }, chat);
    expect(host.status).toBe(403);
    expect(JSON.parse(host.body)).toMatchObject({ error: { code: 'host_not_allowed' } });
    expect((await raw('/v1/chat/completions', { ...auth(), Host: `localhost:${ph.proxy.port}` }, chat)).status).toBe(200);

    const origin = await raw('/v1/chat/completions', { ...auth(), Origin: 'https://evil.example' }, chat);
    expect(origin.status).toBe(403);
    expect(origin.headers['access-control-allow-origin']).toBeUndefined();
    expect((await raw('/v1/chat/completions', { ...auth(), Origin: 'null' }, chat)).status).toBe(403);
    expect((await raw('/v1/chat/completions', { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' }, undefined, 'OPTIONS')).status).toBe(403);

    // An allowed origin gets its own origin echoed (never "*"), and still needs the key.
    const ok = await raw('/v1/chat/completions', { ...auth(), Origin: 'http://localhost:5173' }, chat);
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(ok.headers['vary']).toContain('Origin');
    const pre = await raw('/v1/chat/completions', { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' }, undefined, 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect((await raw('/v1/chat/completions', { Origin: 'http://localhost:5173' }, chat)).status).toBe(401);
    expect(ph.llm.requests).toHaveLength(2);
  });

  it('answers 404 for unknown routes, 400 for bodies that are not JSON objects or name no model', async () => {
    expect((await raw('/v1/embeddings', auth(), chat)).status).toBe(404);
    expect((await raw('/api/accounts:list', auth(), '{}')).status).toBe(404);
    expect((await raw('/v1/chat/completions', auth(), '{not json')).status).toBe(400);
    expect((await raw('/v1/chat/completions', auth(), '[1]')).status).toBe(400);
    const noModel = await raw('/v1/chat/completions', auth(), JSON.stringify({ messages: [] }));
    expect(noModel.status).toBe(400);
    expect(JSON.parse(noModel.body)).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(ph.llm.requests).toHaveLength(0);
    expect(ph.ledger.rows).toHaveLength(0);
  });

  /**
   * Streams `total` bytes (or forever when null) in 1 MiB chunks with backpressure until the
   * response arrives; resolves with the response and how much had been written by then.
   */
  function oversized(total: number | null): Promise<{ status: number; body: string; written: number }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...auth() };
      if (total !== null) headers['Content-Length'] = String(total);
      const req = request(`${ph.proxy.url}/v1/chat/completions`, { method: 'POST', headers });
      let written = 0;
      let answered = false;
      const chunk = Buffer.alloc(MiB, 0x20);
      const pump = () => {
        while (!answered && (total === null || written < total)) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!answered && total !== null) req.end();
      };
      req.on('response', (res) => {
        answered = true;
        const at = written;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          resolve({ status: res.statusCode!, body: text, written: at });
          req.destroy();
        });
      });
      req.on('error', (err) => {
        if (!answered) reject(err);
      });
      pump();
    });
  }

  it('refuses a body declared over 32 MiB with 413 before reading it', async () => {
    const r = await oversized(33 * MiB);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: { type: 'request_too_large' } });
    // Answered from the headers alone: most of the 33 MiB had not even been sent.
    expect(r.written).toBeLessThan(33 * MiB);
    expect(ph.llm.requests).toHaveLength(0);
    expect(ph.ledger.rows).toHaveLength(0);
  });

  it('stops reading a chunked body at 32 MiB and answers 413 without buffering the rest', async () => {
    const r = await oversized(null);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: { type: 'request_too_large' } });
    // It answered as soon as the ceiling was crossed (the client would have sent forever).
    expect(r.written).toBeGreaterThan(32 * MiB);
    expect(r.written).toBeLessThan(48 * MiB);
    expect(ph.llm.requests).toHaveLength(0);
    // The proxy still serves.
    expect((await raw('/v1/chat/completions', auth(), chat)).status).toBe(200);
  });

  it('drops a client that never finishes its headers (slowloris)', async () => {
    const { store, engine, selector, quota, settings } = ph.h.app.services;
    const quick = await startProxyServer({
      services: { store, engine, selector, quota, settings },
      registry: ph.registry,
      ledger: ph.ledger,
      limits: ph.limits,
      key: ph.key,
      port: 0,
      clock: systemClock,
      log: ph.h.logger,
      headersTimeoutMs: 200,
    });
    try {
      const sock = connect(quick.port, '127.0.0.1');
      let received = '';
      sock.setEncoding('utf8');
      sock.on('data', (d: string) => (received += d));
      const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
      sock.write('POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      await closed;
      expect(received).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await quick.close();
    }
  });

  it('keeps the key in DATA_DIR/proxy-key (0600); a regenerated key replaces the old one at once', async () => {
    const path = proxyKeyPath(ph.h.dir);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateProxyKey(ph.h.dir)).toBe(ph.key);
    expect(ph.key).toMatch(/^sk-qd-[A-Za-z0-9_-]{43}$/);

    const next = regenerateProxyKey(ph.h.dir);
    expect(next).not.toBe(ph.key);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateProxyKey(ph.h.dir)).toBe(next);
    ph.proxy.setKey(next);
    expect((await raw('/v1/chat/completions', auth(), chat)).status).toBe(401);
    expect((await raw('/v1/chat/completions', { Authorization: `Bearer ${next}`, 'Content-Type': 'application/json' }, chat)).status).toBe(200);
  });
});
