// Confirms removing an account, naming it; Cancel has focus first, so Enter or Escape right
// away keeps the account.
import { useId, useRef, useState } from 'react';
import type { AccountView } from '../../../../shared/types';
import { useAccountsStore } from '../../stores/accounts-store';
import { useClient } from '../client-context';
import { Dialog } from '../dialog';

export function RemoveAccountDialog({
  account,
  onClose,
  onRemoved,
  returnFocus,
}: {
  account: AccountView;
  onClose(): void;
  onRemoved(account: AccountView): void;
  returnFocus?: () => HTMLElement | null;
}) {
  const client = useClient();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const descId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await client.invoke('accounts:remove', { id: account.id });
      // accounts:changed follows; drop the row now rather than after the refetch.
      useAccountsStore.getState().dropAccount(account.id);
      onRemoved(account);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  const who = account.email && account.email !== account.label ? `${account.label} (${account.email})` : account.label;
  return (
    <Dialog title="Remove account" role="alertdialog" describedBy={descId} onClose={busy ? () => {} : onClose} initialFocus={cancelRef} returnFocus={returnFocus}>
      <p id={descId}>
        Remove <strong>{who}</strong> ({account.provider})? QuotaDeck stops using it and deletes its stored credentials and quota history.
        Requests already in the usage log stay there.
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" ref={cancelRef} onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="btn btn-danger-solid" onClick={() => void remove()} disabled={busy}>
          {busy ? 'Removing…' : 'Remove account'}
        </button>
      </div>
    </Dialog>
  );
}
