// The window opened cold on `#/accounts`: a fresh page load (new browser context: empty HTTP
// cache, no storage but the control token) of the built renderer served by the shipped headless
// service (out/main/headless.js), which holds 1,000 Google accounts x 10 models synced from the
// fake upstream (bench/fake-google-server.ts, its own process). Chromium is Debian's
// /usr/bin/chromium driven by playwright-core with the test suite's arguments
// (test/helpers/browser.ts).
//
//   npm run build && node --require tsx/cjs bench/renderer-cold-load.ts [--accounts 1000] [--models 10] [--runs 7]
//
// Figure: navigation start (the page's time origin) until account rows are in the DOM and a
// frame has been produced after them (requestAnimationFrame, then a task), median of --runs.
// Same-run baseline, interleaved run by run: a static page of the same rows — the app's own
// DOM after it loaded (scripts removed, its stylesheet inlined) served from 127.0.0.1 — timed
// the same way: what the browser itself needs to parse, style, lay out and paint those rows.
// Target: <= 400 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { BROWSER_ARGS, CHROMIUM } from '../test/helpers/browser';
import type { FakeAccountSpec, FakeModel } from '../test/helpers/fake-google';
import { startHeadless, type HeadlessProcess } from '../test/helpers/headless-process';
import { arg, f, machine, median, mr, printResult, startFakeServer, table, target } from './lib';

const N = arg('accounts', 1000);
const M = arg('models', 10);
const RUNS = Math.max(1, arg('runs', 7));
const TARGET_MS = 400;
const TOKEN_KEY = 'quotadeck.controlToken';

const MODELS = Array.from({ length: M }, (_, j) => `gemini-cold-${String(j).padStart(2, '0')}`);

function specFor(i: number): FakeAccountSpec {
  const models: Record<string, FakeModel> = {};
  MODELS.forEach((id, j) => (models[id] = { displayName: `Model ${j}`, remainingFraction: ((i * 37 + j * 11) % 100) / 100, resetTime: '2099-01-01T00:00:00Z' }));
  return { refreshToken: `1//cold-${i}`, accessToken: `ya29.cold-${i}`, projectId: `cold-proj-${i}`, tierId: 'free-tier', tierName: 'Free', models };
}

async function ok<T>(svc: HeadlessProcess, method: string, body?: unknown): Promise<T> {
  const r = await svc.api<T>(method, body);
  if (r.status !== 200 || !r.body.ok) throw new Error(`${method}: HTTP ${r.status} ${JSON.stringify(r.body.error)}`);
  return r.body.result as T;
}

/**
 * Runs in the page before anything else: resolves window.__cold with the time (ms since
 * navigation start) at which rows were first in the DOM, and a frame after that.
 */
const PROBE = `(() => {
  const rows = () => document.querySelectorAll('tr[data-row-key]').length;
  window.__cold = new Promise((resolve) => {
    const done = () => {
      const tDom = performance.now();
      requestAnimationFrame(() => setTimeout(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const list = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/accounts:list'));
        resolve({ domMs: tDom, frameMs: performance.now(), rows: rows(), dclMs: nav ? nav.domContentLoadedEventEnd : null, listStartMs: list ? list.startTime : null, listEndMs: list ? list.responseEnd : null });
      }, 0));
    };
    const mo = new MutationObserver(() => {
      if (rows() === 0) return;
      mo.disconnect();
      done();
    });
    mo.observe(document, { childList: true, subtree: true });
  });
})();`;
/** Sets the control token in sessionStorage (as a tab that already has it) before the app runs. */
const tokenScript = (t: string) => `sessionStorage.setItem(${JSON.stringify(TOKEN_KEY)}, ${JSON.stringify(t)});`;

interface Load {
  domMs: number;
  frameMs: number;
  rows: number;
  /** DOMContentLoaded (the bundle ran), and the accounts:list request's start and end: where the time went. */
  dclMs: number | null;
  listStartMs: number | null;
  listEndMs: number | null;
}

async function coldLoad(browser: Browser, url: string, token: string | null): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  try {
    if (token) await context.addInitScript({ content: tokenScript(token) });
    await context.addInitScript({ content: PROBE });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url, { waitUntil: 'commit' });
    const r = (await page.evaluate('window.__cold')) as Load;
    if (!r) throw new Error('the probe did not run');
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return r;
  } finally {
    await context.close();
  }
}

/** The app's DOM once its rows are painted, scripts out and stylesheets inlined: a static page. */
async function snapshot(browser: Browser, svc: HeadlessProcess): Promise<{ html: string; rows: number }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  try {
    await context.addInitScript({ content: tokenScript(svc.token) });
    await context.addInitScript({ content: PROBE });
    const page = await context.newPage();
    await page.goto(`${svc.url}/#/accounts`, { waitUntil: 'commit' });
    await page.evaluate('window.__cold');
    await page.waitForTimeout(500); // let the page settle: every answer in, the list as shown
    return await page.evaluate(async () => {
      for (const s of [...document.querySelectorAll('script')]) s.remove();
      for (const l of [...document.querySelectorAll<HTMLLinkElement>('link[rel=stylesheet]')]) {
        const style = document.createElement('style');
        style.textContent = await (await fetch(l.href)).text();
        l.replaceWith(style);
      }
      for (const l of [...document.querySelectorAll('link[rel=modulepreload]')]) l.remove();
      return { html: `<!doctype html>\n${document.documentElement.outerHTML}`, rows: document.querySelectorAll('tr[data-row-key]').length };
    });
  } finally {
    await context.close();
  }
}

function serveStatic(html: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })));
}

async function main(): Promise<void> {
  console.log(`# renderer-cold-load (built renderer from the shipped headless service) — ${machine()}`);
  console.log(`# ${N} accounts x ${M} models, ${RUNS} interleaved runs; Chromium ${CHROMIUM} ${BROWSER_ARGS.join(' ')}`);
  const fake = await startFakeServer(1);
  const dir = mkdtempSync(join(tmpdir(), 'qd-cold-bench-'));
  let svc: HeadlessProcess | undefined;
  let browser: Browser | undefined;
  let stat: { server: Server; url: string } | undefined;
  try {
    for (let i = 0; i < N; i += 2000) await fake.control('/accounts', { accounts: Array.from({ length: Math.min(2000, N - i) }, (_, k) => specFor(i + k)) });
    svc = await startHeadless(dir, ['--no-proxy', '--sync-interval', '3600'], { QUOTADECK_ANTIGRAVITY_BASE_URL: fake.baseUrl, QUOTADECK_GOOGLE_OAUTH_TOKEN_URL: fake.tokenUrl, QUOTADECK_GOOGLE_CLIENT_ID: 'bench' });
    for (let i = 0; i < N; i += 1000) {
      const accounts = Array.from({ length: Math.min(1000, N - i) }, (_, k) => {
        const s = specFor(i + k);
        return { email: `cold${i + k}@example.com`, refreshToken: s.refreshToken, accessToken: s.accessToken, expiresAt: '2099-01-01T00:00:00Z', projectId: s.projectId };
      });
      await ok(svc, 'accounts:import', { accounts });
    }
    const report = await ok<{ successes: number }>(svc, 'monitor:syncNow');
    if (report.successes < N) throw new Error(`the sync reached ${report.successes} of ${N} accounts`);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
    const snap = await snapshot(browser, svc);
    stat = await serveStatic(snap.html);
    console.log(`# static baseline: the app's DOM with ${snap.rows} rows rendered, ${Math.round(snap.html.length / 1024)} kB of HTML + CSS`);
    // Warm-up (Chromium's own first-run costs, the service's first answers), not measured.
    await coldLoad(browser, `${svc.url}/#/accounts`, svc.token);
    await coldLoad(browser, stat.url, null);

    const app: Load[] = [];
    const base: Load[] = [];
    for (let r = 0; r < RUNS; r++) {
      const pair = r % 2 === 0 ? (['app', 'static'] as const) : (['static', 'app'] as const);
      for (const which of pair) {
        if (which === 'app') app.push(await coldLoad(browser, `${svc.url}/#/accounts`, svc.token));
        else base.push(await coldLoad(browser, stat.url, null));
      }
      const a = app.at(-1)!;
      console.log(`run ${r + 1}/${RUNS}: app ${f(a.frameMs, 0)} ms (${a.rows} rows; bundle ran by ${f(a.dclMs ?? NaN, 0)}, accounts:list ${f(a.listStartMs ?? NaN, 0)}–${f(a.listEndMs ?? NaN, 0)}), static ${f(base.at(-1)!.frameMs, 0)} ms`);
    }
    const appMs = app.map((x) => x.frameMs);
    const baseMs = base.map((x) => x.frameMs);
    const med = median(appMs);
    const t = target(
      `window cold on #/accounts, ${N.toLocaleString('en')} x ${M}: navigation start -> rows painted (median)`,
      `${mr(appMs, 0)} ms (rows in DOM ${mr(app.map((x) => x.domMs), 0)} ms)`,
      `static page of the same rows ${mr(baseMs, 0)} ms`,
      med / median(baseMs),
      `<= ${TARGET_MS} ms`,
      med <= TARGET_MS,
    );
    console.log();
    console.log(table([['figure', 'value', 'same-run baseline', 'ratio', 'target', 'met'], [t.figure, t.value, t.baseline, f(t.ratio, 2), t.target, t.met ? 'MET' : 'MISSED']]));
    printResult('renderer-cold-load', { machine: machine(), accounts: N, models: M, runs: RUNS, app, static: base, targets: [t] });
  } finally {
    await browser?.close();
    stat?.server.close();
    await svc?.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
