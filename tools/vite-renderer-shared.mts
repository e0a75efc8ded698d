// Renderer build settings shared by electron.vite.config.ts (desktop) and
// vite.renderer.config.mts (web mode / dev server), so both produce the same app.
import { fileURLToPath } from 'node:url';
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

/**
 * A cold window fetches its bundle and stylesheet first: Vite puts the entry's module script and
 * stylesheet at the end of <head>, after public/early-load.js (a classic, parser-blocking
 * script), so they were requested only once that script had downloaded and run. Built pages
 * start with the entry script (a module: deferred, so it still runs after early-load.js) and a
 * preload of the stylesheet (a stylesheet link before early-load.js would hold that script, and
 * with it the first load's requests, until the CSS arrived).
 */
export function coldLoadOrderPlugin(): Plugin {
  return {
    name: 'quotadeck:cold-load-order',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const early = html.indexOf('<script src="./early-load.js">');
        if (early < 0) return html;
        const entry = /<script type="module" crossorigin src="([^"]+)"><\/script>\s*/.exec(html);
        const css = [...html.matchAll(/<link rel="stylesheet" crossorigin href="([^"]+)">/g)].map((m) => m[1]!);
        if (!entry || entry.index < early) return html;
        const head = [entry[0].trim(), ...css.map((href) => `<link rel="preload" as="style" crossorigin href="${href}">`)].join('\n    ');
        const without = html.slice(0, entry.index) + html.slice(entry.index + entry[0].length);
        // Right after the title (before early-load.js and its comment), else just before it.
        const title = without.indexOf('</title>');
        const at = title >= 0 && title < early ? title + '</title>'.length : early;
        return without.slice(0, at) + (at === early ? head + '\n    ' : '\n    ' + head) + without.slice(at);
      },
    },
  };
}

export function rendererPlugins(): PluginOption[] {
  return [react(), devCspPlugin(), coldLoadOrderPlugin()];
}
