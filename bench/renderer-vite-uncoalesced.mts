// The same-run baseline build for bench/renderer-accounts.ts: the renderer as it would be
// without event coalescing. The coalescer's default scheduler is swapped for one that applies
// every pushed event at once, so each `quota:changed` (and `accounts:changed`) reaches the stores
// in its own update, as before src/renderer/src/stores/event-coalescer.ts existed.
import { mergeConfig, type Plugin } from 'vite';
import base from '../vite.renderer.config.mts';

const DEFAULT_SCHEDULE = 'opts.schedule ?? frameScheduler()';

function applyEventsImmediately(): Plugin {
  return {
    name: 'bench:apply-events-immediately',
    enforce: 'pre',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('/stores/event-coalescer.ts')) return null;
      if (!code.includes(DEFAULT_SCHEDULE)) throw new Error(`event-coalescer.ts no longer contains "${DEFAULT_SCHEDULE}": update this baseline`);
      return code.replace(DEFAULT_SCHEDULE, '((run: () => void) => { run(); return () => {}; })');
    },
  };
}

export default mergeConfig(base, { plugins: [applyEventsImmediately()] });
