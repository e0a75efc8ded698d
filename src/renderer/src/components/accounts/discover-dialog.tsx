// "Found on this machine": credentials other tools left in their files (Claude Code, Codex CLI,
// Gemini CLI…), listed masked by `accounts:discover`; the user picks which to import and
// `accounts:importDiscovered` imports them (same account → updated, never a duplicate).
import { useEffect, useState } from 'react';
import type { DiscoveredCredential, ImportReport } from '../../../../shared/types';
import { formatDateTime } from '../../format';
import { useClient } from '../client-context';
import { Dialog } from '../dialog';
import { PROVIDER_SHORT } from './provider-fields';

const MAX_PICK = 20;
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function DiscoverDialog({ onClose, onImported }: { onClose(): void; onImported?(r: ImportReport): void }) {
  const client = useClient();
  const [found, setFound] = useState<DiscoveredCredential[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<ImportReport | null>(null);

  useEffect(() => {
    let live = true;
    client.invoke('accounts:discover').then(
      (list) => {
        if (!live) return;
        setFound(list);
        // New, readable credentials are picked to start with.
        setPicked(new Set(list.filter((d) => !d.error && !d.alreadyImported).map((d) => d.id).slice(0, MAX_PICK)));
      },
      (err: unknown) => live && setLoadError(message(err)),
    );
    return () => {
      live = false;
    };
  }, [client]);

  const toggle = (id: string, on: boolean) =>
    setPicked((cur) => {
      const next = new Set(cur);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const importPicked = async () => {
    setBusy(true);
    setError(null);
    try {
      const report = await client.invoke('accounts:importDiscovered', { ids: [...picked] });
      setDone(report);
      onImported?.(report);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <Dialog title="Found on this machine" onClose={onClose} className="dialog-form">
        <p role="status">
          Imported: <strong>{done.created} new</strong>, <strong>{done.updated} updated</strong>, <strong>{done.unchanged} unchanged</strong>.
          {done.created + done.updated > 0 && ' They are synced with the next cycle (or Sync now).'}
        </p>
        <div className="dialog-actions">
          <button type="button" className="btn btn-primary" onClick={onClose} autoFocus>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Found on this machine" onClose={busy ? () => {} : onClose} className="dialog-form dialog-wide">
      <p className="muted small">
        Sign-ins that other tools (Claude Code, Codex CLI, Gemini CLI, Antigravity) saved on this computer. Secrets stay masked here; importing copies them into
        QuotaDeck&apos;s encrypted store. An account QuotaDeck already has is updated, not duplicated.
      </p>
      {loadError && (
        <p className="form-error" role="alert">
          Could not look for credentials: {loadError}
        </p>
      )}
      {!found && !loadError && (
        <p className="muted" aria-busy="true">
          Looking…
        </p>
      )}
      {found && found.length === 0 && <p className="empty">Nothing found: no other tool&apos;s sign-in is saved on this machine.</p>}
      {found && found.length > 0 && (
        <ul className="discover-list" aria-label="Credentials found">
          {found.map((d) => (
            <li key={d.id} className={d.error ? 'is-unusable' : undefined}>
              <label className="check discover-item">
                <input
                  type="checkbox"
                  checked={picked.has(d.id)}
                  disabled={d.error !== null || busy || (!picked.has(d.id) && picked.size >= MAX_PICK)}
                  onChange={(e) => toggle(d.id, e.target.checked)}
                />
                <span className="discover-text">
                  <strong>{d.label}</strong> <span className="provider-chip">{PROVIDER_SHORT[d.provider]}</span>
                  {d.email && <span className="muted"> {d.email}</span>}
                  <span className="muted small discover-path">
                    {d.path} · <code>{d.secretHint}</code>
                    {d.expiresAt && ` · access token until ${formatDateTime(d.expiresAt)}`}
                  </span>
                  {d.alreadyImported && <span className="small"> Already in QuotaDeck: importing refreshes its tokens.</span>}
                  {d.error && <span className="small bad-text"> Cannot be used: {d.error}</span>}
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="form-error" role="alert">
          Not imported: {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="btn btn-primary" disabled={busy || picked.size === 0} onClick={() => void importPicked()}>
          {busy ? 'Importing…' : picked.size === 0 ? 'Import' : `Import ${picked.size}`}
        </button>
      </div>
    </Dialog>
  );
}
