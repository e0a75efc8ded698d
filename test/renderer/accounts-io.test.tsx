// "Found on this machine" (discover → pick → import), the export dialog (secrets warning, the
// service's refusal shown as it is), and per-account limits on the account page.
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { ContractError, type RequestOf } from '../../src/shared/contract';
import type { DiscoveredCredential, LimitsView } from '../../src/shared/types';
import { DiscoverDialog } from '../../src/renderer/src/components/accounts/discover-dialog';
import { ExportDialog } from '../../src/renderer/src/components/accounts/export-dialog';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { AccountPage } from '../../src/renderer/src/pages/account-page';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { useQuotaStore } from '../../src/renderer/src/stores/quota-store';
import { fakeClient, settle, type FakeClient } from './fake-client';
import { account } from './fixtures';

function found(over: Partial<DiscoveredCredential> & { id: string }): DiscoveredCredential {
  return { provider: 'claude', path: `/home/me/.claude/${over.id}.json`, email: `${over.id}@example.com`, label: over.id, secretHint: 'sk-…abcd', expiresAt: null, alreadyImported: false, error: null, ...over };
}

const withClient = (c: FakeClient, node: React.ReactNode) => render(<ClientContext.Provider value={c}>{node}</ClientContext.Provider>);

describe('Found on this machine', () => {
  it('lists what was found, picks the new usable ones, imports the picked ones', async () => {
    const asked: Array<RequestOf<'accounts:importDiscovered'>> = [];
    const c = fakeClient({
      'accounts:discover': () => [found({ id: 'claude-code' }), found({ id: 'codex-cli', provider: 'codex', alreadyImported: true }), found({ id: 'gemini-cli', provider: 'gemini-cli', error: 'file is not JSON' })],
      'accounts:importDiscovered': (req) => {
        asked.push(req!);
        return { created: 1, updated: 1, unchanged: 0, accounts: [] };
      },
    });
    withClient(c, <DiscoverDialog onClose={() => {}} />);
    const list = await screen.findByRole('list', { name: 'Credentials found' });
    const boxes = within(list).getAllByRole('checkbox') as HTMLInputElement[];
    expect(boxes.map((b) => b.checked)).toEqual([true, false, false]);
    expect(boxes[2]!.disabled).toBe(true);
    expect(within(list).getByText(/Cannot be used: file is not JSON/)).toBeTruthy();
    expect(within(list).getByText(/Already in QuotaDeck/)).toBeTruthy();
    fireEvent.click(boxes[1]!);
    fireEvent.click(screen.getByRole('button', { name: 'Import 2' }));
    expect((await screen.findByRole('status')).textContent).toContain('1 new, 1 updated, 0 unchanged');
    expect(asked).toEqual([{ ids: ['claude-code', 'codex-cli'] }]);
  });

  it('says when nothing is found, and when importing fails', async () => {
    const c = fakeClient({ 'accounts:discover': () => [] });
    withClient(c, <DiscoverDialog onClose={() => {}} />);
    expect(await screen.findByText(/Nothing found/)).toBeTruthy();
  });

  it('keeps the list and shows the reason when the import is refused', async () => {
    const c = fakeClient({
      'accounts:discover': () => [found({ id: 'claude-code' })],
      'accounts:importDiscovered': () => {
        throw new ContractError({ code: 'bad_request', message: 'Credentials of "claude-code" cannot be read' });
      },
    });
    withClient(c, <DiscoverDialog onClose={() => {}} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Import 1' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Not imported: Credentials of "claude-code" cannot be read');
    expect(screen.getByRole('list', { name: 'Credentials found' })).toBeTruthy();
  });
});

describe('Export', () => {
  it('warns before including secrets, shows the service refusal as it is, then exports with replace', async () => {
    const asked: Array<RequestOf<'accounts:export'>> = [];
    const c = fakeClient({
      'accounts:export': (req) => {
        asked.push(req!);
        if (!req!.overwrite) throw new ContractError({ code: 'bad_request', message: 'A file already exists at /tmp/a.json. Choose another name, or confirm replacing it (overwrite: true).' });
        return { path: req!.path, accounts: 3, includesSecrets: req!.includeSecrets === true, warning: req!.includeSecrets ? 'This file holds live credentials in plain text.' : null };
      },
    });
    withClient(c, <ExportDialog onClose={() => {}} web />);
    expect(screen.getByText(/on the machine where the QuotaDeck service runs/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('File path'), { target: { value: '/tmp/a.json' } });
    expect(screen.queryByRole('note')).toBeNull();
    fireEvent.click(screen.getByLabelText(/Include secrets/));
    expect(screen.getByRole('note').textContent).toContain('live credentials in plain text');
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Not exported: A file already exists at /tmp/a.json. Choose another name, or confirm replacing it (overwrite: true).');
    fireEvent.click(screen.getByLabelText('Replace the file if it exists'));
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    expect((await screen.findByRole('status')).textContent).toContain('Wrote 3 accounts to /tmp/a.json, with their secrets.');
    expect(screen.getByRole('alert').textContent).toContain('live credentials');
    expect(asked).toEqual([
      { path: '/tmp/a.json', includeSecrets: true, overwrite: false },
      { path: '/tmp/a.json', includeSecrets: true, overwrite: true },
    ]);
  });
});

describe('per-account limits on the account page', () => {
  beforeEach(() => {
    useAccountsStore.getState().setAccounts([account({ id: 'a1', label: 'work' })]);
    useQuotaStore.getState().loadAll([], 0);
  });
  it('reads and saves this account’s limits (scope = its id)', async () => {
    const sets: Array<RequestOf<'limits:set'>> = [];
    let view: LimitsView = { scope: 'a1', label: 'work', requestsPerHour: null, requestsPerDay: null, inputTokensPerMonth: null, outputTokensPerMonth: null, costPerMonth: null, usage: [] };
    const c = fakeClient({
      'quota:history': () => [],
      'usage:daily': () => [],
      'usage:log': () => ({ rows: [], nextCursor: null, hasMore: false }),
      'settings:get': () => ({ lowThreshold: 0.1, limitsDryRun: false }) as never,
      'limits:get': (req) => {
        expect(req).toEqual({ scope: 'a1' });
        return [view];
      },
      'limits:set': (req) => {
        sets.push(req!);
        view = { ...view, requestsPerDay: req!.requestsPerDay ?? null };
        return view;
      },
    });
    withClient(c, <AccountPage id="a1" />);
    const form = await screen.findByRole('form', { name: 'Limits of work' });
    fireEvent.change(within(form).getByLabelText('Requests per day'), { target: { value: '500' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save limits' }));
    expect(await within(form).findByText('Limits saved')).toBeTruthy();
    expect(sets).toEqual([{ scope: 'a1', requestsPerDay: 500 }]);
    expect((within(form).getByLabelText('Requests per day') as HTMLInputElement).value).toBe('500');
    await act(settle);
  });
});
