// Plain Vite for the renderer alone: `npm run dev:renderer` serves the web UI and proxies
// /api to a running headless service (QUOTADECK_URL, default http://127.0.0.1:4820).
// Open it as http://localhost:5173/#token=<control token>.
import { defineConfig } from 'vite';
import { rendererOutDir, rendererPlugins, rendererRoot } from './tools/vite-renderer-shared.mts';

const target = process.env.QUOTADECK_URL ?? 'http://127.0.0.1:4820';

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: rendererPlugins(),
  build: { outDir: rendererOutDir, emptyOutDir: true },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': {
        target,
        changeOrigin: true,
        configure(proxy) {
          // The service refuses cross-origin API calls; the dev server's origin is not its own,
          // so the proxied request drops Origin (the bearer token still authenticates it).
          proxy.on('proxyReq', (req) => req.removeHeader('origin'));
        },
      },
    },
  },
});
