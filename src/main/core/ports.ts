// The edges the core is given: time, HTTP, secrets, logs and notifications.
// Electron, headless and tests each supply their own; nothing here imports electron.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface Logger {
  debug(message: string, ...data: unknown[]): void;
  info(message: string, ...data: unknown[]): void;
  warn(message: string, ...data: unknown[]): void;
  error(message: string, ...data: unknown[]): void;
  scope(name: string): Logger;
}

export interface SecretBox {
  encrypt(plain: string): Buffer;
  decrypt(blob: Buffer): string;
}

export interface Notification {
  title: string;
  body: string;
  accountId?: string;
  /** What happened, so a burst of alike notifications can be grouped ("7 quotas ran low"). */
  kind?: 'low' | 'exhausted' | 'recovered' | 'forecast';
}

export interface Notifier {
  notify(n: Notification): void;
}

export type FetchFn = typeof fetch;

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  scope() {
    return silentLogger;
  },
};
