// The renderer alone in real Chromium: the Accounts page at 1,000 accounts x 10 models.
// The renderer is built from the current source (plain Vite, as web mode ships it) into a temp
// dir and served from 127.0.0.1; bench/renderer-page-bridge.js stands in for the Electron
// preload (window.quotadeck), so the app runs its IPC transport against generated data, with
// answers and events structured-cloned and every pushed event delivered as its own task.
//
//   npx tsx bench/renderer-accounts.ts [--accounts 1000] [--models 10] [--runs 7]
//
// Figures, each with a same-run baseline:
//   - navigation #/ -> #/accounts until the rows are in the DOM and a frame has been produced
//     (median of --runs), at 1,000 accounts and at 10 (the baseline); target < 300 ms;
//   - a full sync's burst, 1,000 `quota:changed` queued at once: the longest task (PerformanceObserver
//     'longtask'), the longest animation frame ('long-animation-frame'), the longest gap between
//     frames, and when the visible rows show the new values (3 bursts each);
//     in the default view and sorted by lowest remaining with the decision filter on (the page
//     re-filters and re-sorts on every applied update); target: no task over 100 ms. Baseline:
//     the same renderer built without coalescing (bench/renderer-vite-uncoalesced.mts), every
//     event applied in its own store update; and the floor, the same 1,000 tasks and copies
//     delivered to no listener;
//   - scrolling the list 300 px per frame through 120 frames: frame gaps, long tasks.
// A screenshot of the page at 1,000 accounts lands in test-output/screenshots/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, SCREENSHOT_DIR } from '../test/helpers/browser';
import { arg, f, machine, median, printResult, table } from './lib';

const ACCOUNTS = arg('accounts', 1000);
const MODELS = arg('models', 10);
const RUNS = arg('runs', 7);
const BASELINE_ACCOUNTS = 10;
const RENDER_TARGET_MS = 300;
const TASK_TARGET_MS = 100;
const ROOT = resolve(__dirname, '..');

function buildRenderer(config: string, label: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'qd-renderer-bench-'));
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', config, '--outDir', dir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`vite build (${label}) failed (exit ${r.status})`);
  console.log(`built the renderer (${label}) in ${Date.now() - t0} ms`);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    const file = normalize(join(dir, path === '/' ? 'index.html' : decodeURIComponent(path)));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

interface Nav { domMs: number; frameMs: number; rows: number }
interface LongFrame { start: number; duration: number; blockingMs: number; renderMs: number; scripts: Array<{ invoker: string; ms: number }> }
interface Burst {
  events: number;
  queuedMs: number;
  visibleAppliedMs: number;
  drainedMs: number;
  longTasks: number;
  longestTaskMs: number;
  maxFrameGapMs: number;
  frames: number;
  /** The longest 'long-animation-frame' entry (only frames over 50 ms are reported), or null. */
  longestFrame: LongFrame | null;
}
interface Scroll { steps: number; px: number; ms: number; maxFrameGapMs: number; longTasks: number; longestTaskMs: number; maxRenderedRows: number; scrollTop: number; firstRowIndex: number }

const bridgeSource = readFileSync(join(__dirname, 'renderer-page-bridge.js'), 'utf8');

async function openApp(context: Awaited<ReturnType<typeof launchBrowser>>['context'], url: string, accounts: number, hash: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript({ content: `window.__BENCH_CONFIG__ = ${JSON.stringify({ accounts, models: MODELS })};\n${bridgeSource}` });
  await page.goto(`${url}/${hash}`);
  return { page, errors };
}

/** Cold load straight to #/accounts, then `runs` navigations #/ -> #/accounts. */
async function measureNavigation(context: Parameters<typeof openApp>[0], url: string, accounts: number) {
  const { page, errors } = await openApp(context, url, accounts, '#/accounts');
  const cold = await page.evaluate(() => (window as any).__bench.firstRows() as Promise<{ tDom: number; tFrame: number }>);
  const navs: Nav[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    await page.evaluate(() => (window as any).__bench.leaveAccounts());
    navs.push(await page.evaluate(() => (window as any).__bench.navigateToAccounts() as Promise<Nav>));
  }
  const warm = navs.slice(1); // the first one also pays for code paths not yet compiled
  return {
    page,
    errors,
    coldDomMs: cold.tDom,
    coldFrameMs: cold.tFrame,
    firstNavFrameMs: navs[0]!.frameMs,
    navFrameMs: median(warm.map((n) => n.frameMs)),
    navDomMs: median(warm.map((n) => n.domMs)),
    navFrameMaxMs: Math.max(...warm.map((n) => n.frameMs)),
    rowsRendered: navs[0]!.rows,
  };
}

/** Several bursts of one kind: the worst long task and frame gap, the median drain time. */
interface BurstSeries {
  runs: Burst[];
  longestTaskMs: number;
  maxFrameGapMs: number;
  medianFrameGapMs: number;
  medianAppliedMs: number;
  /** The longest animation frame over the runs (0: none over 50 ms). */
  longestFrameMs: number;
}

function series(runs: Burst[]): BurstSeries {
  return {
    runs,
    longestTaskMs: Math.max(...runs.map((r) => r.longestTaskMs)),
    maxFrameGapMs: Math.max(...runs.map((r) => r.maxFrameGapMs)),
    medianFrameGapMs: median(runs.map((r) => r.maxFrameGapMs)),
    medianAppliedMs: median(runs.map((r) => Math.max(r.visibleAppliedMs, r.drainedMs))),
    longestFrameMs: Math.max(...runs.map((r) => r.longestFrame?.duration ?? 0)),
  };
}

const BURSTS = 3;

async function burstSeries(page: Page, fractions: number[], deliverOnly = false): Promise<BurstSeries> {
  const runs: Burst[] = [];
  for (const fr of fractions) runs.push(await page.evaluate(([x, only]) => (window as any).__bench.burst(x, only) as Promise<Burst>, [fr, deliverOnly] as const));
  return series(runs);
}

async function bursts(page: Page): Promise<{ plain: BurstSeries; sorted: BurstSeries }> {
  const plain = await burstSeries(page, [0.37, 0.38, 0.39].slice(0, BURSTS));
  // The heavier path: the list itself depends on the readings (filter + sort on every update).
  await page.getByLabel('Sort by').selectOption('remaining');
  await page.getByLabel('Decision').selectOption('attention');
  await page.evaluate(() => (window as any).__bench.burst(0.05) as Promise<Burst>); // every account turns low: all listed
  const sorted = await burstSeries(page, [0.04, 0.03, 0.02].slice(0, BURSTS));
  const shown = await page.locator('.accounts-count').textContent();
  if (shown !== `Showing ${ACCOUNTS.toLocaleString('en-US')} of ${ACCOUNTS.toLocaleString('en-US')}`) throw new Error(`after the bursts the page says "${shown}"`);
  return { plain, sorted };
}

async function main(): Promise<void> {
  console.log(`# renderer-accounts — ${new Date().toISOString()}\n# ${machine()}; ${ACCOUNTS} accounts x ${MODELS} models, ${RUNS} navigations each\n`);
  const built = buildRenderer('vite.renderer.config.mts', 'from source');
  const uncoalesced = buildRenderer('bench/renderer-vite-uncoalesced.mts', 'baseline: no coalescing');
  const app = await serve(built.dir);
  const baseline = await serve(uncoalesced.dir);
  const browser = await launchBrowser({ colorScheme: 'light', width: 1440, height: 900 });
  try {
    const small = await measureNavigation(browser.context, app.url, BASELINE_ACCOUNTS);
    await small.page.close();
    const big = await measureNavigation(browser.context, app.url, ACCOUNTS);
    const page = big.page;
    const supportsLongTasks = await page.evaluate(() => (window as any).__bench.supportsLongTasks as boolean);
    if (!supportsLongTasks) throw new Error('this Chromium reports no longtask entries');

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const shot = join(SCREENSHOT_DIR, `accounts-${ACCOUNTS}-light.png`);
    await page.screenshot({ path: shot });

    const scroll = await page.evaluate(() => (window as any).__bench.scrollRun(120, 300) as Promise<Scroll>);
    await page.evaluate(() => {
      document.querySelector('.accounts-scroll')!.scrollTop = 0;
    });
    // The floor: the same 1,000 tasks and copies, the app's listeners not called.
    const floor = await burstSeries(page, [0.5, 0.5, 0.5].slice(0, BURSTS), true);
    const coalesced = await bursts(page);
    await page.close();

    const old = await openApp(browser.context, baseline.url, ACCOUNTS, '#/accounts');
    await old.page.evaluate(() => (window as any).__bench.firstRows());
    const perEvent = await bursts(old.page);
    await old.page.close();
    const errors = [...small.errors, ...big.errors, ...old.errors];

    const rows: Array<Array<string | number>> = [['figure', `${ACCOUNTS} accounts`, 'same-run baseline', 'ratio', 'target', 'met']];
    const met = (ok: boolean) => (ok ? 'yes' : 'NO');
    rows.push(['#/ -> #/accounts, rows painted (median ms)', f(big.navFrameMs), `${f(small.navFrameMs)} (${BASELINE_ACCOUNTS} accounts)`, f(big.navFrameMs / small.navFrameMs, 2), `< ${RENDER_TARGET_MS}`, met(big.navFrameMs < RENDER_TARGET_MS)]);
    rows.push(['… against the target bound', f(big.navFrameMs), `${RENDER_TARGET_MS} (bound)`, f(big.navFrameMs / RENDER_TARGET_MS, 2), '', '']);
    rows.push(['… slowest run / first run (ms)', `${f(big.navFrameMaxMs)} / ${f(big.firstNavFrameMs)}`, `${f(small.navFrameMaxMs)} / ${f(small.firstNavFrameMs)}`, '', '', '']);
    rows.push(['cold load to #/accounts, rows painted (ms)', f(big.coldFrameMs), f(small.coldFrameMs), f(big.coldFrameMs / small.coldFrameMs, 2), '', '']);
    for (const [name, c, b] of [
      ['burst, default view', coalesced.plain, perEvent.plain],
      ['burst, sorted by lowest + filtered', coalesced.sorted, perEvent.sorted],
    ] as const) {
      rows.push([`${name}: longest task, worst of ${BURSTS} (ms)`, f(c.longestTaskMs), `${f(b.longestTaskMs)} (per event)`, b.longestTaskMs > 0 ? f(c.longestTaskMs / b.longestTaskMs, 2) : '-', `<= ${TASK_TARGET_MS}`, met(c.longestTaskMs <= TASK_TARGET_MS)]);
      const lf = (x: BurstSeries) => (x.longestFrameMs > 0 ? f(x.longestFrameMs) : '< 50');
      rows.push([`${name}: longest animation frame, worst (ms)`, lf(c), `${lf(b)} (per event)`, c.longestFrameMs > 0 && b.longestFrameMs > 0 ? f(c.longestFrameMs / b.longestFrameMs, 2) : '-', '', '']);
      rows.push([`${name}: longest frame gap, median / worst (ms)`, `${f(c.medianFrameGapMs)} / ${f(c.maxFrameGapMs)}`, `${f(b.medianFrameGapMs)} / ${f(b.maxFrameGapMs)} (per event)`, f(c.medianFrameGapMs / b.medianFrameGapMs, 2), '', '']);
      rows.push([`${name}: all applied, median (ms)`, f(c.medianAppliedMs), `${f(b.medianAppliedMs)} (per event)`, f(c.medianAppliedMs / b.medianAppliedMs, 2), '', '']);
    }
    rows.push(['burst delivered to no listener (the floor): frame gap / drained, median (ms)', `${f(floor.medianFrameGapMs)} / ${f(floor.medianAppliedMs)}`, '', '', '', '']);
    rows.push(['scroll 300 px/frame x 120: longest task (ms)', f(scroll.longestTaskMs), `${TASK_TARGET_MS} (bound)`, f(scroll.longestTaskMs / TASK_TARGET_MS, 2), `<= ${TASK_TARGET_MS}`, met(scroll.longestTaskMs <= TASK_TARGET_MS)]);
    console.log(table(rows));
    console.log();
    console.log(`rows rendered for ${ACCOUNTS} accounts: ${big.rowsRendered} (windowed); for ${BASELINE_ACCOUNTS}: ${small.rowsRendered}`);
    for (const [name, ser] of [
      ['no listener, the floor', floor],
      ['coalesced, default view', coalesced.plain],
      ['coalesced, sorted + filtered', coalesced.sorted],
      ['per event, default view', perEvent.plain],
      ['per event, sorted + filtered', perEvent.sorted],
    ] as const) {
      for (const b of ser.runs) {
        console.log(
          `burst (${name}): ${b.events} events queued in ${f(b.queuedMs)} ms; visible rows updated after ${f(b.visibleAppliedMs)} ms; all delivered after ${f(b.drainedMs)} ms; ` +
            `${b.longTasks} long task(s), longest ${f(b.longestTaskMs)} ms; longest frame gap ${f(b.maxFrameGapMs)} ms over ${b.frames} frames` +
            (b.longestFrame
              ? `; longest animation frame ${f(b.longestFrame.duration)} ms (render ${f(b.longestFrame.renderMs)} ms; scripts over 5 ms: ${b.longestFrame.scripts.map((x) => `${x.invoker} ${x.ms}`).join(', ') || 'none'})`
              : ''),
        );
      }
    }
    console.log(
      `scroll: ${scroll.steps} frames in ${f(scroll.ms)} ms, longest frame gap ${f(scroll.maxFrameGapMs)} ms, ${scroll.longTasks} long task(s), at most ${scroll.maxRenderedRows} rows rendered, ended at row ${scroll.firstRowIndex - 1} (scrollTop ${f(scroll.scrollTop, 0)})`,
    );
    console.log(`console errors: ${errors.length === 0 ? 'none' : errors.join(' | ')}`);
    console.log(`screenshot: ${shot}`);
    printResult('renderer-accounts', {
      accounts: ACCOUNTS,
      models: MODELS,
      nav: { medianFrameMs: big.navFrameMs, baselineMedianFrameMs: small.navFrameMs, ratio: big.navFrameMs / small.navFrameMs, targetMs: RENDER_TARGET_MS },
      cold: { frameMs: big.coldFrameMs, baselineFrameMs: small.coldFrameMs },
      floor,
      coalesced,
      perEvent,
      scroll,
      errors,
    });
    if (errors.length > 0) process.exitCode = 1;
  } finally {
    await browser.close();
    app.server.close();
    baseline.server.close();
    built.cleanup();
    uncoalesced.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
