// The web transport against a real node:http server on 127.0.0.1 that speaks like the
// headless service: bearer auth, envelopes, and an SSE stream written in awkward chunks.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContractError } from '../../src/shared/contract';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createWebClient } from '../../src/renderer/src/api/client';
import { createHttpTransport } from '../../src/renderer/src/api/http-transport';
import type { ConnectionState, LiveClient } from '../../src/renderer/src/api/live-client';
import { stats } from './fixtures';

const TOKEN = 'test-token';

interface FakeService {
  url: string;
  /** Open event streams, oldest first. */
  streams: ServerResponse[];
  connections: number;
  bodies: unknown[];
  waitForStream(n: number): Promise<ServerResponse>;
  close(): Promise<void>;
}

async function startService(opts: { refuseEvents?: boolean } = {}): Promise<FakeService> {
  const streams: ServerResponse[] = [];
  const bodies: unknown[] = [];
  const waiters: Array<() => void> = [];
  const svc = { streams, bodies, connections: 0 } as unknown as FakeService;
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}` || (opts.refuseEvents && req.url === '/api/events')) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: false, error: { code: 'unauthorized', message: 'bad token' } }));
      return;
    }
    if (req.url === '/api/events') {
      svc.connections++;
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(': connected\n\n');
      streams.push(res);
      waiters.splice(0).forEach((w) => w());
      return;
    }
    let raw = '';
    for await (const chunk of req) raw += chunk;
    bodies.push(raw ? JSON.parse(raw) : undefined);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (req.url === '/api/monitor:getStats') res.end(JSON.stringify({ ok: true, result: stats({ lowQuotas: 4 }) }));
    else res.end(JSON.stringify({ ok: false, error: { code: 'not_found', message: `Account nope` } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  svc.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The page is served by the service in web mode, so calls are same-origin: make it so here
  // (happy-dom's fetch enforces CORS like a browser).
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${svc.url}/`);
  svc.waitForStream = (n) =>
    new Promise((resolve) => {
      const check = () => (streams.length >= n ? resolve(streams[n - 1]!) : waiters.push(check));
      check();
    });
  svc.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return svc;
}

/** Resolves with the next payload of `event`. */
function next<T>(client: LiveClient, event: Parameters<LiveClient['on']>[0]): Promise<T> {
  return new Promise((resolve) => {
    const off = client.on(event, (p) => {
      off();
      resolve(p as T);
    });
  });
}

function nextState(client: LiveClient, want: ConnectionState): Promise<void> {
  return new Promise((resolve) => {
    const off = client.onConnection((s) => {
      if (s !== want) return;
      queueMicrotask(() => off());
      resolve();
    });
  });
}

let svc: FakeService;
let client: LiveClient | undefined;
let browserConsole: { lines: string[]; expected: RegExp; restore: () => void } | undefined;

/**
 * happy-dom prints what a browser's console would — a request answered 401, a connection the
 * transport drops on purpose (with the socket's stack) — straight to the process output. A test
 * that provokes such lines names them: they are captured and each must match, instead of
 * reaching the run's output as noise.
 */
function expectBrowserConsole(expected: RegExp): string[] {
  const lines: string[] = [];
  const spies = (['stdout', 'stderr'] as const).map((s) =>
    vi.spyOn(process[s], 'write').mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write),
  );
  browserConsole = { lines, expected, restore: () => spies.forEach((sp) => sp.mockRestore()) };
  return lines;
}

afterEach(async () => {
  client?.close();
  client = undefined;
  await svc?.close();
  if (browserConsole) {
    const { lines, expected, restore } = browserConsole;
    browserConsole = undefined;
    // A dropped socket's error reaches the console a moment after the close.
    await new Promise((r) => setTimeout(r, 20));
    restore();
    for (const line of lines) expect(line).toMatch(expected);
  }
});

describe('http transport', () => {
  it('takes the answers public/early-load.js asked for before the bundle ran, once, for its token', async () => {
    svc = await startService();
    sessionStorage.setItem('quotadeck.controlToken', TOKEN);
    try {
      // The shipped file as the page runs it (a classic script: no imports, no bundling).
      new Function(readFileSync(resolve(__dirname, '../../src/renderer/public/early-load.js'), 'utf8'))();
      expect((window as { __quotadeckEarly?: unknown }).__quotadeckEarly).toBeDefined();
      client = createWebClient(TOKEN);
      expect((window as { __quotadeckEarly?: unknown }).__quotadeckEarly).toBeUndefined();
      expect((await client.invoke('monitor:getStats')).lowQuotas).toBe(4);
      await client.invoke('accounts:list').catch(() => {}); // the fake answers not_found; taken, not asked again
      expect(svc.bodies).toHaveLength(2); // the early script's two requests, no third
      expect((await client.invoke('monitor:getStats')).lowQuotas).toBe(4); // a second call asks anew
      expect(svc.bodies).toHaveLength(3);
    } finally {
      sessionStorage.clear();
    }
  });

  it('invokes methods with the bearer token and unwraps envelopes', async () => {
    svc = await startService();
    client = createHttpTransport({ baseUrl: '', token: TOKEN });
    expect((await client.invoke('monitor:getStats')).lowQuotas).toBe(4);
    const err = await client.invoke('accounts:remove', { id: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractError);
    expect(err).toMatchObject({ code: 'not_found', message: 'Account nope' });
    expect(svc.bodies).toEqual([undefined, { id: 'nope' }]);
  });

  it('parses events from the SSE stream, whatever the chunking, ignoring pings and strangers', async () => {
    svc = await startService();
    client = createHttpTransport({ baseUrl: '', token: TOKEN });
    const got: unknown[] = [];
    client.on('quota:changed', (p) => got.push(p));
    const statsEvent = next<{ lowQuotas: number }>(client, 'monitor:stats');
    const stream = await svc.waitForStream(1);

    const payload = JSON.stringify({ accountId: 'a', quotas: [] });
    const text = `: ping\n\nevent: not:an-event\ndata: {}\n\nevent: quota:changed\ndata: ${payload}\n\nevent: monitor:stats\ndata: ${JSON.stringify(stats({ lowQuotas: 2 }))}\n\n`;
    // Byte-sized pieces, flushed separately, split lines and even multi-byte characters.
    for (const piece of text.match(/[\s\S]{1,7}/g)!) stream.write(piece);
    expect((await statsEvent).lowQuotas).toBe(2);
    expect(got).toEqual([{ accountId: 'a', quotas: [] }]);
  });

  it('reconnects after the stream drops and keeps delivering', async () => {
    svc = await startService();
    client = createHttpTransport({ baseUrl: '', token: TOKEN, backoff: { initialMs: 20, maxMs: 100 } });
    const first = next<{ lowQuotas: number }>(client, 'monitor:stats');
    (await svc.waitForStream(1)).write(`event: monitor:stats\ndata: ${JSON.stringify(stats({ lowQuotas: 1 }))}\n\n`);
    expect((await first).lowQuotas).toBe(1);

    const reconnecting = nextState(client, 'reconnecting');
    const listenerKeepsStreamOpen = client.on('monitor:stats', () => {});
    svc.streams[0]!.end();
    await reconnecting;
    const second = next<{ lowQuotas: number }>(client, 'monitor:stats');
    (await svc.waitForStream(2)).write(`event: monitor:stats\ndata: ${JSON.stringify(stats({ lowQuotas: 5 }))}\n\n`);
    expect((await second).lowQuotas).toBe(5);
    expect(svc.connections).toBe(2);
    listenerKeepsStreamOpen();
  });

  it('treats a silent stream as dead and reconnects', async () => {
    // Dropping the silent stream (and closing the last one at the end) hangs up its socket.
    expectBrowserConsole(/socket hang up|ECONNRESET|^\s+at |^\s*code: 'ECONNRESET'|^}\s*$/m);
    svc = await startService();
    client = createHttpTransport({ baseUrl: '', token: TOKEN, backoff: { initialMs: 10, maxMs: 50 }, idleTimeoutMs: 100 });
    client.on('monitor:stats', () => {});
    await svc.waitForStream(1);
    await svc.waitForStream(2);
    expect(svc.connections).toBeGreaterThanOrEqual(2);
  });

  it('reports a refused token as unauthorized', async () => {
    svc = await startService({ refuseEvents: true });
    const printed = expectBrowserConsole(/\/api\/events 401 \(Unauthorized\)/);
    client = createHttpTransport({ baseUrl: '', token: TOKEN, backoff: { initialMs: 10, maxMs: 50 } });
    const refused = nextState(client, 'unauthorized');
    client.on('monitor:stats', () => {});
    await refused;
    // What a browser's console shows for the refused stream.
    expect(printed.join('')).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/events 401 \(Unauthorized\)/);
  });
});
