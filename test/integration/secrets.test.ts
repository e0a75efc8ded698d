import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createAesSecretBox,
  createKeyFileSecretBox,
  loadOrCreateKey,
  SecretBoxError,
} from '../../src/main/core/secrets/key-file-secret-box';
import type { AccountView, ImportReport, SyncReport } from '../../src/shared/types';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google';
import { call, googleSettings, makeHarness, tempDir, type Harness } from '../helpers/harness';

/** 18 random hex characters: a canary's core, found nowhere unless this test put it there. */
const core = () => randomBytes(9).toString('hex');

describe('canary credentials never leave the secret box', () => {
  let fake: FakeGoogle;
  let h: Harness;

  beforeEach(async () => {
    fake = await startFakeGoogle();
    h = await makeHarness({ overrides: googleSettings(fake.baseUrl, fake.tokenUrl, { syncTimeoutSec: 5 }) });
  });
  afterEach(async () => {
    await h.close();
    rmSync(h.dir, { recursive: true, force: true });
    await fake.close();
  });

  it('appears in no log line, contract answer, event or SQLite byte', async () => {
    const events: unknown[] = [];
    h.app.events.onAny((event, payload) => events.push({ event, payload }));

    // Token-shaped canaries (caught by patterns too) and opaque ones (only safe if never logged).
    const specs = {
      refreshed: { refreshToken: `1//0g${core()}Rf`, accessToken: `ya29.a0${core()}Ac` },
      dead: { refreshToken: `rt-${core()}-opaque`, accessToken: `at-${core()}-opaque` },
      healthy: { refreshToken: `rt-${core()}-healthy`, accessToken: `at-${core()}-healthy` },
      suspended: { refreshToken: `rt-${core()}-suspended`, accessToken: `at-${core()}-suspended` },
      limited: { refreshToken: `rt-${core()}-limited`, accessToken: `at-${core()}-limited` },
    };
    const handles = Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, fake.addAccount(s)])) as Record<keyof typeof specs, ReturnType<FakeGoogle['addAccount']>>;
    handles.refreshed.revokeAccessToken(); // 401 → refresh → new access token
    handles.dead.revokeAccessToken();
    handles.dead.revokeRefreshToken(); // 401 → invalid_grant
    handles.suspended.setBehaviour({ kind: 'status', status: 403 });
    handles.limited.setBehaviour({ kind: 'quota429', resetDelay: '1h2m3s', retryDelay: '30s' });

    const report = await call<ImportReport>(h.app, 'accounts:import', {
      accounts: Object.entries(specs).map(([k, s]) => ({
        provider: 'antigravity',
        email: `${k}@example.com`,
        refreshToken: s.refreshToken,
        accessToken: s.accessToken,
        expiresAt: '2099-01-01T00:00:00Z',
      })),
    });
    const ids = Object.fromEntries(Object.keys(specs).map((k, i) => [k, report.accounts[i]!.id]));

    const sync = await call<SyncReport>(h.app, 'monitor:syncNow');
    expect(Object.fromEntries(sync.results.map((r) => [r.label, r.errorCode ?? r.outcome]))).toEqual({
      'refreshed@example.com': 'ok',
      'dead@example.com': 'invalid_grant',
      'healthy@example.com': 'ok',
      'suspended@example.com': 'permission_denied',
      'limited@example.com': 'rate_limited',
    });
    // The refresh really happened and produced a new secret that must stay hidden too.
    const issued = handles.refreshed.accessToken();
    expect(issued).not.toBe(specs.refreshed.accessToken);
    expect(h.app.services.store.credentials(ids.refreshed!).accessToken).toBe(issued);

    const secrets = [...Object.values(specs).flatMap((s) => [s.refreshToken, s.accessToken]), issued];
    const needles = [...secrets, ...secrets.flatMap((s) => s.match(/[0-9a-f]{18}/g) ?? [])];
    const expectClean = (what: string, text: string) => {
      expect(text.length, `${what} is empty`).toBeGreaterThan(0);
      for (const n of needles) expect(text.includes(n), `${what} contains ${n}`).toBe(false);
    };

    // Contract answers, including failing calls that were handed the secrets.
    const answers: Record<string, unknown> = {
      import: report,
      sync,
      list: await call(h.app, 'accounts:list'),
      quotas: await call(h.app, 'quota:list'),
      decisions: await call(h.app, 'quota:getDecisions'),
      check: await call(h.app, 'quota:check', { accountId: ids.healthy, model: 'gemini-3-pro-high' }),
      lastReport: await call(h.app, 'monitor:lastReport'),
      stats: await call(h.app, 'monitor:getStats'),
      select: await call(h.app, 'selector:select', { model: 'gemini-3-pro-high' }),
    };
    const failing: Array<[string, unknown]> = [
      ['accounts:import', [{ email: 'x@example.com', refreshToken: specs.dead.refreshToken }, { email: 'not-an-email', refreshToken: specs.healthy.refreshToken, accessToken: specs.healthy.accessToken }]],
      ['accounts:import', [{ email: 'd@example.com', refreshToken: specs.dead.refreshToken }, { email: 'd@example.com', refreshToken: specs.dead.refreshToken }]],
      ['accounts:import', [{ provider: 'claude', email: 'c@example.com', refreshToken: specs.limited.refreshToken, expiresAt: specs.limited.accessToken }]],
      ['accounts:import', [{ email: 'x@example.com', refreshToken: 'x'.repeat(9000) + specs.healthy.refreshToken }]],
      ['accounts:add', { provider: 'antigravity', email: 'e@example.com', refreshToken: specs.healthy.refreshToken, secret: specs.healthy.accessToken }],
      ['accounts:add', { provider: 'antigravity', email: specs.dead.accessToken, refreshToken: specs.dead.refreshToken }],
      ['accounts:update', { id: ids.healthy, label: specs.healthy.refreshToken, reserve: 7 }],
    ];
    for (const [method, req] of failing) {
      const env = await h.app.api.call(method, req);
      expect(env.ok, `${method} should fail`).toBe(false);
      answers[`${method} error`] = env;
    }
    for (const [what, a] of Object.entries(answers)) expectClean(what, JSON.stringify(a));
    expectClean('events', JSON.stringify(events));

    // Logs: the interesting paths were logged, without the secrets.
    const logs = h.logger.lines.join('\n');
    expect(logs).toContain('refreshed credentials of r***@example.com');
    expect(logs).toMatch(/d\*\*\*@example\.com marked invalid_credentials/);
    expect(logs).toMatch(/s\*\*\*@example\.com marked suspended/);
    expect(logs).toMatch(/l\*\*\*@example\.com failed \(transient\/rate_limited\)/);
    expectClean('logs', logs);

    // The hint shown for each account is a mask of its refresh token.
    const list = answers.list as AccountView[];
    for (const [k, s] of Object.entries(specs)) {
      const view = list.find((a) => a.id === ids[k])!;
      expect(view.secretHint).toBe(`${s.refreshToken.slice(0, 4)}…${s.refreshToken.slice(-4)}`);
    }

    // The raw bytes of every SQLite file, while open (WAL in use) and after a clean close.
    const dbFiles = () => ['quotadeck.db', 'quotadeck.db-wal', 'quotadeck.db-shm'].map((f) => join(h.dir, f)).filter(existsSync);
    const scanBytes = (when: string) => {
      const files = dbFiles();
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        const bytes = readFileSync(f);
        for (const n of needles) expect(bytes.includes(Buffer.from(n, 'utf8')), `${when}: ${f} contains ${n}`).toBe(false);
      }
      // The scan can see text: the labels are stored in clear.
      expect(files.some((f) => readFileSync(f).includes(Buffer.from('healthy@example.com')))).toBe(true);
    };
    expect(existsSync(join(h.dir, 'quotadeck.db-wal'))).toBe(true);
    scanBytes('open');
    await h.app.close();
    scanBytes('closed');
  });
});

describe('key-file secret box', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('quotadeck-key-'));
  });
  afterEach(() => cleanup());

  it('creates a 32-byte key file readable only by its owner', () => {
    const path = join(dir, 'secret.key');
    const key = loadOrCreateKey(path);
    expect(key.length).toBe(32);
    const st = statSync(path);
    expect(st.mode & 0o777).toBe(0o600);
    expect(readFileSync(path).equals(key)).toBe(true);
  });

  it('reuses the key on a second load, so old blobs still open', () => {
    const path = join(dir, 'secret.key');
    const first = createKeyFileSecretBox(path);
    const blob = first.encrypt('{"refreshToken":"1//reused"}');
    const mtime = statSync(path).mtimeMs;
    const second = createKeyFileSecretBox(path);
    expect(second.decrypt(blob)).toBe('{"refreshToken":"1//reused"}');
    expect(loadOrCreateKey(path).equals(readFileSync(path))).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtime);
  });

  it('refuses a key file that is not 32 bytes', () => {
    const path = join(dir, 'secret.key');
    writeFileSync(path, randomBytes(16));
    expect(() => loadOrCreateKey(path)).toThrow(SecretBoxError);
    expect(() => createAesSecretBox(randomBytes(31))).toThrow(SecretBoxError);
  });

  it('encrypts with a fresh IV each time and never stores the plain text', () => {
    const box = createAesSecretBox(randomBytes(32));
    const plain = `{"refreshToken":"1//${core()}"}`;
    const a = box.encrypt(plain);
    const b = box.encrypt(plain);
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from(plain))).toBe(false);
    expect(box.decrypt(a)).toBe(plain);
    expect(box.decrypt(b)).toBe(plain);
    expect(box.decrypt(box.encrypt(''))).toBe('');
    expect(box.decrypt(box.encrypt('ünïcødé ✓'))).toBe('ünïcødé ✓');
  });

  it('a tampered blob fails with SecretBoxError, wherever the change is', () => {
    const box = createAesSecretBox(randomBytes(32));
    const blob = box.encrypt('{"refreshToken":"1//tamper-me-please"}');
    // Layout: version(1) | iv(12) | tag(16) | ciphertext.
    for (const at of [1, 12, 13, 28, 29, blob.length - 1]) {
      const bad = Buffer.from(blob);
      bad[at]! ^= 0x01;
      expect(() => box.decrypt(bad), `byte ${at}`).toThrow(SecretBoxError);
    }
    const wrongVersion = Buffer.from(blob);
    wrongVersion[0] = 2;
    expect(() => box.decrypt(wrongVersion)).toThrow(SecretBoxError);
    expect(() => box.decrypt(blob.subarray(0, 20))).toThrow(SecretBoxError);
    expect(() => box.decrypt(Buffer.concat([blob, Buffer.from([0])]))).toThrow(SecretBoxError);
    expect(box.decrypt(blob)).toBe('{"refreshToken":"1//tamper-me-please"}');
  });

  it('a different key cannot decrypt', () => {
    const mine = createKeyFileSecretBox(join(dir, 'a.key'));
    const theirs = createKeyFileSecretBox(join(dir, 'b.key'));
    const blob = mine.encrypt('{"refreshToken":"1//not-yours"}');
    let err: unknown;
    try {
      theirs.decrypt(blob);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SecretBoxError);
    expect(err).toMatchObject({ code: 'secret_box' });
    expect((err as Error).message).not.toContain('not-yours');
  });

  it('an app opened with another key cannot read the stored credentials', async () => {
    const h = await makeHarness({ dir });
    try {
      const r = await call<ImportReport>(h.app, 'accounts:import', [{ email: 'k@example.com', refreshToken: '1//0g-key-bound-token' }]);
      const other = await h.reopen();
      try {
        expect(other.key.equals(h.key)).toBe(true); // reopen keeps the key…
        expect(other.app.services.store.credentials(r.accounts[0]!.id).refreshToken).toBe('1//0g-key-bound-token');
      } finally {
        await other.app.close();
      }
      const stranger = await makeHarness({ dir, key: randomBytes(32) }); // …a new key does not
      try {
        expect(() => stranger.app.services.store.credentials(r.accounts[0]!.id)).toThrow(SecretBoxError);
      } finally {
        await stranger.app.close();
      }
    } finally {
      await h.app.close();
    }
  });
});
