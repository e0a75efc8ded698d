// A modal dialog on the native <dialog>: showModal() makes the rest of the page inert and keeps
// focus inside. Rendered = open; the parent unmounts it to close. Escape (and the browser's own
// cancel request) calls onClose. On open, focus goes to `initialFocus` or the first control; on
// close, back to the element that had it, or to `returnFocus()` when that element is gone (the
// row of a removed account).
import { useEffect, useId, useLayoutEffect, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';

export interface DialogProps {
  title: ReactNode;
  onClose(): void;
  children: ReactNode;
  initialFocus?: RefObject<HTMLElement | null>;
  returnFocus?: () => HTMLElement | null;
  /** 'alertdialog' for a confirmation that interrupts. */
  role?: 'dialog' | 'alertdialog';
  /** The id of the text that says what the dialog is about (read on open). */
  describedBy?: string;
  className?: string;
}

const FOCUSABLE = 'input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

export function Dialog({ title, onClose, children, initialFocus, returnFocus, role, describedBy, className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  const returnFocusRef = useRef(returnFocus);
  useLayoutEffect(() => {
    onCloseRef.current = onClose;
    returnFocusRef.current = returnFocus;
  });

  useLayoutEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) {
      try {
        dialog.showModal();
      } catch {
        dialog.setAttribute('open', ''); // not attached yet, or no modal support: still shown
      }
    }
    const first = initialFocus?.current ?? dialog.querySelector<HTMLElement>(`[autofocus], ${FOCUSABLE}`);
    first?.focus();
    return () => {
      if (dialog.open) dialog.close();
      // After the commit that unmounts the dialog: only then is it known whether the opener
      // (a row's button, say) is still in the document.
      queueMicrotask(() => {
        if (dialog.isConnected) return; // not unmounted after all (StrictMode's effect replay)
        const target = opener?.isConnected ? opener : (returnFocusRef.current?.() ?? null);
        target?.focus();
      });
    };
    // Open once per mount; initialFocus is read on open only.
  }, []);

  // The browser's cancel request (Escape, or a platform gesture) closes through the parent.
  useEffect(() => {
    const dialog = ref.current!;
    const onCancel = (e: Event) => {
      e.preventDefault();
      onCloseRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => dialog.removeEventListener('cancel', onCancel);
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDialogElement>) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    e.preventDefault();
    e.stopPropagation();
    onCloseRef.current();
  };

  return (
    <dialog ref={ref} className={`dialog${className ? ` ${className}` : ''}`} role={role} aria-labelledby={titleId} aria-describedby={describedBy} aria-modal="true" onKeyDown={onKeyDown}>
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
