// Refreshes the account page's history and requests after its quotas change, at most once per
// `everyMs`. quota:changed arrives while a sync cycle is still running, but the cycle writes its
// snapshots only when it ends: so a change is refreshed on the next monitor:syncFinished, with a
// timer as the fallback for changes outside a cycle (proxy headers, 429 reports).
import { useEffect, useRef } from 'react';
import { useClient } from '../client-context';

export function useQuotaChangedRefresh(accountId: string, refresh: () => void, everyMs: number): void {
  const client = useClient();
  const latest = useRef(refresh);
  latest.current = refresh;

  useEffect(() => {
    let last = -Infinity;
    let timer: ReturnType<typeof setTimeout> | null = null;
    // A change not yet followed by the end of a cycle.
    let dirty = false;
    const fire = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      last = Date.now();
      latest.current();
    };
    /** Now, or as soon as the throttle window allows (one pending refresh at most). */
    const soon = () => {
      const wait = last + everyMs - Date.now();
      if (wait <= 0) fire();
      else if (timer === null) timer = setTimeout(fire, wait);
    };
    const offs = [
      client.on('quota:changed', (e) => {
        if (e.accountId !== accountId) return;
        dirty = true;
        if (timer === null) timer = setTimeout(fire, Math.max(everyMs, last + everyMs - Date.now()));
      }),
      client.on('monitor:syncFinished', () => {
        if (!dirty) return;
        dirty = false;
        if (timer !== null) clearTimeout(timer);
        timer = null;
        soon();
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      if (timer !== null) clearTimeout(timer);
    };
  }, [client, accountId, everyMs]);
}
