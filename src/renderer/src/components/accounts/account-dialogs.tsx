// The dialogs an account's actions open (edit, remove, sign in again), hosted once per page so
// the row menu and the account page open the same ones. Provides RowActionsContext.
import { useMemo, useState, type ReactNode } from 'react';
import type { AccountView } from '../../../../shared/types';
import { useAccountsStore } from '../../stores/accounts-store';
import { Dialog } from '../dialog';
import { useActionNotes } from './account-actions';
import { RowActionsContext, type RowActions } from './account-row';
import { EditAccountDialog } from './edit-account-dialog';
import { PROVIDER_SHORT } from './provider-fields';
import { RemoveAccountDialog } from './remove-account-dialog';
import { isSignInProvider, SignInPanel } from '../sign-in/sign-in-panel';

type Open = null | { kind: 'edit' | 'remove' | 'signIn'; id: string };

const SIGN_IN_HOW: Partial<Record<AccountView['provider'], string>> = {
  claude: 'Run `claude` and log in again (Claude Code), then import its credentials.',
  codex: 'Run `codex login` again (Codex CLI), then import its credentials.',
  antigravity: 'Sign in again in Antigravity, then import a fresh refresh token.',
  'gemini-cli': 'Run `gemini` and sign in again (Gemini CLI), then import its credentials.',
};

export function AccountDialogs({ children, onRemoved, returnFocus }: { children: ReactNode; onRemoved?(a: AccountView): void; returnFocus?: () => HTMLElement | null }) {
  const [open, setOpen] = useState<Open>(null);
  const account = useAccountsStore((s) => (open ? s.accountsById[open.id] : undefined));
  const actions = useMemo<RowActions>(() => ({ ask: (kind, id) => setOpen({ kind, id }) }), []);
  const close = () => setOpen(null);
  return (
    <RowActionsContext.Provider value={actions}>
      {children}
      {account && open?.kind === 'edit' && (
        <EditAccountDialog
          account={account}
          onClose={close}
          onSaved={(a) => {
            close();
            useActionNotes.getState().set(a.id, { tone: 'ok', text: 'Saved.' });
          }}
        />
      )}
      {account && open?.kind === 'remove' && (
        <RemoveAccountDialog
          account={account}
          onClose={close}
          returnFocus={returnFocus}
          onRemoved={(a) => {
            close();
            onRemoved?.(a);
          }}
        />
      )}
      {account && open?.kind === 'signIn' && isSignInProvider(account.provider) && (
        <Dialog title={`Sign in again: ${account.label}`} onClose={close} className="dialog-form">
          <p className="muted small">
            Sign in as {account.email ?? 'the same account'} in your browser; QuotaDeck replaces this account&apos;s tokens and resumes syncing it.
          </p>
          <SignInPanel providers={[account.provider]} label="Sign in again" />
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={close}>
              Close
            </button>
          </div>
        </Dialog>
      )}
      {account && open?.kind === 'signIn' && !isSignInProvider(account.provider) && (
        <Dialog title={`Sign in again: ${account.label}`} onClose={close}>
          <p>
            {PROVIDER_SHORT[account.provider]} refused this account&apos;s stored sign-in{account.statusReason ? `: ${account.statusReason}` : '.'}
          </p>
          <p>{SIGN_IN_HOW[account.provider] ?? 'Import a fresh credential for it.'} Importing the same account updates it in place; then choose Reactivate.</p>
          <div className="dialog-actions">
            <button type="button" className="btn btn-primary" onClick={close}>
              OK
            </button>
          </div>
        </Dialog>
      )}
    </RowActionsContext.Provider>
  );
}
