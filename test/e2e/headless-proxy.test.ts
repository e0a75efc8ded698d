import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProxyInfo } from '../../src/shared/types';
import { tempDir } from '../helpers/harness';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';

let tmp: { dir: string; cleanup: () => void };
let svc: HeadlessProcess | undefined;

beforeEach(() => {
  tmp = tempDir('quotadeck-e2e-proxy-');
});
afterEach(async () => {
  await svc?.stop('SIGKILL');
  svc = undefined;
  tmp.cleanup();
});

describe('the local proxy inside the headless service', () => {
  it('starts on its own port with a 0600 key, refuses strangers, and the key can be regenerated', async () => {
    svc = await startHeadless(tmp.dir, ['--no-sync']);
    expect(svc.proxyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(svc.proxyUrl).not.toBe(svc.url);
    const keyFile = join(tmp.dir, 'proxy-key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    const info = (await svc.api<ProxyInfo>('proxy:getInfo')).body.result!;
    expect(info).toMatchObject({ enabled: true, running: true, url: svc.proxyUrl, key });

    expect((await fetch(`${svc.proxyUrl}/v1/models`)).status).toBe(401);
    const ok = await fetch(`${svc.proxyUrl}/v1/models`, { headers: { Authorization: `Bearer ${key}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { object: string }).object).toBe('list');
    // The control API is not on the proxy port.
    expect((await fetch(`${svc.proxyUrl}/api/accounts:list`, { method: 'POST', headers: { Authorization: `Bearer ${key}` } })).status).not.toBe(200);

    const next = (await svc.api<ProxyInfo>('proxy:regenerateKey')).body.result!;
    expect(next.key).not.toBe(key);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(next.key);
    expect((await fetch(`${svc.proxyUrl}/v1/models`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(401);
    expect((await fetch(`${svc.proxyUrl}/v1/models`, { headers: { Authorization: `Bearer ${next.key}` } })).status).toBe(200);
  });

  it('--no-proxy leaves it off', async () => {
    svc = await startHeadless(tmp.dir, ['--no-sync', '--no-proxy']);
    expect(svc.proxyUrl).toBeNull();
    expect((await svc.api<ProxyInfo>('proxy:getInfo')).body.result).toMatchObject({ running: false, url: null });
  });
});
