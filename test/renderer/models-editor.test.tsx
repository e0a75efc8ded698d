// Settings → Models: aliases and fallback chains edited with suggestions from the catalog,
// checked as typed (a cycle blocks Save and says where), saved with the page's one save bar through
// settings:update with removed entries sent as '' / [], and the sticky-session settings.
import { DEFAULT_SETTINGS } from '../../src/main/core/settings-store';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { SettingsPage } from '../../src/renderer/src/pages/settings-page';
import { useSettingsStore } from '../../src/renderer/src/stores/settings-store';
import type { RequestOf } from '../../src/shared/contract';
import type { CatalogModel, Settings } from '../../src/shared/types';
import { fakeClient } from './fake-client';

afterEach(() => useSettingsStore.getState().reset());

const CATALOG: CatalogModel[] = [
  { id: 'claude-opus-4-5', displayName: null, kinds: ['antigravity', 'claude'], accounts: 3, aliasOf: null },
  { id: 'claude-sonnet-4-5', displayName: null, kinds: ['claude'], accounts: 1, aliasOf: null },
  { id: 'gemini-2.5-pro', displayName: 'Gemini 2.5 Pro', kinds: ['gemini-cli'], accounts: 2, aliasOf: null },
];

function setup(over: Partial<Settings> = {}) {
  let current: Settings = { ...DEFAULT_SETTINGS, ...over };
  const updates: Array<RequestOf<'settings:update'>> = [];
  const client = fakeClient({
    'settings:get': () => current,
    'settings:update': (patch) => {
      updates.push(patch!);
      const p = patch as Partial<Settings>;
      const merge = <V extends string | string[]>(base: Record<string, V>, inc?: Record<string, V>) => {
        const out = { ...base };
        for (const [k, v] of Object.entries(inc ?? {})) if (v.length === 0) delete out[k];
        else out[k] = v;
        return out;
      };
      current = { ...current, ...p, modelAliases: merge(current.modelAliases, p.modelAliases), modelFallbacks: merge(current.modelFallbacks, p.modelFallbacks) };
      return current;
    },
    'models:list': () => CATALOG,
    'pricing:list': () => [],
    'proxy:getInfo': () => ({ enabled: true, running: true, url: 'http://127.0.0.1:4821', port: 4821, error: null, key: 'sk-qd-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1111' }),
    'app:info': () => ({ version: '0.1.0', mode: 'headless', dataDir: '/home/me/.quotadeck', startedAt: '2026-01-01T00:00:00.000Z' }),
    'limits:get': () => [{ scope: 'global', label: 'Global', requestsPerHour: null, requestsPerDay: null, inputTokensPerMonth: null, outputTokensPerMonth: null, costPerMonth: null, usage: [] }],
  });
  render(
    <ClientContext.Provider value={client}>
      <SettingsPage />
    </ClientContext.Provider>,
  );
  return { updates };
}

const section = () => within(screen.getByRole('region', { name: 'Models' }));
const type = (label: string, value: string) => fireEvent.change(section().getByLabelText(label), { target: { value } });
// One save bar for the whole page.
const saveModels = () => screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;

describe('Settings → Models', () => {
  it('shows the saved aliases and chains and suggests the catalog\'s models', async () => {
    setup({ modelAliases: { 'claude-opus-4-5-20251101': 'claude-opus-4-5' }, modelFallbacks: { 'claude-opus-4-5': ['claude-sonnet-4-5', 'gemini-2.5-pro'] } });
    await screen.findByRole('region', { name: 'Models' });
    expect((section().getByLabelText('Alias 1: client model') as HTMLInputElement).value).toBe('claude-opus-4-5-20251101');
    expect((section().getByLabelText('Alias 1: served model') as HTMLInputElement).value).toBe('claude-opus-4-5');
    expect((section().getByLabelText('Fallback 1: then') as HTMLInputElement).value).toBe('claude-sonnet-4-5, gemini-2.5-pro');
    const input = section().getByLabelText('Alias 1: served model') as HTMLInputElement;
    await waitFor(() => expect(input.list?.querySelectorAll('option')).toHaveLength(3));
    expect([...input.list!.querySelectorAll('option')].map((o) => o.value)).toEqual(['claude-opus-4-5', 'claude-sonnet-4-5', 'gemini-2.5-pro']);
    expect(saveModels().disabled).toBe(true);
  });

  it('adds an alias and a chain and saves only this section, with a removed alias sent empty', async () => {
    const { updates } = setup({ modelAliases: { old: 'claude-opus-4-5' } });
    await screen.findByRole('region', { name: 'Models' });
    fireEvent.click(section().getByRole('button', { name: 'Remove alias 1' }));
    fireEvent.click(section().getByRole('button', { name: 'Add alias' }));
    type('Alias 1: client model', 'claude-opus-4-5-20251101');
    type('Alias 1: served model', 'claude-opus-4-5');
    fireEvent.click(section().getByRole('button', { name: 'Add fallback chain' }));
    type('Fallback 1: model', 'claude-opus-4-5');
    type('Fallback 1: then', 'claude-sonnet-4-5 ,gemini-2.5-pro');
    fireEvent.click(saveModels());
    await screen.findByText('Saved');
    expect(updates).toEqual([
      { modelAliases: { 'claude-opus-4-5-20251101': 'claude-opus-4-5', old: '' }, modelFallbacks: { 'claude-opus-4-5': ['claude-sonnet-4-5', 'gemini-2.5-pro'] } },
    ]);
    expect(useSettingsStore.getState().settings?.modelAliases).toEqual({ 'claude-opus-4-5-20251101': 'claude-opus-4-5' });
    expect(saveModels().disabled).toBe(true);
  });

  it('refuses a cycle as it is typed, naming it, and points out models nobody serves', async () => {
    const { updates } = setup({ modelFallbacks: { 'claude-opus-4-5': ['claude-sonnet-4-5'] } });
    await screen.findByRole('region', { name: 'Models' });
    fireEvent.click(section().getByRole('button', { name: 'Add fallback chain' }));
    type('Fallback 2: model', 'claude-sonnet-4-5');
    type('Fallback 2: then', 'claude-opus-4-5');
    expect(section().getByRole('alert').textContent).toContain('cycle: claude-opus-4-5 → claude-sonnet-4-5 → claude-opus-4-5');
    expect(saveModels().disabled).toBe(true);

    type('Fallback 2: then', 'gpt-nobody');
    expect(section().queryByRole('alert')).toBeNull();
    await section().findByText(/Not served by any account now: gpt-nobody/);
    expect(saveModels().disabled).toBe(false);
    // A half-filled alias is a problem too.
    fireEvent.click(section().getByRole('button', { name: 'Add alias' }));
    type('Alias 1: client model', 'x');
    expect(section().getByRole('alert').textContent).toContain('needs both names');
    expect(saveModels().disabled).toBe(true);
    expect(updates).toEqual([]);
  });

  it('edits the sticky sessions and their expiry', async () => {
    const { updates } = setup();
    await screen.findByRole('region', { name: 'Models' });
    const sticky = section().getByLabelText('Keep a conversation on its account') as HTMLInputElement;
    expect(sticky.checked).toBe(true);
    expect((section().getByLabelText('Idle session expiry (seconds)') as HTMLInputElement).value).toBe('3600');
    fireEvent.click(sticky);
    type('Idle session expiry (seconds)', '5');
    expect(section().getByRole('alert').textContent).toContain('Idle session expiry');
    type('Idle session expiry (seconds)', '900');
    fireEvent.click(saveModels());
    await screen.findByText('Saved');
    expect(updates).toEqual([{ stickySessions: false, stickySessionTtlSec: 900 }]);
  });
});
