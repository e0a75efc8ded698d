// The model catalog through the real proxy: GET /v1/models in both shapes (each model once, with
// the kinds of account serving it, aliases listed), `models:list` over the contract, and the
// difference between a model nobody serves (404 model_not_found, in the client's own shape)
// and a model whose accounts are all busy (429 no_account_available with a reset time).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogModel, UsageLogPage } from '../../../src/shared/types';
import { call } from '../../helpers/harness';
import { startProxyHarness, type ProxyHarness } from '../../helpers/proxy-harness';

const ANT_KEY = 'sk-ant-api03-catalog-aaaaaaaa';
const OAI_KEY = 'sk-openai-catalog-bbbbbbbb';
const messages = [{ role: 'user' as const, content: 'hi' }];

let ph: ProxyHarness;
let anthropic: Anthropic;
let openai: OpenAI;

beforeEach(async () => {
  ph = await startProxyHarness();
  anthropic = new Anthropic({ baseURL: ph.proxy.url, apiKey: ph.key, maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${ph.proxy.url}/v1`, apiKey: ph.key, maxRetries: 0 });
});
afterEach(async () => {
  await ph.close();
});

async function fleet() {
  ph.llm.addKey({ key: ANT_KEY });
  ph.llm.addKey({ key: OAI_KEY });
  const fc = ph.claude.addAccount({ refreshToken: 'sk-ant-ort01-catalog' });
  ph.llm.addKey({ key: 'claude-subscription', bearerToken: () => fc.accessToken() });
  const [ant, oai, sub, off] = await ph.importAccounts([
    { provider: 'anthropic', label: 'key', apiKey: ANT_KEY, models: ['claude-sonnet-4-5', 'claude-opus-4-5'] },
    { provider: 'openai', label: 'oai', apiKey: OAI_KEY, models: ['gpt-4o-mini', 'gpt-4.1*'] },
    { provider: 'claude', email: 'sub@example.com', refreshToken: 'sk-ant-ort01-catalog', accessToken: 'sk-ant-oat01-catalog', expiresAt: '2099-01-01T00:00:00Z' },
    { provider: 'openai', label: 'off', apiKey: 'sk-openai-disabled-cccccccc', models: ['gpt-disabled-only'] },
  ]);
  await call(ph.h.app, 'accounts:setEnabled', { id: off!.id, enabled: false });
  return { ant: ant!, oai: oai!, sub: sub!, off: off! };
}

describe('proxy — the model catalog', () => {
  it('lists every servable model once with the kinds serving it, in the OpenAI and Anthropic shapes', async () => {
    await fleet();
    await call(ph.h.app, 'settings:update', { modelAliases: { 'claude-opus-4-5-20251101': 'claude-opus-4-5', 'gone-alias': 'not-served' } });

    // The contract's catalog: every enabled account, whatever client route reaches it.
    const all = await call<CatalogModel[]>(ph.h.app, 'models:list');
    const byId = new Map(all.map((m) => [m.id, m]));
    expect(all.map((m) => m.id)).toEqual([...new Set(all.map((m) => m.id))].sort());
    expect(byId.get('claude-opus-4-5')).toEqual({ id: 'claude-opus-4-5', displayName: null, kinds: ['anthropic', 'claude'], accounts: 2, aliasOf: null });
    // A subscription lists the provider's known models its patterns match (claude-*).
    expect(byId.get('claude-haiku-4-5')).toMatchObject({ kinds: ['claude'], accounts: 1 });
    expect(byId.get('gpt-4o-mini')).toMatchObject({ kinds: ['openai'], accounts: 1 });
    expect(byId.get('claude-opus-4-5-20251101')).toMatchObject({ aliasOf: 'claude-opus-4-5', kinds: ['anthropic', 'claude'] });
    // Globs are not models; disabled accounts and aliases of nothing served are not listed.
    expect([...byId.keys()].filter((id) => id.includes('*') || id === 'gpt-disabled-only' || id === 'gone-alias')).toEqual([]);

    const oaiList = await openai.models.list();
    const oaiIds = oaiList.data.map((m) => m.id);
    expect(new Set(oaiIds).size).toBe(oaiIds.length);
    expect(oaiList.data.find((m) => m.id === 'gpt-4o-mini')).toEqual({ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'openai', kinds: ['openai'] });
    expect(oaiIds).not.toContain('gpt-disabled-only');

    const antList = await anthropic.models.list();
    const antIds = antList.data.map((m) => m.id);
    expect(new Set(antIds).size).toBe(antIds.length);
    expect(antIds).toEqual(expect.arrayContaining(['claude-opus-4-5', 'claude-opus-4-5-20251101', 'claude-sonnet-4-5', 'claude-haiku-4-5']));
    expect(antList.data.find((m) => m.id === 'claude-opus-4-5')).toMatchObject({ type: 'model', display_name: 'claude-opus-4-5', kinds: ['anthropic', 'claude'] });
    const one = await anthropic.models.retrieve('claude-sonnet-4-5');
    expect(one).toMatchObject({ type: 'model', id: 'claude-sonnet-4-5' });
    expect(ph.llm.requests).toHaveLength(0);
  });

  it('GET /v1/models/{id} of an unknown model is a 404 model_not_found in the client\'s shape', async () => {
    await fleet();
    const err = await anthropic.models.retrieve('no-such-model').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error', code: 'model_not_found' } });
    const oerr = await openai.models.retrieve('no-such-model').catch((e: unknown) => e);
    expect(oerr).toBeInstanceOf(OpenAI.NotFoundError);
    expect((oerr as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });

  it('answers 404 model_not_found when no enabled account serves the model, in each client\'s shape, without dispatching', async () => {
    await fleet();
    const err = await anthropic.messages.create({ model: 'no-such-model', max_tokens: 8, messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error', code: 'model_not_found', message: expect.stringContaining('no-such-model') } });

    // Only a disabled account serves it: still not found.
    const oerr = await openai.chat.completions.create({ model: 'gpt-disabled-only', messages }).catch((e: unknown) => e);
    expect(oerr).toBeInstanceOf(OpenAI.NotFoundError);
    expect(oerr).toMatchObject({ status: 404, code: 'model_not_found', type: 'invalid_request_error' });

    const g = await fetch(`${ph.proxy.url}/v1beta/models/no-such-gemini:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': ph.key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(g.status).toBe(404);
    expect(await g.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND', reason: 'model_not_found' } });
    expect(g.headers.get('retry-after')).toBeNull();

    expect(ph.llm.requests).toHaveLength(0);
    const rejected = ph.ledger.settled();
    expect(rejected.map((r) => [r.status, r.httpStatus, r.model, r.error])).toEqual([
      ['rejected', 404, 'no-such-model', 'model not found'],
      ['rejected', 404, 'gpt-disabled-only', 'model not found'],
      ['rejected', 404, 'no-such-gemini', 'model not found'],
    ]);
  });

  it('answers 429 no_account_available with earliestResetAt and Retry-After when the model\'s accounts are all exhausted or over a limit', async () => {
    ph.llm.addKey({ key: ANT_KEY, behaviour: { kind: 'rateLimited', retryAfterSec: 120 } });
    const [acc] = await ph.importAccounts([{ provider: 'anthropic', apiKey: ANT_KEY, models: ['claude-busy-model'] }]);
    const first = await anthropic.messages.create({ model: 'claude-busy-model', max_tokens: 8, messages }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(Anthropic.RateLimitError);

    // Now locked: refused before dispatch, with when to come back.
    const res = await fetch(`${ph.proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': ph.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-busy-model', max_tokens: 8, messages }),
    });
    expect(res.status).toBe(429);
    const body = (await res.json()) as { earliestResetAt: string; error: { code: string } };
    expect(body.error.code).toBe('no_account_available');
    expect(Date.parse(body.earliestResetAt)).toBeGreaterThan(Date.now() + 100_000);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(100);
    expect(ph.llm.requests).toHaveLength(1);

    // An account over its own local limit is busy, not missing: 429 with the limit's reset.
    ph.h.app.services.engine.clearLock(ph.h.app.services.store.require(acc!.id), 'claude-busy-model');
    const resetAt = Date.now() + 3_600_000;
    ph.limits.accounts.set(acc!.id, { ok: false, breach: { scope: 'account', accountId: acc!.id, limit: 'requests_per_hour', max: 1, used: 1, resetAt } });
    const limited = await anthropic.messages.create({ model: 'claude-busy-model', max_tokens: 8, messages }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(ph.llm.requests).toHaveLength(1);
  });

  it('reads a key\'s own /models list after a sync: its models are listed and served, a model outside them is not found', async () => {
    ph.llm.addKey({ key: OAI_KEY, models: ['gpt-listed-a', 'gpt-listed-b'] });
    ph.llm.addKey({ key: ANT_KEY, models: ['claude-listed-1'] });
    const [oai] = await ph.importAccounts([
      { provider: 'openai', apiKey: OAI_KEY },
      { provider: 'anthropic', apiKey: ANT_KEY },
    ]);
    // Before any list, an OpenAI key serves "*": the unknown name would go upstream.
    expect(ph.h.app.services.engine.serves(ph.h.app.services.store.require(oai!.id), 'gpt-unlisted')).toBe(true);

    await call(ph.h.app, 'monitor:syncNow');
    const listed = await ph.llm.waitFor((r) => r.method === 'GET' && r.path === '/v1/models' && r.headers.authorization === `Bearer ${OAI_KEY}`, 'finished');
    expect(listed.status).toBe(200);
    await ph.h.app.services.modelLists.refreshDue();
    expect(ph.llm.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/models')).map((r) => r.path).sort()).toEqual(['/v1/models', '/v1/models']);

    const all = await call<CatalogModel[]>(ph.h.app, 'models:list');
    expect(all.map((m) => [m.id, m.kinds])).toEqual(
      expect.arrayContaining([
        ['gpt-listed-a', ['openai']],
        ['gpt-listed-b', ['openai']],
        ['claude-listed-1', ['anthropic']],
      ]),
    );
    const ids = (await openai.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-listed-a', 'gpt-listed-b']));

    const ok = await openai.chat.completions.create({ model: 'gpt-listed-b', messages }).withResponse();
    expect(ok.response.headers.get('x-quotadeck-account')).toContain(oai!.id.slice(0, 8));
    const err = await openai.chat.completions.create({ model: 'gpt-unlisted', messages }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, code: 'model_not_found' });
    expect(ph.llm.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { model: string }).model)).toEqual(['gpt-listed-b']);
  });

  it('records the requested and the served model in the SQLite ledger', async () => {
    ph.llm.addKey({ key: ANT_KEY, models: ['claude-opus-4-5'] });
    await ph.importAccounts([{ provider: 'anthropic', apiKey: ANT_KEY, models: ['claude-opus-4-5'] }]);
    await call(ph.h.app, 'settings:update', { modelAliases: { 'claude-opus-4-5-20251101': 'claude-opus-4-5' } });
    await anthropic.messages.create({ model: 'claude-opus-4-5-20251101', max_tokens: 8, messages });
    await anthropic.messages.create({ model: 'claude-opus-4-5', max_tokens: 8, messages });
    await ph.ledger.waitFor((r) => r.id === 2);
    const page = await call<UsageLogPage>(ph.h.app, 'usage:log', {});
    expect(page.rows.map((r) => [r.model, r.requestedModel, r.status])).toEqual([
      ['claude-opus-4-5', 'claude-opus-4-5', 'completed'],
      ['claude-opus-4-5', 'claude-opus-4-5-20251101', 'completed'],
    ]);
  });
});
