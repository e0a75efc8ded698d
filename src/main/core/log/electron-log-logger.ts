// Adapts an electron-log instance (electron-log/main in the app, electron-log/node headless)
// to the core's Logger port, with redaction installed as a hook on every transport.
import type { Logger } from '../ports';
import { redact } from './redact';

interface LogMessageLike {
  data: unknown[];
}
export interface ElectronLogLike {
  // electron-log's Hook type differs between its main and node builds; both take this shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  hooks: Array<(message: any, transport?: any) => any>;
  scope(name: string): LogFns;
}
export interface LogFns {
  debug(...a: unknown[]): void;
  info(...a: unknown[]): void;
  warn(...a: unknown[]): void;
  error(...a: unknown[]): void;
}

export function installRedaction(log: Pick<ElectronLogLike, 'hooks'>): void {
  log.hooks.push((message: LogMessageLike) => ({ ...message, data: message.data.map((d) => redact(d)) }));
}

export function createElectronLogLogger(log: ElectronLogLike & LogFns): Logger {
  installRedaction(log);
  const wrap = (fns: LogFns, name?: string): Logger => ({
    debug: (m, ...d) => fns.debug(m, ...d),
    info: (m, ...d) => fns.info(m, ...d),
    warn: (m, ...d) => fns.warn(m, ...d),
    error: (m, ...d) => fns.error(m, ...d),
    scope: (child) => wrap(log.scope(name ? `${name}:${child}` : child), name ? `${name}:${child}` : child),
  });
  return wrap(log);
}
