// The window at the widths people use (900, 1280 and 1680 px, light and dark) with a mixed fleet
// of 28 accounts from every provider's fake upstream: nothing a row exists to show is clipped or
// pushed off-screen, the page never scrolls sideways, and every page is captured to be looked at
// (test-output/screenshots/layout-*).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SyncReport } from '../../src/shared/types';
import { launchBrowser } from '../helpers/browser';
import { tempDir } from '../helpers/harness';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { LONG_LABEL, startWindowFleet, type WindowFleet } from '../helpers/window-fleet';

let fleet: WindowFleet;
let tmp: { dir: string; cleanup: () => void };
let svc: HeadlessProcess;

beforeAll(async () => {
  fleet = await startWindowFleet();
  tmp = tempDir('quotadeck-e2e-layout-');
  svc = await startHeadless(tmp.dir, ['--no-sync', '--no-proxy'], fleet.env);
  const imported = await svc.api('accounts:import', fleet.doc);
  expect(imported.status).toBe(200);
  const sync = await svc.api<SyncReport>('monitor:syncNow');
  expect(sync.body.result!.successes).toBeGreaterThanOrEqual(20);
}, 90_000);
afterAll(async () => {
  await svc?.stop('SIGKILL');
  await fleet?.close();
  tmp?.cleanup();
});

/**
 * What is wrong with the rendered rows: each countdown, window name, percent, badge, chip and
 * action must lie inside its cell and the viewport, and must not overflow its own box.
 */
function clippedInRows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const vw = document.documentElement.clientWidth;
    const selectors = ['.quota-line .model', '.quota-line .reset', '.quota-line .badge', '.quota-line .quota-pct', '.account-meta .provider-chip', '.account-meta .tier', '.account-meta .status', '.row-actions button', '.no-readings'];
    for (const row of document.querySelectorAll<HTMLElement>('tr[data-row-key]')) {
      const who = row.querySelector('.account-label')?.textContent ?? row.dataset.rowKey;
      for (const el of row.querySelectorAll<HTMLElement>(selectors.join(','))) {
        if (el.getClientRects().length === 0) continue; // not displayed in this density
        const cell = el.closest('td')!.getBoundingClientRect();
        const r = el.getBoundingClientRect();
        const what = `${who}: ${el.className} "${el.textContent}"`;
        if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) problems.push(`${what} overflows its box (${el.scrollWidth} > ${el.clientWidth})`);
        if (r.left < cell.left - 1 || r.right > cell.right + 1) problems.push(`${what} sticks out of its cell (${Math.round(r.left)}–${Math.round(r.right)} vs ${Math.round(cell.left)}–${Math.round(cell.right)})`);
        if (r.right > vw + 1) problems.push(`${what} is off-screen (${Math.round(r.right)} > ${vw})`);
      }
      // A label may end in an ellipsis, but then its full text is on hover.
      const label = row.querySelector<HTMLElement>('.account-label');
      if (label && label.scrollWidth > label.clientWidth + 1 && label.title !== label.textContent) problems.push(`${who}: clipped label without its full text on hover`);
    }
    return problems;
  });
}

const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Scrolls the accounts list top to bottom, checking every row it renders on the way. */
async function checkEveryRow(page: Page): Promise<{ problems: string[]; seen: number }> {
  const problems = new Set<string>();
  const seen = new Set<string>();
  const scroller = page.getByRole('region', { name: 'Accounts (scrollable list)' });
  await scroller.evaluate((el) => (el.scrollTop = 0));
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(50);
    for (const p of await clippedInRows(page)) problems.add(p);
    for (const k of await page.locator('tr[data-row-key]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.rowKey!))) seen.add(k);
    const done = await scroller.evaluate((el) => {
      const before = el.scrollTop;
      el.scrollTop += el.clientHeight * 0.8;
      return el.scrollTop === before;
    });
    if (done) break;
  }
  return { problems: [...problems], seen: seen.size };
}

const VIEWS = [
  { width: 900, scheme: 'light' },
  { width: 900, scheme: 'dark' },
  { width: 1280, scheme: 'dark' },
  { width: 1680, scheme: 'light' },
] as const;

describe('the window at 900, 1280 and 1680 px with a mixed fleet of 28 accounts', () => {
  for (const view of VIEWS) {
    it(`${view.width} px, ${view.scheme}: no row clips a countdown, window name, badge or action; the page never scrolls sideways`, async () => {
      const browser = await launchBrowser({ width: view.width, height: 1080, colorScheme: view.scheme });
      try {
        const { page } = browser;
        const nav = page.getByRole('navigation', { name: 'Pages' });
        await page.goto(`${svc.url}/#token=${svc.token}`);
        await nav.waitFor();
        const name = (p: string) => `layout-${p}-${view.width}-${view.scheme}`;
        await page.waitForFunction(() => document.querySelectorAll('.card').length > 0);
        await browser.screenshot(name('overview'));
        expect(await sideways(page)).toBe(0);

        await nav.getByRole('link', { name: 'Accounts' }).click();
        await page.locator('tr[data-row-key] .quota-line').first().waitFor();
        // Every window of a Claude account, named for people, never by raw keys.
        const claude = page.locator('tr[data-account-id]').filter({ has: page.getByRole('link', { name: 'Claude 0', exact: true }) });
        await page.getByRole('searchbox', { name: 'Search' }).fill('Claude 0');
        await expect.poll(() => claude.locator('.quota-line .model').allTextContents()).toEqual(['5-hour limit', 'Weekly limit', 'Opus · weekly']);
        expect(await page.locator('.quota-line .model').allTextContents()).not.toContain('all models · 5h window');
        await page.getByRole('searchbox', { name: 'Search' }).fill('');
        await expect.poll(() => page.getByRole('status').filter({ hasText: 'accounts' }).first().textContent()).toBe('28 accounts');

        for (const density of ['Comfortable', 'Compact'] as const) {
          await page.getByRole('group', { name: 'Density' }).getByRole('button', { name: density }).click();
          await browser.screenshot(name(`accounts-${density.toLowerCase()}`));
          const { problems, seen } = await checkEveryRow(page);
          expect(problems).toEqual([]);
          expect(seen).toBe(28);
          expect(await sideways(page)).toBe(0);
        }
        if (view.width === 1680) {
          // Compact fits about 20 accounts on a 1080 px screen.
          await page.getByRole('region', { name: 'Accounts (scrollable list)' }).evaluate((el) => (el.scrollTop = 0));
          const fully = await page.evaluate(() => {
            const box = document.querySelector('.accounts-scroll')!.getBoundingClientRect();
            return [...document.querySelectorAll('tr[data-row-key]')].filter((r) => {
              const b = r.getBoundingClientRect();
              return b.top >= box.top && b.bottom <= Math.min(box.bottom, window.innerHeight);
            }).length;
          });
          expect(fully).toBeGreaterThanOrEqual(18);
        }
        await page.getByRole('group', { name: 'Density' }).getByRole('button', { name: 'Comfortable' }).click();

        // The 200-character label: an ellipsis on the list, never a wider page on its own page.
        await page.getByRole('searchbox', { name: 'Search' }).fill('Team shared');
        const long = page.getByRole('link', { name: LONG_LABEL, exact: true });
        expect(await long.getAttribute('title')).toBe(LONG_LABEL);
        await long.click();
        await page.getByRole('heading', { name: LONG_LABEL }).waitFor();
        await browser.screenshot(name('account-long-label'));
        expect(await sideways(page)).toBe(0);

        await nav.getByRole('link', { name: 'Accounts' }).click();
        await page.getByRole('searchbox', { name: 'Search' }).fill('Claude 1');
        await page.getByRole('link', { name: 'Claude 1', exact: true }).click();
        await page.getByRole('heading', { name: 'Claude 1' }).waitFor();
        await browser.screenshot(name('account-claude'));
        expect(await sideways(page)).toBe(0);

        for (const p of ['Usage', 'Settings'] as const) {
          await nav.getByRole('link', { name: p }).click();
          await page.getByRole('heading', { name: p, exact: true }).first().waitFor();
          await browser.screenshot(name(p.toLowerCase()));
          expect(await sideways(page)).toBe(0);
        }
        expect(browser.errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 120_000);
  }
});
