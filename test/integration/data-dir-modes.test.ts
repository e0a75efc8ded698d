// The data directory is the user's alone (issue 14): the directory 0700, quotadeck.db and its
// -wal/-shm files 0600 from the moment they exist — and a directory or database an older build
// left readable to others is tightened at the next start.
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/core/db/open-database';
import { makeHarness, tempDir, type Harness } from '../helpers/harness';

const mode = (p: string) => statSync(p).mode & 0o777;
let tmp: { dir: string; cleanup: () => void } | undefined;
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
  tmp?.cleanup();
  tmp = undefined;
});

describe('data directory modes', () => {
  it('a fresh data dir is 0700 and the database with its WAL and SHM files 0600, whatever the umask', async () => {
    tmp = tempDir('quotadeck-modes-');
    const dir = join(tmp.dir, 'nested', 'data');
    const old = process.umask(0o022);
    try {
      h = await makeHarness({ dir });
      // A write, so the WAL holds something.
      await h.app.api.call('settings:update', { syncIntervalSec: 120 });
    } finally {
      process.umask(old);
    }
    expect(mode(dir)).toBe(0o700);
    const db = join(dir, 'quotadeck.db');
    for (const f of [db, `${db}-wal`, `${db}-shm`]) {
      expect(existsSync(f), f).toBe(true);
      expect(mode(f).toString(8), f).toBe('600');
    }
  });

  it('tightens a data dir and database files an older build left 0755/0644', async () => {
    tmp = tempDir('quotadeck-modes-');
    const dir = join(tmp.dir, 'data');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const file = join(dir, 'quotadeck.db');
    const old = process.umask(0o022);
    try {
      openDatabase(file).close();
      chmodSync(file, 0o644);
      writeFileSync(`${file}-wal`, '');
      chmodSync(`${file}-wal`, 0o644);
      h = await makeHarness({ dir });
    } finally {
      process.umask(old);
    }
    expect(mode(dir).toString(8)).toBe('700');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f).toString(8), f).toBe('600');
  });
});
