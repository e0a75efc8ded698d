import { afterEach, describe, expect, it } from 'vitest';
import { connectSettings, useSettingsStore } from '../../src/renderer/src/stores/settings-store';
import type { Settings } from '../../src/shared/types';
import { deferred, fakeClient, settle } from './fake-client';

afterEach(() => useSettingsStore.getState().reset());

const base = { syncIntervalSec: 300, lowThreshold: 0.1 } as Settings;

describe('settings store fed by a client', () => {
  it('keeps a settings:changed that lands while the first fetch is slow', async () => {
    const slow = deferred<Settings>();
    const client = fakeClient({ 'settings:get': () => slow.promise });
    const off = connectSettings(client);
    client.emit('settings:changed', { ...base, syncIntervalSec: 60 });
    slow.resolve(base);
    await settle();
    expect(useSettingsStore.getState().settings?.syncIntervalSec).toBe(60);
    off();
  });

  it('refetches when the event feed reopens, and stops listening when disconnected', async () => {
    let current = base;
    const client = fakeClient({ 'settings:get': () => current });
    const off = connectSettings(client);
    await settle();
    expect(useSettingsStore.getState().settings?.syncIntervalSec).toBe(300);
    client.setConnection('reconnecting');
    current = { ...base, syncIntervalSec: 900 };
    client.setConnection('open');
    await settle();
    expect(useSettingsStore.getState().settings?.syncIntervalSec).toBe(900);
    expect(client.calls.filter((c) => c === 'settings:get')).toHaveLength(2);
    off();
    client.emit('settings:changed', { ...base, syncIntervalSec: 10 });
    expect(useSettingsStore.getState().settings?.syncIntervalSec).toBe(900);
  });
});
