// The tray's pure parts: state and summary from MonitorStats, the menu template, and the
// controller's rendering with a fake Tray and Menu.
import { describe, expect, it } from 'vitest';
import { createTrayController, trayMenuTemplate, type TrayActions } from '../../../src/main/electron/tray-controller';
import { timeAgo, trayState, traySummary } from '../../../src/main/electron/tray-state';
import { isAppRoute } from '../../../src/main/electron/window-controller';
import { notificationRoute } from '../../../src/main/electron/desktop-notifier';
import type { MonitorStats } from '../../../src/shared/types';
import { FakeClock } from '../../helpers/harness';

const NOW = Date.parse('2026-11-23T10:00:00Z');

function stats(extra: Partial<MonitorStats> = {}): MonitorStats {
  return {
    totalAccounts: 40,
    activeAccounts: 40,
    cachedQuotas: 120,
    expiredEntries: 0,
    exhaustedQuotas: 0,
    lowQuotas: 0,
    lastSyncDurationMs: 1200,
    lastSyncAt: new Date(NOW - 2 * 60_000).toISOString(),
    nextSyncAt: null,
    lastSyncSuccesses: 40,
    lastSyncErrors: 0,
    lastSyncSkipped: 0,
    running: true,
    paused: false,
    syncing: false,
    ...extra,
  };
}

function recordingActions() {
  const calls: string[] = [];
  const actions = Object.fromEntries(['open', 'syncNow', 'pause', 'resume', 'openSettings', 'quit'].map((k) => [k, () => calls.push(k)])) as unknown as TrayActions;
  return { calls, actions };
}

describe('trayState', () => {
  it('is the worst news: exhausted over low over ok', () => {
    expect(trayState(stats())).toBe('ok');
    expect(trayState(stats({ lowQuotas: 3 }))).toBe('low');
    expect(trayState(stats({ lowQuotas: 3, exhaustedQuotas: 1 }))).toBe('exhausted');
    expect(trayState(stats({ exhaustedQuotas: 1 }))).toBe('exhausted');
    expect(trayState(stats({ totalAccounts: 0, cachedQuotas: 0 }))).toBe('ok');
  });
});

describe('traySummary', () => {
  it('says how many accounts, what is low or exhausted, and how fresh the data is', () => {
    expect(traySummary(stats({ lowQuotas: 3, exhaustedQuotas: 1 }), NOW)).toBe('QuotaDeck — 40 accounts · 3 low · 1 exhausted · synced 2 min ago');
    expect(traySummary(stats(), NOW)).toBe('QuotaDeck — 40 accounts · synced 2 min ago');
    expect(traySummary(stats({ totalAccounts: 1 }), NOW)).toBe('QuotaDeck — 1 account · synced 2 min ago');
    expect(traySummary(stats({ lastSyncErrors: 2, paused: true }), NOW)).toBe('QuotaDeck — 40 accounts · 2 sync errors · paused · synced 2 min ago');
    expect(traySummary(stats({ syncing: true }), NOW)).toBe('QuotaDeck — 40 accounts · syncing…');
    expect(traySummary(stats({ totalAccounts: 0, lastSyncAt: null }), NOW)).toBe('QuotaDeck — 0 accounts · not synced yet');
  });

  it('ages in plain words', () => {
    expect(timeAgo(-5000)).toBe('just now');
    expect(timeAgo(59_000)).toBe('just now');
    expect(timeAgo(60_000)).toBe('1 min ago');
    expect(timeAgo(59 * 60_000)).toBe('59 min ago');
    expect(timeAgo(3 * 3600_000)).toBe('3 h ago');
    expect(timeAgo(50 * 3600_000)).toBe('2 d ago');
  });
});

describe('trayMenuTemplate', () => {
  it('lists the summary, then Open, Sync now, Pause or Resume, proxy settings and Quit, each calling its action', () => {
    const { calls, actions } = recordingActions();
    const menu = trayMenuTemplate(stats({ lowQuotas: 3 }), NOW, actions);
    expect(menu.map((i) => i.label ?? i.type)).toEqual([
      '40 accounts · 3 low · synced 2 min ago',
      'separator',
      'Open QuotaDeck',
      'Sync now',
      'Pause monitor',
      'Open proxy settings',
      'separator',
      'Quit QuotaDeck',
    ]);
    expect(menu[0]!.enabled).toBe(false);
    for (const item of menu) item.click?.();
    expect(calls).toEqual(['open', 'syncNow', 'pause', 'openSettings', 'quit']);
  });

  it('offers Resume while paused and greys out Sync now while a sync runs', () => {
    const { calls, actions } = recordingActions();
    const paused = trayMenuTemplate(stats({ paused: true, syncing: true }), NOW, actions);
    const resume = paused.find((i) => i.label === 'Resume monitor')!;
    expect(paused.some((i) => i.label === 'Pause monitor')).toBe(false);
    resume.click!();
    expect(calls).toEqual(['resume']);
    expect(paused.find((i) => i.label === 'Sync now')!.enabled).toBe(false);
  });
});

describe('createTrayController', () => {
  function fakeTray() {
    const log: string[] = [];
    class Tray {
      constructor(image: string) {
        log.push(`new ${image}`);
      }
      setImage = (i: string) => void log.push(`image ${i}`);
      setToolTip = (t: string) => void log.push(`tooltip ${t}`);
      setContextMenu = (m: { labels: string[] }) => void log.push(`menu ${m.labels.join('|')}`);
      on = () => {};
      destroy = () => void log.push('destroy');
    }
    const Menu = { buildFromTemplate: (t: Array<{ label?: string }>) => ({ labels: t.map((i) => i.label ?? '-') }) };
    return { log, Tray, Menu };
  }

  it('sets the icon only when the state changes, and rebuilds the menu only when it differs', () => {
    const clock = new FakeClock(NOW);
    const { log, Tray, Menu } = fakeTray();
    const icons = { ok: 'ok.png', low: 'low.png', exhausted: 'exhausted.png' };
    const tray = createTrayController({ Tray, Menu, icons, actions: recordingActions().actions, clock }, stats());
    expect(log.shift()).toBe('new ok.png');
    expect(log.splice(0)).toEqual(['tooltip QuotaDeck — 40 accounts · synced 2 min ago', expect.stringMatching(/^menu 40 accounts · synced 2 min ago\|-\|Open QuotaDeck/)]);

    tray.update(stats());
    expect(log).toEqual([]);
    tray.update(stats({ lowQuotas: 2 }));
    expect(log.splice(0)).toEqual(['image low.png', 'tooltip QuotaDeck — 40 accounts · 2 low · synced 2 min ago', expect.stringMatching(/^menu 40 accounts · 2 low/)]);
    expect(tray.state()).toBe('low');
    tray.update(stats({ lowQuotas: 1, exhaustedQuotas: 1 }));
    expect(log[0]).toBe('image exhausted.png');
    log.length = 0;

    // The summary ages on a 30 s timer; nothing else changes.
    clock.advance(60_000);
    expect(log).toEqual(['tooltip QuotaDeck — 40 accounts · 1 low · 1 exhausted · synced 3 min ago', expect.stringMatching(/synced 3 min ago/)]);

    tray.dispose();
    expect(log.at(-1)).toBe('destroy');
    expect(clock.pending()).toBe(0);
  });
});

describe('routes main may open', () => {
  it('accepts the renderer routes and account ids as encoded by notifications, nothing else', () => {
    for (const r of ['#/', '#/accounts', '#/usage', '#/settings', notificationRoute({ accountId: 'acc_1-x.y' }), notificationRoute({ accountId: 'a/b "c"' }), notificationRoute({})]) {
      expect(isAppRoute(r), r).toBe(true);
    }
    for (const r of ['', '#', '#/admin', 'https://evil.example/#/accounts', '#/accounts/a/b', '#/accounts/"+alert(1)+"', '#/settings?x=1']) {
      expect(isAppRoute(r), r).toBe(false);
    }
    expect(notificationRoute({ accountId: 'a/b "c"' })).toBe('#/accounts/a%2Fb%20%22c%22');
  });
});
