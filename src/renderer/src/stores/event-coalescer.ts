// Batches pushed events so a burst (a full sync emits one `quota:changed` per account, 1,000 in
// a second) reaches the stores as one update per animation frame instead of one per event.
// Keyed: a later event for the same key replaces the buffered one (each `quota:changed` carries
// the account's whole list, so only the last one matters).

/** Runs `run` once, later; returns a cancel. */
export type Scheduler = (run: () => void) => () => void;

/**
 * The next animation frame, or `maxWaitMs` at the latest: a hidden window (minimized, or closed
 * to the tray) gets no frames, and its buffer must still drain.
 */
export function frameScheduler(maxWaitMs = 100): Scheduler {
  return (run) => {
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      cancelFrame();
      clearTimeout(timer);
      run();
    };
    const cancelFrame = onNextFrame(once);
    const timer = setTimeout(once, maxWaitMs);
    return () => {
      done = true;
      cancelFrame();
      clearTimeout(timer);
    };
  };
}

/**
 * After the next frame has been produced: the next animation frame, then a task (a frame's
 * paint follows its animation-frame callbacks), or `maxWaitMs` at the latest (a hidden window
 * gets no frames). What waits here never delays what the window is about to paint.
 */
export function afterFrameScheduler(maxWaitMs = 200): Scheduler {
  const frame = frameScheduler(maxWaitMs);
  return (run) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cancelFrame = frame(() => {
      timer = setTimeout(run, 0);
    });
    return () => {
      cancelFrame();
      clearTimeout(timer);
    };
  };
}

function onNextFrame(run: () => void): () => void {
  if (typeof requestAnimationFrame !== 'function') return () => {};
  const id = requestAnimationFrame(run);
  return () => cancelAnimationFrame(id);
}

export interface Coalescer<T> {
  push(item: T): void;
  /** Applies what is buffered now (no-op when empty) and cancels the scheduled run. */
  flush(): void;
  /** Drops what is buffered and the scheduled run. */
  cancel(): void;
  readonly size: number;
}

export function createCoalescer<T>(opts: { keyOf: (item: T) => string; apply: (items: T[]) => void; schedule?: Scheduler }): Coalescer<T> {
  const schedule = opts.schedule ?? frameScheduler();
  let buffer = new Map<string, T>();
  let scheduled = false;
  let cancelRun: (() => void) | null = null;

  const unschedule = () => {
    scheduled = false;
    cancelRun?.();
    cancelRun = null;
  };

  const flush = () => {
    unschedule();
    if (buffer.size === 0) return;
    const items = [...buffer.values()];
    // Swapped before applying: an event pushed from inside apply starts the next batch.
    buffer = new Map();
    opts.apply(items);
  };

  return {
    push(item) {
      const key = opts.keyOf(item);
      // Delete first so the entry moves to the end: the batch keeps arrival order of last writes.
      buffer.delete(key);
      buffer.set(key, item);
      if (scheduled) return;
      scheduled = true;
      const cancel = schedule(flush);
      // A scheduler may run `flush` before returning; its cancel is then moot.
      if (scheduled) cancelRun = cancel;
    },
    flush,
    cancel() {
      unschedule();
      buffer = new Map();
    },
    get size() {
      return buffer.size;
    },
  };
}
