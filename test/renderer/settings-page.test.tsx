import { DEFAULT_SETTINGS } from '../../src/main/core/settings-store';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { SettingsPage } from '../../src/renderer/src/pages/settings-page';
import { useSettingsStore } from '../../src/renderer/src/stores/settings-store';
import { ContractError, type RequestOf } from '../../src/shared/contract';
import type { LimitsView, Settings } from '../../src/shared/types';
import { fakeClient, settle } from './fake-client';

afterEach(() => useSettingsStore.getState().reset());

function settings(over: Partial<Settings> = {}): Settings {
  return { ...DEFAULT_SETTINGS, ...over };
}

function limits(over: Partial<LimitsView> = {}): LimitsView {
  return { scope: 'global', label: 'Global', requestsPerHour: null, requestsPerDay: null, inputTokensPerMonth: null, outputTokensPerMonth: null, costPerMonth: null, usage: [], ...over };
}

/** A fake service whose settings:update and limits:set apply like the real ones and record each request. */
function setup(initial: Settings = settings(), initialLimits: LimitsView = limits()) {
  let current = initial;
  let currentLimits = initialLimits;
  const updates: Array<RequestOf<'settings:update'>> = [];
  const limitSets: Array<RequestOf<'limits:set'>> = [];
  const limitGets: Array<RequestOf<'limits:get'>> = [];
  const client = fakeClient({
    'settings:get': () => current,
    'settings:update': (patch) => {
      updates.push(patch!);
      current = { ...current, ...(patch as Partial<Settings>) };
      return current;
    },
    'proxy:getInfo': () => ({ enabled: true, running: true, url: 'http://127.0.0.1:4821', port: 4821, error: null, key: 'sk-qd-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1111' }),
    'app:info': () => ({ version: '0.1.0', mode: 'headless', dataDir: '/home/me/.quotadeck', startedAt: '2026-01-01T00:00:00.000Z' }),
    'clients:list': () => [],
    'models:list': () => [],
    'pricing:list': () => [],
    'limits:get': (req) => {
      limitGets.push(req);
      return [currentLimits];
    },
    'limits:set': (req) => {
      limitSets.push(req!);
      const { scope: _scope, ...patch } = req!;
      currentLimits = { ...currentLimits, ...patch };
      return currentLimits;
    },
  });
  render(
    <ClientContext.Provider value={client}>
      <SettingsPage />
    </ClientContext.Provider>,
  );
  return { client, updates, limitSets, limitGets };
}

const input = (label: RegExp | string) => screen.getByLabelText(label) as HTMLInputElement;
const type = (label: RegExp | string, value: string) => fireEvent.change(input(label), { target: { value } });
const saveButton = () => screen.getByRole('button', { name: 'Save' });

describe('Settings page', () => {
  it('loads the settings into labelled controls, a fraction shown as a percent', async () => {
    setup(settings({ lowThreshold: 0.07, selectionStrategy: 'round-robin', closeToTray: false, logLevel: 'debug' }));
    await screen.findByLabelText(/^Sync interval/);
    expect(input(/^Sync interval/).value).toBe('300');
    expect(input(/^Timeout per account/).value).toBe('30');
    expect(input(/^Concurrency/).value).toBe('8');
    expect(input(/^Per-provider concurrency/).value).toBe('4');
    expect(input(/^Low threshold/).value).toBe('7');
    expect((screen.getByLabelText('Selection strategy') as HTMLSelectElement).value).toBe('round-robin');
    expect(input('Desktop notifications').checked).toBe(true);
    expect(input(/Keep running in the tray/).checked).toBe(false);
    expect(screen.getByText('Desktop app only.')).toBeTruthy();
    expect(input(/^Proxy port/).value).toBe('4821');
    expect(input(/^Keep request log/).value).toBe('90');
    expect((screen.getByLabelText('Log level') as HTMLSelectElement).value).toBe('debug');
    // Bounds for the input come from the contract's schema.
    expect(input(/^Sync interval/).min).toBe('10');
    expect(input(/^Sync interval/).max).toBe('86400');
    expect(await screen.findByText('/home/me/.quotadeck')).toBeTruthy();
    expect(screen.getByText('headless service')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy data directory' })).toBeTruthy();
    // The existing proxy panel sits in the Proxy section.
    const proxy = screen.getByRole('region', { name: 'Proxy' });
    expect(await within(proxy).findByText('http://127.0.0.1:4821')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Save' }).hasAttribute('disabled')).toBe(true);
    expect(screen.getByText('No unsaved changes')).toBeTruthy();
  });

  it('refuses an out-of-range interval with the schema’s bound and never calls settings:update', async () => {
    const { client, updates } = setup();
    await screen.findByLabelText(/^Sync interval/);
    type(/^Sync interval/, '5');
    fireEvent.blur(input(/^Sync interval/));
    expect(screen.getByText('Must be at least 10 seconds')).toBeTruthy();
    fireEvent.click(saveButton());
    await settle();
    expect(input(/^Sync interval/).getAttribute('aria-invalid')).toBe('true');
    // The keyboard is taken to the field to fix.
    expect(document.activeElement).toBe(input(/^Sync interval/));
    expect(screen.getByRole('alert').textContent).toContain('Fix the marked field to save');
    type(/^Low threshold/, '100');
    type(/^Concurrency/, '2.5');
    fireEvent.click(saveButton());
    await settle();
    expect(screen.getByText('Must be less than 100%')).toBeTruthy();
    expect(screen.getByText('Must be a whole number')).toBeTruthy();
    expect(updates).toEqual([]);
    expect(client.calls).not.toContain('settings:update');
  });

  it('saves only the changed keys, the percent as a fraction, and confirms', async () => {
    const { updates } = setup();
    await screen.findByLabelText(/^Sync interval/);
    type(/^Sync interval/, '120');
    type(/^Low threshold/, '15');
    fireEvent.click(input('Desktop notifications'));
    fireEvent.change(screen.getByLabelText('Selection strategy'), { target: { value: 'priority' } });
    // Changed and changed back: not part of the patch.
    type(/^Proxy port/, '5000');
    type(/^Proxy port/, '4821');
    expect(screen.getByText('4 unsaved changes')).toBeTruthy();
    fireEvent.click(saveButton());
    await waitFor(() => expect(screen.getByText('Saved')).toBeTruthy());
    expect(updates).toEqual([{ syncIntervalSec: 120, lowThreshold: 0.15, notificationsEnabled: false, selectionStrategy: 'priority' }]);
    expect(input(/^Sync interval/).value).toBe('120');
    expect(useSettingsStore.getState().settings?.lowThreshold).toBe(0.15);
    expect(saveButton().hasAttribute('disabled')).toBe(true);
  });

  it('shows the service’s ContractError message when it refuses a save', async () => {
    const { client } = setup();
    client.handlers['settings:update'] = () => {
      throw new ContractError({ code: 'bad_request', message: 'Invalid request: proxyPort: port in use', details: { issues: [{ path: 'proxyPort', message: 'port in use' }] } });
    };
    await screen.findByLabelText(/^Proxy port/);
    type(/^Proxy port/, '5000');
    fireEvent.click(saveButton());
    expect(await screen.findByText('Invalid request: proxyPort: port in use')).toBeTruthy();
    expect(screen.getByText('port in use')).toBeTruthy();
    expect(input(/^Proxy port/).value).toBe('5000');
    expect(screen.getByText('1 unsaved change')).toBeTruthy();
  });

  it('applies settings:changed to untouched fields and keeps the user’s edits', async () => {
    const { client } = setup();
    await screen.findByLabelText(/^Sync interval/);
    type(/^Concurrency/, '12');
    act(() => client.emit('settings:changed', settings({ syncIntervalSec: 600, concurrency: 2, logLevel: 'warn' })));
    expect(input(/^Sync interval/).value).toBe('600');
    expect((screen.getByLabelText('Log level') as HTMLSelectElement).value).toBe('warn');
    expect(input(/^Concurrency/).value).toBe('12');
    expect(screen.getByText('1 unsaved change')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(input(/^Concurrency/).value).toBe('2');
    expect(screen.getByText('No unsaved changes')).toBeTruthy();
  });

  it('sets and clears global limits (blank = null) and shows the current window’s use', async () => {
    const { limitSets, limitGets } = setup(
      settings(),
      limits({
        requestsPerHour: 100,
        costPerMonth: 20,
        usage: [
          { scope: 'global', accountId: null, label: 'Global', limit: 'requests_per_hour', max: 100, used: 40, fraction: 0.4, resetAt: '2999-01-01T00:00:00.000Z', suspended: false },
          { scope: 'global', accountId: null, label: 'Global', limit: 'cost_per_month', max: 20, used: 21, fraction: 1.05, resetAt: '2999-01-01T00:00:00.000Z', suspended: true },
        ],
      }),
    );
    expect(await screen.findByText(/40 of 100 used in the last 60 minutes \(40%\)/)).toBeTruthy();
    expect(screen.getByText(/\$21\.00 of \$20\.00 used this month \(UTC\) \(105%\)/)).toBeTruthy();
    expect(screen.getByText('suspended')).toBeTruthy();
    expect(limitGets[0]).toEqual({ scope: 'global' });
    expect(input('Requests per hour').value).toBe('100');
    expect(input('Requests per day').value).toBe('');

    // Zero is not a limit: refused before any call.
    type('Requests per day', '0');
    // Shown at once; the one Save waits until it is fixed.
    await settle();
    expect(screen.getByText('Must be more than 0 (or blank for no limit)')).toBeTruthy();
    expect(saveButton().hasAttribute('disabled')).toBe(true);
    expect(screen.getByRole('alert').textContent).toBe('Fix the problems shown in Limits to save.');
    expect(limitSets).toEqual([]);

    type('Requests per day', '500');
    type('Requests per hour', '');
    type('Cost per month (USD)', '12.5');
    expect(screen.getByText('3 unsaved changes')).toBeTruthy();
    fireEvent.click(saveButton());
    await waitFor(() => expect(screen.getByText('Saved')).toBeTruthy());
    expect(limitSets).toEqual([{ scope: 'global', requestsPerHour: null, requestsPerDay: 500, costPerMonth: 12.5 }]);
    expect(input('Requests per hour').value).toBe('');
    expect(input('Requests per day').value).toBe('500');
  });

  it('toggles limits dry-run through settings:update and refetches the limits it affects', async () => {
    const { updates, limitGets } = setup();
    const toggle = (await screen.findByLabelText('Dry run: warn only')) as HTMLInputElement;
    expect(screen.getByText(/nothing is suspended/)).toBeTruthy();
    await waitFor(() => expect(limitGets).toHaveLength(1));
    expect(toggle.checked).toBe(false);
    fireEvent.click(toggle);
    fireEvent.click(saveButton());
    await waitFor(() => expect(screen.getByText('Saved')).toBeTruthy());
    expect(updates).toEqual([{ limitsDryRun: true }]);
    expect(input('Dry run: warn only').checked).toBe(true);
    await waitFor(() => expect(limitGets).toHaveLength(2));
  });

  it('reports a failed load', async () => {
    const client = fakeClient({
      'settings:get': () => {
        throw new ContractError({ code: 'internal', message: 'database locked' });
      },
    });
    render(
      <ClientContext.Provider value={client}>
        <SettingsPage />
      </ClientContext.Provider>,
    );
    expect((await screen.findByRole('alert')).textContent).toContain('database locked');
  });
});
