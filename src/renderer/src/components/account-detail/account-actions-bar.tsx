// The account page's actions, the same as the row menu's: sync now (or probe an API key), clear
// locks, reactivate (with what went wrong and what to do), sign in again, edit, switch on/off,
// remove. The outcome of each shows under the buttons.
import { Linkified } from '../linkified';
import { useContext } from 'react';
import type { AccountView, QuotaView } from '../../../../shared/types';
import { useClient } from '../client-context';
import { actionsFor, clearLocks, hintFor, probeAccount, reactivateAccount, setAccountEnabled, syncAccount, useActionNotes } from '../accounts/account-actions';
import { RowActionsContext } from '../accounts/account-row';
import { ActionNoteLine } from '../accounts/action-note';
import { SignInAgainButton } from '../sign-in/sign-in-again';

export function AccountActionsBar({ account, quotas }: { account: AccountView; quotas: readonly QuotaView[] }) {
  const client = useClient();
  const { ask } = useContext(RowActionsContext);
  const busy = useActionNotes((s) => s.notes[account.id]?.tone === 'busy');
  const actions = actionsFor(account, quotas);
  const troubled = account.status === 'suspended' || account.status === 'invalid_credentials';
  const locks = quotas.filter((q) => q.lock).length;
  return (
    <div className="account-actions" role="group" aria-label="Account actions">
      {troubled && (
        <div className="trouble-box" role="note">
          <strong>{account.status === 'suspended' ? 'Suspended' : 'Sign-in refused'}:</strong>{' '}
          <span className="trouble-reason">
            <Linkified text={account.statusReason ?? account.sync.lastErrorMessage ?? 'the provider refused this account.'} />
          </span>
          <div className="trouble-hint">{hintFor(account)}</div>
        </div>
      )}
      <div className="account-actions-buttons">
        {actions.includes('sync') && (
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void syncAccount(client, account)}>
            Sync now
          </button>
        )}
        {actions.includes('probe') && (
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void probeAccount(client, account)}>
            Probe key
          </button>
        )}
        {actions.includes('clearLocks') && (
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void clearLocks(client, account, quotas)}>
            Clear {locks === 1 ? 'lock' : `${locks} locks`}
          </button>
        )}
        {actions.includes('reactivate') && (
          <button type="button" className="btn btn-small btn-primary" disabled={busy} onClick={() => void reactivateAccount(client, account)}>
            Reactivate
          </button>
        )}
        <SignInAgainButton account={account} />
        <button type="button" className="btn btn-small" onClick={() => ask('edit', account.id)}>
          Edit…
        </button>
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void setAccountEnabled(client, account, account.status === 'disabled')}>
          {account.status === 'disabled' ? 'Switch on' : 'Switch off'}
        </button>
        <button type="button" className="btn btn-small btn-danger" onClick={() => ask('remove', account.id)}>
          Remove…
        </button>
      </div>
      <ActionNoteLine id={account.id} />
    </div>
  );
}
