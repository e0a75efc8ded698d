import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startControlServer, type ControlServer } from '../../src/main/core/server/control-server';
import { pickEncoding } from '../../src/main/core/server/http-util';
import { inlineScriptHashes } from '../../src/main/core/server/static-files';
import { silentLogger } from '../../src/main/core/ports';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google';
import { googleSettings, makeHarness, tempDir, type Harness } from '../helpers/harness';
import { seedGoogleAccounts } from '../helpers/seed';

let fake: FakeGoogle;
let h: Harness;
let server: ControlServer;
let web: { dir: string; cleanup: () => void };
const TOKEN = 'control-token-for-tests-0123456789';

beforeEach(async () => {
  fake = await startFakeGoogle();
  h = await makeHarness({ overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { syncTimeoutSec: 2 }) });
  web = tempDir('quotadeck-web-');
  mkdirSync(join(web.dir, 'assets'));
  writeFileSync(join(web.dir, 'index.html'), '<!doctype html><title>QuotaDeck</title>');
  writeFileSync(join(web.dir, 'assets', 'app.js'), 'console.log(1)');
  server = await startControlServer({ app: h.app, token: TOKEN, port: 0, rendererDir: web.dir, log: silentLogger, maxBodyBytes: 64 * 1024 });
});
afterEach(async () => {
  await server.close();
  await h.close();
  await fake.close();
  web.cleanup();
});

const auth = { Authorization: `Bearer ${TOKEN}` };

describe('control server', () => {
  it('streams contract events as SSE to an authorised client', async () => {
    await seedGoogleAccounts(h.app, fake, 2);
    const ac = new AbortController();
    const res = await fetch(`${server.url}/api/events`, { headers: auth, signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const sync = fetch(`${server.url}/api/monitor:syncNow`, { method: 'POST', headers: auth });
    while (!text.includes('event: monitor:syncFinished')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect((await sync).status).toBe(200);
    expect(text).toContain('event: quota:changed');
    const finished = text.split('\n\n').find((b) => b.startsWith('event: monitor:syncFinished'))!;
    expect(JSON.parse(finished.split('\ndata: ')[1]!)).toMatchObject({ successes: 2, errors: 0 });
    ac.abort();
  });

  it('refuses missing tokens, foreign origins, oversized bodies and non-JSON', async () => {
    expect((await fetch(`${server.url}/api/accounts:list`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${server.url}/api/events`)).status).toBe(401);
    const cross = await fetch(`${server.url}/api/accounts:list`, { method: 'POST', headers: { ...auth, Origin: 'http://evil.example' } });
    expect(cross.status).toBe(403);
    expect(cross.headers.get('access-control-allow-origin')).toBeNull();
    const big = await fetch(`${server.url}/api/accounts:import`, { method: 'POST', headers: auth, body: 'x'.repeat(100 * 1024) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const garbage = await fetch(`${server.url}/api/accounts:import`, { method: 'POST', headers: auth, body: '{"accounts": [' });
    expect(garbage.status).toBe(400);
    const invalid = await fetch(`${server.url}/api/accounts:import`, { method: 'POST', headers: auth, body: JSON.stringify({ accounts: [{ email: 'x@example.com' }] }) });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { ok: boolean; error: { code: string; details: { issues: Array<{ entry: number; field: string }> } } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('import_invalid');
    expect(body.error.details.issues[0]).toMatchObject({ entry: 0, index: 0, field: 'refreshToken' });
  });

  it('/v1/report locks on 429 and writes the reported tokens and status to the ledger', async () => {
    const [a] = await seedGoogleAccounts(h.app, fake, 1);
    const post = (body: unknown) => fetch(`${server.url}/v1/report`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    const ok = await post({ accountId: a!.id, model: 'gemini-3-pro-high', outcome: 'ok', status: 200, inputTokens: 120, outputTokens: 30, client: 'my-proxy/1.0' });
    expect(ok.status).toBe(200);
    const limited = await post({ accountId: a!.id, model: 'gemini-3-pro-high', outcome: '429', retryAfter: 60, status: 429 });
    expect(((await limited.json()) as { lockedUntil: string }).lockedUntil).toMatch(/^\d{4}-/);
    expect((await post({ accountId: a!.id, model: 'm', outcome: 'ok', inputTokens: -1 })).status).toBe(400);
    expect((await post({ accountId: 'nope', model: 'm', outcome: 'ok' })).status).toBe(404);
    const log = await h.app.api.call('usage:log', {});
    expect(log.ok).toBe(true);
    const rows = (log as { result: { rows: Array<Record<string, unknown>> } }).result.rows;
    expect(rows.map((r) => [r.route, r.status, r.httpStatus, r.inputTokens, r.outputTokens, r.client])).toEqual([
      ['token-api', 'failed', 429, null, null, 'token-api'],
      ['token-api', 'completed', 200, 120, 30, 'my-proxy/1.0'],
    ]);
  });

  it('/v1/report and quota:report with a 5xx status or an unavailable outcome set a cooldown, not a quota lock', async () => {
    const [a, b] = await seedGoogleAccounts(h.app, fake, 2);
    const post = (body: unknown) => fetch(`${server.url}/v1/report`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    const rpc = (method: string, body: unknown) => fetch(`${server.url}/api/${method}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    const before = Date.now();
    // A "429" whose status says the upstream failed: a cooldown for Retry-After (capped at 300 s).
    const r1 = await post({ accountId: a!.id, model: 'gemini-3-pro-high', outcome: '429', status: 503, retryAfter: 3600 });
    expect(r1.status).toBe(200);
    const until1 = Date.parse(((await r1.json()) as { lockedUntil: string }).lockedUntil);
    expect(until1 - before).toBeGreaterThan(290_000);
    expect(until1 - before).toBeLessThanOrEqual(301_000);
    // The outcome naming unavailability, without Retry-After: the default 15 s cooldown.
    const r2 = await post({ accountId: a!.id, model: 'gemini-3-flash', outcome: 'unavailable' });
    expect(r2.status).toBe(200);
    const until2 = Date.parse(((await r2.json()) as { lockedUntil: string }).lockedUntil);
    expect(until2 - before).toBeGreaterThan(10_000);
    expect(until2 - before).toBeLessThanOrEqual(16_000);
    // The contract method through the control API, the same rule.
    const r3 = await rpc('quota:report', { accountId: b!.id, model: 'gemini-3-pro-high', outcome: '429', status: 502 });
    expect(r3.status).toBe(200);
    // A real 429 still is a quota lock.
    const r4 = await rpc('quota:report', { accountId: b!.id, model: 'gemini-3-flash', outcome: '429', status: 429, retryAfter: 600 });
    expect(r4.status).toBe(200);
    expect((await rpc('quota:report', { accountId: b!.id, model: 'm', outcome: 'down' })).status).toBe(400);

    const locks = (await (await rpc('quota:listLocks', {})).json()) as { result: Array<{ accountId: string; model: string; kind: string; reason: string }> };
    const byKey = new Map(locks.result.map((l) => [`${l.accountId}/${l.model}`, l]));
    expect(byKey.get(`${a!.id}/gemini-3-pro-high`)).toMatchObject({ kind: 'cooldown', reason: 'unavailable' });
    expect(byKey.get(`${a!.id}/gemini-3-flash`)).toMatchObject({ kind: 'cooldown', reason: 'unavailable' });
    expect(byKey.get(`${b!.id}/gemini-3-pro-high`)).toMatchObject({ kind: 'cooldown', reason: 'unavailable' });
    expect(byKey.get(`${b!.id}/gemini-3-flash`)).toMatchObject({ kind: 'quota' });
    // The decision says unavailable, not exhausted.
    const view = (await (await rpc('quota:check', { accountId: a!.id, model: 'gemini-3-pro-high' })).json()) as { result: { decision: { kind: string; reason: string } } };
    expect(view.result.decision).toMatchObject({ kind: 'cooldown', reason: 'unavailable' });
    // The ledger rows say what happened.
    const log = await h.app.api.call('usage:log', {});
    const rows = (log as { result: { rows: Array<Record<string, unknown>> } }).result.rows;
    expect(rows.filter((r) => r.route === 'token-api').map((r) => [r.status, r.httpStatus])).toEqual([
      ['failed', null],
      ['failed', 503],
    ]);
  });

  it('serves the renderer with a strict CSP, SPA fallback, and no path traversal', async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await index.text()).toContain('QuotaDeck');
    expect((await fetch(`${server.url}/accounts/123`)).status).toBe(200);
    expect((await fetch(`${server.url}/assets/app.js`)).headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
    // Encoded traversal stays inside the renderer root (here: the SPA fallback page).
    const trav = await fetch(`${server.url}/..%2f..%2f..%2f..%2fetc%2fpasswd`);
    expect(await trav.text()).not.toContain('root:');
    expect((await fetch(`${server.url}/..%2f..%2f..%2f..%2fetc%2fhostname.txt`)).status).toBe(404);
    expect((await fetch(`${server.url}/favicon.ico`)).status).toBe(204);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("allows index.html's inline scripts by their hashes, and no others", async () => {
    const script = "window.__early = 1;";
    writeFileSync(join(web.dir, 'index.html'), `<!doctype html><title>QuotaDeck</title><script>${script}</script><script type="module" src="./assets/app.js"></script>`);
    const csp = (await fetch(`${server.url}/`)).headers.get('content-security-policy')!;
    const hash = inlineScriptHashes(`<script>${script}</script>`);
    expect(hash).toHaveLength(1);
    expect(csp).toContain(`script-src 'self' ${hash[0]};`);
    expect(csp.split(';').find((d) => d.trim().startsWith('script-src'))).not.toContain('unsafe-inline');
    // Other files keep the plain policy.
    expect((await fetch(`${server.url}/assets/app.js`)).headers.get('content-security-policy')).toContain("script-src 'self';");
  });

  it('sends the build\'s precompressed variants to clients that accept them, caches hashed assets for a year and revalidates the rest', async () => {
    const js = 'console.log("' + 'x'.repeat(4000) + '");';
    writeFileSync(join(web.dir, 'assets', 'big-abc123.js'), js);
    writeFileSync(join(web.dir, 'assets', 'big-abc123.js.br'), brotliCompressSync(js));
    writeFileSync(join(web.dir, 'assets', 'big-abc123.js.gz'), gzipSync(js));
    writeFileSync(join(web.dir, 'early.js'), js);
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((done, fail) => {
        const req = request(`${server.url}${path}`, { headers }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => done({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
        });
        req.on('error', fail);
        req.end();
      });
    const br = await get('/assets/big-abc123.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.body.length).toBeLessThan(js.length / 10);
    const gz = await get('/assets/big-abc123.js', { 'Accept-Encoding': 'gzip, deflate' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await get('/assets/big-abc123.js', { 'Accept-Encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(js);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // One validator per representation; a match answers 304 without a body.
    expect(new Set([br.headers.etag, gz.headers.etag, plain.headers.etag]).size).toBe(3);
    expect((await get('/assets/big-abc123.js', { 'Accept-Encoding': 'gzip', 'If-None-Match': String(gz.headers.etag) })).status).toBe(304);
    // Not content-hashed: revalidated each time; the page itself is never stored.
    const early = await get('/early.js');
    expect(early.headers['cache-control']).toBe('no-cache');
    expect((await get('/early.js', { 'If-None-Match': String(early.headers.etag) })).status).toBe(304);
    expect((await get('/')).headers['cache-control']).toBe('no-store');
    // A file changed on disk is served anew (no stale copy from memory).
    writeFileSync(join(web.dir, 'early.js'), 'console.log(2)');
    const changed = await get('/early.js', { 'If-None-Match': String(early.headers.etag) });
    expect(changed.status).toBe(200);
    expect(changed.body.toString()).toBe('console.log(2)');
  });

  it('compresses large answers for clients that accept it, the same envelope once decoded; small ones and others go plain', async () => {
    await seedGoogleAccounts(h.app, fake, 40);
    const call = (method: string, acceptEncoding?: string) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((done, fail) => {
        const req = request(`${server.url}/api/${method}`, { method: 'POST', headers: { ...auth, ...(acceptEncoding ? { 'Accept-Encoding': acceptEncoding } : {}) } }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => done({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
        });
        req.on('error', fail);
        req.end();
      });
    const plain = await call('accounts:list');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(16 * 1024);
    const envelope = JSON.parse(plain.body.toString('utf8'));
    expect(envelope.result).toHaveLength(40);

    const gz = await call('accounts:list', 'gzip, deflate');
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('Accept-Encoding');
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
    expect(gz.body.length).toBeLessThan(plain.body.length / 4);
    expect(JSON.parse(gunzipSync(gz.body).toString('utf8'))).toEqual(envelope);

    const br = await call('accounts:list', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(JSON.parse(brotliDecompressSync(br.body).toString('utf8'))).toEqual(envelope);

    // A small answer is not worth it.
    const small = await call('monitor:getStats', 'gzip, br');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8')).ok).toBe(true);
    // fetch() decodes it transparently.
    const viaFetch = await fetch(`${server.url}/api/accounts:list`, { method: 'POST', headers: auth });
    expect(((await viaFetch.json()) as { result: unknown[] }).result).toHaveLength(40);
  });

  it('picks br, then gzip, among the encodings a client accepts (q=0 refuses)', () => {
    expect(pickEncoding('gzip, deflate, br', ['br', 'gzip'])).toBe('br');
    expect(pickEncoding('gzip, deflate', ['br', 'gzip'])).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0.5', ['br', 'gzip'])).toBe('gzip');
    expect(pickEncoding('*', ['gzip'])).toBe('gzip');
    expect(pickEncoding('identity', ['br', 'gzip'])).toBeNull();
    expect(pickEncoding(undefined, ['br', 'gzip'])).toBeNull();
    expect(pickEncoding('br', [])).toBeNull();
  });
});
