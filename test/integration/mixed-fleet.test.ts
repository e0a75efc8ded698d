// A fleet spanning every provider, synced in one monitor cycle over real HTTP: per-account
// outcomes, failure isolation, the global and per-provider caps, decisions and selection across
// providers; then the same fleet with unique canary credentials that must never leave the box.
//
// Only fake-google counts its own concurrency, and fake-openrouter records no end times, so a
// small metering reverse proxy (real HTTP) sits in front of every fake: it notes when each
// request arrived and when its answer was handed back (or the client gave up). An account's span
// runs from its first request's arrival to its last answer, which lies inside the time it held
// its pool slots, so overlapping spans bound the slots held from below: exact enough to show a
// cap reached, never more than the slots really held.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountView, DecisionRow, ImportReport, MonitorStats, QuotaView, SelectionView, SyncReport } from '../../src/shared/types';
import { startFakeClaude, type FakeClaude, type FakeClaudeAccount } from '../helpers/fake-claude';
import { startFakeCodex, type FakeCodex, type FakeCodexAccount } from '../helpers/fake-codex';
import { startFakeGoogle, type FakeAccountHandle, type FakeGoogle } from '../helpers/fake-google';
import { startFakeLlmApi, type FakeLlmApi, type FakeLlmKey } from '../helpers/fake-llm-api';
import { startFakeOpenRouter, type FakeOpenRouter, type FakeOpenRouterKey } from '../helpers/fake-openrouter';
import { call, makeHarness, type Harness } from '../helpers/harness';

// ---- metering proxy ---------------------------------------------------------------------------

interface MeterRecord { provider: string; key: string; start: number; end: number | null }

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'proxy-connection', 'upgrade']);
const forwardable = (h: IncomingHttpHeaders) => Object.fromEntries(Object.entries(h).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())));

class Meter {
  readonly records: MeterRecord[] = [];
  private readonly servers: Array<{ server: Server; sockets: Set<Socket> }> = [];

  /** A proxy origin for `provider` that forwards everything to `target` (an origin). */
  async front(provider: string, target: string): Promise<string> {
    const t = new URL(target);
    const sockets = new Set<Socket>();
    const server = createServer((req, res) => {
      const auth = req.headers.authorization ?? req.headers['x-api-key'];
      const rec: MeterRecord = { provider, key: typeof auth === 'string' ? auth : `anon-${this.records.length}`, start: performance.now(), end: null };
      this.records.push(rec);
      const finish = () => { rec.end ??= performance.now(); };
      const up = httpRequest(
        { host: t.hostname, port: t.port, path: req.url, method: req.method, headers: forwardable(req.headers), agent: false },
        (ur) => {
          const chunks: Buffer[] = [];
          ur.on('data', (c: Buffer) => chunks.push(c));
          ur.on('end', () => {
            const body = Buffer.concat(chunks);
            finish(); // before the client can possibly see the answer
            if (res.destroyed) return;
            res.writeHead(ur.statusCode ?? 502, { ...forwardable(ur.headers), 'content-length': String(body.length) });
            res.end(body);
          });
        },
      );
      up.on('error', () => { finish(); res.destroy(); });
      // The client gave up (timeout, abort): the upstream request goes too.
      res.on('close', () => { finish(); up.destroy(); });
      req.pipe(up);
    });
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.servers.push({ server, sockets });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** One span per account (provider + credential), from its first arrival to its last answer. */
  spans(): Array<{ provider: string; key: string; start: number; end: number }> {
    const by = new Map<string, { provider: string; key: string; start: number; end: number }>();
    for (const r of this.records) {
      const k = `${r.provider}\u0000${r.key}`;
      const end = r.end ?? Infinity;
      const cur = by.get(k);
      if (!cur) by.set(k, { provider: r.provider, key: r.key, start: r.start, end });
      else { cur.start = Math.min(cur.start, r.start); cur.end = Math.max(cur.end, end); }
    }
    return [...by.values()];
  }

  close(): Promise<void> {
    return Promise.all(this.servers.map(({ server, sockets }) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
    }))).then(() => undefined);
  }
}

/** Most intervals open at one instant (an end and a start at the same instant do not overlap). */
function maxOverlap(spans: Array<{ start: number; end: number }>): number {
  const edges = spans.flatMap((s) => [[s.start, 1], [s.end, -1]] as Array<[number, number]>);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (cur += d));
  return max;
}

// ---- the fleet --------------------------------------------------------------------------------

/** A canary: a random 18-hex core between a tag and a suffix, so a masked hint never shows the core. */
const canary = (prefix: string) => `${prefix}${randomBytes(9).toString('hex')}-Zq7x`;
const LATENCY = 120; // per upstream round trip of the slow accounts
const TIMEOUT_SEC = 1.5;

interface Fleet {
  h: Harness;
  meter: Meter;
  googleAg: FakeGoogle;
  googleCli: FakeGoogle;
  claude: FakeClaude;
  codex: FakeCodex;
  openrouter: FakeOpenRouter;
  llm: FakeLlmApi;
  ids: Record<string, string>;
  /** Every credential handed to the product, by account name. */
  secrets: Record<string, string[]>;
  ag: Record<string, FakeAccountHandle>;
  cl: Record<string, FakeClaudeAccount>;
  cx: Record<string, FakeCodexAccount>;
  or: Record<string, FakeOpenRouterKey>;
  keys: Record<string, FakeLlmKey>;
}

let fleet: Fleet | undefined;
afterEach(async () => {
  const f = fleet;
  fleet = undefined;
  if (!f) return;
  await f.h.close();
  await Promise.all([f.meter.close(), f.googleAg.close(), f.googleCli.close(), f.claude.close(), f.codex.close(), f.openrouter.close(), f.llm.close()]);
});

/**
 * 6 antigravity, 3 gemini-cli, 4 claude, 4 codex, 3 openrouter, 2 openai, 2 anthropic.
 * Failing: ag5 hangs past the timeout, cl0 answers 429 (retry-after: 0), cx0 503, or0 garbage.
 * `withRefreshes` adds: ag2 and cl2 answer 401 then refresh, ag4 and cx3 have dead refresh tokens.
 */
async function startFleet(withRefreshes: boolean): Promise<Fleet> {
  const [googleAg, googleCli, claude, codex, openrouter, llm] = await Promise.all([
    startFakeGoogle(), startFakeGoogle(), startFakeClaude(), startFakeCodex(), startFakeOpenRouter(), startFakeLlmApi(),
  ]);
  const meter = new Meter();
  const [mAg, mCli, mCl, mCx, mOr] = await Promise.all([
    meter.front('antigravity', googleAg.baseUrl),
    meter.front('gemini-cli', googleCli.baseUrl),
    meter.front('claude', claude.baseUrl),
    meter.front('codex', codex.baseUrl),
    meter.front('openrouter', new URL(openrouter.baseUrl).origin),
  ]);
  const h = await makeHarness({
    overrides: {
      baseUrls: { antigravity: mAg, 'gemini-cli': mCli, claude: mCl, codex: mCx, openrouter: `${mOr}/api` },
      oauthTokenUrls: { google: `${mAg}/token`, claude: `${mCl}/v1/oauth/token`, codex: `${mCx}/oauth/token` },
      googleClientId: 'test-client-id.apps.example',
      googleClientSecret: 'test-client-secret',
      concurrency: 8,
      providerConcurrency: 2,
      syncTimeoutSec: TIMEOUT_SEC,
    },
  });

  const secrets: Record<string, string[]> = {};
  const entries: Record<string, unknown>[] = [];
  const ag: Record<string, FakeAccountHandle> = {};
  const cl: Record<string, FakeClaudeAccount> = {};
  const cx: Record<string, FakeCodexAccount> = {};
  const or: Record<string, FakeOpenRouterKey> = {};
  const keys: Record<string, FakeLlmKey> = {};
  const far = '2099-01-01T00:00:00Z';

  for (let i = 0; i < 6; i++) {
    const name = `ag${i}`;
    const s = { refreshToken: canary(`rt-ag${i}-`), accessToken: canary(`at-ag${i}-`) };
    secrets[name] = [s.refreshToken, s.accessToken];
    // The last one hangs: nothing of its provider queues behind it, so its late close cannot pass for an overlap.
    ag[name] = googleAg.addAccount({ ...s, latencyMs: LATENCY, ...(i === 5 ? { behaviour: { kind: 'hang' } } : {}) });
    entries.push({ provider: 'antigravity', email: `${name}@example.com`, label: name, ...s, expiresAt: far });
  }
  for (let i = 0; i < 3; i++) {
    const name = `gc${i}`;
    const s = { refreshToken: canary(`rt-gc${i}-`), accessToken: canary(`at-gc${i}-`) };
    secrets[name] = [s.refreshToken, s.accessToken];
    googleCli.addAccount({
      ...s,
      latencyMs: LATENCY,
      models: { 'gemini-2.5-pro': { remainingFraction: 0.6, resetTime: far }, 'gemini-2.5-flash': { remainingFraction: 0.9, resetTime: far } },
    });
    entries.push({ provider: 'gemini-cli', email: `${name}@example.com`, label: name, ...s, expiresAt: far });
  }
  for (let i = 0; i < 4; i++) {
    const name = `cl${i}`;
    const s = { refreshToken: canary(`sk-ant-ort01-cl${i}-`), accessToken: canary(`sk-ant-oat01-cl${i}-`) };
    secrets[name] = [s.refreshToken, s.accessToken];
    cl[name] = claude.addAccount({
      ...s,
      latencyMs: LATENCY,
      ...(i === 0 ? { behaviour: { kind: 'status', status: 429, headers: { 'retry-after': '0' } } } : {}),
    });
    entries.push({ provider: 'claude', email: `${name}@example.com`, label: name, ...s, expiresAt: far });
  }
  for (let i = 0; i < 4; i++) {
    const name = `cx${i}`;
    const s = { refreshToken: canary(`rt-cx${i}-`), accessToken: canary(`at-cx${i}-`), idToken: canary(`id-cx${i}-`) };
    secrets[name] = [s.refreshToken, s.accessToken, s.idToken];
    const accountId = `acct-mixed-${i}`;
    cx[name] = codex.addAccount({
      refreshToken: s.refreshToken, accessToken: s.accessToken, accountId, latencyMs: LATENCY,
      ...(i === 0 ? { behaviour: { kind: 'status', status: 503 } } : {}),
    });
    entries.push({ provider: 'codex', email: `${name}@example.com`, label: name, ...s, accountId, expiresAt: far });
  }
  for (let i = 0; i < 3; i++) {
    const name = `or${i}`;
    const key = canary(`sk-or-v1-or${i}-`);
    secrets[name] = [key];
    // A spending limit with 20 % left: the subscription accounts (70–90 % left) outrank it.
    or[name] = openrouter.addKey({ key, limit: 100, limitRemaining: 20, behaviour: i === 0 ? { kind: 'malformed' } : { kind: 'slow', delayMs: 400 } });
    entries.push({ provider: 'openrouter', label: name, apiKey: key });
  }
  for (let i = 0; i < 2; i++) {
    const oa = canary(`oa-key${i}-`);
    const an = canary(`sk-ant-api03-an${i}-`);
    secrets[`oa${i}`] = [oa];
    secrets[`an${i}`] = [an];
    keys[`oa${i}`] = llm.addKey({ key: oa });
    keys[`an${i}`] = llm.addKey({ key: an });
    entries.push({ provider: 'openai', label: `oa${i}`, apiKey: oa, baseUrl: llm.openaiBaseUrl });
    entries.push({ provider: 'anthropic', label: `an${i}`, apiKey: an, baseUrl: llm.anthropicBaseUrl });
  }

  if (withRefreshes) {
    ag['ag2']!.revokeAccessToken(); // 401 → refresh → retry
    cl['cl2']!.revokeAccessToken();
    ag['ag4']!.revokeAccessToken(); // 401 → invalid_grant
    ag['ag4']!.revokeRefreshToken();
    cx['cx3']!.revokeAccessToken(); // 401 → refresh_token_expired
    cx['cx3']!.revokeRefreshToken();
  }

  const report = await call<ImportReport>(h.app, 'accounts:import', { accounts: entries });
  expect(report.created).toBe(24);
  const ids = Object.fromEntries(report.accounts.map((a) => [a.label, a.id]));
  return { h, meter, googleAg, googleCli, claude, codex, openrouter, llm, ids, secrets, ag, cl, cx, or, keys };
}

const byLabel = (r: SyncReport) => Object.fromEntries(r.results.map((x) => [x.label, x]));

describe('a mixed fleet of every provider in one cycle', () => {
  it('isolates failures, skips plain API keys, holds both caps, and selects across providers', async () => {
    fleet = await startFleet(false);
    const { h, meter, llm, ids } = fleet;

    const report = await call<SyncReport>(h.app, 'monitor:syncNow');

    // Plain API keys have no quota endpoint: not in the report, not a single request.
    expect(report.accounts).toBe(20);
    expect(report.results).toHaveLength(20);
    expect(report.results.some((r) => r.provider === 'openai' || r.provider === 'anthropic')).toBe(false);
    expect(llm.requests).toHaveLength(0);

    const outcomes = Object.fromEntries(report.results.map((r) => [r.label, [r.outcome, r.errorKind, r.errorCode]]));
    const ok = ['ok', null, null];
    expect(outcomes).toEqual({
      ag0: ok, ag1: ok, ag2: ok, ag3: ok, ag4: ok,
      ag5: ['error', 'transient', 'timeout'],
      gc0: ok, gc1: ok, gc2: ok,
      cl0: ['error', 'transient', 'rate_limited'],
      cl1: ok, cl2: ok, cl3: ok,
      cx0: ['error', 'transient', 'upstream_unavailable'],
      cx1: ok, cx2: ok, cx3: ok,
      or0: ['error', 'transient', 'bad_response'],
      or1: ok, or2: ok,
    });
    expect(report).toMatchObject({ successes: 16, errors: 4, skipped: 0, aborted: false, trigger: 'manual' });
    const r = byLabel(report);
    // Readings per provider: 2 models (antigravity, gemini-cli), one "*" window (claude, codex, openrouter).
    expect([r.ag1!.models, r.gc0!.models, r.cl1!.models, r.cx1!.models, r.or1!.models]).toEqual([2, 2, 1, 1, 1]);
    // One hung account costs one timeout, not a cycle per failure.
    expect(report.durationMs).toBeGreaterThanOrEqual(TIMEOUT_SEC * 1000 - 50);
    expect(report.durationMs).toBeLessThan(TIMEOUT_SEC * 1000 + 2500);
    // Transient failures mark nothing.
    const accounts = await call<AccountView[]>(h.app, 'accounts:list');
    expect(accounts.filter((a) => a.status !== 'active')).toEqual([]);

    // The hung call's close reaches the meter a moment after the product gave up on it.
    await expect.poll(() => meter.records.filter((x) => x.end === null).length, { timeout: 2000 }).toBe(0);
    // Caps: the per-provider cap of 2 was reached by every provider and never exceeded; the
    // global cap of 8 (5 providers × 2 = 10 wanted) was reached and never exceeded.
    const spans = meter.spans();
    const perProvider = Object.fromEntries(['antigravity', 'gemini-cli', 'claude', 'codex', 'openrouter'].map((p) => [p, maxOverlap(spans.filter((s) => s.provider === p))]));
    expect(perProvider).toEqual({ antigravity: 2, 'gemini-cli': 2, claude: 2, codex: 2, openrouter: 2 });
    expect(maxOverlap(spans)).toBe(8);
    // Cross-check with the fakes' own count where it means accounts (gemini-cli calls are sequential).
    expect(fleet.googleCli.maxConcurrent()).toBe(2);
    await expect.poll(() => fleet!.googleAg.inFlight(), { timeout: 2000 }).toBe(0); // the hung call was let go

    // Decisions: one row per (account, model) read; none for the failed accounts or the keys.
    const rows = await call<DecisionRow[]>(h.app, 'quota:getDecisions');
    const okLabels = report.results.filter((x) => x.outcome === 'ok').map((x) => x.label).sort();
    expect([...new Set(rows.map((x) => x.label))].sort()).toEqual(okLabels);
    expect(rows.every((x) => x.decision === 'proceed')).toBe(true);
    const row = (label: string, model: string) => rows.find((x) => x.label === label && x.model === model);
    expect(row('cl1', '*')).toMatchObject({ provider: 'claude', remainingFraction: 0.7 });
    expect(row('cx1', '*')).toMatchObject({ provider: 'codex', remainingFraction: 0.8 });
    expect(row('or1', '*')).toMatchObject({ provider: 'openrouter', remainingFraction: 0.2 });
    expect(row('gc0', 'gemini-2.5-flash')).toMatchObject({ provider: 'gemini-cli', remainingFraction: 0.9 });
    const gemini = await call<DecisionRow[]>(h.app, 'quota:getDecisions', { model: 'gemini-3-pro-high' });
    expect(gemini.map((x) => x.label).sort()).toEqual(['ag0', 'ag1', 'ag2', 'ag3', 'ag4']);
    expect(gemini.every((x) => x.provider === 'antigravity' && x.remainingFraction === 0.8)).toBe(true);

    // Selection goes to the provider that serves the model with the most left.
    const select = (model: string) => call<SelectionView>(h.app, 'selector:select', { model });
    const okIds = (prefix: string) => okLabels.filter((l) => l.startsWith(prefix)).map((l) => ids[l]);
    const opus = await select('claude-opus-4-5');
    expect(opus).toMatchObject({ provider: 'claude', decision: { kind: 'proceed', remainingFraction: 0.7 } });
    expect(okIds('cl')).toContain(opus.accountId);
    const codexPick = await select('gpt-5-codex');
    expect(codexPick).toMatchObject({ provider: 'codex', decision: { kind: 'proceed', remainingFraction: 0.8 } });
    expect(okIds('cx')).toContain(codexPick.accountId);
    const gem = await select('gemini-3-pro-high');
    expect(gem).toMatchObject({ provider: 'antigravity', decision: { kind: 'proceed', remainingFraction: 0.8 } });
    expect(okIds('ag')).toContain(gem.accountId);
    const flash = await select('gemini-2.5-flash');
    expect(flash).toMatchObject({ provider: 'gemini-cli', decision: { kind: 'proceed', remainingFraction: 0.9 } });
    const llama = await select('meta-llama/llama-3.3-70b-instruct');
    expect(llama).toMatchObject({ provider: 'openrouter', decision: { kind: 'proceed', remainingFraction: 0.2 } });
    expect(okIds('or')).toContain(llama.accountId);
  });

  it('keeps canary credentials out of logs, contract answers, events and the SQLite files', async () => {
    fleet = await startFleet(true);
    const { h, ids, secrets, googleAg, claude, llm } = fleet;
    const events: unknown[] = [];
    h.app.events.onAny((event, payload) => events.push({ event, payload }));
    // Refresh tokens rotate at Claude; keep the first ones to look the accounts up by.
    const cl2 = fleet.cl['cl2']!;
    const ag2 = fleet.ag['ag2']!;

    const sync = await call<SyncReport>(h.app, 'monitor:syncNow');
    const r = byLabel(sync);
    expect([r.ag2, r.cl2].map((x) => x!.outcome)).toEqual(['ok', 'ok']);
    expect([r.ag4, r.cx3].map((x) => [x!.errorKind, x!.errorCode])).toEqual([['permanent', 'invalid_grant'], ['permanent', 'invalid_grant']]);
    expect([r.ag5, r.cl0, r.cx0, r.or0].map((x) => x!.errorCode)).toEqual(['timeout', 'rate_limited', 'upstream_unavailable', 'bad_response']);
    expect(sync).toMatchObject({ successes: 14, errors: 6 });
    // The refreshes really happened; what they issued is secret too.
    expect(ag2.callCount('/token')).toBe(1);
    expect(cl2.callCount('/v1/oauth/token')).toBe(1);
    const issued = [ag2.accessToken(), cl2.accessToken(), cl2.refreshToken()];
    expect(h.app.services.store.credentials(ids['ag2']!).accessToken).toBe(issued[0]);
    expect(h.app.services.store.credentials(ids['cl2']!)).toMatchObject({ accessToken: issued[1], refreshToken: issued[2] });
    expect(secrets['cl2']).not.toContain(issued[2]);
    expect(googleAg.requests.some((q) => q.path === '/token')).toBe(true);
    expect(claude.requests.some((q) => q.path === '/v1/oauth/token')).toBe(true);

    const all = [...Object.values(secrets).flat(), ...issued];
    expect(new Set(all).size).toBe(all.length);
    const needles = [...all, ...all.flatMap((s) => s.match(/[0-9a-f]{18}/g) ?? [])];
    const expectClean = (what: string, text: string) => {
      expect(text.length, `${what} is empty`).toBeGreaterThan(0);
      for (const n of needles) expect(text.includes(n), `${what} contains ${n}`).toBe(false);
    };

    // Failing calls, several of them handed a canary.
    const failing: Array<[string, unknown]> = [
      ['accounts:import', { accounts: [{ provider: 'claude', email: 'not-an-email', refreshToken: secrets['cl1']![0], accessToken: secrets['cl1']![1] }] }],
      ['accounts:import', { accounts: [{ provider: 'openrouter', apiKey: secrets['or1']![0] }, { provider: 'openrouter', apiKey: secrets['or1']![0] }] }],
      ['accounts:import', { accounts: [{ provider: 'codex', email: 'x@example.com', refreshToken: secrets['cx1']![0], expiresAt: secrets['cx1']![1] }] }],
      ['accounts:add', { provider: 'openai', apiKey: secrets['oa0']![0], secret: secrets['an0']![0] }],
      ['accounts:update', { id: ids['cl1'], label: secrets['cl1']![0], reserve: 7 }],
      ['quota:probe', { accountId: ids['ag1'] }],
    ];
    const answers: Record<string, unknown> = { sync };
    for (const [i, [method, req]] of failing.entries()) {
      const env = await h.app.api.call(method, req);
      expect(env.ok, `${method} should fail`).toBe(false);
      answers[`${method} error ${i}`] = env;
    }
    // Probes put real keys on the wire: one the upstream refuses (401), one it rate-limits (429), one fine.
    const revoked = canary('sk-ant-api03-revoked-');
    needles.push(revoked, revoked.match(/[0-9a-f]{18}/)![0]);
    const added = await call<AccountView>(h.app, 'accounts:add', { provider: 'anthropic', apiKey: revoked, baseUrl: llm.anthropicBaseUrl });
    answers['added'] = added;
    answers['probe 401'] = await h.app.api.call('quota:probe', { accountId: added.id });
    expect(JSON.stringify(answers['probe 401'])).toMatch(/"ok":false.*invalid_api_key/);
    fleet.keys['oa1']!.setBehaviour({ kind: 'rateLimited', retryAfterSec: 30 });
    answers['probe 429'] = await h.app.api.call('quota:probe', { accountId: ids['oa1'], model: 'gpt-4o' });
    expect(JSON.stringify(answers['probe 429'])).toMatch(/"ok":false.*rate_limited/);
    answers['probe ok'] = await call(h.app, 'quota:probe', { accountId: ids['oa0'], model: 'gpt-4o' });
    answers['probe ok anthropic'] = await call(h.app, 'quota:probe', { accountId: ids['an0'] });
    expect(llm.requests.map((q) => q.status)).toEqual([401, 429, 200, 200]);

    Object.assign(answers, {
      list: await call(h.app, 'accounts:list'),
      quotas: await call(h.app, 'quota:list'),
      decisions: await call(h.app, 'quota:getDecisions'),
      lastReport: await call(h.app, 'monitor:lastReport'),
      stats: await call<MonitorStats>(h.app, 'monitor:getStats'),
      locks: await call(h.app, 'quota:listLocks'),
      selectClaude: await call(h.app, 'selector:select', { model: 'claude-opus-4-5' }),
      selectCodex: await call(h.app, 'selector:select', { model: 'gpt-5-codex' }),
      selectGemini: await call(h.app, 'selector:select', { model: 'gemini-3-pro-high' }),
      selectAny: await call(h.app, 'selector:select', { model: 'mistralai/mistral-large' }),
      checkFailed: await call<QuotaView | null>(h.app, 'quota:check', { accountId: ids['cl0'], model: 'claude-opus-4-5' }),
    });
    for (const [what, a] of Object.entries(answers)) expectClean(what, JSON.stringify(a));
    expectClean('events', JSON.stringify(events));

    // The logs told the interesting stories, without a secret.
    const logs = h.logger.lines.join('\n');
    expect(logs).toContain('refreshed credentials of ag2');
    expect(logs).toContain('refreshed credentials of cl2');
    expect(logs).toContain('account ag4 marked invalid_credentials');
    expect(logs).toContain('account cx3 marked invalid_credentials');
    expect(logs).toContain('sync of ag5 failed (transient/timeout)');
    expect(logs).toContain('sync of oa1 failed (transient/rate_limited)');
    expectClean('logs', logs);

    // Raw SQLite bytes: the database, its WAL and shared memory while open, the database after close.
    const files = ['quotadeck.db', 'quotadeck.db-wal', 'quotadeck.db-shm'].map((f) => join(h.dir, f));
    const scan = (when: string) => {
      const present = files.filter((f) => existsSync(f));
      for (const f of present) {
        const bytes = readFileSync(f);
        for (const n of needles) expect(bytes.includes(Buffer.from(n, 'utf8')), `${when}: ${f} contains ${n}`).toBe(false);
      }
      return present.length;
    };
    expect(scan('open')).toBeGreaterThanOrEqual(2);
    await h.app.close();
    expect(scan('closed')).toBeGreaterThanOrEqual(1);
    // The secrets are in there all the same, encrypted: a reopened store still reads them.
    const again = await h.reopen();
    fleet.h = again;
    expect(again.app.services.store.credentials(ids['cl2']!).refreshToken).toBe(issued[2]);
    expect(again.app.services.store.credentials(ids['oa0']!).apiKey).toBe(secrets['oa0']![0]);
  });
});
