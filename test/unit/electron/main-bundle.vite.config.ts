// The real electron-vite config, main bundle only, written to QUOTADECK_TEST_MAIN_OUT: lets
// main-bundle.test.ts load a fresh build of src/main/index.ts without touching out/.
import base from '../../../electron.vite.config';

const real = base as unknown as { main: { build: Record<string, unknown> } };

export default {
  main: { ...real.main, build: { ...real.main.build, outDir: process.env.QUOTADECK_TEST_MAIN_OUT } },
};
