// The window as a daily tool, through a real Chromium against the built headless service and the
// mixed fleet's fake upstreams: each action on the account page done by clicking and its effect
// seen (account synced, lock cleared, limit saved, a price set in Settings used for a request's
// cost on the Usage page), "Found on this machine" imports, export refuses and then writes, and a
// sync's progress seen moving in the header. Screenshots of every page at 900, 1280 and 1680 px,
// light and dark (QUOTADECK_SCREENSHOT_DIR, default test-output/screenshots).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, LimitsView, ProxyInfo, SyncReport, UsageLogPage } from '../../src/shared/types';
import { launchBrowser, type Browser } from '../helpers/browser';
import { tempDir } from '../helpers/harness';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { startWindowFleet, type WindowFleet } from '../helpers/window-fleet';

let fleet: WindowFleet;
let tmp: { dir: string; cleanup: () => void };
let home: string;
let svc: HeadlessProcess;
let accounts: AccountView[];

const byLabel = (label: string) => accounts.find((a) => a.label === label)!;

beforeAll(async () => {
  fleet = await startWindowFleet();
  tmp = tempDir('quotadeck-e2e-actions-');
  // A Claude Code sign-in on "this machine" for Found on this machine.
  home = mkdtempSync(join(tmpdir(), 'quotadeck-e2e-home-'));
  fleet.claude.addAccount({ refreshToken: 'sk-ant-ort01-e2e-found', accessToken: 'sk-ant-oat01-e2e-found', windows: { five_hour: { utilization: 30, resets_at: new Date(Date.now() + 3_600_000).toISOString() } } });
  mkdirSync(join(home, '.claude'), { recursive: true });
  writeFileSync(join(home, '.claude', '.credentials.json'), JSON.stringify({ claudeAiOauth: { refreshToken: 'sk-ant-ort01-e2e-found', accessToken: 'sk-ant-oat01-e2e-found', expiresAt: Date.now() + 3_600_000 } }));
  svc = await startHeadless(tmp.dir, ['--no-sync'], { ...fleet.env, HOME: home });
  expect((await svc.api('accounts:import', fleet.doc)).status).toBe(200);
  expect((await svc.api<SyncReport>('monitor:syncNow')).body.result!.successes).toBeGreaterThanOrEqual(20);
  accounts = (await svc.api<AccountView[]>('accounts:list')).body.result!;
}, 120_000);
afterAll(async () => {
  await svc?.stop('SIGKILL');
  await fleet?.close();
  tmp?.cleanup();
});

async function open(browser: Browser): Promise<Page> {
  const { page } = browser;
  await page.goto(`${svc.url}/#token=${svc.token}`);
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
  return page;
}

async function openAccount(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('searchbox', { name: 'Search' }).fill(label);
  await page.getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { name: label, level: 2 }).waitFor();
}

const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('every action at hand, its effect seen', () => {
  it('syncs an account now, clears a lock, saves a limit, reports a refused reactivation; imports what was found; export refuses then writes', async () => {
    const browser = await launchBrowser({ width: 1280, height: 1000 });
    try {
      const page = await open(browser);
      const ag = byLabel('Antigravity 1');
      // The upstream moved since the last sync: Sync now shows it.
      fleet.ag['ag1']!.setModel('gemini-3-pro-high', { displayName: 'Gemini 3 Pro (High)', remainingFraction: 0.31, resetTime: new Date(Date.now() + 3_600_000).toISOString() });
      await openAccount(page, 'Antigravity 1');
      const actions = page.getByRole('group', { name: 'Account actions' });
      const meter = page.getByRole('meter', { name: 'Gemini 3 Pro (High) remaining' });
      expect(await meter.getAttribute('aria-valuenow')).toBe('55');
      await actions.getByRole('button', { name: 'Sync now' }).click();
      await actions.getByText(/^Synced: 3 windows read/).waitFor();
      await expect.poll(() => meter.getAttribute('aria-valuenow')).toBe('31');

      // A lock from a 429, cleared from the page.
      expect((await svc.api('quota:report', { accountId: ag.id, model: 'gemini-2.5-flash', outcome: '429', retryAfter: 3600 })).status).toBe(200);
      await actions.getByRole('button', { name: 'Clear lock' }).waitFor();
      await actions.getByRole('button', { name: 'Clear lock' }).click();
      await actions.getByText('Cleared 1 lock.').waitFor();
      expect((await svc.api<unknown[]>('quota:listLocks')).body.result).toEqual([]);
      await actions.getByRole('button', { name: /Clear/ }).waitFor({ state: 'detached' });

      // A limit for this account, saved and read back from the service.
      const limits = page.getByRole('form', { name: 'Limits of Antigravity 1' });
      await limits.getByLabel('Requests per day').fill('250');
      await limits.getByRole('button', { name: 'Save limits' }).click();
      await limits.getByText('Limits saved').waitFor();
      expect((await svc.api<LimitsView[]>('limits:get', { scope: ag.id })).body.result![0]!.requestsPerDay).toBe(250);
      await browser.screenshot('actions-account-1280');

      // A refused refresh token: what went wrong, what to do, and a reactivation that fails again says why.
      await openAccount(page, 'Codex 2');
      const codexActions = page.getByRole('group', { name: 'Account actions' });
      await codexActions.getByRole('note').waitFor();
      expect(await codexActions.getByRole('note').textContent()).toMatch(/sign in again/i);
      await codexActions.getByRole('button', { name: 'Reactivate' }).click();
      await codexActions.getByRole('alert').waitFor();
      expect(await codexActions.getByRole('alert').textContent()).toMatch(/Still invalid credentials|Reactivation failed/);
      expect(await codexActions.getByRole('button', { name: 'Reactivate' }).isEnabled()).toBe(true);
      await browser.screenshot('actions-refused-1280');

      // Found on this machine: discover, pick, import.
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Accounts' }).click();
      await page.getByRole('button', { name: 'Found on this machine…' }).click();
      const found = page.getByRole('dialog', { name: 'Found on this machine' });
      await found.getByRole('list', { name: 'Credentials found' }).waitFor();
      await browser.screenshot('actions-found-1280');
      await found.getByRole('button', { name: 'Import 1' }).click();
      await found.getByText(/Imported: 1 new/).waitFor();
      await found.getByRole('button', { name: 'Done' }).click();
      await expect.poll(async () => (await svc.api<AccountView[]>('accounts:list')).body.result!.length).toBe(accounts.length + 1);

      // Export: the data folder is refused with the service's words; elsewhere it writes, with the secrets warning.
      await page.getByRole('button', { name: 'Export…' }).click();
      const exp = page.getByRole('dialog', { name: 'Export accounts' });
      await exp.getByLabel('File path').fill(join(tmp.dir, 'accounts.json'));
      await exp.getByRole('button', { name: 'Export' }).click();
      await exp.getByRole('alert').waitFor();
      expect(await exp.getByRole('alert').textContent()).toMatch(/^Not exported: Export cannot write inside QuotaDeck's data folder/);
      await exp.getByLabel('File path').fill(join(home, 'export.json'));
      await exp.getByLabel(/Include secrets/).check();
      await exp.getByRole('note').waitFor();
      await browser.screenshot('actions-export-1280');
      await exp.getByRole('button', { name: 'Export' }).click();
      await exp.getByText(/^Wrote 29 accounts to/).waitFor();
      await exp.getByRole('button', { name: 'Done' }).click();
      expect(browser.errors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('a price set in Settings is the one the Usage page costs a request with', async () => {
    const browser = await launchBrowser({ width: 1280, height: 1000 });
    try {
      const page = await open(browser);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Settings' }).click();
      const pricing = page.getByRole('region', { name: 'Pricing' });
      await pricing.getByRole('button', { name: 'Add price' }).click();
      const n = await pricing.locator('tbody tr').count();
      await pricing.getByLabel(`Pattern ${n}`, { exact: true }).fill('e2e-priced-*');
      await pricing.getByLabel('Input price for e2e-priced-*').fill('1000');
      await pricing.getByLabel('Output price for e2e-priced-*').fill('2000');
      await pricing.getByLabel('Model', { exact: true }).fill('e2e-priced-model');
      await pricing.getByRole('status').filter({ hasText: 'priced by e2e-priced-*' }).waitFor();
      await pricing.screenshot({ path: join(process.env.QUOTADECK_SCREENSHOT_DIR ?? tmp.dir, 'actions-pricing-1280.png') });
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved', { exact: true }).waitFor();

      // One request through the proxy, priced at completion (served by an OpenAI key: the fake
      // OpenRouter has no chat endpoint, so its keys sit this one out).
      const routers = accounts.filter((a) => a.provider === 'openrouter');
      for (const a of routers) await svc.api('accounts:setEnabled', { id: a.id, enabled: false });
      const proxy = (await svc.api<ProxyInfo>('proxy:getInfo')).body.result!;
      const res = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${proxy.key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: 'e2e-priced-model', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(`${res.status} ${res.status === 200 ? '' : await res.text()}`).toBe('200 ');
      for (const a of routers) await svc.api('accounts:setEnabled', { id: a.id, enabled: true });
      const row = (await svc.api<UsageLogPage>('usage:log', { limit: 1 })).body.result!.rows[0]!;
      const expected = ((row.inputTokens ?? 0) * 1000 + (row.outputTokens ?? 0) * 2000) / 1e6;
      expect(row.cost).toBeCloseTo(expected, 10);

      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Usage' }).click();
      const costCell = page.locator('[data-total="cost"]').first();
      const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: expected >= 1 ? 2 : 4 });
      await expect.poll(() => costCell.textContent()).toBe(usd.format(expected));
      expect(expected).toBeGreaterThan(0);
      await browser.screenshot('actions-usage-1280');
      expect(await sideways(page)).toBe(0);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('shows a sync moving in the header: Syncing n / total, then done', async () => {
    for (const h of Object.values(fleet.ag)) h.setBehaviour({ kind: 'slow', delayMs: 500 });
    expect((await svc.api('settings:update', { concurrency: 2 })).status).toBe(200);
    const browser = await launchBrowser({ width: 1280, height: 900 });
    try {
      const page = await open(browser);
      await page.locator('.card').first().waitFor();
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { seen: string[] }).seen = seen;
        setInterval(() => {
          const t = document.querySelector('.sync-progress-text')?.textContent;
          if (t && seen[seen.length - 1] !== t) seen.push(t);
        }, 25);
      });
      await page.getByRole('banner').getByRole('button', { name: 'Sync now' }).click();
      await page.locator('.sync-progress-text').waitFor();
      await browser.screenshot('actions-syncing-1280');
      await page.locator('.sync-progress-text').waitFor({ state: 'detached', timeout: 60_000 });
      const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
      const done = seen.map((t) => Number(/Syncing (\d+) \/ (\d+)/.exec(t)?.[1] ?? -1));
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(done.every((d, i) => i === 0 || d >= done[i - 1]!)).toBe(true);
      expect(seen[0]).toMatch(/^Syncing \d+ \/ \d+$/);
      await page.getByRole('region', { name: /Last sync/ }).getByText(/API keys: no quota endpoint/).waitFor();
    } finally {
      await browser.close();
      for (const h of Object.values(fleet.ag)) h.setBehaviour({ kind: 'normal' });
    }
  }, 120_000);
});

const VIEWS = [
  { width: 900, scheme: 'light' },
  { width: 1280, scheme: 'dark' },
  { width: 1680, scheme: 'light' },
] as const;

describe('the new surfaces at 900, 1280 and 1680 px', () => {
  for (const view of VIEWS) {
    it(`${view.width} px, ${view.scheme}: account page actions, settings sections and dialogs never widen the page`, async () => {
      const browser = await launchBrowser({ width: view.width, height: 1000, colorScheme: view.scheme });
      try {
        const page = await open(browser);
        const name = (p: string) => `surfaces-${p}-${view.width}-${view.scheme}`;
        await page.locator('.card').first().waitFor();
        await browser.screenshot(name('overview'));
        expect(await sideways(page)).toBe(0);
        await openAccount(page, 'Claude 1');
        await browser.screenshot(name('account'));
        expect(await sideways(page)).toBe(0);
        // The quota table fits its panel: no column hidden behind a scroll at these widths.
        expect(await page.locator('.model-quotas').evaluate((t) => t.scrollWidth - t.parentElement!.clientWidth)).toBeLessThanOrEqual(0);
        await openAccount(page, 'OpenAI key 0');
        await browser.screenshot(name('account-key'));
        expect(await sideways(page)).toBe(0);
        await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Settings' }).click();
        await page.getByRole('region', { name: 'Pricing' }).waitFor();
        await page.getByText('Base URLs and OAuth clients').click();
        await browser.screenshot(name('settings'));
        expect(await sideways(page)).toBe(0);
        await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Usage' }).click();
        await page.getByRole('heading', { name: 'Top accounts' }).waitFor();
        await browser.screenshot(name('usage'));
        expect(await sideways(page)).toBe(0);
        await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Accounts' }).click();
        await page.getByRole('button', { name: 'Export…' }).click();
        await page.getByRole('dialog', { name: 'Export accounts' }).getByLabel(/Include secrets/).check();
        await browser.screenshot(name('export'));
        expect(await sideways(page)).toBe(0);
      } finally {
        await browser.close();
      }
    }, 120_000);
  }
});
