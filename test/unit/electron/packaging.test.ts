// Packaging inputs: the electron-builder config parses and points at files that exist, the
// icons in resources/ are real PNGs drawn by scripts/make-icons.mjs with distinct colours per
// tray state, and the native rebuild step skips cleanly where Electron's binary is missing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { APP_ID } from '../../../src/main/electron/desktop-shell';
import { tempDir } from '../../helpers/harness';
// @ts-expect-error -- a plain .mjs script without type declarations
import { ICONS, render } from '../../../scripts/make-icons.mjs';

const root = resolve(__dirname, '../../..');
const readJson = (p: string) => JSON.parse(readFileSync(join(root, p), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Png {
  width: number;
  height: number;
  rgba: Buffer;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf: Buffer) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** Reads an 8-bit RGBA PNG as make-icons writes it, checking signature, CRCs and filters. */
function readPng(file: string): Png {
  const buf = readFileSync(file);
  expect(buf.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (;;) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('ascii', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + len);
    expect(buf.readUInt32BE(at + 8 + len), `${file} ${type} CRC`).toBe(crc32(buf.subarray(at + 4, at + 8 + len)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9], data[12]]).toEqual([8, 6, 0]); // 8-bit, RGBA, not interlaced
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + len;
    if (type === 'IEND') break;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    raw.copy(rgba, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, rgba };
}

/** The average colour of the (mostly) opaque pixels. */
function meanColour(png: Png): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < png.rgba.length; i += 4) {
    if (png.rgba[i + 3]! < 200) continue;
    for (let c = 0; c < 3; c++) sum[c]! += png.rgba[i + c]!;
    n++;
  }
  return sum.map((s) => s / n) as [number, number, number];
}

describe('electron-builder.json', () => {
  const config = readJson('electron-builder.json');

  it('names the app and packages the build output with the icons beside it', () => {
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    expect(config.appId).toBe(APP_ID); // the shell's Windows app model id, for notifications
    expect(config.productName).toBe('QuotaDeck');
    expect(config.files).toContain('out/**');
    expect(readJson('package.json').main).toMatch(/^\.\/out\/main\/index\.js$/);
    expect(config.extraResources).toEqual([expect.objectContaining({ from: 'resources', to: 'resources' })]);
    expect(existsSync(join(root, config.directories.buildResources))).toBe(true);
    // better-sqlite3's native binding cannot be loaded from inside app.asar.
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**');
  });

  it('builds AppImage and deb on Linux, dmg on macOS, nsis on Windows, each with an existing icon of at least 512 px', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.linux.maintainer).toMatch(/<.+@.+>/); // deb needs one
    for (const platform of ['linux', 'mac', 'win']) {
      const icon = join(root, config[platform].icon);
      expect(existsSync(icon), icon).toBe(true);
      expect(readPng(icon).width).toBeGreaterThanOrEqual(512);
    }
  });

  it('is invoked through npx by the npm scripts, never installed as a dependency or run on install', () => {
    const pkg = readJson('package.json');
    expect(pkg.scripts.dist).toMatch(/^electron-vite build && npx --yes electron-builder@\d+ --config electron-builder\.json$/);
    expect(pkg.scripts['rebuild:electron']).toBe('node scripts/rebuild-native.mjs');
    const deps = { ...pkg.dependencies, ...pkg.devDependencies };
    expect(deps['electron-builder']).toBeUndefined();
    expect(deps['@electron/rebuild']).toBeUndefined();
    expect(pkg.scripts.postinstall ?? '').not.toMatch(/rebuild/);
    expect(pkg.scripts.install ?? '').not.toMatch(/rebuild/);
  });
});

describe('icons in resources/', () => {
  it('are the PNGs scripts/make-icons.mjs draws (run it after changing a shape)', () => {
    for (const { file, size, draw } of ICONS as Array<{ file: string; size: number; draw: unknown }>) {
      const png = readPng(join(root, 'resources', file));
      expect([png.width, png.height], file).toEqual([size, size]);
      expect(png.rgba.equals(render(size, draw)), `${file} differs from make-icons output`).toBe(true);
    }
  });

  it('give each tray state, at 1x and 2x, its own colour: green, amber, red', () => {
    const hue = (file: string) => {
      const [r, g, b] = meanColour(readPng(join(root, 'resources', file)));
      if (g > r * 1.3 && g > b * 1.3) return 'green';
      if (r > b * 2 && g > b * 2 && r > g) return 'amber';
      if (r > g * 2 && r > b * 2) return 'red';
      return `unclear rgb(${r}, ${g}, ${b})`;
    };
    for (const suffix of ['', '@2x']) {
      expect(hue(`tray-ok${suffix}.png`)).toBe('green');
      expect(hue(`tray-low${suffix}.png`)).toBe('amber');
      expect(hue(`tray-exhausted${suffix}.png`)).toBe('red');
    }
  });
});

describe('scripts/rebuild-native.mjs', () => {
  const script = join(root, 'scripts/rebuild-native.mjs');

  it('without an Electron binary says why it skips and exits 0', () => {
    const tmp = tempDir('quotadeck-electron-');
    try {
      writeFileSync(join(tmp.dir, 'package.json'), JSON.stringify({ version: '45.4.1' }));
      const run = spawnSync(process.execPath, [script, '--electron-dir', tmp.dir], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('Electron binary not available: better-sqlite3 stays built for Node; the headless mode works; run npm run rebuild:electron on a machine with internet');
      // path.txt alone (a failed download) is not enough either.
      writeFileSync(join(tmp.dir, 'path.txt'), 'electron');
      const again = spawnSync(process.execPath, [script, '--electron-dir', tmp.dir], { encoding: 'utf8' });
      expect(again.status).toBe(0);
      expect(again.stdout).toContain('Electron binary not available');
    } finally {
      tmp.cleanup();
    }
  });

  it('with the binary present rebuilds only better-sqlite3 for that Electron version through npx (dry run)', () => {
    const tmp = tempDir('quotadeck-electron-');
    try {
      writeFileSync(join(tmp.dir, 'package.json'), JSON.stringify({ version: '45.4.1' }));
      writeFileSync(join(tmp.dir, 'path.txt'), 'electron');
      mkdirSync(join(tmp.dir, 'dist'));
      writeFileSync(join(tmp.dir, 'dist', 'electron'), '');
      const run = spawnSync(process.execPath, [script, '--electron-dir', tmp.dir, '--dry-run'], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
      const rebuild = major > 22 || (major === 22 && minor >= 12) ? '@electron/rebuild@4' : '@electron/rebuild@3';
      expect(run.stdout).toContain(`Rebuilding better-sqlite3 for Electron 45.4.1: npx --yes --package ${rebuild} -- electron-rebuild --version 45.4.1 --only better-sqlite3 --force --module-dir ${root}`);
    } finally {
      tmp.cleanup();
    }
  });
});
