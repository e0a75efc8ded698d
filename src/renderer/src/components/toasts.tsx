// The live alert stack (bottom left, under the page links, so it never covers a list; at the
// top on a narrow window): quota crossings and limit warnings as they arrive, at most three.
// Announced politely to screen readers; each can be dismissed and goes away on its own.
import { useEffect } from 'react';
import type { LiveClient } from '../api/live-client';
import { useRouteStore } from '../stores/route-store';
import { crossingFeed, limitToast, useToastStore, type Toast } from '../stores/toast-store';

const AUTO_DISMISS_MS = 12_000;

/** Subscribes the toast store to the client's crossing and limit events. */
export function useToastFeed(client: LiveClient): void {
  useEffect(() => {
    const push = useToastStore.getState().push;
    const feed = crossingFeed(push);
    const offs = [client.on('quota:threshold', (e) => feed.add(e)), client.on('usage:limitWarning', (w) => push(limitToast(w)))];
    return () => {
      offs.forEach((off) => off());
      feed.dispose();
    };
  }, [client]);
}

export function Toasts() {
  const toasts = useToastStore((s) => s.toasts);
  return (
    <div className="toasts" role="region" aria-label="Alerts" aria-live="polite">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useToastStore((s) => s.dismiss);
  const navigate = useRouteStore((s) => s.navigate);
  useEffect(() => {
    const t = setTimeout(() => dismiss(toast.id), AUTO_DISMISS_MS);
    return () => clearTimeout(t);
  }, [toast.id, dismiss]);
  return (
    <div className={`toast toast-${toast.tone}`} role="status">
      <div className="toast-text">
        <strong>{toast.title}</strong>
        <span>{toast.body}</span>
      </div>
      <div className="toast-actions">
        {toast.accountId && (
          <button type="button" className="btn btn-small" onClick={() => navigate({ page: 'account', id: toast.accountId! })}>
            Open
          </button>
        )}
        <button type="button" className="btn btn-small" aria-label={`Dismiss: ${toast.title}`} onClick={() => dismiss(toast.id)}>
          ×
        </button>
      </div>
    </div>
  );
}
