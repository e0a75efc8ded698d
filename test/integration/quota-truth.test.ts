// Locks end at the truth (issue 12 §1): a lock never outlives its bucket's known reset, a poll
// after that reset showing quota serves the account again, an unknown reset caps a lock at 24 h,
// a 5xx is a cooldown (reason "unavailable") not a quota lock, and a report's Retry-After is
// validated. Real parts: the core on a temp SQLite file, the proxy and the control server on
// loopback, the fake Cloud Code upstream.
import { afterEach, describe, expect, it } from 'vitest';
import { startControlServer, type ControlServer } from '../../src/main/core/server/control-server';
import { silentLogger } from '../../src/main/core/ports';
import type { QuotaLockView, QuotaView, SelectionView } from '../../src/shared/types';
import { call, FakeClock } from '../helpers/harness';
import { startProxyHarness, type ProxyHarness } from '../helpers/proxy-harness';
import { seedGoogleAccounts, type Seeded } from '../helpers/seed';

const MODEL = 'gemini-3-pro-high';
const HOUR = 3_600_000;
const contents = [{ role: 'user', parts: [{ text: 'hi' }] }];

let ph: ProxyHarness | undefined;
let server: ControlServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await ph?.close();
  ph = undefined;
});

const at = (t: number) => new Date(t).toISOString();

/** Two antigravity accounts whose Gemini bucket resets in an hour, synced once through the fake. */
async function setup(clock: FakeClock): Promise<{ first: Seeded; second: Seeded; resetAt: number }> {
  ph = await startProxyHarness({ clock, settings: { cacheTtlSec: 86_400 } });
  const resetAt = clock.now() + HOUR;
  const seeded = await seedGoogleAccounts(ph.h.app, ph.google, 2, (i) => ({
    models: { [MODEL]: { displayName: 'Gemini 3 Pro (High)', remainingFraction: i === 0 ? 0.9 : 0.6, resetTime: at(resetAt) } },
  }));
  await call(ph.h.app, 'monitor:syncNow');
  const [first, second] = seeded as [Seeded, Seeded];
  expect((await call<SelectionView>(ph.h.app, 'selector:select', { model: MODEL })).accountId).toBe(first.id);
  return { first, second, resetAt };
}

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${ph!.proxy.url}${path}`, { method: 'POST', headers: { 'x-goog-api-key': ph!.key, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

describe('locks end at the truth', () => {
  it('a 24 h Retry-After against a reset 1 h away locks until the reset; a poll after it serves the account again', async () => {
    const clock = new FakeClock();
    const { first, second, resetAt } = await setup(clock);
    first.handle.setMethodBehaviour('generateContent', { kind: 'status', status: 429, headers: { 'retry-after': '86400' } });

    const res = await post(`/v1beta/models/${MODEL}:generateContent`, { contents });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-quotadeck-account')).toContain(second.id.slice(0, 8));
    const locks = await call<QuotaLockView[]>(ph!.h.app, 'quota:listLocks');
    expect(locks).toEqual([{ accountId: first.id, model: MODEL, kind: 'quota', lockedUntil: at(resetAt), reason: '429, retry after 86400s, cut to the known reset' }]);
    // Persisted with its kind and the reset it knew.
    const row = ph!.h.app.services.db.prepare('SELECT kind, locked_until, bucket_reset_at FROM quota_locks').get();
    expect(row).toEqual({ kind: 'quota', locked_until: resetAt, bucket_reset_at: resetAt });

    // The second account runs dry meanwhile; two hours later the first shows a full bucket.
    second.handle.setModels({ [MODEL]: { displayName: 'Gemini 3 Pro (High)', remainingFraction: 0, resetTime: at(clock.now() + 6 * HOUR) } });
    await call(ph!.h.app, 'monitor:syncAccount', { id: second.id });
    clock.advance(2 * HOUR);
    first.handle.setMethodBehaviour('generateContent', undefined);
    first.handle.setModels({ [MODEL]: { displayName: 'Gemini 3 Pro (High)', remainingFraction: 1, resetTime: at(clock.now() + 5 * HOUR) } });
    const views = await call<QuotaView[]>(ph!.h.app, 'monitor:syncAccount', { id: first.id });
    expect(views.find((v) => v.model === MODEL)).toMatchObject({ remainingFraction: 1, lock: null, decision: { kind: 'proceed' } });
    expect(await call<QuotaLockView[]>(ph!.h.app, 'quota:listLocks')).toEqual([]);
    expect(ph!.h.app.services.db.prepare('SELECT COUNT(*) AS n FROM quota_locks').get()).toEqual({ n: 0 });
    expect((await call<SelectionView>(ph!.h.app, 'selector:select', { model: MODEL })).accountId).toBe(first.id);
    const again = await post(`/v1beta/models/${MODEL}:generateContent`, { contents });
    expect(again.status).toBe(200);
    expect(again.headers.get('x-quotadeck-account')).toContain(first.id.slice(0, 8));
  });

  it('a lock made before the reset was known is cut to it when a poll learns the reset', async () => {
    const clock = new FakeClock();
    const { first } = await setup(clock);
    // Forget what is known: a report with no reading to go by keeps the asked wait (under 24 h).
    ph!.h.app.services.engine.forgetAccount(first.id);
    const r = await call<{ lockedUntil: string }>(ph!.h.app, 'quota:report', { accountId: first.id, model: MODEL, outcome: '429', retryAfter: 20 * 3600 });
    expect(r.lockedUntil).toBe(at(clock.now() + 20 * HOUR));
    first.handle.setModels({ [MODEL]: { displayName: 'Gemini 3 Pro (High)', remainingFraction: 0, resetTime: at(clock.now() + 2 * HOUR) } });
    const views = await call<QuotaView[]>(ph!.h.app, 'monitor:syncAccount', { id: first.id });
    expect(views.find((v) => v.model === MODEL)!.lock).toMatchObject({ kind: 'quota', lockedUntil: at(clock.now() + 2 * HOUR) });
  });

  it('an unknown reset keeps today\'s rules capped at 24 h: a longer wait is clamped and logged, and survives a restart', async () => {
    const clock = new FakeClock();
    ph = await startProxyHarness({ clock });
    const [a] = await ph.importAccounts([{ provider: 'antigravity', email: 'x@example.com', refreshToken: '1//rt-unknown-reset-xxxx' }]);
    const r = await call<{ lockedUntil: string }>(ph.h.app, 'quota:report', { accountId: a!.id, model: MODEL, outcome: '429', retryAfter: 5 * 86_400 });
    expect(r.lockedUntil).toBe(at(clock.now() + 24 * HOUR));
    expect(ph.h.logger.lines.some((l) => l.startsWith('[warn]') && l.includes('clamped to 24 h'))).toBe(true);
    const short = await call<{ lockedUntil: string }>(ph.h.app, 'quota:report', { accountId: a!.id, model: 'other-model', outcome: '429', retryAfter: 90 });
    expect(short.lockedUntil).toBe(at(clock.now() + 90_000));

    const reopened = await ph.h.reopen();
    const locks = await call<QuotaLockView[]>(reopened.app, 'quota:listLocks');
    expect(locks.map((l) => [l.model, l.kind, l.lockedUntil])).toEqual(
      expect.arrayContaining([
        [MODEL, 'quota', at(clock.now() + 24 * HOUR)],
        ['other-model', 'quota', at(clock.now() + 90_000)],
      ]),
    );
    await reopened.app.close();
  });

  it('a 503 is a cooldown (reason unavailable), shown as such, not a quota lock, and persisted', async () => {
    const clock = new FakeClock();
    const { first, second } = await setup(clock);
    first.handle.setMethodBehaviour('generateContent', { kind: 'status', status: 503 });
    const res = await post(`/v1beta/models/${MODEL}:generateContent`, { contents });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-quotadeck-account')).toContain(second.id.slice(0, 8));
    const [lock] = await call<QuotaLockView[]>(ph!.h.app, 'quota:listLocks');
    expect(lock).toMatchObject({ accountId: first.id, model: MODEL, kind: 'cooldown', reason: 'unavailable' });
    expect(Date.parse(lock!.lockedUntil) - clock.now()).toBe(15_000);
    const view = (await call<QuotaView[]>(ph!.h.app, 'quota:list', { accountId: first.id })).find((v) => v.model === MODEL)!;
    expect(view.decision).toMatchObject({ kind: 'cooldown', reason: 'unavailable' });
    expect(view.lock).toMatchObject({ kind: 'cooldown', reason: 'unavailable' });
    // Not counted as an exhausted quota (the tray stays calm over an outage).
    expect(ph!.h.app.services.monitor.stats().exhaustedQuotas).toBe(0);
    expect(ph!.h.app.services.db.prepare('SELECT kind, reason FROM quota_locks').all()).toEqual([{ kind: 'cooldown', reason: 'unavailable' }]);
    // The cooldown ends by itself.
    clock.advance(15_000);
    first.handle.setMethodBehaviour('generateContent', undefined);
    expect((await call<SelectionView>(ph!.h.app, 'selector:select', { model: MODEL })).accountId).toBe(first.id);
  });
});

describe('a report\'s retryAfter is validated', () => {
  it('a negative or absurd (> 7 days) retryAfter is a 400 naming the field, on the contract and on /v1/report', async () => {
    ph = await startProxyHarness();
    const [a] = await ph.importAccounts([{ provider: 'antigravity', email: 'y@example.com', refreshToken: '1//rt-bad-retry-xxxxx' }]);
    for (const retryAfter of [-1, 604_801, 31_536_000]) {
      const env = await ph.h.app.api.call('quota:report', { accountId: a!.id, model: MODEL, outcome: '429', retryAfter });
      expect(env.ok).toBe(false);
      if (env.ok) continue;
      expect(env.error.code).toBe('bad_request');
      expect(env.error.message).toContain('retryAfter');
    }
    const token = 'control-token-for-tests-0123456789';
    server = await startControlServer({ app: ph.h.app, token, port: 0, rendererDir: ph.h.dir, log: silentLogger });
    const report = (body: unknown) => fetch(`${server!.url}/v1/report`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    for (const retryAfter of [-5, 700_000]) {
      const res = await report({ accountId: a!.id, model: MODEL, outcome: '429', retryAfter });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string; field: string } };
      expect(body.error).toMatchObject({ code: 'bad_request', field: 'retryAfter' });
      expect(body.error.message).toContain('retryAfter');
    }
    expect((await report({ accountId: a!.id, model: MODEL, outcome: '429', retryAfter: 604_800 })).status).toBe(200);
    expect(await call<QuotaLockView[]>(ph.h.app, 'quota:listLocks')).toHaveLength(1);
  });
});
