// Renderer build settings shared by electron.vite.config.ts (desktop) and
// vite.renderer.config.mts (web mode / dev server), so both produce the same app.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import type { Plugin, PluginOption } from 'vite';

export const rendererRoot = fileURLToPath(new URL('../src/renderer', import.meta.url));
export const rendererOutDir = fileURLToPath(new URL('../out/renderer', import.meta.url));

/**
 * The shipped CSP (index.html meta) forbids inline scripts. The dev server injects one inline
 * module script (React Fast Refresh's preamble) and talks HMR over a websocket, so during
 * `serve` only, script-src gains 'unsafe-inline' and connect-src the websocket schemes.
 * Production builds keep the strict policy untouched.
 */
export function devCspPlugin(): Plugin {
  return {
    name: 'quotadeck:dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace(/(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/i, (_m, pre: string, csp: string, post: string) => {
        const relaxed = csp
          .replace("connect-src 'self'", "connect-src 'self' ws: wss:")
          .concat("; script-src 'self' 'unsafe-inline'");
        return pre + relaxed + post;
      });
    },
  };
}

/** The early-load script's tag in index.html; the built page carries the script inline instead. */
const EARLY_TAG = '<script src="./early-load.js"></script>';

/** The CSP source that allows exactly this inline script (`'sha256-<base64>'`). */
export function scriptHashSource(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

/**
 * A cold window asks for its bundle, stylesheet and first data at once:
 * - public/early-load.js is inlined (it ran only after a round trip of its own; its requests for
 *   the first data went out that much later). The page's CSP allows exactly that script by its
 *   hash (`script-src 'self' 'sha256-…'`); the headless service's CSP header adds the hashes of
 *   the inline scripts of the index.html it serves (core/server/static-files.ts).
 * - Vite puts the entry's module script and stylesheet at the end of <head>, after that script:
 *   built pages start with the entry script (a module: deferred, so it still runs after the
 *   early-load script) and a preload of the stylesheet (a stylesheet link before a classic script
 *   would hold that script, and with it the first data's requests, until the CSS arrived).
 * The dev server keeps the plain tag (its CSP allows inline scripts anyway).
 */
export function coldLoadPlugin(): Plugin {
  return {
    name: 'quotadeck:cold-load',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        let early = html.indexOf(EARLY_TAG);
        if (early < 0) return html;
        const entry = /<script type="module" crossorigin src="([^"]+)"><\/script>\s*/.exec(html);
        const css = [...html.matchAll(/<link rel="stylesheet" crossorigin href="([^"]+)">/g)].map((m) => m[1]!);
        if (entry && entry.index > early) {
          const head = [entry[0].trim(), ...css.map((href) => `<link rel="preload" as="style" crossorigin href="${href}">`)].join('\n    ');
          const without = html.slice(0, entry.index) + html.slice(entry.index + entry[0].length);
          // Right after the title (before the early-load script and its comment), else just before it.
          const title = without.indexOf('</title>');
          const at = title >= 0 && title < early ? title + '</title>'.length : early;
          html = without.slice(0, at) + (at === early ? head + '\n    ' : '\n    ' + head) + without.slice(at);
          early = html.indexOf(EARLY_TAG);
        }
        const script = readFileSync(resolve(rendererRoot, 'public/early-load.js'), 'utf8');
        if (/<\/script/i.test(script)) throw new Error('early-load.js must not contain "</script"');
        html = html.slice(0, early) + `<script>${script}</script>` + html.slice(early + EARLY_TAG.length);
        const csp = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/i.exec(html);
        if (!csp || /script-src/.test(csp[2]!)) throw new Error('index.html: expected a CSP meta tag without script-src');
        const policy = csp[2]!.replace("default-src 'self';", `default-src 'self'; script-src 'self' ${scriptHashSource(script)};`);
        return html.slice(0, csp.index) + csp[1] + policy + csp[3] + html.slice(csp.index + csp[0].length);
      },
    },
  };
}

/**
 * Next to each built script, stylesheet and page of 1 kB or more: `<file>.br` (quality 11) and
 * `<file>.gz` (level 9), which the headless service sends to browsers that accept them
 * (core/server/static-files.ts). Compressed once here, never per request.
 */
export function precompressPlugin(): Plugin {
  return {
    name: 'quotadeck:precompress',
    apply: 'build',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        for (const file of Object.values(bundle)) {
          if (!/\.(js|css|html)$/.test(file.fileName)) continue;
          const source = file.type === 'chunk' ? file.code : file.source;
          const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : Buffer.from(source);
          if (bytes.length < 1024) continue;
          const br = brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
          this.emitFile({ type: 'asset', fileName: `${file.fileName}.br`, source: br });
          this.emitFile({ type: 'asset', fileName: `${file.fileName}.gz`, source: gzipSync(bytes, { level: 9 }) });
        }
      },
    },
  };
}

export function rendererPlugins(): PluginOption[] {
  return [react(), devCspPlugin(), coldLoadPlugin(), precompressPlugin()];
}
