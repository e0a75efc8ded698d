// Settings mirrored from main: loaded by `settings:get`, replaced by every `settings:changed`
// event and by the answer to the page's own `settings:update`. Fed only while a page that
// shows settings is mounted (useSettingsFeed), so connect-stores stays untouched.
import { useEffect } from 'react';
import { create } from 'zustand';
import type { Settings } from '../../../shared/types';
import type { LiveClient } from '../api/live-client';
import { useClient } from '../components/client-context';

interface SettingsState {
  settings: Settings | null;
  /** Why the last fetch failed (cleared by the next success). */
  loadError: string | null;
  /** Counts pushed updates so a slower fetch never overwrites a newer event. */
  seq: number;
  /** From the event or a save's answer (always the newest). */
  apply(settings: Settings): void;
  /** From a fetch started when `seq` was `asOf`: ignored if an update arrived meanwhile. */
  load(settings: Settings, asOf: number): void;
  setLoadError(message: string): void;
  reset(): void;
}

const initial = { settings: null, loadError: null, seq: 0 };

export const useSettingsStore = create<SettingsState>()((set) => ({
  ...initial,
  apply: (settings) => set((s) => ({ settings, loadError: null, seq: s.seq + 1 })),
  load: (settings, asOf) => set((s) => (s.seq === asOf ? { settings, loadError: null } : {})),
  setLoadError: (loadError) => set({ loadError }),
  reset: () => set(initial),
}));

/** Subscribes first, fetches second, and fetches again whenever the event feed reopens. */
export function connectSettings(client: LiveClient): () => void {
  const store = useSettingsStore.getState;
  const refresh = () => {
    const asOf = store().seq;
    client.invoke('settings:get').then(
      (s) => store().load(s, asOf),
      (err: unknown) => store().setLoadError(err instanceof Error ? err.message : String(err)),
    );
  };
  const offEvent = client.on('settings:changed', (s) => store().apply(s));
  let open = false;
  const offConnection = client.onConnection((state) => {
    if (state === 'open' && !open) refresh();
    open = state === 'open';
  });
  if (!open) refresh();
  return () => {
    offEvent();
    offConnection();
  };
}

/** Keeps the settings store fed while the calling component is mounted. */
export function useSettingsFeed(): void {
  const client = useClient();
  useEffect(() => connectSettings(client), [client]);
}
