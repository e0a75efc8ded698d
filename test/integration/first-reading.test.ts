// Every key has a reading (issue 12 §6): an API key is probed once when it is added or imported,
// so a new key is weighed against the others instead of the nearly empty one being drained; until
// its reading lands it ranks above "low" accounts; quota:probe re-probes on demand. Real core
// (SQLite in a temp dir), a fake OpenAI-compatible API on loopback, a FakeClock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView, ImportReport, QuotaView, SelectionView } from '../../src/shared/types';
import { startFakeLlmApi, type FakeLlmApi } from '../helpers/fake-llm-api';
import { call, FakeClock, makeHarness, type Harness } from '../helpers/harness';

const SEC = 1000;
const NEARLY_EMPTY = 'sk-proj-first-nearly-empty-0123456789';
const FRESH = 'sk-proj-first-fresh-key-0123456789ab';
const OTHER = 'sk-proj-first-other-key-0123456789ab';

let llm: FakeLlmApi;
let h: Harness;
let clock: FakeClock;

beforeEach(async () => {
  clock = new FakeClock();
  llm = await startFakeLlmApi({ now: () => clock.now() });
  h = await makeHarness({ clock, probeNewKeys: true, overrides: { syncTimeoutSec: 5 } });
});
afterEach(async () => {
  await h.close();
  await llm.close();
});

const key = (apiKey: string, label: string) => ({ provider: 'openai', label, apiKey, baseUrl: llm.openaiBaseUrl, models: ['gpt-4o'] });
const add = (apiKey: string, label: string) => call<AccountView>(h.app, 'accounts:add', key(apiKey, label));
const select = () => call<SelectionView>(h.app, 'selector:select', { model: 'gpt-4o' });
const views = (accountId: string) => call<QuotaView[]>(h.app, 'quota:list', { accountId });

describe('a new API key gets a reading at once', () => {
  it('adding a key probes it once: the new key, not the nearly empty one, is chosen', async () => {
    const empty = llm.addKey({ key: NEARLY_EMPTY, limits: { requests: { limit: 100, remaining: 4, resetMs: 60 * SEC } } });
    const a = await add(NEARLY_EMPTY, 'nearly-empty');
    await h.app.services.firstReadings.idle();
    expect(empty.callCount()).toBe(1);
    expect(await views(a.id)).toEqual([expect.objectContaining({ model: 'gpt-4o', remaining: 3, decision: expect.objectContaining({ kind: 'low' }) })]);

    const fresh = llm.addKey({ key: FRESH, limits: { requests: { limit: 100, remaining: 100, resetMs: 60 * SEC } } });
    const b = await add(FRESH, 'fresh');
    await h.app.services.firstReadings.idle();
    // One minimal request, as quota:probe sends it.
    expect(fresh.callCount()).toBe(1);
    expect(llm.requests.at(-1)).toMatchObject({ key: FRESH, path: '/v1/chat/completions', status: 200, body: { model: 'gpt-4o', max_tokens: 1 } });
    expect(await views(b.id)).toEqual([expect.objectContaining({ remainingFraction: 0.99, decision: expect.objectContaining({ kind: 'proceed' }) })]);
    for (let i = 0; i < 10; i++) expect(await select()).toMatchObject({ accountId: b.id, decision: { kind: 'proceed' } });
    // The nearly empty key was not asked again.
    expect(empty.callCount()).toBe(1);
  });

  it('until its reading lands a new key ranks above a low one; a failed first probe is retried on demand (quota:probe)', async () => {
    llm.addKey({ key: NEARLY_EMPTY, limits: { requests: { limit: 100, remaining: 4, resetMs: 60 * SEC } } });
    const a = await add(NEARLY_EMPTY, 'nearly-empty');
    await h.app.services.firstReadings.idle();

    const fresh = llm.addKey({ key: FRESH, limits: { requests: { limit: 100, remaining: 100, resetMs: 60 * SEC } }, behaviour: { kind: 'hang' } });
    const b = await add(FRESH, 'fresh');
    await llm.waitFor((r) => r.key === FRESH);
    // Its probe is still out: no reading, "unknown", which is not worse than nearly empty.
    expect(await views(b.id)).toEqual([]);
    expect(await select()).toMatchObject({ accountId: b.id, decision: { kind: 'unknown' } });

    // The probe times out (the Clock's deadline): still no reading, still ranked above the low key.
    clock.advance(6 * SEC);
    await h.app.services.firstReadings.idle();
    expect(await views(b.id)).toEqual([]);
    expect(await select()).toMatchObject({ accountId: b.id });
    expect((await call<AccountView[]>(h.app, 'accounts:list')).find((x) => x.id === b.id)).toMatchObject({ status: 'active' });

    // On demand: one more probe, and the reading lands.
    fresh.setBehaviour({ kind: 'normal' });
    await call(h.app, 'quota:probe', { accountId: b.id });
    expect(await views(b.id)).toEqual([expect.objectContaining({ decision: expect.objectContaining({ kind: 'proceed' }) })]);
    expect(await select()).toMatchObject({ accountId: b.id, decision: { kind: 'proceed' } });
    expect((await views(a.id))[0]?.decision.kind).toBe('low');
  });

  it('a service that does not sync on its own (--no-sync) makes no first probe either', async () => {
    const quiet = await makeHarness({ clock }); // autoSync off, so probeNewKeys off
    try {
      const k = llm.addKey({ key: OTHER, limits: { requests: { limit: 100, remaining: 50, resetMs: 60 * SEC } } });
      const a = await call<AccountView>(quiet.app, 'accounts:add', key(OTHER, 'quiet'));
      await quiet.app.services.firstReadings.idle();
      expect(k.callCount()).toBe(0);
      expect(await call<QuotaView[]>(quiet.app, 'quota:list', { accountId: a.id })).toEqual([]);
    } finally {
      await quiet.close();
    }
  });

  it('an import probes each new key once; importing it again (it has a reading) sends nothing', async () => {
    const k1 = llm.addKey({ key: FRESH, limits: { requests: { limit: 100, remaining: 50, resetMs: 60 * SEC } } });
    const k2 = llm.addKey({ key: OTHER, limits: { requests: { limit: 100, remaining: 80, resetMs: 60 * SEC } } });
    const doc = { accounts: [key(FRESH, 'one'), key(OTHER, 'two')] };
    const r = await call<ImportReport>(h.app, 'accounts:import', doc);
    expect(r.created).toBe(2);
    await h.app.services.firstReadings.idle();
    expect([k1.callCount(), k2.callCount()]).toEqual([1, 1]);
    expect((await call<QuotaView[]>(h.app, 'quota:list')).map((v) => v.remaining).sort()).toEqual([49, 79]);

    await call<ImportReport>(h.app, 'accounts:import', doc);
    await h.app.services.firstReadings.idle();
    expect([k1.callCount(), k2.callCount()]).toEqual([1, 1]);
  });
});
