// Settings: the pricing editor (edit, add, remove, a preview priced like the ledger), the
// Advanced section (base URLs, OAuth), one save bar for every section, desktop-only options
// hidden in web mode.
import { DEFAULT_SETTINGS } from '../../src/main/core/settings-store';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { useSaveParts } from '../../src/renderer/src/components/settings/save-parts';
import { SettingsPage } from '../../src/renderer/src/pages/settings-page';
import { useSettingsStore } from '../../src/renderer/src/stores/settings-store';
import { ContractError, type RequestOf } from '../../src/shared/contract';
import type { PricingRow, Settings } from '../../src/shared/types';
import { fakeClient } from './fake-client';

afterEach(() => {
  useSettingsStore.getState().reset();
  useSaveParts.setState({ parts: {} });
});

const PRICES: PricingRow[] = [
  { pattern: 'claude*sonnet*', inputPerMTok: 3, outputPerMTok: 15, isDefault: true },
  { pattern: 'my-model', inputPerMTok: 1, outputPerMTok: 2, isDefault: false },
];

function setup(opts: { kind?: 'ipc' | 'http'; refuse?: string } = {}) {
  let current: Settings = { ...DEFAULT_SETTINGS };
  let prices = [...PRICES];
  const updates: Array<RequestOf<'settings:update'>> = [];
  const sets: Array<RequestOf<'pricing:set'>> = [];
  const removes: Array<RequestOf<'pricing:remove'>> = [];
  const client = fakeClient({
    'settings:get': () => current,
    'settings:update': (patch) => {
      updates.push(patch!);
      current = { ...current, ...(patch as Partial<Settings>), baseUrls: { ...current.baseUrls, ...(patch as Partial<Settings>).baseUrls } };
      return current;
    },
    'models:list': () => [],
    'clients:list': () => [],
    'proxy:getInfo': () => ({ enabled: true, running: true, url: 'http://127.0.0.1:4821', port: 4821, error: null, key: 'sk-qd-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1111' }),
    'app:info': () => ({ version: '0.1.0', mode: 'headless', dataDir: '/home/me/.quotadeck', startedAt: '2026-01-01T00:00:00.000Z' }),
    'limits:get': () => [{ scope: 'global', label: 'Global', requestsPerHour: null, requestsPerDay: null, inputTokensPerMonth: null, outputTokensPerMonth: null, costPerMonth: null, usage: [] }],
    'pricing:list': () => prices,
    'pricing:set': (req) => {
      sets.push(req!);
      if (opts.refuse && req!.pattern === opts.refuse) throw new ContractError({ code: 'bad_request', message: 'database is read-only' });
      const row = { pattern: req!.pattern, inputPerMTok: req!.inputPerMTok, outputPerMTok: req!.outputPerMTok, isDefault: false };
      prices = [...prices.filter((p) => p.pattern !== row.pattern), row];
      return row;
    },
    'pricing:remove': (req) => {
      removes.push(req!);
      prices = prices.filter((p) => p.pattern !== req!.pattern);
      return { removed: true, restored: null };
    },
  });
  (client as { kind: 'ipc' | 'http' }).kind = opts.kind ?? 'ipc';
  render(
    <ClientContext.Provider value={client}>
      <SettingsPage />
    </ClientContext.Provider>,
  );
  return { updates, sets, removes };
}

const pricing = () => within(screen.getByRole('region', { name: 'Pricing' }));
const save = () => screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
const preview = () => pricing().getByRole('status');

describe('Settings → Pricing', () => {
  it('previews the cost of a sample request with the price the ledger would use, unsaved edits included', async () => {
    setup();
    await screen.findByLabelText('Input price for claude*sonnet*');
    expect(preview().textContent).toBe('10,000 in + 2,000 out of claude-sonnet-4-5 cost $0.06 — priced by claude*sonnet* ($3.00 in, $15.00 out per million)');
    fireEvent.change(pricing().getByLabelText('Input price for claude*sonnet*'), { target: { value: '6' } });
    expect(preview().textContent).toContain('cost $0.09');
    fireEvent.change(pricing().getByLabelText('Model'), { target: { value: 'nobody-knows' } });
    expect(preview().textContent).toBe('No pattern matches nobody-knows: its requests are recorded without a cost.');
    fireEvent.change(pricing().getByLabelText('Model'), { target: { value: 'vendor/my-model' } });
    expect(preview().textContent).toContain('priced by my-model');
  });

  it('edits, adds and removes patterns and saves them with the one Save', async () => {
    const { sets, removes } = setup();
    await screen.findByLabelText('Input price for claude*sonnet*');
    expect(pricing().queryByRole('button', { name: 'Remove claude*sonnet*' })).toBeNull(); // a built-in stays
    fireEvent.change(pricing().getByLabelText('Output price for claude*sonnet*'), { target: { value: '12' } });
    fireEvent.click(pricing().getByRole('button', { name: 'Remove my-model' }));
    fireEvent.click(pricing().getByRole('button', { name: 'Add price' }));
    fireEvent.change(pricing().getByLabelText('Pattern 3'), { target: { value: 'local-*' } });
    // Half filled: the one Save waits and says why.
    expect(pricing().getByRole('alert').textContent).toBe('Input price: enter a number');
    expect(save().disabled).toBe(true);
    fireEvent.change(pricing().getByLabelText('Input price for local-*'), { target: { value: '0' } });
    fireEvent.change(pricing().getByLabelText('Output price for local-*'), { target: { value: '0.5' } });
    expect(screen.getByText('3 unsaved changes')).toBeTruthy();
    fireEvent.click(save());
    await screen.findByText('Saved');
    expect(sets).toEqual([
      { pattern: 'claude*sonnet*', inputPerMTok: 3, outputPerMTok: 12 },
      { pattern: 'local-*', inputPerMTok: 0, outputPerMTok: 0.5 },
    ]);
    expect(removes).toEqual([{ pattern: 'my-model' }]);
    await waitFor(() => expect(pricing().queryByText('my-model')).toBeNull());
    expect(screen.queryByText(/unsaved change/)).toBeNull();
  });

  it('says which price was not saved and keeps the others', async () => {
    setup({ refuse: 'oops-*' });
    await screen.findByLabelText('Input price for claude*sonnet*');
    fireEvent.click(pricing().getByRole('button', { name: 'Add price' }));
    fireEvent.change(pricing().getByLabelText('Pattern 3'), { target: { value: 'oops-*' } });
    fireEvent.change(pricing().getByLabelText('Input price for oops-*'), { target: { value: '1' } });
    fireEvent.change(pricing().getByLabelText('Output price for oops-*'), { target: { value: '1' } });
    fireEvent.click(save());
    expect((await pricing().findByRole('alert')).textContent).toBe('Prices not saved: oops-*: database is read-only');
    expect(screen.getByText(/Pricing: oops-\*: database is read-only/)).toBeTruthy();
  });
});

describe('Settings → Advanced and the one save', () => {
  it('sets a base URL and the Google client id, refuses a URL that is not one, and saves with the other sections in one go', async () => {
    const { updates } = setup();
    const advanced = within(await screen.findByRole('region', { name: 'Advanced' }));
    fireEvent.change(advanced.getByLabelText('Claude base URL'), { target: { value: 'not a url' } });
    expect(advanced.getByText('Enter a full URL (https://…), or leave blank for the default')).toBeTruthy();
    expect(save().disabled).toBe(true);
    fireEvent.change(advanced.getByLabelText('Claude base URL'), { target: { value: 'https://claude.example.test' } });
    fireEvent.change(advanced.getByLabelText('Google OAuth client id'), { target: { value: 'my-client.apps.example' } });
    fireEvent.change(screen.getByLabelText(/^Sync interval/), { target: { value: '600' } });
    expect(screen.getByText('3 unsaved changes')).toBeTruthy();
    fireEvent.click(save());
    await screen.findByText('Saved');
    expect(updates).toEqual([{ syncIntervalSec: 600 }, { baseUrls: { claude: 'https://claude.example.test' }, googleClientId: 'my-client.apps.example' }]);
    // Blank again removes the entry ('' in the patch).
    fireEvent.change(advanced.getByLabelText('Claude base URL'), { target: { value: '' } });
    fireEvent.click(save());
    await waitFor(() => expect(updates).toHaveLength(3));
    expect(updates[2]).toEqual({ baseUrls: { claude: '' } });
  });

  it('shows no Save buttons of its own in any section', async () => {
    setup();
    await screen.findByLabelText('Input price for claude*sonnet*');
    expect(screen.getAllByRole('button', { name: /^Save/ }).map((b) => b.textContent)).toEqual(['Save']);
  });

  it('hides desktop-only options in web mode', async () => {
    setup({ kind: 'http' });
    await screen.findByLabelText(/^Sync interval/);
    expect(screen.queryByLabelText(/Keep running in the tray/)).toBeNull();
    expect(screen.queryByLabelText('Desktop notifications')).toBeNull();
  });
});
