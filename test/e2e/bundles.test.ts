// The built bundles keep the promises the build config makes: the sandboxed preload requires
// nothing but electron, the headless entry never reaches electron, and ESM-only packages are
// bundled into the CommonJS main output while native better-sqlite3 stays external.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const OUT = resolve(__dirname, '../../out');

function requires(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/\brequire\((["'])([^"']+)\1\)/g)].map((m) => m[2]!);
}

/** Every module a bundle file loads, following its own relative chunks. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  for (const r of requires(file)) {
    if (r.startsWith('.')) {
      const chunk = resolve(file, '..', r);
      if (!seen.has(chunk)) {
        seen.add(chunk);
        closure(chunk, seen);
      }
    } else seen.add(r);
  }
  return seen;
}

const external = (s: Set<string>) => [...s].filter((r) => !r.startsWith('/') && !r.startsWith('node:')).sort();

describe('built bundles', () => {
  it('exist (npm test builds them first)', () => {
    for (const f of ['main/index.js', 'main/headless.js', 'preload/index.js', 'renderer/index.html']) expect(existsSync(join(OUT, f)), f).toBe(true);
  });

  it('preload is self-contained CommonJS that only requires electron (sandbox-compatible)', () => {
    expect(requires(join(OUT, 'preload/index.js'))).toEqual(['electron']);
    expect(readdirSync(join(OUT, 'preload'))).toEqual(['index.js']);
  });

  it('headless entry never loads electron', () => {
    const mods = external(closure(join(OUT, 'main/headless.js')));
    expect(mods.filter((m) => m === 'electron' || m.startsWith('electron/') || m === 'electron-log/main')).toEqual([]);
    expect(mods).toContain('better-sqlite3');
  });

  it('main bundles ESM-only p-limit and yocto-queue, keeps electron and better-sqlite3 external', () => {
    const mods = external(closure(join(OUT, 'main/index.js')));
    expect(mods).toEqual(expect.arrayContaining(['electron', 'better-sqlite3']));
    expect(mods.filter((m) => m === 'p-limit' || m === 'yocto-queue')).toEqual([]);
  });

  it('renderer page asks for its bundle first and carries the early-load script inline, allowed by its hash alone', () => {
    const html = readFileSync(join(OUT, 'renderer/index.html'), 'utf8');
    const entry = html.indexOf('<script type="module"');
    const inline = /<script>([\s\S]*?)<\/script>/.exec(html);
    expect(inline).not.toBeNull();
    expect(entry).toBeGreaterThan(0);
    expect(entry).toBeLessThan(inline!.index);
    expect(inline![1]).toBe(readFileSync(join(__dirname, '../../src/renderer/public/early-load.js'), 'utf8'));
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)![1]!;
    const hash = createHash('sha256').update(inline![1]!, 'utf8').digest('base64');
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}';`);
    // The build's precompressed copies are the same bytes.
    const js = [...html.matchAll(/<script[^>]*\bsrc="\.\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!)[0]!;
    expect(gunzipSync(readFileSync(join(OUT, 'renderer', `${js}.gz`)))).toEqual(readFileSync(join(OUT, 'renderer', js)));
    expect(brotliDecompressSync(readFileSync(join(OUT, 'renderer', `${js}.br`)))).toEqual(readFileSync(join(OUT, 'renderer', js)));
  });

  it('renderer entry holds the shell and Accounts; Account, Usage and Settings pages are chunks of their own', () => {
    const html = readFileSync(join(OUT, 'renderer/index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script[^>]*\bsrc="\.\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    const entry = readFileSync(join(OUT, 'renderer', scripts[0]!), 'utf8');
    const js = readdirSync(join(OUT, 'renderer/assets')).filter((f) => f.endsWith('.js'));
    for (const page of ['account-page', 'usage-page', 'settings-page']) {
      const chunk = js.find((f) => f.startsWith(`${page}-`));
      expect(chunk, page).toBeDefined();
      // The entry imports it lazily (import("./page-….js")), never statically.
      expect(entry).toContain(chunk!);
      expect(entry).not.toMatch(new RegExp(`^import[^;]*${chunk!.replace(/[.-]/g, '\\$&')}`, 'm'));
    }
  });
});
