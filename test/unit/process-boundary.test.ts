// The core and the shared contract must never load Electron: the headless service and the
// tests run them in plain Node, where require('electron') throws.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(name) ? [p] : [];
  });
}

const ELECTRON_IMPORT = /(from\s+['"]electron(\/[^'"]*)?['"]|require\(\s*['"]electron(\/[^'"]*)?['"]\s*\)|from\s+['"]electron-log\/main['"])/;

describe('process boundary', () => {
  for (const dir of ['src/main/core', 'src/shared', 'src/renderer']) {
    it(`${dir} never imports electron`, () => {
      const offenders = files(join(root, dir)).filter((f) => ELECTRON_IMPORT.test(readFileSync(f, 'utf8')));
      expect(offenders).toEqual([]);
    });
  }

  it('the headless entry never imports electron', () => {
    expect(ELECTRON_IMPORT.test(readFileSync(join(root, 'src/main/headless.ts'), 'utf8'))).toBe(false);
  });
});
