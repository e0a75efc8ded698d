// "Sign in again" for an account whose refresh token is dead (invalid_grant): a button that opens
// a small dialog running the browser sign-in for that account's provider. Signing in as the same
// person updates that account (new tokens, active again); the service never makes a duplicate.
import { useState } from 'react';
import type { AccountView } from '../../../../shared/types';
import { Dialog } from '../dialog';
import { isSignInProvider, SignInPanel } from './sign-in-panel';

/** True when the account's sign-in is dead and a browser sign-in can bring it back. */
export function needsSignIn(account: Pick<AccountView, 'provider' | 'status' | 'sync'>): boolean {
  return isSignInProvider(account.provider) && (account.status === 'invalid_credentials' || account.sync.lastErrorCode === 'invalid_grant');
}

export function SignInAgainButton({ account, className = 'btn btn-small' }: { account: AccountView; className?: string }) {
  const [open, setOpen] = useState(false);
  if (!needsSignIn(account) || !isSignInProvider(account.provider)) return null;
  const provider = account.provider;
  return (
    <>
      <button type="button" className={className} onClick={() => setOpen(true)} title={`Sign in to ${account.email ?? account.label} again`}>
        Sign in again
      </button>
      {open && (
        <Dialog title={`Sign in again: ${account.label}`} onClose={() => setOpen(false)} className="dialog-form">
          <p className="muted small">
            Sign in as {account.email ?? 'the same account'} in your browser; QuotaDeck replaces this account&apos;s tokens and resumes syncing it.
          </p>
          <SignInPanel providers={[provider]} label="Sign in again" />
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => setOpen(false)}>
              Close
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
