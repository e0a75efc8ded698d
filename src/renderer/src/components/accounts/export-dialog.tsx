// Export: writes every account to a JSON file on the machine QuotaDeck runs on
// (`accounts:export`). Without secrets by default; with them, a plain warning first and the
// service's own warning after. The service refuses paths in its data folder and existing files
// unless "replace" is ticked: its message is shown as it is.
import { useId, useState, type FormEvent } from 'react';
import type { ExportReport } from '../../../../shared/types';
import { useClient } from '../client-context';
import { Dialog } from '../dialog';

export function ExportDialog({ onClose, web }: { onClose(): void; web: boolean }) {
  const client = useClient();
  const uid = useId();
  const [path, setPath] = useState('');
  const [secrets, setSecrets] = useState(false);
  const [overwrite, setOverwrite] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<ExportReport | null>(null);
  const id = (n: string) => `${uid}-${n}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setDone(await client.invoke('accounts:export', { path: path.trim(), includeSecrets: secrets, overwrite }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <Dialog title="Export accounts" onClose={onClose} className="dialog-form">
        <p role="status">
          Wrote {done.accounts} {done.accounts === 1 ? 'account' : 'accounts'} to <code className="wrap-anywhere">{done.path}</code>
          {done.includesSecrets ? ', with their secrets.' : ', without secrets.'}
        </p>
        {done.warning && (
          <p className="warning-box" role="alert">
            {done.warning}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn btn-primary" onClick={onClose} autoFocus>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Export accounts" onClose={busy ? () => {} : onClose} className="dialog-form">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p className="muted small" id={id('help')}>
          Writes QuotaDeck&apos;s import format to a file{web ? ' on the machine where the QuotaDeck service runs (not this browser’s computer)' : ''}. Use a full path
          outside QuotaDeck&apos;s data folder, for example <code>/home/you/quotadeck-accounts.json</code>.
        </p>
        <label htmlFor={id('path')} className="field-label">
          File path
        </label>
        <input id={id('path')} type="text" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} autoComplete="off" aria-describedby={id('help')} required className="wide-input" />
        <label className="check export-check">
          <input type="checkbox" checked={secrets} onChange={(e) => setSecrets(e.target.checked)} />
          Include secrets (refresh tokens and API keys)
        </label>
        {secrets && (
          <p className="warning-box" role="note">
            The file will hold live credentials in plain text: anyone who reads it can use these accounts. Keep it private and delete it after use.
          </p>
        )}
        <label className="check export-check">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} />
          Replace the file if it exists
        </label>
        {error && (
          <p className="form-error" role="alert">
            Not exported: {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || path.trim() === ''}>
            {busy ? 'Exporting…' : 'Export'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
