// The `logLevel` setting applied to the log file: at start and on every settings change.
// Both entries call it with their electron-log instance's file transport (electron-log/main in
// the desktop app, electron-log/node headless); the console transport is left as the entry set it.
import type { EventMap } from '../../../shared/contract';
import type { LogLevel, Settings } from '../../../shared/types';

/** The part of an electron-log transport this needs. */
export interface LevelledTransport {
  level: string | false;
}

interface SettingsSource {
  services: { settings: { get(): Settings } };
  events: { on(event: 'settings:changed', listener: (s: EventMap['settings:changed']) => void): () => void };
}

/** Applies the current level now and follows changes; returns the unsubscribe. */
export function followLogLevel(file: LevelledTransport, app: SettingsSource): () => void {
  const apply = (level: LogLevel) => {
    file.level = level;
  };
  apply(app.services.settings.get().logLevel);
  return app.events.on('settings:changed', (s) => apply(s.logLevel));
}
