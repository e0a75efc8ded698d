// The window end to end: the built web UI in Debian's Chromium, driven like a user, against the
// built headless service (a child process) whose upstream is the fake Google server on loopback.
// Screenshots of every page are written to test-output/screenshots/ to be looked at.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { AccountView, Settings } from '../../src/shared/types';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google';
import { tempDir } from '../helpers/harness';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { launchBrowser, type Browser } from '../helpers/browser';

let fake: FakeGoogle;
let tmp: { dir: string; cleanup: () => void };
let svc: HeadlessProcess | undefined;
let browser: Browser | undefined;

beforeEach(async () => {
  fake = await startFakeGoogle();
  tmp = tempDir('quotadeck-e2e-window-');
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await svc?.stop('SIGKILL');
  svc = undefined;
  await fake.close();
  tmp.cleanup();
});

const RESET = '2099-01-01T00:00:00Z';
const env = () => ({
  QUOTADECK_ANTIGRAVITY_BASE_URL: fake.baseUrl,
  QUOTADECK_GOOGLE_OAUTH_TOKEN_URL: fake.tokenUrl,
  QUOTADECK_GOOGLE_CLIENT_ID: 'e2e-client.apps.example',
  QUOTADECK_GOOGLE_CLIENT_SECRET: 'e2e-secret',
});

async function open(page: Page, s: HeadlessProcess, route = '') {
  await page.goto(`${s.url}/#token=${s.token}`);
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
  await expect.poll(() => page.locator('.feed-open').count()).toBe(1);
  if (route) await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: route }).click();
}

const card = (page: Page, label: string) => page.locator('.card').filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('.card-value');
const meter = (page: Page, account: string, model: string) => page.getByRole('meter', { name: `${account} ${model} remaining` });
const row = (page: Page, label: string) => page.locator('tr[data-account-id]').filter({ has: page.getByRole('link', { name: label, exact: true }) });

describe('the window in Chromium against the headless service', () => {
  it('imports through the UI, shows bars and badges, syncs, shows a low crossing live, and refuses a bad import without changing anything', async () => {
    const alpha = fake.addAccount({ refreshToken: '1//e2e-alpha', paidTierId: 'g1-pro-tier', paidTierName: 'Gemini Pro', models: { 'gemini-3-pro-high': { displayName: 'Gemini 3 Pro', remainingFraction: 0.8, resetTime: RESET } } });
    fake.addAccount({ refreshToken: '1//e2e-beta', models: { 'gemini-3-pro-high': { displayName: 'Gemini 3 Pro', remainingFraction: 0.04, resetTime: RESET } } });
    fake.addAccount({ refreshToken: '1//e2e-gamma', models: { 'gemini-3-pro-high': { displayName: 'Gemini 3 Pro', remainingFraction: 0, resetTime: RESET } } });
    svc = await startHeadless(tmp.dir, ['--no-sync', '--no-proxy'], env());
    browser = await launchBrowser();
    const { page } = browser;
    await open(page, svc);
    expect(page.url()).not.toContain(svc.token); // taken from the fragment, kept out of history
    await expect.poll(() => card(page, 'Accounts').textContent()).toBe('0');
    await browser.screenshot('01-overview-empty');

    // Import through the dialog.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import accounts' });
    await dialog.getByLabel('Paste JSON').fill(
      JSON.stringify({
        accounts: [
          { provider: 'antigravity', email: 'alpha@example.com', label: 'Alpha', refreshToken: '1//e2e-alpha' },
          { provider: 'antigravity', email: 'beta@example.com', label: 'Beta', refreshToken: '1//e2e-beta' },
          { provider: 'antigravity', email: 'gamma@example.com', label: 'Gamma', refreshToken: '1//e2e-gamma' },
        ],
      }),
    );
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toContain('3 created');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.locator('tr[data-account-id]').count()).toBe(3);

    // Sync now fills the bars and badges.
    await page.locator('header').getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => meter(page, 'Alpha', 'Gemini 3 Pro').getAttribute('aria-valuenow')).toBe('80');
    expect(await meter(page, 'Beta', 'Gemini 3 Pro').getAttribute('aria-valuenow')).toBe('4');
    expect(await meter(page, 'Gamma', 'Gemini 3 Pro').getAttribute('aria-valuenow')).toBe('0');
    expect(await row(page, 'Alpha').locator('.badge').first().textContent()).toBe('proceed');
    expect(await row(page, 'Beta').locator('.badge').first().textContent()).toBe('low');
    expect(await row(page, 'Gamma').locator('.badge').first().textContent()).toBe('exhausted');
    expect(await row(page, 'Alpha').locator('.tier').textContent()).toBe('pro');
    // The first sync's crossings (Beta low, Gamma exhausted) arrive live as alerts.
    const alerts = page.getByRole('region', { name: 'Alerts' });
    await expect.poll(() => alerts.textContent(), { timeout: 5000 }).toContain('Beta: Gemini 3 Pro is low');
    expect(await alerts.textContent()).toContain('Gamma: Gemini 3 Pro ran out');
    await browser.screenshot('02-accounts');

    // The overview's stats moved with the sync.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Overview' }).click();
    await expect.poll(() => card(page, 'Succeeded').textContent()).toBe('3');
    expect(await card(page, 'Low').textContent()).toBe('1');
    expect(await card(page, 'Exhausted').textContent()).toBe('1');
    expect(await card(page, 'Accounts').textContent()).toBe('3');

    // Alpha drops below the threshold upstream: the next sync shows the crossing live.
    alpha.setModel('gemini-3-pro-high', { displayName: 'Gemini 3 Pro', remainingFraction: 0.05, resetTime: RESET });
    await page.getByRole('button', { name: 'Sync now' }).first().click();
    const toast = page.getByRole('region', { name: 'Alerts' }).getByRole('status').filter({ hasText: 'Alpha' });
    await expect.poll(() => toast.textContent()).toContain('Alpha: Gemini 3 Pro is low');
    await expect.poll(() => card(page, 'Low').textContent()).toBe('2');
    await browser.screenshot('03-overview-low-crossing');
    await toast.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: 'Alpha' }).first().waitFor();
    expect(page.url()).toMatch(/#\/accounts\/[^/]+$/);
    await browser.screenshot('04-account-detail');

    // A bad import document: every problem named, nothing changed.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Accounts' }).click();
    await expect.poll(() => meter(page, 'Alpha', 'Gemini 3 Pro').getAttribute('aria-valuenow')).toBe('5');
    await page.getByRole('button', { name: 'Import…' }).click();
    await dialog.getByLabel('Paste JSON').fill(
      JSON.stringify({ accounts: [{ provider: 'antigravity', email: 'delta@example.com', label: 'Delta', refreshToken: '1//delta' }, { provider: 'antigravity', email: 'not-an-email' }] }),
    );
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    const rejected = dialog.getByRole('alert');
    await expect.poll(() => rejected.textContent()).toContain('Import rejected: nothing was changed.');
    expect(await dialog.locator('.import-issues li').count()).toBeGreaterThanOrEqual(1);
    expect(await dialog.locator('.import-issues').textContent()).toMatch(/Entry 1 \(not-an-email\)/);
    await browser.screenshot('05-import-rejected');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.locator('tr[data-account-id]').count()).toBe(3);
    const listed = await svc.api<AccountView[]>('accounts:list');
    expect(listed.body.result!.map((a) => a.label).sort()).toEqual(['Alpha', 'Beta', 'Gamma']);

    // Requests reported through the token API show on the Usage page.
    const alphaId = listed.body.result!.find((a) => a.label === 'Alpha')!.id;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${svc.url}/v1/report`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${svc.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ accountId: alphaId, model: 'gemini-3-pro-high', outcome: 'ok', status: 200, inputTokens: 1200, outputTokens: 300, client: 'e2e' }),
      });
      expect(res.status).toBe(200);
    }
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('heading', { name: 'Usage', exact: true }).waitFor();
    await expect.poll(() => page.locator('[data-total="requests"]').first().textContent()).toBe('3');
    const log = page.getByRole('region', { name: 'Requests' });
    await expect.poll(() => log.getByRole('row').count()).toBe(4); // a header and three requests
    expect(await log.textContent()).toContain('gemini-3-pro-high');
    await browser.screenshot('06-usage');
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Sync interval').waitFor();
    await browser.screenshot('07-settings');
    // The refused import's 400 is the only thing the console may show.
    expect(browser.errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });

  it('saves settings from the Settings page and shows them again after the service restarts', async () => {
    svc = await startHeadless(tmp.dir, ['--no-sync', '--no-proxy'], env());
    browser = await launchBrowser({ colorScheme: 'dark' });
    const { page } = browser;
    await open(page, svc, 'Settings');
    const interval = page.getByLabel('Sync interval');
    await expect.poll(() => interval.inputValue()).toBe('300');
    await interval.fill('120');
    await page.getByLabel('Low threshold').fill('15');
    // Desktop-only options (notifications, tray) are not offered in web mode.
    expect(await page.getByLabel('Desktop notifications').count()).toBe(0);
    await page.getByLabel('Selection strategy').selectOption('round-robin');
    await page.getByRole('form', { name: 'Save settings' }).getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('form', { name: 'Save settings' }).getByRole('status').textContent()).toBe('Saved');
    await browser.screenshot('08-settings-saved-dark');

    // Leave the page first: the service comes back on another free port, and the old page's
    // reconnect attempts to the stopped one would (rightly) log refused connections.
    await page.goto('about:blank');
    expect(await svc.stop('SIGTERM')).toBe(0);
    svc = await startHeadless(tmp.dir, ['--no-sync', '--no-proxy'], env());
    const saved = await svc.api<Settings>('settings:get');
    expect(saved.body.result).toMatchObject({ syncIntervalSec: 120, lowThreshold: 0.15, selectionStrategy: 'round-robin' });

    await open(page, svc, 'Settings');
    await expect.poll(() => page.getByLabel('Sync interval').inputValue()).toBe('120');
    expect(await page.getByLabel('Low threshold').inputValue()).toBe('15');
    expect(await page.getByLabel('Selection strategy').inputValue()).toBe('round-robin');
    expect(browser.errors).toEqual([]);
  });
});
