// Sign-in from the window, end to end: the built headless service (a child process) with nothing
// but endpoints pointed at fakes, the built web UI in Chromium. Clicking "Sign in with Google
// (Antigravity)" opens the provider's page in a new tab, which the fake OAuth server redirects to
// the service's loopback listener; the tab says who signed in, the dialog says so too, and the
// account appears in the list, synced. Screenshots land in test-output/screenshots/.
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src/shared/types';
import { tempDir } from '../helpers/harness';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { join } from 'node:path';
import { launchBrowser, SCREENSHOT_DIR, type Browser } from '../helpers/browser';
import { startSignInFixture, type SignInFixture } from '../helpers/sign-in-fixture';

let fx: SignInFixture | undefined;
let svc: HeadlessProcess | undefined;
let browser: Browser | undefined;
let tmp: { dir: string; cleanup: () => void } | undefined;
afterEach(async () => {
  await browser?.close();
  await svc?.stop('SIGKILL');
  await fx?.close();
  tmp?.cleanup();
  browser = svc = fx = tmp = undefined;
});

describe('sign-in from the window in Chromium', () => {
  it('signs in with Google (Antigravity) through the browser and shows the account, synced', async () => {
    fx = await startSignInFixture('antigravity');
    const id = fx.addIdentity('ada@example.com', 1);
    tmp = tempDir('quotadeck-e2e-signin-');
    svc = await startHeadless(tmp.dir, ['--no-sync', '--no-proxy'], fx.env);
    browser = await launchBrowser();
    const { page, context } = browser;
    await page.goto(`${svc.url}/#token=${svc.token}`);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Add account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await browser.screenshot('sign-in-01-add-account');

    const tabOpened = context.waitForEvent('page');
    await dialog.getByRole('button', { name: 'Sign in with Google (Antigravity)' }).click();
    const tab = await tabOpened;
    // The provider's page (the fake) sends the browser back to the service's loopback listener.
    await tab.getByTestId('sign-in-result').waitFor();
    expect(await tab.getByTestId('sign-in-result').textContent()).toBe('Signed in as ada@example.com');
    expect(new URL(tab.url()).hostname).toBe('127.0.0.1');
    await tab.screenshot({ path: join(SCREENSHOT_DIR, 'sign-in-02-callback-tab.png') });
    await tab.close();

    await expect.poll(() => dialog.getByTestId('sign-in-done').textContent(), { timeout: 15_000 }).toContain('ada@example.com');
    await browser.screenshot('sign-in-03-done');
    await dialog.getByRole('button', { name: /Close|Done|Cancel/ }).first().click();
    const row = page.locator('tr[data-account-id]').filter({ hasText: 'ada@example.com' });
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => page.getByRole('meter', { name: /remaining/ }).first().getAttribute('aria-valuenow')).toBe('42');
    await browser.screenshot('sign-in-04-accounts');

    const listed = (await svc.api<AccountView[]>('accounts:list')).body.result!;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ provider: 'antigravity', email: 'ada@example.com', projectId: id.projectId, status: 'active' });
    expect(listed[0]!.sync.lastSuccessAt).not.toBeNull();
    expect(fx.oauth.tokenCalls).toEqual([expect.objectContaining({ grantType: 'authorization_code', rejected: null })]);
    expect(browser.errors).toEqual([]);
  });
});
