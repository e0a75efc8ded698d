// Edits what the user owns about an account: its label, its tier (priority among accounts) and
// its reserve (the share kept back: below it the selector stops choosing the account).
import { useId, useState } from 'react';
import { TIERS, type AccountView, type Tier } from '../../../../shared/types';
import { useAccountsStore } from '../../stores/accounts-store';
import { useClient } from '../client-context';
import { Dialog } from '../dialog';

export function EditAccountDialog({ account, onClose, onSaved }: { account: AccountView; onClose(): void; onSaved(a: AccountView): void }) {
  const client = useClient();
  const uid = useId();
  const [label, setLabel] = useState(account.label);
  const [tier, setTier] = useState<Tier>(account.tier);
  const [reserve, setReserve] = useState(account.reserve === null ? '' : String(Math.round(account.reserve * 1000) / 10));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const reserveValue = reserve.trim() === '' ? null : Number(reserve);
  const reserveBad = reserveValue !== null && (!Number.isFinite(reserveValue) || reserveValue < 0 || reserveValue > 100);
  const labelBad = label.trim().length > 200;

  const save = async () => {
    if (reserveBad || labelBad) return;
    setBusy(true);
    setError(null);
    try {
      const next = await client.invoke('accounts:update', {
        id: account.id,
        label: label.trim(),
        tier,
        reserve: reserveValue === null ? null : reserveValue / 100,
      });
      useAccountsStore.getState().applyAccount(next);
      onSaved(next);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  const id = (n: string) => `${uid}-${n}`;
  return (
    <Dialog title="Edit account" onClose={busy ? () => {} : onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="form-grid">
          <label htmlFor={id('label')}>Label</label>
          <input id={id('label')} value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} placeholder={account.email ?? ''} />
          {labelBad && <p className="form-hint field-error">At most 200 characters.</p>}
          <label htmlFor={id('tier')}>Tier</label>
          <select id={id('tier')} value={tier} onChange={(e) => setTier(e.target.value as Tier)}>
            {TIERS.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <p className="form-hint muted small">Higher tiers are chosen first{account.tierLabel ? ` (the provider calls this plan “${account.tierLabel}”)` : ''}.</p>
          <label htmlFor={id('reserve')}>Reserve</label>
          <div className="input-with-unit">
            <input id={id('reserve')} inputMode="decimal" value={reserve} onChange={(e) => setReserve(e.target.value)} placeholder="none" aria-invalid={reserveBad} />
            <span className="muted">% kept back</span>
          </div>
          <p className={`form-hint small ${reserveBad ? 'field-error' : 'muted'}`}>
            {reserveBad ? 'A percentage from 0 to 100, or empty for none.' : 'Below this share remaining, the account is not chosen. Empty: no reserve.'}
          </p>
        </div>
        {error && (
          <p className="form-error" role="alert">
            Not saved: {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || reserveBad || labelBad}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
