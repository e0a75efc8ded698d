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

export function rendererPlugins(): PluginOption[] {
  return [react(), devCspPlugin()];
}
