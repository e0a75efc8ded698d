// Settings → "Use QuotaDeck from your tools": Claude Code, Codex CLI and Gemini CLI with their
// state, and Configure / Restore each. Both open a dialog with the exact change (clients:preview,
// secrets masked) and write only when the user applies it.
import { useCallback, useEffect, useId, useState } from 'react';
import type { ClientPreview, ClientRow } from '../../../../shared/client-setup';
import { useClient } from '../client-context';
import { Dialog } from '../dialog';
import './client-setup.css';

type Action = 'configure' | 'restore';
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function ClientSetupSection() {
  const client = useClient();
  const headingId = useId();
  const [rows, setRows] = useState<ClientRow[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [open, setOpen] = useState<{ row: ClientRow; action: Action } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(
    () =>
      client.invoke('clients:list').then(
        (list) => {
          setRows(list);
          setLoadError(null);
        },
        (e: unknown) => setLoadError(message(e)),
      ),
    [client],
  );
  useEffect(() => {
    void load();
    // The proxy's port or state may have changed what "configured" means.
    return client.on('settings:changed', () => void load());
  }, [client, load]);

  const applied = (row: ClientRow, action: Action) => {
    setRows((cur) => cur?.map((r) => (r.id === row.id ? row : r)) ?? cur);
    setOpen(null);
    setDone(
      action === 'configure'
        ? `${row.name} now uses QuotaDeck's proxy. Restart ${row.name} (or open a new session) to pick it up.`
        : `${row.name}'s own configuration is back, exactly as it was.`,
    );
  };

  return (
    <section className="panel settings-section client-setup" aria-labelledby={headingId} id="settings-section-clients">
      <h2 id={headingId}>Use QuotaDeck from your tools</h2>
      <p className="muted client-setup-intro">
        Point your AI coding tools at QuotaDeck's proxy with its key. QuotaDeck edits only the lines it needs in each tool's own config file,
        keeps a copy of the original first, and Restore puts that original back byte for byte.
      </p>
      {done && (
        <p className="banner banner-ok" role="status">
          {done}
        </p>
      )}
      {loadError && !rows && <p role="alert">Could not list the tools: {loadError}</p>}
      {!rows && !loadError && (
        <p className="muted" aria-busy="true">
          Looking for your tools…
        </p>
      )}
      {rows && (
        <ul className="client-list" aria-label="AI tools">
          {rows.map((row) => (
            <ClientItem key={row.id} row={row} onAction={(action) => (setDone(null), setOpen({ row, action }))} />
          ))}
        </ul>
      )}
      {open && <ChangeDialog row={open.row} action={open.action} onClose={() => setOpen(null)} onApplied={(r) => applied(r, open.action)} />}
    </section>
  );
}

function ClientItem({ row, onAction }: { row: ClientRow; onAction(action: Action): void }) {
  const state = row.configured ? 'Uses QuotaDeck' : row.detected ? 'Not configured' : 'Not found on this machine';
  return (
    <li className="client-item" data-client={row.id}>
      <div className="client-main">
        <strong className="client-name">{row.name}</strong>
        <span className={`badge ${row.configured ? 'badge-proceed' : 'badge-unknown'}`}>{state}</span>
        <div className="client-path small muted">
          {row.files.map((f) => (
            <code key={f}>{f}</code>
          ))}
        </div>
        {row.problem && <p className="client-problem small">{row.problem}</p>}
      </div>
      <div className="client-actions">
        <button type="button" className="btn btn-small" onClick={() => onAction('configure')} aria-label={`Configure ${row.name}…`}>
          {row.configured ? 'Check…' : 'Configure…'}
        </button>
        {row.restorable && (
          <button type="button" className="btn btn-small" onClick={() => onAction('restore')} aria-label={`Restore ${row.name}…`}>
            Restore…
          </button>
        )}
      </div>
    </li>
  );
}

function ChangeDialog({ row, action, onClose, onApplied }: { row: ClientRow; action: Action; onClose(): void; onApplied(row: ClientRow): void }) {
  const client = useClient();
  const descId = useId();
  const [preview, setPreview] = useState<ClientPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    client.invoke('clients:preview', { id: row.id, action }).then(
      (p) => live && setPreview(p),
      (e: unknown) => live && setError(message(e)),
    );
    return () => {
      live = false;
    };
  }, [client, row.id, action]);

  const apply = async () => {
    setBusy(true);
    setError(null);
    try {
      onApplied(await client.invoke(action === 'configure' ? 'clients:configure' : 'clients:restore', { id: row.id }));
    } catch (e) {
      setError(message(e));
      setBusy(false);
    }
  };

  const verb = action === 'configure' ? 'Configure' : 'Restore';
  return (
    <Dialog title={`${verb} ${row.name}`} onClose={onClose} describedBy={descId} className="dialog-wide client-dialog">
      <p id={descId}>
        {action === 'configure'
          ? `This is the exact change to ${row.name}'s configuration, so it sends its requests to QuotaDeck's proxy${preview?.proxyUrl ? ` at ${preview.proxyUrl}` : ''} with the proxy key. Every other setting stays as it is.`
          : `This puts back what ${row.name}'s configuration held before QuotaDeck first changed it.`}
      </p>
      {!preview && !error && (
        <p className="muted" aria-busy="true">
          Reading the current files…
        </p>
      )}
      {preview?.unchanged && <p className="banner banner-ok">Nothing to change: {action === 'configure' ? `${row.name} already uses QuotaDeck.` : 'the files already hold the original.'}</p>}
      {preview?.changes
        .filter((c) => c.diff)
        .map((c) => (
          <figure key={c.path} className="client-change">
            <figcaption>
              <code>{c.path}</code> {!c.existsBefore ? <span className="small muted">(new file)</span> : !c.existsAfter ? <span className="small muted">(removed)</span> : null}
            </figcaption>
            <pre className="config-diff" aria-label={`Change to ${c.path}`}>
              {c.diff
                .split('\n')
                .slice(2)
                .filter((l, i, all) => l !== '' || i < all.length - 1)
                .map((line, i) => (
                  <span key={i} className={line.startsWith('@@') ? 'diff-hunk' : line.startsWith('+') ? 'diff-add' : line.startsWith('-') ? 'diff-del' : undefined}>
                    {line}
                  </span>
                ))}
            </pre>
          </figure>
        ))}
      {preview && !preview.unchanged && <p className="small muted">Keys and tokens are shown masked here; the file gets them in full.</p>}
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="btn btn-primary" onClick={() => void apply()} disabled={busy || !preview || preview.unchanged}>
          {busy ? `${verb === 'Configure' ? 'Configuring' : 'Restoring'}…` : verb === 'Configure' ? 'Apply the change' : 'Restore the original'}
        </button>
      </div>
    </Dialog>
  );
}
