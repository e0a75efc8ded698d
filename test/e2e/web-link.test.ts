// One link to the window (issue 9 §3): the built headless service prints its web UI link with
// the real control token in the fragment; opened in Chromium it shows the window logged in, and
// the token leaves the address bar. A wrong token shows a clear error, not the form again in
// silence. `--open` without a display says so in one line and the service carries on.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/harness';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { launchBrowser, type Browser } from '../helpers/browser';

let tmp: { dir: string; cleanup: () => void };
let svc: HeadlessProcess | undefined;
let browser: Browser | undefined;

beforeEach(() => {
  tmp = tempDir('quotadeck-e2e-link-');
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await svc?.stop('SIGKILL');
  svc = undefined;
  tmp.cleanup();
});

const printedLink = (out: string) => /^ {2}web UI: (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)$/m.exec(out)?.[1] ?? null;

describe('the printed web UI link', () => {
  it('carries the real token: opened in Chromium the window is logged in; --open without a display says so', async () => {
    // No display for this run: --open must say so and go on.
    svc = await startHeadless(tmp.dir, ['--no-sync', '--no-proxy', '--open'], { DISPLAY: '', WAYLAND_DISPLAY: '' });
    const link = printedLink(svc.stdout());
    expect(link).toBe(`${svc.url}/#token=${svc.token}`);
    await expect.poll(() => svc!.stdout()).toMatch(/^--open: no display here .*open the web UI link above in a browser\.$/m);

    browser = await launchBrowser();
    const { page } = browser;
    await page.goto(link!);
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    await expect.poll(() => page.locator('.feed-open').count()).toBe(1);
    expect(page.url()).not.toContain(svc.token);
    expect(await page.getByLabel('Control token').count()).toBe(0);
    await browser.screenshot('web-link-logged-in');

    // The fragment never reached the server: the token is in no log line.
    const logFile = join(tmp.dir, 'logs', 'quotadeck.log');
    if (existsSync(logFile)) expect(readFileSync(logFile, 'utf8')).not.toContain(svc.token);
    expect(browser.errors).toEqual([]);
  });

  it('a wrong token in the link shows a clear error; the right one pasted then logs in', async () => {
    svc = await startHeadless(tmp.dir, ['--no-sync', '--no-proxy']);
    browser = await launchBrowser();
    const { page } = browser;
    await page.goto(`${svc.url}/#token=not-the-token-of-this-service`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Wrong control token: the service refused it/);
    expect(await page.getByLabel('Control token').count()).toBe(1);
    expect(page.url()).not.toContain('not-the-token');
    await browser.screenshot('web-link-wrong-token');

    await page.getByLabel('Control token').fill(svc.token);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });
});
