import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import log from 'electron-log/node';
import { afterEach, describe, expect, it } from 'vitest';
import { createElectronLogLogger } from '../../src/main/core/log/electron-log-logger';
import { followLogLevel } from '../../src/main/core/log/log-level';
import { createMemoryLogger } from '../../src/main/core/log/memory-logger';
import { maskSecret, redact, redactString, safeUpstreamText, scrubSecrets, UPSTREAM_TEXT_MAX } from '../../src/main/core/log/redact';
import { call, makeHarness, tempDir } from '../helpers/harness';

/** A unique, random core so a canary can only come from this test. */
const core = () => randomBytes(9).toString('hex');

function canaries() {
  const c = {
    bearer: `Cnry${core()}Bearer`,
    ya29: `ya29.a0Af${core()}_x-Y`,
    refresh: `1//0g${core()}-Refresh`,
    skAnt: `sk-ant-api03-${core()}_AA`,
    skProj: `sk-proj-${core()}`,
    skOr: `sk-or-v1-${core()}`,
    sk: `sk-${core()}`,
    jwt: `eyJhbGciOiJSUzI1NiJ9.eyJzdWIi${core()}.c2ln${core()}`,
    formRefresh: `Form${core()}Refresh`,
    formSecret: `Form${core()}Secret`,
    objToken: `Obj${core()}Token`,
    objSecret: `Obj${core()}Secret`,
    objPassword: `Obj${core()}Pw`,
    objApiKey: `Obj${core()}ApiKey`,
    objCookie: `Obj${core()}Cookie`,
    objCreds: `Obj${core()}Creds`,
    objPrivate: `Obj${core()}Private`,
    // Emails keep their first letter and domain; the rest of the local part is the canary.
    email: `c${core()}@example.com`,
  };
  return c;
}
type Canaries = ReturnType<typeof canaries>;

/** Every place a secret shows up in real logs: strings, headers, form bodies, nested keys, errors. */
function leakyPayloads(c: Canaries): unknown[] {
  const err = new Error(`token endpoint said no for Bearer ${c.bearer} / ${c.refresh}`);
  return [
    `Authorization: Bearer ${c.bearer}`,
    `request failed; header was "authorization":"Bearer ${c.bearer}"`,
    `got access token ${c.ya29} from Google`,
    `refresh token ${c.refresh}, keys ${c.skAnt} ${c.skProj} ${c.skOr} ${c.sk}`,
    `id_token=${c.jwt}`,
    `account ${c.email} marked invalid_credentials`,
    `grant_type=refresh_token&refresh_token=${c.formRefresh}&client_id=abc.apps.example&client_secret=${c.formSecret}`,
    {
      request: {
        headers: { Authorization: `Bearer ${c.bearer}`, 'x-api-key': c.objApiKey, Cookie: c.objCookie },
        body: { refreshToken: c.objToken, nested: [{ client_secret: c.objSecret }, [{ password: c.objPassword }]] },
      },
      credentials: { anything: c.objCreds },
      account: { email: c.email, label: `Work (${c.email})` },
      privateKey: c.objPrivate,
    },
    [{ accessToken: c.ya29 }, [`Bearer ${c.bearer}`]],
    err,
    { cause: err, list: [err] },
  ];
}

function allValues(c: Canaries): string[] {
  // The full canary and its random core must both be gone.
  return Object.values(c).flatMap((v) => [v, ...(v.match(/[0-9a-f]{18}/g) ?? [])]);
}

function expectNoCanary(text: string, c: Canaries): void {
  for (const v of allValues(c)) expect(text, `leaked ${v}`).not.toContain(v);
}

function serialise(v: unknown): string {
  if (v instanceof Error) return `${v.name}: ${v.message}\n${v.stack ?? ''}`;
  return JSON.stringify(v, (_k, x) => (x instanceof Error ? { name: x.name, message: x.message, stack: x.stack } : x));
}

describe('redact', () => {
  it('the payloads really carry the canaries before redaction', () => {
    const c = canaries();
    const raw = leakyPayloads(c).map(serialise).join('\n');
    for (const v of Object.values(c)) expect(raw).toContain(v);
  });

  it('no canary survives redaction of any payload', () => {
    const c = canaries();
    for (const p of leakyPayloads(c)) expectNoCanary(serialise(redact(p)), c);
  });

  it('keeps the shape and the harmless parts', () => {
    const c = canaries();
    expect(redactString(`Authorization: Bearer ${c.bearer}`)).toBe('Authorization: Bearer [redacted]');
    expect(redactString(`a ${c.ya29} b`)).toBe('a [redacted] b');
    expect(redactString(`grant_type=refresh_token&refresh_token=${c.formRefresh}&client_id=cid`)).toBe(
      'grant_type=refresh_token&refresh_token=[redacted]&client_id=cid',
    );
    expect(redact({ model: 'gemini-3-pro-high', remaining: 0.5, tokenCount: 1200, hasToken: true, token: null, n: [1, 'x'] })).toEqual({
      model: 'gemini-3-pro-high',
      remaining: 0.5,
      tokenCount: 1200,
      hasToken: true,
      token: null,
      n: [1, 'x'],
    });
    expect(redact({ refreshToken: c.objToken })).toEqual({ refreshToken: '[redacted]' });
  });

  it('redacts errors: message and stack scrubbed, extra properties dropped', () => {
    const c = canaries();
    const e = Object.assign(new TypeError(`bad ${c.ya29}`), { refreshToken: c.objToken, response: { body: c.objSecret } });
    const r = redact(e) as Error;
    expect(r).toBeInstanceOf(Error);
    expect(r.name).toBe('TypeError');
    expect(r.message).toBe('bad [redacted]');
    expect(r.stack ?? '').not.toContain(c.ya29);
    expect(Object.values(r)).not.toContain(c.objToken);
    expectNoCanary(serialise(r) + JSON.stringify(Object.entries(r)), c);
  });

  it('stops at a depth limit and summarises buffers', () => {
    let deep: Record<string, unknown> = { leaf: 'bottom' };
    for (let i = 0; i < 10; i++) deep = { next: deep };
    expect(JSON.stringify(redact(deep))).toContain('[…]');
    expect(redact(Buffer.from('secret bytes'))).toBe('[12 bytes]');
  });

  it('masks emails partly, keeping the first letter and the domain', () => {
    expect(redactString('account user0@example.com failed')).toBe('account u***@example.com failed');
    expect(redactString('John.Doe+tag@mail.example.org')).toBe('J***@mail.example.org');
    expect(redact({ email: 'alice@example.com' })).toEqual({ email: 'a***@example.com' });
    expect(redactString('alice@example.com')).not.toContain('alice');
  });
});

/** A random canary that matches no token shape: only knowing it removes it. */
const plainCanary = () => `Cn${randomBytes(15).toString('base64').replace(/[^A-Za-z0-9]/g, 'q').slice(0, 20)}`;

/** Every run of 8 characters of a canary (no longer fragment can appear without one of these). */
function fragments(canary: string, n = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= canary.length; i++) out.push(canary.slice(i, i + n));
  return out;
}

function expectNoFragment(text: string, canary: string): void {
  for (const f of fragments(canary)) expect(text, `fragment ${f} of ${canary} leaked`).not.toContain(f);
}

/** Filler that shares no 8-character run with a canary. */
const filler = (n: number) => 'upstream said: '.repeat(Math.ceil(n / 15)).slice(0, n);

describe('safeUpstreamText (secrets out first, then the cut)', () => {
  it('a known secret echoed at every offset around the cut leaves no fragment of 8+ characters', () => {
    for (let at = 150; at <= 240; at++) {
      const secret = plainCanary();
      const raw = `${filler(at)}${secret}${filler(300)}`;
      expect(raw.length).toBeGreaterThan(UPSTREAM_TEXT_MAX);
      const out = safeUpstreamText(raw, [secret]);
      expect(out.length).toBeLessThanOrEqual(UPSTREAM_TEXT_MAX);
      expectNoFragment(out, secret);
    }
  });

  it('token shapes nobody told it about go too, at every offset around the cut', () => {
    for (let at = 150; at <= 240; at++) {
      const rnd = randomBytes(24).toString('hex');
      const shaped = [`sk-ant-oat01-${rnd}`, `sk-proj-${rnd}`, `ya29.a0Af${rnd}`, `eyJhbGciOiJIUzI1NiJ9.eyJ${rnd}.sig${rnd.slice(0, 10)}`, `Bearer ${rnd}`, `opaque${rnd}`];
      for (const t of shaped) {
        const out = safeUpstreamText(`${filler(at)}${t} ${filler(300)}`);
        for (const f of fragments(rnd)) expect(out, `${t} at ${at}`).not.toContain(f);
      }
    }
  });

  it('the old order (cut, then scrub) would have leaked: the test can see a leak', () => {
    const secret = plainCanary();
    const raw = `${filler(190)}${secret}${filler(100)}`;
    const cutFirst = raw.slice(0, 200).split(secret).join('[redacted]');
    expect(fragments(secret).some((f) => cutFirst.includes(f))).toBe(true);
    expectNoFragment(safeUpstreamText(raw, [secret]), secret);
  });

  it('a secret past a very long text is not left in part either', () => {
    const secret = plainCanary();
    for (const at of [16 * 1024 - 10, 16 * 1024 - 3, 16 * 1024]) {
      const raw = `${'x '.repeat(at / 2)}${secret} tail`;
      expectNoFragment(safeUpstreamText(raw, [secret], 100_000), secret);
      expectNoFragment(safeUpstreamText(raw, [], 100_000), secret);
    }
  });

  it('removes URL-encoded secrets and every secret of the account', () => {
    const a = `${plainCanary()}/+=`;
    const b = plainCanary();
    const out = safeUpstreamText(`token ${encodeURIComponent(a)} and ${b}`, [a, b, undefined, null, 'short']);
    expect(out).toBe('token [redacted] and [redacted]');
  });

  it('keeps short harmless text, collapses whitespace, cuts with an ellipsis, ignores non-strings', () => {
    expect(safeUpstreamText('  Quota\n exceeded   for model x ')).toBe('Quota exceeded for model x');
    const long = safeUpstreamText('word '.repeat(100));
    expect(long.length).toBeLessThanOrEqual(UPSTREAM_TEXT_MAX);
    expect(long.endsWith('…')).toBe(true);
    expect(safeUpstreamText(undefined)).toBe('');
    expect(safeUpstreamText({ message: 'x' })).toBe('');
    expect(safeUpstreamText('a'.repeat(30), [], 10)).toBe(`${'a'.repeat(9)}…`);
  });

  it('leaves a verification link whole (its query value is no bare token)', () => {
    const url = `https://accounts.google.com/signin/continue?sarp=1&plt=${'A'.repeat(60)}`;
    expect(scrubSecrets(`verify at ${url}`)).toBe(`verify at ${url}`);
    expect(scrubSecrets(`the token ${'A'.repeat(60)} is bad`)).toBe('the token [redacted] is bad');
  });
});

describe('maskSecret', () => {
  it('never reveals the middle, for every length', () => {
    for (let n = 1; n <= 80; n++) {
      const secret = randomBytes(64).toString('base64url').slice(0, n);
      const m = maskSecret(secret);
      expect(m.length).toBeGreaterThan(0);
      if (n <= 10) expect(m).toBe('••••');
      else {
        expect(m).toBe(`${secret.slice(0, 4)}…${secret.slice(-4)}`);
        expect(m).not.toContain(secret.slice(4, -4));
      }
      // No run of 5 characters of the secret appears in the mask.
      for (let i = 0; i + 5 <= n; i++) expect(m).not.toContain(secret.slice(i, i + 5));
    }
  });

  it('is empty for nothing', () => {
    expect(maskSecret('')).toBe('');
    expect(maskSecret(null)).toBe('');
    expect(maskSecret(undefined)).toBe('');
  });
});

describe('memory logger', () => {
  it('writes no canary', () => {
    const c = canaries();
    const m = createMemoryLogger();
    const s = m.scope('sync').scope('google');
    for (const p of leakyPayloads(c)) {
      m.info('payload', p);
      s.error(typeof p === 'string' ? p : 'failed', p);
    }
    expect(m.lines.length).toBe(leakyPayloads(c).length * 2);
    expect(m.lines.some((l) => l.includes('(sync:google)'))).toBe(true);
    expectNoCanary(m.lines.join('\n'), c);
  });
});

describe('createElectronLogLogger with electron-log/node', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => {
    cleanup?.();
    cleanup = undefined;
  });

  function fileLogger() {
    const tmp = tempDir('quotadeck-log-');
    cleanup = tmp.cleanup;
    const file = join(tmp.dir, 'logs', 'quotadeck.log');
    // A fresh instance per test: hooks and transports are not shared with other tests.
    const instance = log.create({ logId: `redact-test-${core()}` });
    instance.transports.file.resolvePathFn = () => file;
    instance.transports.console.level = false;
    return { file, logger: createElectronLogLogger(instance) };
  }

  it('the log file holds the messages but none of the canaries', () => {
    const c = canaries();
    const { file, logger } = fileLogger();
    const scoped = logger.scope('sync').scope('google');
    const payloads = leakyPayloads(c);
    payloads.forEach((p, i) => {
      logger.info(`payload ${i}`, p);
      scoped.warn(`scoped payload ${i}: ${typeof p === 'string' ? p : 'object'}`, p);
      logger.error(typeof p === 'string' ? p : `error payload ${i}`);
    });
    logger.debug(`debug ${c.ya29}`, { token: c.objToken });
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    // The lines were written (scope included), so the absence of canaries means something.
    for (let i = 0; i < payloads.length; i++) {
      expect(text).toContain(`payload ${i}`);
      expect(text).toContain(`scoped payload ${i}`);
    }
    expect(text).toContain('sync:google');
    expect(text).toContain('Bearer [redacted]');
    expect(text).toContain('refresh_token=[redacted]');
    expect(text).toContain('debug [redacted]');
    expectNoCanary(text, c);
  });

  it('masks emails in the file', () => {
    const { file, logger } = fileLogger();
    logger.warn('account alice.smith@example.com marked invalid_credentials', { email: 'bob.jones@example.org' });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('a***@example.com');
    expect(text).toContain('b***@example.org');
    expect(text).not.toContain('alice.smith');
    expect(text).not.toContain('bob.jones');
  });
});

describe('followLogLevel (the logLevel setting on the file transport, as headless.ts wires it)', () => {
  it('applies the saved level at start and every change after, and stops on unsubscribe', async () => {
    const h = await makeHarness({ overrides: { logLevel: 'warn' } });
    try {
      const file = join(h.dir, 'logs', 'quotadeck.log');
      const instance = log.create({ logId: `level-test-${core()}` });
      instance.transports.file.resolvePathFn = () => file;
      instance.transports.console.level = false;
      const logger = createElectronLogLogger(instance);

      const off = followLogLevel(instance.transports.file, h.app);
      expect(instance.transports.file.level).toBe('warn');
      logger.info('info while warn');
      logger.warn('warn while warn');
      await call(h.app, 'settings:update', { logLevel: 'debug' });
      expect(instance.transports.file.level).toBe('debug');
      logger.debug('debug while debug');
      off();
      await call(h.app, 'settings:update', { logLevel: 'error' });
      expect(instance.transports.file.level).toBe('debug');

      const text = readFileSync(file, 'utf8');
      expect(text).toContain('warn while warn');
      expect(text).toContain('debug while debug');
      expect(text).not.toContain('info while warn');
    } finally {
      await h.close();
    }
  });
});
