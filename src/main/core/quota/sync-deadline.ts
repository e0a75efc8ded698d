// The one timeout of "talk to an upstream for one account": a deadline measured by the Clock
// port, aborting with a named error class (never recognised by a string name).
import type { Clock } from '../ports';

/** What an account's signal is aborted with when its time is up. */
export class SyncTimeoutError extends Error {
  readonly code = 'timeout';
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`No answer within ${timeoutMs / 1000} s`);
    this.name = 'SyncTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

export interface Deadline {
  signal: AbortSignal;
  /** Stops the timer and lets go of the parent signal (call when the work is done). */
  release(): void;
}

/**
 * A signal aborted after `ms` (with a SyncTimeoutError) or when `parent` aborts (with its
 * reason), whichever comes first. Not AbortSignal.timeout + AbortSignal.any: their timer and
 * the signals it holds would live for the whole timeout after the work finished, and they
 * would not follow a test's clock.
 */
export function deadline(clock: Clock, ms: number, parent?: AbortSignal): Deadline {
  const ctl = new AbortController();
  const onParent = () => ctl.abort(parent!.reason);
  if (parent?.aborted) ctl.abort(parent.reason);
  else parent?.addEventListener('abort', onParent, { once: true });
  const timer = clock.setTimeout(() => ctl.abort(new SyncTimeoutError(ms)), ms);
  return {
    signal: ctl.signal,
    release() {
      clock.clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}

/** Runs `work` under a deadline and releases it however the work ends. */
export async function withDeadline<T>(clock: Clock, ms: number, parent: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const d = deadline(clock, ms, parent);
  try {
    return await work(d.signal);
  } finally {
    d.release();
  }
}
