// The proxy against the app's real usage ledger (SQLite rows, cost from the pricing table) and
// real local limits (windows computed from the ledger), through the official openai client.
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageLogPage } from '../../../src/shared/types';
import { call } from '../../helpers/harness';
import { startProxyHarness, type ProxyHarness } from '../../helpers/proxy-harness';

const MODEL = 'gpt-4o-mini';
let ph: ProxyHarness;
let client: OpenAI;

beforeEach(async () => {
  ph = await startProxyHarness({ realLimits: true });
  client = new OpenAI({ baseURL: `${ph.proxy.url}/v1`, apiKey: ph.key, maxRetries: 0 });
});
afterEach(async () => {
  await ph.close();
});

describe('proxy with the real ledger and limits', () => {
  it('records completed attempts with tokens and cost in SQLite, and enforces a requests-per-hour limit with a 429 body', async () => {
    ph.llm.addKey({ key: 'sk-upstream-real-ledger-1', reply: ['o', 'k'] });
    const [acc] = await ph.importAccounts([{ provider: 'openai', label: 'Key', apiKey: 'sk-upstream-real-ledger-1' }]);
    await call(ph.h.app, 'limits:set', { scope: acc!.id, requestsPerHour: 2 });

    for (let i = 0; i < 2; i++) {
      const r = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
      expect(r.choices[0]!.message.content).toBe('ok');
    }
    await expect.poll(async () => (await call<UsageLogPage>(ph.h.app, 'usage:log', { status: 'completed' })).rows.length).toBe(2);
    const page = await call<UsageLogPage>(ph.h.app, 'usage:log', {});
    for (const row of page.rows) {
      expect(row).toMatchObject({ accountId: acc!.id, model: MODEL, status: 'completed', httpStatus: 200, inputTokens: 8, outputTokens: 2 });
      expect(row.cost).toBeGreaterThan(0);
    }

    // The third request in the hour: the only account is over its limit.
    const err = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429 });
    const res = await fetch(`${ph.proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ph.key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(429);
    const body = JSON.stringify(await res.json());
    expect(body).toContain('"limit":"requests_per_hour"');
    expect(body).toMatch(/"used":2/);
    expect(body).toMatch(/"resetAt":"\d{4}-/);
    // Only two requests reached the upstream.
    expect(ph.llm.requests.filter((r) => r.path.endsWith('/chat/completions')).length).toBe(2);
  });
});
