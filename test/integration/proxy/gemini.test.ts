// Gemini routes through Cloud Code: the client's generateContent body goes out wrapped as
// {model, project, request} to {base}/v1internal:generateContent (or :streamGenerateContent?alt=sse)
// with the account's OAuth bearer, and the {response: …} envelope comes back unwrapped (per event
// when streaming). Accounts are imported through the contract and synced once (project, models).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call } from '../../helpers/harness';
import { startProxyHarness, type ProxyHarness } from '../../helpers/proxy-harness';
import { seedGoogleAccounts, type Seeded } from '../../helpers/seed';

const MODEL = 'gemini-3-pro-high';
const contents = [{ role: 'user', parts: [{ text: 'hi' }] }];

let ph: ProxyHarness;
let seeded: Seeded[];

beforeEach(async () => {
  ph = await startProxyHarness();
  seeded = await seedGoogleAccounts(ph.h.app, ph.google, 2, () => ({ reply: ['Gem', 'ini'] }));
  await call(ph.h.app, 'monitor:syncNow');
});
afterEach(async () => {
  await ph.close();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${ph.proxy.url}${path}`, {
    method: 'POST',
    headers: { 'x-goog-api-key': ph.key, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** The seeded account the proxy tries first for MODEL. */
function firstSeeded(): { first: Seeded; second: Seeded } {
  const id = ph.h.app.services.selector.select(MODEL, undefined, (a) => a.provider === 'antigravity').account.id;
  const first = seeded.find((s) => s.id === id)!;
  return { first, second: seeded.find((s) => s !== first)! };
}

describe('proxy — Gemini routes via Cloud Code', () => {
  it('wraps generateContent for v1internal and unwraps the answer', async () => {
    const { first } = firstSeeded();
    ph.google.resetStats();
    const res = await post(`/v1beta/models/${MODEL}:generateContent`, { contents, generationConfig: { maxOutputTokens: 8 } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body['response']).toBeUndefined();
    expect(body).toMatchObject({
      candidates: [{ content: { role: 'model', parts: [{ text: 'Gemini' }] }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 2 },
    });
    expect(res.headers.get('x-quotadeck-account')).toContain(first.id.slice(0, 8));

    const up = ph.google.requests.find((r) => r.path === '/v1internal:generateContent')!;
    expect(up.authorization).toBe(`Bearer ${first.handle.accessToken()}`);
    expect(JSON.parse(up.body)).toEqual({
      model: MODEL,
      project: first.handle.spec.projectId,
      request: { contents, generationConfig: { maxOutputTokens: 8 } },
    });
    expect(ph.ledger.settled()[0]).toMatchObject({ route: 'gemini.generate', provider: 'antigravity', accountId: first.id, status: 'completed', inputTokens: 8, outputTokens: 2 });
  });

  it('streams Cloud Code SSE unwrapped event by event (alt=sse), and as a JSON array without it', async () => {
    const res = await post(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, { contents });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    const events = text.split('\r\n\r\n').filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, '')) as Record<string, unknown>);
    expect(events.map((e) => (e as { candidates: Array<{ content: { parts: Array<{ text: string }> } }> }).candidates[0]!.content.parts[0]!.text)).toEqual(['Gem', 'ini']);
    expect(events.every((e) => e['response'] === undefined)).toBe(true);
    expect(events[1]).toMatchObject({ usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 2 } });
    expect(ph.google.requests.some((r) => r.path === '/v1internal:streamGenerateContent')).toBe(true);
    expect(await ph.ledger.waitFor(() => true)).toMatchObject({ route: 'gemini.stream', status: 'completed', inputTokens: 8, outputTokens: 2 });

    const arr = await post(`/v1beta/models/${MODEL}:streamGenerateContent`, { contents });
    expect(arr.headers.get('content-type')).toContain('application/json');
    const items = (await arr.json()) as Array<{ candidates: unknown[] }>;
    expect(items).toHaveLength(2);
    expect(items[0]!.candidates).toHaveLength(1);
  });

  it("a quota 429 locks the account until Google's quotaResetDelay and the next account answers", async () => {
    const { first, second } = firstSeeded();
    first.handle.setMethodBehaviour('generateContent', { kind: 'quota429', resetDelay: '3h12m5.5s' });
    const before = Date.now();
    const res = await post(`/v1beta/models/${MODEL}:generateContent`, { contents });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-quotadeck-account')).toContain(second.id.slice(0, 8));
    const lock = ph.h.app.services.engine.listLocks().find((l) => l.accountId === first.id)!;
    expect(lock.model).toBe(MODEL);
    const expected = before + (3 * 3600 + 12 * 60 + 5.5) * 1000;
    expect(Date.parse(lock.lockedUntil)).toBeGreaterThanOrEqual(expected - 1000);
    expect(Date.parse(lock.lockedUntil)).toBeLessThanOrEqual(Date.now() + (expected - before) + 1000);
    expect(ph.ledger.settled().map((r) => [r.accountId, r.status, r.httpStatus])).toEqual([[first.id, 'failed', 429], [second.id, 'completed', 200]]);
  });

  it('refuses a Gemini request without the proxy key in x-goog-api-key, and ignores ?key=', async () => {
    const res = await fetch(`${ph.proxy.url}/v1beta/models/${MODEL}:generateContent?key=${ph.key}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ contents }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
  });
});
