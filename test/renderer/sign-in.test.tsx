// The window's browser sign-in with a fake client: the buttons start a flow and open its page,
// the dialog follows the flow to its end by the accounts:signInFinished event, the paste box
// finishes a paste flow, failures are shown, and "Sign in again" appears only on accounts whose
// sign-in is dead.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RequestOf } from '../../src/shared/contract';
import type { SignInStart } from '../../src/shared/types';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { SignInPanel } from '../../src/renderer/src/components/sign-in/sign-in-panel';
import { SignInAgainButton, needsSignIn } from '../../src/renderer/src/components/sign-in/sign-in-again';
import { fakeClient, type FakeClient } from './fake-client';
import { account } from './fixtures';

const start = (over: Partial<SignInStart> = {}): SignInStart => ({
  flowId: 'f1',
  provider: 'claude',
  authorizeUrl: 'https://claude.example/authorize?state=s',
  redirectUri: 'http://localhost:54545/callback',
  mode: 'loopback',
  expiresAt: '2030-01-01T00:10:00Z',
  ...over,
});

function renderPanel(client: FakeClient, onDone = vi.fn()) {
  render(
    <ClientContext.Provider value={client}>
      <SignInPanel onDone={onDone} />
    </ClientContext.Provider>,
  );
  return onDone;
}

afterEach(() => vi.restoreAllMocks());

describe('SignInPanel', () => {
  it('starts a loopback flow, opens its page, and shows the outcome when the flow ends', async () => {
    const opened = vi.spyOn(window, 'open').mockReturnValue(null);
    const sent: Array<RequestOf<'accounts:signIn'> | undefined> = [];
    const client = fakeClient({ 'accounts:signIn': (req) => (sent.push(req), start()) });
    const onDone = renderPanel(client);
    for (const name of ['Sign in with Google (Antigravity)', 'Sign in with Google (Gemini CLI)', 'Sign in with Claude', 'Sign in with ChatGPT (Codex)']) {
      expect(screen.getByRole('button', { name })).toBeTruthy();
    }
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with Claude' }));
    await screen.findByText(/Finish signing in on the page that opened/);
    expect(sent).toEqual([{ provider: 'claude' }]);
    expect(opened).toHaveBeenCalledWith('https://claude.example/authorize?state=s', '_blank', 'noopener,noreferrer');
    expect(screen.getByTestId('sign-in-link').getAttribute('href')).toBe('https://claude.example/authorize?state=s');
    // Another flow's end changes nothing here.
    act(() => client.emit('accounts:signInFinished', { flowId: 'other', provider: 'claude', state: 'done', accountId: 'x', email: 'x@example.com' }));
    expect(screen.queryByTestId('sign-in-done')).toBeNull();
    act(() => client.emit('accounts:signInFinished', { flowId: 'f1', provider: 'claude', state: 'done', accountId: 'a1', email: 'ada@example.com' }));
    expect(screen.getByTestId('sign-in-done').textContent).toContain('Signed in as ada@example.com');
    expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ accountId: 'a1' }));
  });

  it('a paste flow takes the code shown and finishes with accounts:signInComplete', async () => {
    vi.spyOn(window, 'open').mockReturnValue(null);
    const completed: Array<RequestOf<'accounts:signInComplete'> | undefined> = [];
    const client = fakeClient({
      'accounts:signIn': () => start({ mode: 'paste', redirectUri: 'https://console.anthropic.com/oauth/code/callback' }),
      'accounts:signInComplete': (req) => (completed.push(req), { flowId: 'f1', provider: 'claude', state: 'done', accountId: 'a1', email: 'paste@example.com' }),
    });
    renderPanel(client);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with Claude' }));
    const box = await screen.findByLabelText('Code shown by Claude');
    fireEvent.change(box, { target: { value: ' abc#s ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Finish' }));
    await waitFor(() => expect(screen.getByTestId('sign-in-done').textContent).toContain('paste@example.com'));
    expect(completed).toEqual([{ flowId: 'f1', code: 'abc#s' }]);
  });

  it('shows why a flow failed or could not start, and offers to try again', async () => {
    vi.spyOn(window, 'open').mockReturnValue(null);
    let fail = true;
    const client = fakeClient({
      'accounts:signIn': () => {
        if (fail) throw new Error('Port 1455 on 127.0.0.1 is in use');
        return start({ provider: 'codex' });
      },
      'accounts:signInCancel': () => ({ flowId: 'f1', provider: 'codex', state: 'cancelled' }),
    });
    renderPanel(client);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with ChatGPT (Codex)' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Port 1455 on 127.0.0.1 is in use');
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with ChatGPT (Codex)' }));
    await screen.findByText(/Finish signing in/);
    act(() => client.emit('accounts:signInFinished', { flowId: 'f1', provider: 'codex', state: 'failed', error: { code: 'access_denied', message: 'Access was denied in the browser' } }));
    expect(screen.getByRole('alert').textContent).toBe('Access was denied in the browser');
  });
});

describe('Sign in again', () => {
  it('shows only for OAuth accounts whose refresh token is dead, and runs that provider\'s sign-in', async () => {
    vi.spyOn(window, 'open').mockReturnValue(null);
    const dead = account({ id: 'd', provider: 'antigravity', status: 'invalid_credentials', label: 'Work', email: 'w@example.com' });
    expect(needsSignIn(dead)).toBe(true);
    expect(needsSignIn(account({ id: 'a', provider: 'antigravity', status: 'active' }))).toBe(false);
    expect(needsSignIn(account({ id: 'k', provider: 'openai', status: 'invalid_credentials' }))).toBe(false);
    const sent: unknown[] = [];
    const client = fakeClient({ 'accounts:signIn': (req) => (sent.push(req), start({ provider: 'antigravity' })) });
    render(
      <ClientContext.Provider value={client}>
        <SignInAgainButton account={dead} />
        <SignInAgainButton account={account({ id: 'a', provider: 'claude', status: 'active' })} />
      </ClientContext.Provider>,
    );
    expect(screen.getAllByRole('button', { name: 'Sign in again' })).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in again' }));
    const dialog = screen.getByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in again' }));
    await within(dialog).findByText(/Finish signing in/);
    expect(sent).toEqual([{ provider: 'antigravity' }]);
  });
});
