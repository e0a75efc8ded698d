// The built window in a real Chromium against the headless service: the token in the URL
// fragment connects, the overview fills from the service, and nothing logs an error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
  tmp = tempDir('quotadeck-e2e-browser-');
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await svc?.stop('SIGKILL');
  svc = undefined;
  await fake.close();
  tmp.cleanup();
});

describe('the window in Chromium (web mode)', () => {
  it('connects with the token from the fragment, strips it from the address and shows the stats', async () => {
    svc = await startHeadless(tmp.dir, ['--no-sync', '--no-proxy']);
    browser = await launchBrowser();
    const { page } = browser;
    await page.goto(`${svc.url}/#token=${svc.token}`);
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    expect(page.url()).not.toContain(svc.token);
    await expect.poll(() => page.getByText('live', { exact: true }).count()).toBe(1);
    await browser.screenshot('smoke-overview');
    expect(browser.errors).toEqual([]);
  });
});
