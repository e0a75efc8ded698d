// accounts:export never writes into the data folder (however the path is spelled), never replaces
// a file unless asked, and writes whole files only (temp + rename), 0600.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportReport } from '../../src/shared/types';
import { call, makeHarness, tempDir, type Harness } from '../helpers/harness';

let out: { dir: string; cleanup: () => void };
let h: Harness;

beforeEach(async () => {
  out = tempDir('quotadeck-export-');
  h = await makeHarness();
  await call(h.app, 'accounts:import', { accounts: [{ email: 'x@example.com', refresh_token: '1//EXPORT-SAFETY-CANARY' }] });
});
afterEach(async () => {
  await h.close();
  out.cleanup();
});

async function refusal(req: object): Promise<{ code: string; message: string }> {
  const env = await h.app.api.call('accounts:export', req);
  if (env.ok) throw new Error(`export to ${JSON.stringify(req)} was accepted`);
  return env.error;
}

describe('accounts:export writes only where it is safe', () => {
  it('refuses the data folder, anything inside it, and every spelling or link that leads there', async () => {
    writeFileSync(join(h.dir, 'secret.key'), Buffer.alloc(32, 7), { mode: 0o600 });
    const keyBefore = readFileSync(join(h.dir, 'secret.key'));
    const dbBefore = statSync(join(h.dir, 'quotadeck.db')).size;
    symlinkSync(h.dir, join(out.dir, 'data-link'));
    symlinkSync(join(h.dir, 'secret.key'), join(out.dir, 'key-link.json'));
    const paths = [
      join(h.dir, 'secret.key'),
      join(h.dir, 'quotadeck.db'),
      join(h.dir, 'new-file.json'),
      h.dir,
      `${out.dir}/../${h.dir.split('/').pop()}/secret.key`,
      `${h.dir}/logs/../quotadeck.db`,
      join(out.dir, 'data-link', 'secret.key'),
      join(out.dir, 'data-link', 'export.json'),
    ];
    for (const path of paths) {
      for (const overwrite of [false, true]) {
        const e = await refusal({ path, includeSecrets: true, overwrite });
        expect(e.code).toBe('bad_request');
        expect(e.message).toMatch(/data folder/);
      }
    }
    // A link outside pointing at the key is refused too (overwrite or not).
    const e = await refusal({ path: join(out.dir, 'key-link.json'), overwrite: true });
    expect(e.message).toMatch(/data folder/);
    expect(readFileSync(join(h.dir, 'secret.key'))).toEqual(keyBefore);
    expect(statSync(join(h.dir, 'quotadeck.db')).size).toBe(dbBefore);
    expect(existsSync(join(h.dir, 'new-file.json'))).toBe(false);
    // The service still works.
    expect((await call<unknown[]>(h.app, 'accounts:list')).length).toBe(1);
  });

  it('never replaces an existing file unless overwrite is true, and then replaces it whole', async () => {
    const path = join(out.dir, 'accounts.json');
    writeFileSync(path, 'precious');
    const e = await refusal({ path });
    expect(e).toMatchObject({ code: 'bad_request' });
    expect(e.message).toMatch(/already exists/);
    expect(e.message).toMatch(/overwrite/);
    expect(readFileSync(path, 'utf8')).toBe('precious');
    const r = await call<ExportReport>(h.app, 'accounts:export', { path, includeSecrets: true, overwrite: true });
    expect(r).toMatchObject({ path, accounts: 1, includesSecrets: true });
    expect(JSON.parse(readFileSync(path, 'utf8')).accounts[0].refreshToken).toBe('1//EXPORT-SAFETY-CANARY');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // No temp file left beside it.
    expect(readdirSync(out.dir).sort()).toEqual(['accounts.json']);
  });

  it('names the reason for a missing folder, a folder as target, and a relative path', async () => {
    expect((await refusal({ path: join(out.dir, 'nope', 'a.json') })).message).toMatch(/does not exist/);
    mkdirSync(join(out.dir, 'sub'));
    expect((await refusal({ path: join(out.dir, 'sub'), overwrite: true })).message).toMatch(/is a folder/);
    expect((await refusal({ path: 'a.json' })).message).toMatch(/full path/);
    expect(readdirSync(out.dir)).toEqual(['sub']);
  });

  it('writes a new file 0600 whatever the umask, without secrets unless asked', async () => {
    const old = process.umask(0o000);
    try {
      const path = join(out.dir, 'plain.json');
      await call<ExportReport>(h.app, 'accounts:export', { path });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, 'utf8')).not.toContain('EXPORT-SAFETY-CANARY');
    } finally {
      process.umask(old);
    }
  });
});
