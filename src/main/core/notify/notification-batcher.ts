// Sits between the core and the Notifier port: drops everything while the
// `notificationsEnabled` setting is off, and turns a burst (a sync cycle where many models cross
// at once) into one grouped notification instead of a wall of toasts. Notifications are held
// for a short window from the first one; at the end of it up to `groupAbove` go out one by one,
// more become one summary that names the first few.
import { burstWindow } from '../../../shared/burst-window';
import type { Clock, Notification, Notifier } from '../ports';

/** The window the desktop app uses; 0 (the core's default) delivers each at once. */
export const DESKTOP_NOTIFICATION_WINDOW_MS = 1000;

export interface NotificationBatcherOptions {
  clock: Clock;
  /** How long to collect after the first notification of a burst; 0 delivers each at once. */
  windowMs: number;
  /** Read at every notification and at delivery, so turning it off also drops what is held. */
  enabled: () => boolean;
  /** More than this many in one window are grouped (default 3). */
  groupAbove?: number;
  /** How many titles a grouped notification lists (default 3). */
  listFirst?: number;
}

export interface NotificationBatcher extends Notifier {
  /** Delivers what is held now (tests, shutdown). */
  flush(): void;
  /** Drops what is held and stops the timer (the app is closing). */
  dispose(): void;
}

const GROUP_TITLES: Record<NonNullable<Notification['kind']>, (n: number) => string> = {
  low: (n) => `${n} quotas ran low`,
  exhausted: (n) => `${n} quotas exhausted`,
  recovered: (n) => `${n} quotas recovered`,
  forecast: (n) => `${n} quotas will run out before they reset`,
};

/** One notification standing for many: the title says how many and what, the body lists a few. */
export function groupNotifications(items: Notification[], listFirst = 3): Notification {
  const kinds = new Set(items.map((n) => n.kind));
  const [only] = kinds;
  const title = kinds.size === 1 && only ? GROUP_TITLES[only](items.length) : `${items.length} QuotaDeck alerts`;
  const shown = items.slice(0, listFirst).map((n) => n.title);
  const rest = items.length - shown.length;
  const body = rest > 0 ? `${shown.join('\n')}\n…and ${rest} more` : shown.join('\n');
  // One account behind the whole burst (several of its models): clicking opens that account.
  const accounts = new Set(items.map((n) => n.accountId));
  const [account] = accounts;
  return { title, body, ...(accounts.size === 1 && account ? { accountId: account } : {}), ...(kinds.size === 1 && only ? { kind: only } : {}) };
}

export function createNotificationBatcher(target: Notifier, o: NotificationBatcherOptions): NotificationBatcher {
  const groupAbove = o.groupAbove ?? 3;
  const burst = burstWindow<Notification>(o.windowMs, o.clock, (batch) => {
    if (!o.enabled()) return;
    if (batch.length > groupAbove) target.notify(groupNotifications(batch, o.listFirst));
    else for (const n of batch) target.notify(n);
  });
  return {
    notify(n) {
      if (o.enabled()) burst.add(n);
    },
    flush: burst.flush,
    dispose: burst.dispose,
  };
}
