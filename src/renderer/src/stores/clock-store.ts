// One shared ticking clock for countdowns and ages: a single interval, and only the small
// components that show a time re-render each second.
import { create } from 'zustand';

export const useClockStore = create<{ now: number }>()(() => ({ now: Date.now() }));

export function startClock(intervalMs = 1000): () => void {
  useClockStore.setState({ now: Date.now() });
  const t = setInterval(() => useClockStore.setState({ now: Date.now() }), intervalMs);
  return () => clearInterval(t);
}
