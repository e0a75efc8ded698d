// The one hardened HTTP front (net/http-front.ts) that both servers stand behind: with their
// default settings, the control API and the proxy drop a slowloris client within 10 s, refuse a
// rebound Host, a foreign Origin and a wrong key alike, and answer 413 past their body cap
// without reading the rest. Real servers on loopback, raw sockets.
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONNECTIONS_CHECKING_INTERVAL_MS, HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, MAX_REQUESTS_PER_SOCKET } from '../../src/main/core/net/http-front';
import { silentLogger } from '../../src/main/core/ports';
import { startControlServer, type ControlServer } from '../../src/main/core/server/control-server';
import { startProxyHarness, type ProxyHarness } from '../helpers/proxy-harness';

const TOKEN = 'control-token-for-the-front-test-0123456789';
let ph: ProxyHarness;
let control: ControlServer;

beforeEach(async () => {
  ph = await startProxyHarness({ proxy: { maxBodyBytes: 64 * 1024 } });
  control = await startControlServer({ app: ph.h.app, token: TOKEN, port: 0, rendererDir: null, log: silentLogger, maxBodyBytes: 64 * 1024 });
});
afterEach(async () => {
  await control.close();
  await ph.close();
});

interface RawAnswer {
  text: string;
  closedAfterMs: number;
}

/** Writes `chunks` on a raw socket (one per `everyMs`), then waits for the server to close it. */
function rawSocket(port: number, chunks: string[], everyMs = 0, giveUpMs = 15_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = connect(port, '127.0.0.1');
    let text = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (text += d));
    sock.on('error', () => {});
    let i = 0;
    const timer = setInterval(() => {
      if (i < chunks.length) sock.write(chunks[i++]!);
    }, Math.max(1, everyMs));
    if (chunks.length > 0) sock.write(chunks[i++]!);
    const giveUp = setTimeout(() => sock.destroy(), giveUpMs);
    sock.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ text, closedAfterMs: Date.now() - t0 });
    });
  });
}

const ports = () => ({ control: control.port, proxy: ph.proxy.port });

describe('one hardened HTTP front for the control API and the proxy', () => {
  it('sets the slowloris limits so that a client is dropped within 10 s', () => {
    expect(HEADERS_TIMEOUT_MS + CONNECTIONS_CHECKING_INTERVAL_MS).toBeLessThanOrEqual(10_000);
    expect(KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(0);
    expect(MAX_REQUESTS_PER_SOCKET).toBeGreaterThan(0);
    expect(control.server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    expect(control.server.keepAliveTimeout).toBe(KEEP_ALIVE_TIMEOUT_MS);
    expect(control.server.maxRequestsPerSocket).toBe(MAX_REQUESTS_PER_SOCKET);
  });

  it('drops a slowloris client within 10 s on both servers, with their default settings', async () => {
    // A header line that never ends, one more byte every second: never idle, never finished.
    const drip = ['POST /api/accounts:list HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', ...Array.from({ length: 14 }, () => 'a')];
    const [c, p] = await Promise.all([rawSocket(ports().control, drip, 1000), rawSocket(ports().proxy, drip.map((d) => d.replace('/api/accounts:list', '/v1/chat/completions')), 1000)]);
    for (const [name, r] of [['control', c], ['proxy', p]] as const) {
      expect(r.closedAfterMs, `${name} closed the slow socket`).toBeLessThan(10_000);
      expect(r.closedAfterMs, `${name} waited for the header deadline`).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 500);
      expect(r.text === '' || r.text.startsWith('HTTP/1.1 408'), `${name}: ${r.text.slice(0, 80)}`).toBe(true);
    }
  }, 20_000);

  it('refuses a rebound Host, a foreign Origin and a wrong key on both', async () => {
    const c = `http://127.0.0.1:${ports().control}/api/accounts:list`;
    const p = `http://127.0.0.1:${ports().proxy}/v1/chat/completions`;
    const good = { control: { authorization: `Bearer ${TOKEN}` }, proxy: { authorization: `Bearer ${ph.key}` } };
    for (const [url, auth] of [[c, good.control], [p, good.proxy]] as const) {
      // Host: fetch cannot set it, so a raw request.
      const host = await rawSocket(Number(new URL(url).port), [`POST ${new URL(url).pathname} HTTP/1.1\r\nHost: evil.example:80\r\nAuthorization: ${auth.authorization}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`]);
      expect(host.text.startsWith('HTTP/1.1 403'), host.text.slice(0, 60)).toBe(true);
      const origin = await fetch(url, { method: 'POST', headers: { ...auth, origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{}' });
      expect(origin.status).toBe(403);
      const wrong = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer not-the-key', 'content-type': 'application/json' }, body: '{}' });
      expect(wrong.status).toBe(401);
    }
    // The control API's own web UI (same origin) is let through.
    const same = await fetch(c, { method: 'POST', headers: { ...good.control, origin: `http://127.0.0.1:${ports().control}` } });
    expect(same.status).toBe(200);
  });

  it('answers 413 past the body cap without reading the rest, on both', async () => {
    const big = 'x'.repeat(200 * 1024);
    for (const [port, path, auth] of [
      [ports().control, '/api/accounts:import', `Bearer ${TOKEN}`],
      [ports().proxy, '/v1/chat/completions', `Bearer ${ph.key}`],
    ] as const) {
      // Declares 100 MiB, sends 200 KiB: the 413 arrives and the socket closes without the rest.
      const r = await rawSocket(port, [`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, `${big.length.toString(16)}\r\n${big}\r\n`]);
      expect(r.text.startsWith('HTTP/1.1 413'), `${path}: ${r.text.slice(0, 80)}`).toBe(true);
      expect(r.closedAfterMs).toBeLessThan(10_000);
    }
  });
});
