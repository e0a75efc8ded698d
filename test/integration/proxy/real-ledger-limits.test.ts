// The proxy against the app's real usage ledger (SQLite rows, cost from the pricing table) and
// real local limits (windows computed from the ledger), through the official openai client.
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageLogPage, UsageSummaryRow } from '../../../src/shared/types';
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

  it('a stream cut midway is marked partial and costs the tokens it consumed (in the row and the rollups)', async () => {
    ph.llm.addKey({ key: 'sk-ant-upstream-partial-1', reply: ['a', 'b', 'c', 'd'], behaviour: { kind: 'cutStream', afterEvents: 3 } });
    await ph.importAccounts([{ provider: 'anthropic', label: 'Cut', apiKey: 'sk-ant-upstream-partial-1' }]);
    const res = await fetch(`${ph.proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': ph.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    // The client's stream breaks off with the upstream's.
    await res.text().catch(() => '');
    await expect.poll(async () => (await call<UsageLogPage>(ph.h.app, 'usage:log', { status: 'failed' })).rows.length).toBe(1);
    const [row] = (await call<UsageLogPage>(ph.h.app, 'usage:log', { status: 'failed' })).rows;
    expect(row).toMatchObject({ status: 'failed', partial: true, httpStatus: 200, inputTokens: 8 });
    expect(row!.cost).toBeGreaterThan(0);
    const day = new Date().toISOString().slice(0, 10);
    const [sum] = await call<UsageSummaryRow[]>(ph.h.app, 'usage:summary', { from: `${day}T00:00:00.000Z`, to: new Date(Date.now() + 86_400_000).toISOString() });
    expect(sum).toMatchObject({ failed: 1, completed: 0, inputTokens: 8 });
    expect(sum!.cost).toBeCloseTo(row!.cost!, 10);
  });
});
