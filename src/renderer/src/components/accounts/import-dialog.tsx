// Imports accounts through `accounts:import` from pasted JSON or a chosen file. The importer
// checks the whole document first and writes nothing unless every entry is valid; a rejection
// lists each problem by entry and field. A success reports created / updated / unchanged.
import { useId, useRef, useState, type FormEvent } from 'react';
import { ContractError } from '../../../../shared/contract-wire';
import type { ImportReport } from '../../../../shared/types';
import { useClient } from '../client-context';
import { Dialog } from '../dialog';
import { describeIssue, entriesOf, importIssuesOf } from './import-issues';

const SHOWN_ISSUES = 100;
const count = new Intl.NumberFormat('en-US');

type Outcome =
  | { kind: 'done'; report: ImportReport }
  | { kind: 'rejected'; lines: string[]; total: number }
  | { kind: 'error'; message: string; unchanged: boolean };

export function ImportDialog({ onClose }: { onClose(): void }) {
  const client = useClient();
  const uid = useId();
  const textRef = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const chooseFile = async (file: File | undefined) => {
    if (!file) return;
    setOutcome(null);
    try {
      setText(await file.text());
      setFileName(file.name);
    } catch (err) {
      setOutcome({ kind: 'error', message: `Could not read ${file.name}: ${err instanceof Error ? err.message : String(err)}`, unchanged: true });
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      setOutcome({ kind: 'error', message: `This is not valid JSON (${err instanceof Error ? err.message : String(err)}).`, unchanged: true });
      return;
    }
    setBusy(true);
    setOutcome(null);
    try {
      const report = await client.invoke('accounts:import', doc);
      setOutcome({ kind: 'done', report });
    } catch (err) {
      if (err instanceof ContractError && err.code === 'import_invalid') {
        const issues = importIssuesOf(err.details);
        const entries = entriesOf(doc);
        const lines = issues.length > 0 ? issues.slice(0, SHOWN_ISSUES).map((i) => describeIssue(i, entries)) : [err.message];
        setOutcome({ kind: 'rejected', lines, total: Math.max(issues.length, lines.length) });
      } else {
        const unchanged = err instanceof ContractError && (err.code === 'bad_request' || err.code === 'payload_too_large');
        setOutcome({ kind: 'error', message: err instanceof Error ? err.message : String(err), unchanged });
      }
    } finally {
      setBusy(false);
    }
  };

  const id = (name: string) => `${uid}-${name}`;
  if (outcome?.kind === 'done') {
    const r = outcome.report;
    return (
      <Dialog title="Import accounts" onClose={onClose} className="dialog-form">
        <p role="status" className="import-done">
          Imported {count.format(r.created + r.updated + r.unchanged)} {r.created + r.updated + r.unchanged === 1 ? 'account' : 'accounts'}:{' '}
          <strong>{count.format(r.created)} created</strong>, <strong>{count.format(r.updated)} updated</strong>,{' '}
          <strong>{count.format(r.unchanged)} unchanged</strong>.
        </p>
        <div className="dialog-actions">
          {/* The same dialog stays open with new content: move focus off the vanished form. */}
          <button type="button" className="btn btn-primary" onClick={onClose} autoFocus>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Import accounts" onClose={onClose} initialFocus={textRef} className="dialog-form dialog-wide">
      <form onSubmit={(e) => void submit(e)}>
        <p className="muted small" id={id('help')}>
          QuotaDeck's export (<code>{'{"accounts": [...]}'}</code>), a list of <code>{'{"email", "refresh_token"}'}</code> entries (the Antigravity
          Manager's export), its account files, or CLIProxyAPI auth files (one, or several in a list). Accounts already known are updated, never
          duplicated. The whole document is checked first: if any entry is invalid, nothing is imported and every problem is listed.
        </p>
        <label htmlFor={id('json')} className="field-label">
          Paste JSON
        </label>
        <textarea
          id={id('json')}
          ref={textRef}
          className="import-text"
          rows={9}
          value={text}
          spellCheck={false}
          aria-describedby={id('help')}
          onChange={(e) => {
            setText(e.target.value);
            setFileName(null);
          }}
        />
        <div className="import-file">
          <label htmlFor={id('file')} className="field-label">
            Or choose a file
          </label>
          <input id={id('file')} type="file" accept=".json,application/json" onChange={(e) => void chooseFile(e.target.files?.[0])} />
          {fileName && <span className="muted small">Loaded {fileName}</span>}
        </div>

        {outcome?.kind === 'rejected' && (
          <div className="import-rejected" role="alert">
            <p>
              <strong>Import rejected: nothing was changed.</strong> Fix {outcome.total === 1 ? 'this problem' : `these ${count.format(outcome.total)} problems`} and
              import again:
            </p>
            <ul className="import-issues">
              {outcome.lines.map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ul>
            {outcome.total > outcome.lines.length && <p className="muted small">…and {count.format(outcome.total - outcome.lines.length)} more.</p>}
          </div>
        )}
        {outcome?.kind === 'error' && (
          <p className="form-error" role="alert">
            {outcome.message}
            {outcome.unchanged && ' Nothing was changed.'}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || text.trim() === ''}>
            {busy ? 'Importing…' : 'Import'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
