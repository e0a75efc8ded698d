import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google';

let fake: FakeGoogle;
beforeEach(async () => { fake = await startFakeGoogle(); });
afterEach(async () => { await fake.close(); });

const UNAUTH = {
  error: {
    code: 401,
    message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    status: 'UNAUTHENTICATED',
  },
};

function call(method: string, token: string, body: unknown = { metadata: { ideType: 'ANTIGRAVITY' } }, signal?: AbortSignal): Promise<Response> {
  return fetch(`${fake.baseUrl}/v1internal:${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'User-Agent': 'quotadeck-test' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}
function refresh(refreshToken: string, grantType = 'refresh_token'): Promise<Response> {
  return fetch(fake.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: grantType, refresh_token: refreshToken, client_id: 'cid', client_secret: 'secret' }).toString(),
  });
}
const until = async (cond: () => boolean): Promise<void> => {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('fake Google: normal answers', () => {
  it('listens on 127.0.0.1 with a bound port', () => {
    expect(fake.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.tokenUrl).toBe(`${fake.baseUrl}/token`);
  });

  it('loadCodeAssist returns project and tiers (paid tier with credits)', async () => {
    const acc = fake.addAccount({
      refreshToken: 'r1', projectId: 'my-proj', paidTierId: 'g1-pro-tier', paidTierName: 'Google AI Pro',
      credits: [{ creditType: 'GOOGLE_ONE_AI', creditAmount: '1000' }],
    });
    const res = await call('loadCodeAssist', acc.accessToken());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(body).toMatchObject({
      cloudaicompanionProject: 'my-proj',
      currentTier: { id: 'free-tier', name: 'Free', quotaTier: 'free-tier', slug: 'free' },
      paidTier: { id: 'g1-pro-tier', name: 'Google AI Pro', availableCredits: [{ creditType: 'GOOGLE_ONE_AI', creditAmount: '1000' }] },
      ineligibleTiers: [],
    });
    expect(body.allowedTiers[0].id).toBe('free-tier');
  });

  it('loadCodeAssist without paid tier has no paidTier; generated ids are distinct', async () => {
    const a = fake.addAccount({ refreshToken: 'ra' });
    const b = fake.addAccount({ refreshToken: 'rb', tierId: 'standard-tier' });
    const ba = await (await call('loadCodeAssist', a.accessToken())).json();
    const bb = await (await call('loadCodeAssist', b.accessToken())).json();
    expect(ba.paidTier).toBeUndefined();
    expect(ba.cloudaicompanionProject).toMatch(/^proj-\d+$/);
    expect(bb.cloudaicompanionProject).not.toBe(ba.cloudaicompanionProject);
    expect(bb.currentTier).toMatchObject({ id: 'standard-tier', name: 'standard-tier' });
    expect(a.accessToken()).not.toBe(b.accessToken());
  });

  it('fetchAvailableModels: default models, {} body, and project check', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1', projectId: 'p1' });
    const body = await (await call('fetchAvailableModels', acc.accessToken(), { project: 'p1' })).json();
    const fractions = Object.values(body.models as Record<string, { quotaInfo: { remainingFraction: number; resetTime: string } }>)
      .map((m) => m.quotaInfo.remainingFraction).sort();
    expect(fractions).toEqual([0.5, 0.8]);
    expect(body.deprecatedModelIds).toEqual({});
    expect(Object.values(body.models as Record<string, { quotaInfo: { resetTime: string } }>)[0]?.quotaInfo.resetTime)
      .toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await call('fetchAvailableModels', acc.accessToken(), {})).status).toBe(200);
    const wrong = await call('fetchAvailableModels', acc.accessToken(), { project: 'other' });
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.status).toBe('PERMISSION_DENIED');
  });

  it('fetchAvailableModels omits remainingFraction / quotaInfo as told; setModel updates', async () => {
    const acc = fake.addAccount({
      refreshToken: 'r1',
      models: {
        full: { displayName: 'Full', remainingFraction: 0.25, resetTime: '2026-11-23T14:05:00Z' },
        exhausted: { resetTime: '2026-11-23T18:00:00Z' },
        bare: { omitQuotaInfo: true },
      },
    });
    let body = await (await call('fetchAvailableModels', acc.accessToken(), {})).json();
    expect(body.models).toEqual({
      full: { displayName: 'Full', quotaInfo: { remainingFraction: 0.25, resetTime: '2026-11-23T14:05:00Z' } },
      exhausted: { displayName: 'exhausted', quotaInfo: { resetTime: '2026-11-23T18:00:00Z' } },
      bare: { displayName: 'bare' },
    });
    acc.setModel('full', { remainingFraction: 1 });
    body = await (await call('fetchAvailableModels', acc.accessToken(), {})).json();
    expect(body.models.full).toEqual({ displayName: 'full', quotaInfo: { remainingFraction: 1 } });
    acc.setModels({ only: { remainingFraction: 0.1 } });
    body = await (await call('fetchAvailableModels', acc.accessToken(), {})).json();
    expect(Object.keys(body.models)).toEqual(['only']);
  });

  it('retrieveUserQuotaSummary and retrieveUserQuota derive from the models', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1', models: { m1: { displayName: 'M1', remainingFraction: 0.4, resetTime: '2026-11-23T14:05:00Z' }, hidden: { omitQuotaInfo: true } } });
    const summary = await (await call('retrieveUserQuotaSummary', acc.accessToken(), {})).json();
    expect(summary.groups).toHaveLength(1);
    expect(summary.groups[0].displayName).toBe('M1');
    expect(summary.groups[0].buckets[0]).toEqual({ bucketId: 'm1-5h', window: '5h', remainingFraction: 0.4, resetTime: '2026-11-23T14:05:00Z' });
    expect(summary.groups[0].buckets[1]).toMatchObject({ bucketId: 'm1-weekly', window: 'weekly' });
    const quota = await (await call('retrieveUserQuota', acc.accessToken(), {})).json();
    const m1 = (quota.buckets as { modelId: string; remainingFraction: number; tokenType: string }[]).filter((b) => b.modelId === 'm1');
    expect(m1).toHaveLength(2);
    expect(Math.min(...m1.map((b) => b.remainingFraction))).toBe(0.4);
    expect(m1[0]).toMatchObject({ tokenType: 'REQUESTS', resetTime: '2026-11-23T14:05:00Z' });
  });
});

describe('fake Google: auth and tokens', () => {
  it('401 with Google shape for unknown or missing token; 400 without JSON content type', async () => {
    fake.addAccount({ refreshToken: 'r1' });
    const res = await call('loadCodeAssist', 'nope');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(UNAUTH);
    const noAuth = await fetch(`${fake.baseUrl}/v1internal:loadCodeAssist`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(noAuth.status).toBe(401);
    const plain = await fetch(`${fake.baseUrl}/v1internal:loadCodeAssist`, {
      method: 'POST', headers: { Authorization: `Bearer ${fake.account('r1').accessToken()}`, 'Content-Type': 'text/plain' }, body: '{}',
    });
    expect(plain.status).toBe(400);
  });

  it('the 401 → refresh → retry dance rotates the access token', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1', accessToken: 'old-token' });
    expect((await call('loadCodeAssist', 'old-token')).status).toBe(200);
    acc.revokeAccessToken();
    const denied = await call('loadCodeAssist', 'old-token');
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual(UNAUTH);

    const tok = await refresh('r1');
    expect(tok.status).toBe(200);
    const t = await tok.json();
    expect(t).toMatchObject({ expires_in: 3599, token_type: 'Bearer' });
    expect(typeof t.scope).toBe('string');
    expect(t.access_token).toBe(acc.accessToken());
    expect(t.access_token).not.toBe('old-token');
    expect((await call('loadCodeAssist', t.access_token)).status).toBe(200);

    // a second refresh invalidates the previous access token
    const t2 = await (await refresh('r1')).json();
    expect((await call('loadCodeAssist', t.access_token)).status).toBe(401);
    expect((await call('loadCodeAssist', t2.access_token)).status).toBe(200);

    expect(acc.callCount()).toBe(3);
    expect(acc.callCount('/v1internal:loadCodeAssist')).toBe(3);
    expect(acc.callCount('loadCodeAssist')).toBe(3);
    expect(acc.callCount('/token')).toBe(2);
    const tokenReq = fake.requests.find((r) => r.path === '/token');
    expect(tokenReq?.body).toContain('grant_type=refresh_token');
    expect(tokenReq?.body).toContain('client_id=cid');
  });

  it('invalid_grant for revoked or unknown refresh tokens; unsupported_grant_type', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1' });
    acc.revokeRefreshToken();
    const revoked = await refresh('r1');
    expect(revoked.status).toBe(400);
    expect(await revoked.json()).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    const unknown = await refresh('who');
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toBe('invalid_grant');
    const grant = await refresh('r1', 'authorization_code');
    expect(grant.status).toBe(400);
    expect((await grant.json()).error).toBe('unsupported_grant_type');
  });

  it('tokenBehaviour applies to the token endpoint only', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1', tokenBehaviour: { kind: 'status', status: 503 } });
    expect((await refresh('r1')).status).toBe(503);
    expect((await call('loadCodeAssist', acc.accessToken())).status).toBe(200);
    acc.setTokenBehaviour({ kind: 'normal' });
    expect((await refresh('r1')).status).toBe(200);
  });

  it('account() throws for an unknown refresh token; duplicates are refused', () => {
    fake.addAccount({ refreshToken: 'r1' });
    expect(() => fake.account('nope')).toThrow();
    expect(() => fake.addAccount({ refreshToken: 'r1' })).toThrow();
  });
});

describe('fake Google: behaviours', () => {
  it('slow answers normally after the delay; latencyMs adds to every answer', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1', behaviour: { kind: 'slow', delayMs: 150 } });
    let t0 = Date.now();
    const res = await call('loadCodeAssist', acc.accessToken());
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

    const lat = fake.addAccount({ refreshToken: 'r2', latencyMs: 120 });
    t0 = Date.now();
    expect((await refresh('r2')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    t0 = Date.now();
    expect((await call('fetchAvailableModels', lat.accessToken(), {})).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it('defaultLatencyMs applies when the account has none', async () => {
    const slow = await startFakeGoogle({ defaultLatencyMs: 100 });
    try {
      const t0 = Date.now();
      const res = await fetch(`${slow.baseUrl}/nothing`);
      expect(res.status).toBe(404);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    } finally { await slow.close(); }
  });

  it('hang never answers; the request is recorded with endedAt null', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1', behaviour: { kind: 'hang' } });
    await expect(call('loadCodeAssist', acc.accessToken(), {}, AbortSignal.timeout(150))).rejects.toThrow();
    const rec = fake.requests.at(-1);
    expect(rec).toMatchObject({ path: '/v1internal:loadCodeAssist', method: 'POST', endedAt: null, status: null });
    expect(rec?.authorization).toBe(`Bearer ${acc.accessToken()}`);
    await until(() => fake.inFlight() === 0);
  });

  it('reset destroys the socket without an answer', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1', behaviour: { kind: 'reset' } });
    await expect(call('loadCodeAssist', acc.accessToken())).rejects.toThrow();
    expect(fake.requests.at(-1)?.status).toBeNull();
    await until(() => fake.inFlight() === 0);
    acc.setBehaviour({ kind: 'normal' });
    expect((await call('loadCodeAssist', acc.accessToken())).status).toBe(200);
  });

  it('status 403 defaults to PERMISSION_DENIED / VALIDATION_REQUIRED', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1', behaviour: { kind: 'status', status: 403 } });
    const res = await call('fetchAvailableModels', acc.accessToken(), {});
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED' });
    expect(body.error.details[0]).toMatchObject({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'VALIDATION_REQUIRED',
      metadata: { validation_url: expect.stringMatching(/^https:\/\//) },
    });
  });

  it('status with custom body and headers (503 + Retry-After)', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1', behaviour: { kind: 'status', status: 503, body: { error: { code: 503, status: 'UNAVAILABLE', message: 'busy' } }, headers: { 'Retry-After': '7' } } });
    const res = await call('loadCodeAssist', acc.accessToken());
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({ error: { code: 503, status: 'UNAVAILABLE', message: 'busy' } });
    acc.setBehaviour({ kind: 'status', status: 500 });
    const plain = await call('loadCodeAssist', acc.accessToken());
    expect(plain.status).toBe(500);
    expect((await plain.json()).error.code).toBe(500);
  });

  it('quota429 answers RESOURCE_EXHAUSTED with ErrorInfo and RetryInfo', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1', behaviour: { kind: 'quota429', resetDelay: '3h12m5.5s', resetTimestamp: '2026-11-23T18:00:00Z', retryDelay: '11525.5s' } });
    const res = await call('fetchAvailableModels', acc.accessToken(), {});
    expect(res.status).toBe(429);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(body.error.details).toEqual([
      expect.objectContaining({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'QUOTA_EXHAUSTED', metadata: { quotaResetDelay: '3h12m5.5s', quotaResetTimeStamp: '2026-11-23T18:00:00Z' } }),
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '11525.5s' },
    ]);
    acc.setBehaviour({ kind: 'quota429', resetDelay: '510.79ms' });
    const short = await (await call('fetchAvailableModels', acc.accessToken(), {})).json();
    expect(short.error.details).toHaveLength(1);
    expect(short.error.details[0].metadata).toEqual({ quotaResetDelay: '510.79ms' });
  });

  it('malformed answers 200 with a body that is not JSON', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1', behaviour: { kind: 'malformed' } });
    const res = await call('fetchAvailableModels', acc.accessToken(), {});
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('unknown path → 404 JSON', async () => {
    const res = await fetch(`${fake.baseUrl}/v1internal:doesNotExist`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe(404);
    expect((await fetch(`${fake.baseUrl}/v1internal:loadCodeAssist`)).status).toBe(404);
  });
});

describe('fake Google: concurrency, stats and shutdown', () => {
  it('maxConcurrent sees parallel slow requests; resetStats clears', async () => {
    const accs = Array.from({ length: 5 }, (_, i) => fake.addAccount({ refreshToken: `r${i}`, behaviour: { kind: 'slow', delayMs: 300 } }));
    const pending = Promise.all(accs.map((a) => call('fetchAvailableModels', a.accessToken(), {})));
    await until(() => fake.inFlight() === 5);
    const results = await pending;
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(fake.maxConcurrent()).toBe(5);
    await until(() => fake.inFlight() === 0);
    expect(fake.requests).toHaveLength(5);
    for (const r of fake.requests) {
      expect(r.status).toBe(200);
      expect((r.endedAt ?? 0) - r.startedAt).toBeGreaterThanOrEqual(290);
    }
    const requests = fake.requests;
    fake.resetStats();
    expect(requests).toHaveLength(0);
    expect(fake.maxConcurrent()).toBe(0);
    expect(accs[0]?.callCount()).toBe(0);
    await call('loadCodeAssist', accs[0]?.accessToken() ?? '');
    expect(fake.maxConcurrent()).toBe(1);
  });

  it('sequential requests never count as concurrent', async () => {
    const acc = fake.addAccount({ refreshToken: 'r1' });
    for (let i = 0; i < 5; i++) await (await call('loadCodeAssist', acc.accessToken())).json();
    expect(fake.maxConcurrent()).toBe(1);
  });

  it('close() resolves promptly with a hung request and a pending slow timer', async () => {
    const own = await startFakeGoogle();
    const hung = own.addAccount({ refreshToken: 'h', behaviour: { kind: 'hang' } });
    const slow = own.addAccount({ refreshToken: 's', latencyMs: 60_000 });
    const headers = (t: string): Record<string, string> => ({ Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' });
    const p1 = fetch(`${own.baseUrl}/v1internal:loadCodeAssist`, { method: 'POST', headers: headers(hung.accessToken()), body: '{}' }).then(() => 'answered', () => 'failed');
    const p2 = fetch(`${own.baseUrl}/v1internal:loadCodeAssist`, { method: 'POST', headers: headers(slow.accessToken()), body: '{}' }).then(() => 'answered', () => 'failed');
    await until(() => own.inFlight() === 2);
    const t0 = Date.now();
    await own.close();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(await Promise.all([p1, p2])).toEqual(['failed', 'failed']);
    expect(own.requests.every((r) => r.endedAt === null)).toBe(true);
  });
});
