import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ContractError, type RequestOf } from '../../src/shared/contract';
import type { AccountView, ImportReport } from '../../src/shared/types';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { renderAccountsPage, seed } from './accounts-fixtures';
import { deferred, fakeClient } from './fake-client';
import { account } from './fixtures';

const dialog = () => screen.getByRole('dialog');

describe('Add account', () => {
  it('asks OAuth providers for a refresh token and sends only the fields filled in', async () => {
    seed([]);
    const sent: Array<RequestOf<'accounts:add'> | undefined> = [];
    const client = fakeClient({
      'accounts:add': (req) => {
        sent.push(req);
        return account({ id: 'new', label: 'work', provider: 'antigravity' });
      },
    });
    renderAccountsPage(client);
    fireEvent.click(screen.getByRole('button', { name: 'Add account' }));
    const d = dialog();
    expect(d.getAttribute('aria-labelledby')).toBeTruthy();
    expect(within(d).getByRole('heading', { name: 'Add account' })).toBeTruthy();
    expect(within(d).getByRole('button', { name: 'Sign in with Google (Antigravity)' })).toBe(document.activeElement); // focus moved into the dialog
    expect(within(d).getByLabelText('Refresh token')).toBeTruthy();
    expect(within(d).queryByLabelText('API key')).toBeNull();

    fireEvent.change(within(d).getByLabelText('Label'), { target: { value: ' work ' } });
    fireEvent.change(within(d).getByLabelText('Email'), { target: { value: 'me@example.com' } });
    fireEvent.change(within(d).getByLabelText('Refresh token'), { target: { value: '1//0g-secret' } });
    fireEvent.click(within(d).getByRole('button', { name: 'Add account' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(sent).toEqual([{ provider: 'antigravity', label: 'work', email: 'me@example.com', refreshToken: '1//0g-secret' }]);
    expect(screen.getByText('Added work (antigravity).')).toBeTruthy();
  });

  it('asks API-key providers for a key, with base URL and models', async () => {
    seed([]);
    const sent: Array<RequestOf<'accounts:add'> | undefined> = [];
    const client = fakeClient({
      'accounts:add': (req) => {
        sent.push(req);
        return account({ id: 'k', label: 'relay', provider: 'openai' });
      },
    });
    renderAccountsPage(client);
    fireEvent.click(screen.getByRole('button', { name: 'Add account' }));
    const d = dialog();
    fireEvent.change(within(d).getByLabelText('Provider'), { target: { value: 'openai' } });
    expect(within(d).queryByLabelText('Refresh token')).toBeNull();
    fireEvent.change(within(d).getByLabelText('API key'), { target: { value: 'sk-test' } });
    fireEvent.change(within(d).getByLabelText('Base URL'), { target: { value: 'https://relay.example.com/v1' } });
    fireEvent.change(within(d).getByLabelText('Models'), { target: { value: 'gpt-5, gpt-5-mini\no3*' } });
    fireEvent.click(within(d).getByRole('button', { name: 'Add account' }));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({ provider: 'openai', apiKey: 'sk-test', baseUrl: 'https://relay.example.com/v1', models: ['gpt-5', 'gpt-5-mini', 'o3*'] });
  });

  it("shows the service's error and stays open", async () => {
    seed([]);
    const client = fakeClient({
      'accounts:add': () => {
        throw new ContractError({ code: 'bad_request', message: 'Invalid request: email: Invalid email address' });
      },
    });
    renderAccountsPage(client);
    fireEvent.click(screen.getByRole('button', { name: 'Add account' }));
    fireEvent.change(within(dialog()).getByLabelText('Refresh token'), { target: { value: 'x' } });
    fireEvent.click(within(dialog()).getByRole('button', { name: 'Add account' }));
    expect((await within(dialog()).findByRole('alert')).textContent).toBe('Invalid request: email: Invalid email address');
    expect(client.calls).toEqual(['accounts:add']);
  });
});

describe('Import', () => {
  const doc = {
    accounts: [
      { email: 'a@example.com', refresh_token: '1//a' },
      { email: 'b@example.com', refresh_token: '1//b' },
      { email: 'c@example.com' },
      { provider: 'openai', label: 'relay' },
    ],
  };

  it('lists each problem by entry and field and says nothing was changed', async () => {
    seed([account({ id: 'x' })]);
    let got: unknown;
    const client = fakeClient({
      'accounts:import': (req) => {
        got = req;
        throw new ContractError({
          code: 'import_invalid',
          message: 'Import rejected, nothing was changed. entry 2 (c@example.com), refreshToken: required for antigravity accounts; …',
          details: {
            issues: [
              { entry: 2, index: 2, label: 'c@example.com', field: 'refreshToken', message: 'required for antigravity accounts' },
              { entry: 3, index: 3, label: null, field: 'apiKey', message: 'required for openai accounts' },
              { entry: 1, index: 1, label: 'b@example.com', field: 'email', message: 'duplicate of entry 0' },
            ],
          },
        });
      },
    });
    renderAccountsPage(client);
    fireEvent.click(screen.getByRole('button', { name: 'Import…' }));
    const text = within(dialog()).getByLabelText('Paste JSON');
    expect(document.activeElement).toBe(text);
    fireEvent.change(text, { target: { value: JSON.stringify(doc) } });
    fireEvent.click(within(dialog()).getByRole('button', { name: 'Import' }));

    const alert = await within(dialog()).findByRole('alert');
    expect(got).toEqual(doc);
    expect(alert.textContent).toContain('nothing was changed');
    expect(within(alert).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Entry 2 (c@example.com): refreshToken: required for antigravity accounts',
      'Entry 3 (relay): apiKey: required for openai accounts',
      'Entry 1 (b@example.com): email: duplicate of entry 0',
    ]);
  });

  it('names a problem with the document itself', async () => {
    seed([]);
    const client = fakeClient({
      'accounts:import': () => {
        throw new ContractError({ code: 'import_invalid', message: 'Import rejected', details: { issues: [{ entry: null, field: '(document)', message: 'expected {"accounts": [...]} or an array of accounts' }] } });
      },
    });
    renderAccountsPage(client);
    fireEvent.click(screen.getByRole('button', { name: 'Import…' }));
    fireEvent.change(within(dialog()).getByLabelText('Paste JSON'), { target: { value: '{"users": []}' } });
    fireEvent.click(within(dialog()).getByRole('button', { name: 'Import' }));
    const alert = await within(dialog()).findByRole('alert');
    expect(within(alert).getByRole('listitem').textContent).toBe('Document: expected {"accounts": [...]} or an array of accounts');
  });

  it('refuses text that is not JSON without calling the service', () => {
    seed([]);
    const client = fakeClient({});
    renderAccountsPage(client);
    fireEvent.click(screen.getByRole('button', { name: 'Import…' }));
    fireEvent.change(within(dialog()).getByLabelText('Paste JSON'), { target: { value: '{"accounts": [' } });
    fireEvent.click(within(dialog()).getByRole('button', { name: 'Import' }));
    expect(within(dialog()).getByRole('alert').textContent).toMatch(/not valid JSON.*Nothing was changed/);
    expect(client.calls).toEqual([]);
  });

  it('reads a chosen file and reports created, updated and unchanged', async () => {
    seed([]);
    const report: ImportReport = { created: 2, updated: 1, unchanged: 1, accounts: [] };
    let got: unknown;
    const client = fakeClient({
      'accounts:import': (req) => {
        got = req;
        return report;
      },
    });
    renderAccountsPage(client);
    fireEvent.click(screen.getByRole('button', { name: 'Import…' }));
    const file = new File([JSON.stringify(doc)], 'accounts.json', { type: 'application/json' });
    fireEvent.change(within(dialog()).getByLabelText('Or choose a file'), { target: { files: [file] } });
    await within(dialog()).findByText('Loaded accounts.json');
    fireEvent.click(within(dialog()).getByRole('button', { name: 'Import' }));
    const done = await within(dialog()).findByRole('status');
    expect(got).toEqual(doc);
    expect(done.textContent).toBe('Imported 4 accounts: 2 created, 1 updated, 1 unchanged.');
    fireEvent.click(within(dialog()).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

/** Opens the row menu of `label` and chooses Remove…; returns the menu button. */
function openRemove(label: string): HTMLElement {
  const menu = screen.getByRole('button', { name: `Actions for ${label}` });
  menu.focus();
  fireEvent.click(menu);
  fireEvent.click(within(screen.getByRole('menu', { name: `Actions for ${label}` })).getByRole('menuitem', { name: 'Remove…' }));
  return menu;
}

describe('Remove', () => {
  const two = () => [account({ id: 'a1', label: 'work', email: 'me@example.com' }), account({ id: 'a2', label: 'spare' })];

  it('asks first, naming the account; Cancel and Escape keep it', () => {
    seed(two());
    const client = fakeClient({ 'accounts:remove': () => ({ removed: true }) });
    renderAccountsPage(client);
    openRemove('work');
    const d = screen.getByRole('alertdialog');
    expect(d.textContent).toContain('work (me@example.com)');
    expect(document.activeElement).toBe(within(d).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(d).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();

    openRemove('work');
    fireEvent.keyDown(screen.getByRole('alertdialog'), { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(client.calls).toEqual([]);
    expect(useAccountsStore.getState().order).toEqual(['a1', 'a2']);
  });

  it('removes on confirmation, drops the row and puts focus back in the list', async () => {
    seed(two());
    const sent: unknown[] = [];
    const client = fakeClient({
      'accounts:remove': (req) => {
        sent.push(req);
        return { removed: true };
      },
    });
    renderAccountsPage(client);
    openRemove('work');
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove account' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(sent).toEqual([{ id: 'a1' }]);
    expect(screen.queryByRole('link', { name: 'work' })).toBeNull();
    expect(screen.getByRole('link', { name: 'spare' })).toBeTruthy();
    expect(screen.getByText('Removed work.')).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('region', { name: 'Accounts (scrollable list)' })));
  });

  it('keeps the dialog open with the error when removal fails', async () => {
    seed(two());
    const client = fakeClient({
      'accounts:remove': () => {
        throw new ContractError({ code: 'not_found', message: 'account a1 not found' });
      },
    });
    renderAccountsPage(client);
    openRemove('work');
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove account' }));
    expect((await within(screen.getByRole('alertdialog')).findByRole('alert')).textContent).toBe('account a1 not found');
  });
});

describe('Enable / disable', () => {
  it('calls accounts:setEnabled and shows the answer at once', async () => {
    seed([account({ id: 'a1', label: 'work' })]);
    const answer = deferred<AccountView>();
    const sent: unknown[] = [];
    const client = fakeClient({
      'accounts:setEnabled': (req) => {
        sent.push(req);
        return answer.promise;
      },
    });
    renderAccountsPage(client);
    const toggle = screen.getByRole('switch', { name: 'work enabled' });
    expect(toggle.getAttribute('aria-checked')).toBe('true');
    fireEvent.click(toggle);
    expect(sent).toEqual([{ id: 'a1', enabled: false }]);
    expect((toggle as HTMLButtonElement).disabled).toBe(true); // no second click while in flight
    await act(async () => answer.resolve(account({ id: 'a1', label: 'work', status: 'disabled' })));
    const after = screen.getByRole('switch', { name: 'work enabled' });
    expect(after.getAttribute('aria-checked')).toBe('false');
    expect((after as HTMLButtonElement).disabled).toBe(false);
    expect(screen.getByText('disabled', { selector: '.status' })).toBeTruthy();

    fireEvent.click(after);
    expect(sent).toEqual([
      { id: 'a1', enabled: false },
      { id: 'a1', enabled: true },
    ]);
  });

  it('shows a failure on the row', async () => {
    seed([account({ id: 'a1', label: 'work' })]);
    const client = fakeClient({
      'accounts:setEnabled': () => {
        throw new ContractError({ code: 'internal', message: 'Internal error (see the QuotaDeck log)' });
      },
    });
    renderAccountsPage(client);
    fireEvent.click(screen.getByRole('switch', { name: 'work enabled' }));
    const row = screen.getByRole('link', { name: 'work' }).closest('tr')!;
    const alert = await within(row).findByRole('alert');
    expect(alert.querySelector('.action-note-text')!.textContent).toBe('Could not disable: Internal error (see the QuotaDeck log)');
    expect(screen.getByRole('switch', { name: 'work enabled' }).getAttribute('aria-checked')).toBe('true');
  });
});
