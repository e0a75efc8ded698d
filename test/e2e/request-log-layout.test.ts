// The Usage page's request log in the window, with real rows: the shipped headless service
// proxies to a fake upstream (answers, and 429s that are retried and refused), then Chromium
// opens the Usage page. In a narrow panel (the window at 900 px) each request is a card of
// labelled cells with nothing clipped and nothing scrolled sideways; at 1680 px it is a table
// with its header. Either way it stays a table for assistive technology.
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src/shared/types';
import { launchBrowser } from '../helpers/browser';
import { startFakeLlmApi, type FakeLlmApi } from '../helpers/fake-llm-api';
import { tempDir } from '../helpers/harness';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { chatThroughProxy } from '../helpers/proxy-chat';

let tmp: { dir: string; cleanup: () => void };
let svc: HeadlessProcess;
let fake: FakeLlmApi;
let answered = 0;

const KEYS = ['sk-log-layout-key-0-xxxxxxxxxxxxxxxxxxxx', 'sk-log-layout-key-1-xxxxxxxxxxxxxxxxxxxx'];

beforeAll(async () => {
  tmp = tempDir('quotadeck-e2e-log-');
  fake = await startFakeLlmApi({ record: false });
  fake.addKey({ key: KEYS[0]!, limits: { requests: { limit: 1000, remaining: 900, resetMs: 60_000 }, tokens: { limit: 100_000, remaining: 90_000, resetMs: 60_000 } } });
  fake.addKey({ key: KEYS[1]!, limits: { requests: { limit: 1000, remaining: 800, resetMs: 60_000 }, tokens: { limit: 100_000, remaining: 80_000, resetMs: 60_000 } } });
  svc = await startHeadless(tmp.dir, ['--no-sync'], { QUOTADECK_OPENAI_BASE_URL: fake.openaiBaseUrl });
  const imported = await svc.api<{ accounts: AccountView[] }>('accounts:import', { accounts: KEYS.map((apiKey, i) => ({ provider: 'openai', label: `Log account ${i}`, apiKey })) });
  expect(imported.status).toBe(200);
  const key = (await svc.api<{ key: string }>('proxy:getInfo')).body.result!.key;
  const agent = new Agent({ keepAlive: true });
  for (let i = 0; i < 6; i++) if (await chatThroughProxy(svc.proxyUrl!, key, `layout-client/${i}`, agent)) answered++;
  agent.destroy();
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  await fake?.close();
  tmp?.cleanup();
});

/** The window at `width` on the Usage page, once the log shows the six requests (and its header row). */
async function openRequestLog(width: number) {
  const browser = await launchBrowser({ width, height: 1000 });
  const { page } = browser;
  await page.goto(`${svc.url}/#token=${svc.token}`);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Usage' }).click();
  const table = page.getByRole('table', { name: 'Requests, newest first' });
  await table.getByRole('row').nth(6).waitFor();
  return { browser, page, table };
}

describe('the request log in the window', () => {
  it('at 900 px: a card per request, every cell labelled, nothing clipped or scrolled sideways', async () => {
    expect(answered).toBe(6);
    const { browser, page, table } = await openRequestLog(900);
    try {
      // Still a table to assistive technology: its rows, headers and cells.
      expect(await table.getByRole('columnheader').allTextContents()).toEqual(['Time', 'Account', 'Model', 'Status', 'Input', 'Output', 'Cost', 'Duration', 'Client']);
      expect(await table.getByRole('row').count()).toBe(7);
      const layout = await page.evaluate(() => {
        const scroll = document.querySelector<HTMLElement>('.log-scroll')!;
        const rows = [...document.querySelectorAll<HTMLElement>('.log-table tbody tr')];
        const clipped: string[] = [];
        for (const td of document.querySelectorAll<HTMLElement>('.log-table tbody td')) {
          if (td.scrollWidth > td.clientWidth + 1) clipped.push(`${td.dataset.label}: ${td.textContent}`);
        }
        return {
          sideways: scroll.scrollWidth - scroll.clientWidth,
          display: [...new Set(rows.map((r) => getComputedStyle(r).display))],
          labels: [...rows[0]!.querySelectorAll('td')].map((td) => getComputedStyle(td, '::before').content),
          headerShown: document.querySelector('.log-table thead')!.getBoundingClientRect().height > 1,
          clipped,
          clients: rows.map((r) => r.querySelector('.log-client')!.textContent),
        };
      });
      expect(layout.sideways).toBe(0);
      expect(layout.display).toEqual(['grid']);
      expect(layout.labels).toEqual(['"Time"', '"Account"', '"Model"', '"Status"', '"Input"', '"Output"', '"Cost"', '"Duration"', '"Client"']);
      expect(layout.headerShown).toBe(false);
      expect(layout.clipped).toEqual([]);
      expect(layout.clients.every((c) => c?.startsWith('layout-client/'))).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
      await browser.screenshot('request-log-900');
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('at 1680 px: a table with its header row', async () => {
    const { browser, page } = await openRequestLog(1680);
    try {
      const layout = await page.evaluate(() => ({
        display: getComputedStyle(document.querySelector('.log-table tbody tr')!).display,
        headerShown: document.querySelector('.log-table thead')!.getBoundingClientRect().height > 1,
        sideways: document.querySelector<HTMLElement>('.log-scroll')!.scrollWidth - document.querySelector<HTMLElement>('.log-scroll')!.clientWidth,
      }));
      expect(layout).toEqual({ display: 'table-row', headerShown: true, sideways: 0 });
      await browser.screenshot('request-log-1680');
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
