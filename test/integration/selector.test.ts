import { afterEach, describe, expect, it } from 'vitest';
import type { ImportReport, QuotaLockView, SelectionView, Tier } from '../../src/shared/types';
import type { QuotaInfo } from '../../src/main/core/model';
import { call, FakeClock, makeHarness, type Harness } from '../helpers/harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MODEL = 'gemini-3-pro-high';

async function setup(specs: Array<{ tier: Tier; fraction: number | null; resetInMs?: number }>, clock = new FakeClock()) {
  // A day of TTL so readings outlive the clock jumps below.
  h = await makeHarness({ clock, overrides: { cacheTtlSec: 86_400 } });
  const doc = { accounts: specs.map((s, i) => ({ provider: 'antigravity', email: `a${i}@example.com`, refreshToken: `1//rt-${i}-xxxxxxxx`, tier: s.tier, label: `a${i}` })) };
  const report = await call<ImportReport>(h.app, 'accounts:import', doc);
  const ids = report.accounts.map((a) => a.id);
  specs.forEach((s, i) => setReading(ids[i]!, s.fraction, s.resetInMs, clock));
  return { ids, clock };
}

function setReading(id: string, fraction: number | null, resetInMs: number | undefined, clock: FakeClock, model = MODEL) {
  const { store, engine } = h!.app.services;
  const info: QuotaInfo = {
    accountId: id,
    model,
    displayName: null,
    remainingFraction: fraction,
    resetAt: resetInMs === undefined ? null : clock.now() + resetInMs,
    fetchedAt: clock.now(),
    source: 'poll',
    window: null,
    limit: null,
    remaining: null,
  };
  engine.applyReadings(store.require(id), [info], false);
}

const pick = async () => (await call<SelectionView>(h!.app, 'selector:select', { model: MODEL })).label;

describe('TokenSelector', () => {
  it('orders by decision group, then tier, then most remaining', async () => {
    await setup([
      { tier: 'free', fraction: 0.9 },
      { tier: 'ultra', fraction: 0.3 },
      { tier: 'ultra', fraction: 0.6 },
      { tier: 'pro', fraction: 0.95 },
      { tier: 'ultra', fraction: 0.05 }, // low: only a fallback
      { tier: 'ultra', fraction: 0, resetInMs: 3_600_000 }, // exhausted: never
    ]);
    const order = h!.app.services.selector.candidates(MODEL).map((c) => c.account.label);
    expect(order).toEqual(['a2', 'a1', 'a3', 'a0', 'a4']);
    expect(await pick()).toBe('a2');
  });

  it('puts unknown after proceed and before low, and falls back to low when nothing else is left', async () => {
    const { ids, clock } = await setup([
      { tier: 'free', fraction: 0.05 },
      { tier: 'free', fraction: null },
      { tier: 'free', fraction: 0.5 },
    ]);
    expect(h!.app.services.selector.candidates(MODEL).map((c) => c.account.label)).toEqual(['a2', 'a1', 'a0']);
    setReading(ids[2]!, 0, 60_000, clock);
    setReading(ids[1]!, 0, 120_000, clock);
    expect(await pick()).toBe('a0');
    const sel = await call<SelectionView>(h!.app, 'selector:select', { model: MODEL });
    expect(sel.decision.kind).toBe('low');
  });

  it('names the earliest reset when no account is available, and lifts exhaustion at reset', async () => {
    const { clock } = await setup([
      { tier: 'pro', fraction: 0, resetInMs: 7_200_000 },
      { tier: 'free', fraction: 0, resetInMs: 3_600_000 },
    ]);
    const env = await h!.app.api.call('selector:select', { model: MODEL });
    expect(env.ok).toBe(false);
    if (env.ok) return;
    expect(env.error.code).toBe('no_account_available');
    expect((env.error.details as { earliestResetAt: string }).earliestResetAt).toBe(new Date(clock.now() + 3_600_000).toISOString());
    expect(env.error.message).toContain(new Date(clock.now() + 3_600_000).toISOString());
    clock.advance(3_600_000);
    expect(await pick()).toBe('a1');
  });

  it('skips accounts below their reserve (per account and per model) and excluded models', async () => {
    const { ids } = await setup([
      { tier: 'ultra', fraction: 0.25 },
      { tier: 'pro', fraction: 0.5 },
      { tier: 'free', fraction: 0.9 },
    ]);
    expect(await pick()).toBe('a0');
    await call(h!.app, 'accounts:update', { id: ids[0], reserve: 0.3 });
    expect(await pick()).toBe('a1');
    await call(h!.app, 'accounts:setModelPref', { id: ids[1], model: MODEL, reserve: 0.6 });
    expect(await pick()).toBe('a2');
    await call(h!.app, 'accounts:setModelPref', { id: ids[2], model: MODEL, excluded: true });
    const env = await h!.app.api.call('selector:select', { model: MODEL });
    expect(env.ok ? null : env.error.code).toBe('no_account_available');
    await call(h!.app, 'accounts:setModelPref', { id: ids[1], model: MODEL, reserve: null });
    expect(await pick()).toBe('a1');
  });

  it('never offers disabled accounts or accounts that do not serve the model', async () => {
    const { ids } = await setup([
      { tier: 'ultra', fraction: 0.9 },
      { tier: 'free', fraction: 0.5 },
    ]);
    await call(h!.app, 'accounts:setEnabled', { id: ids[0], enabled: false });
    expect(await pick()).toBe('a1');
    const env = await h!.app.api.call('selector:select', { model: 'some-other-model' });
    expect(env.ok ? null : env.error.code).toBe('no_account_available');
  });

  it('orders equals by the strategy: reset-aware (default) spends the soonest reset first, priority the most remaining, round-robin rotates', async () => {
    await setup([
      { tier: 'pro', fraction: 0.9, resetInMs: 5 * 3_600_000 },
      { tier: 'pro', fraction: 0.4, resetInMs: 1 * 3_600_000 },
      { tier: 'pro', fraction: 0.7, resetInMs: 3 * 3_600_000 },
      { tier: 'pro', fraction: 0.95 }, // no known reset: after every known one
      { tier: 'ultra', fraction: 0.2, resetInMs: 6 * 3_600_000 }, // tier first, as always
      { tier: 'pro', fraction: 0.05, resetInMs: 60_000 }, // low: a fallback whatever its reset
    ]);
    const order = () => h!.app.services.selector.candidates(MODEL).map((c) => c.account.label);
    expect((await call<{ selectionStrategy: string }>(h!.app, 'settings:get')).selectionStrategy).toBe('reset-aware');
    expect(order()).toEqual(['a4', 'a1', 'a2', 'a0', 'a3', 'a5']);
    expect(await pick()).toBe('a4');

    await call(h!.app, 'settings:update', { selectionStrategy: 'priority' });
    expect(order()).toEqual(['a4', 'a3', 'a0', 'a2', 'a1', 'a5']);

    await call(h!.app, 'settings:update', { selectionStrategy: 'round-robin' });
    expect(order()[0]).toBe('a4');
    // Round-robin rotates inside the leading run of equals (here the one ultra account).
    expect([await pick(), await pick()]).toEqual(['a4', 'a4']);
    await call(h!.app, 'accounts:setEnabled', { id: h!.app.services.store.list().find((a) => a.label === 'a4')!.id, enabled: false });
    const seen = [await pick(), await pick(), await pick(), await pick(), await pick()];
    expect(new Set(seen.slice(0, 4))).toEqual(new Set(['a0', 'a1', 'a2', 'a3']));
    expect(seen[4]).toBe(seen[0]);

    // Unknown strategies are refused, naming the setting.
    const bad = await h!.app.api.call('settings:update', { selectionStrategy: 'soonest-reset' });
    expect(bad.ok ? null : bad.error.message).toContain('selectionStrategy');
  });

  it('reads a strategy saved under its old name (selectorStrategy) as the new one', async () => {
    h = await makeHarness();
    h.app.services.db.prepare("INSERT INTO settings (key, value) VALUES ('selectorStrategy', '\"most-remaining\"')").run();
    h = await h.reopen();
    expect(h.app.services.settings.get().selectionStrategy).toBe('priority');
  });

  it('a reported 429 locks the model until Retry-After, survives polls and restarts, and can be cleared', async () => {
    const clock = new FakeClock();
    const { ids } = await setup([
      { tier: 'ultra', fraction: 0.9, resetInMs: 5 * 3_600_000 },
      { tier: 'free', fraction: 0.5 },
    ], clock);
    const r = await call<{ lockedUntil: string }>(h!.app, 'quota:report', { accountId: ids[0], model: MODEL, outcome: '429', retryAfter: 600 });
    expect(r.lockedUntil).toBe(new Date(clock.now() + 600_000).toISOString());
    expect(await pick()).toBe('a1');
    // A poll that still shows quota does not clear a lock that has not reached its end.
    setReading(ids[0]!, 1, 5 * 3_600_000, clock);
    expect(await pick()).toBe('a1');
    // Persisted: a restart keeps it.
    h = await h!.reopen();
    const locks = await call<QuotaLockView[]>(h.app, 'quota:listLocks');
    expect(locks).toEqual([{ accountId: ids[0], model: MODEL, kind: 'quota', lockedUntil: r.lockedUntil, reason: '429, retry after 600s' }]);
    // Cleared by hand.
    expect(await call(h.app, 'quota:clearLock', { accountId: ids[0], model: MODEL })).toEqual({ cleared: true });
    expect(await call(h.app, 'quota:listLocks')).toEqual([]);
  });

  it('a 429 without Retry-After locks until the known reset; the lock ends by itself', async () => {
    const { ids, clock } = await setup([
      { tier: 'ultra', fraction: 0.9, resetInMs: 1_800_000 },
      { tier: 'free', fraction: 0.5 },
    ]);
    const r = await call<{ lockedUntil: string }>(h!.app, 'quota:report', { accountId: ids[0], model: MODEL, outcome: '429' });
    expect(r.lockedUntil).toBe(new Date(clock.now() + 1_800_000).toISOString());
    expect(await pick()).toBe('a1');
    clock.advance(1_800_000);
    setReading(ids[0]!, 0.9, 5 * 3_600_000, clock);
    expect(await pick()).toBe('a0');
  });
});
