// Build of the three bundles: main (Electron entry + headless Node entry, CommonJS), the
// sandboxed preload (CommonJS, self-contained) and the React renderer.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { rendererOutDir, rendererPlugins, rendererRoot } from './tools/vite-renderer-shared.mts';

// ESM-only packages cannot be require()d from the CommonJS main bundle, so they are bundled;
// every other dependency (better-sqlite3 and its native binding above all) stays external.
const BUNDLED_ESM_ONLY = ['p-limit', 'yocto-queue'];

export default defineConfig({
  main: {
    build: {
      outDir: resolve(__dirname, 'out/main'),
      externalizeDeps: { exclude: BUNDLED_ESM_ONLY },
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          headless: resolve(__dirname, 'src/main/headless.ts'),
        },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(__dirname, 'out/preload'),
      // A sandboxed preload may require('electron') and nothing else: bundle everything
      // it imports (the contract pulls in zod for METHOD_NAMES).
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  renderer: {
    root: rendererRoot,
    base: './',
    plugins: rendererPlugins(),
    build: {
      outDir: rendererOutDir,
      // The same bundle is served to ordinary browsers in web mode, not only to Electron's
      // Chromium: target a widely supported syntax level, and minify (electron-vite does not).
      target: 'es2022',
      minify: true,
      rolldownOptions: { input: { index: resolve(rendererRoot, 'index.html') } },
    },
  },
});
