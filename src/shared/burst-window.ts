// Collects what arrives within a short window after the first item and hands it over as one
// batch: a sync cycle that moves many quotas at once becomes one grouped alert, in the desktop
// notifications (main) and in the window's toasts (renderer) alike.

export interface WindowTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface BurstWindow<T> {
  add(item: T): void;
  /** Hands over what is held now. */
  flush(): void;
  /** Drops what is held and stops the timer. */
  dispose(): void;
}

/** `windowMs` ≤ 0 hands every item over at once, as a batch of one. */
export function burstWindow<T>(windowMs: number, timers: WindowTimers, deliver: (batch: T[]) => void): BurstWindow<T> {
  let held: T[] = [];
  let timer: unknown = null;
  const stop = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
  };
  const flush = () => {
    stop();
    const batch = held;
    held = [];
    if (batch.length > 0) deliver(batch);
  };
  return {
    add(item) {
      if (windowMs <= 0) return deliver([item]);
      held.push(item);
      timer ??= timers.setTimeout(flush, windowMs);
    },
    flush,
    dispose() {
      stop();
      held = [];
    },
  };
}
