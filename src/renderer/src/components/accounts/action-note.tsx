// The outcome of the last action on an account, where the user did it: "Syncing…", "Synced: 3
// windows read", or what went wrong and what to do. A success fades after a while; an error
// stays until dismissed or replaced.
import { Linkified } from '../linkified';
import { useEffect } from 'react';
import { useActionNotes } from './account-actions';

const OK_VISIBLE_MS = 8000;

export function ActionNoteLine({ id, className = '' }: { id: string; className?: string }) {
  const note = useActionNotes((s) => s.notes[id]);
  const clear = useActionNotes((s) => s.set);
  useEffect(() => {
    if (note?.tone !== 'ok') return;
    const t = setTimeout(() => clear(id, null), OK_VISIBLE_MS);
    return () => clearTimeout(t);
  }, [note, id, clear]);
  if (!note) return null;
  return (
    <div className={`action-note action-note-${note.tone} ${className}`} role={note.tone === 'bad' ? 'alert' : 'status'}>
      <span className="action-note-text">
        <Linkified text={note.text} />
      </span>
      {note.hint && (
        <span className="action-note-hint">
          {' '}
          <Linkified text={note.hint} />
        </span>
      )}
      {note.tone !== 'busy' && (
        <button type="button" className="link-button" aria-label="Dismiss message" onClick={() => clear(id, null)}>
          ×
        </button>
      )}
    </div>
  );
}
