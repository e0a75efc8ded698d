// The Notifier port on Electron's Notification. Clicking a notification opens the window on
// what it is about: the account (#/accounts/<id>), or the accounts list for a grouped one.
// Quiet mode and grouping happen before this, in the core (notify/notification-batcher.ts).
import type { Logger, Notification, Notifier } from '../core/ports';

export interface NotificationLike {
  on(event: 'click' | 'close', listener: () => void): unknown;
  show(): void;
}

export interface NotificationCtorLike {
  new (options: { title: string; body: string }): NotificationLike;
  isSupported(): boolean;
}

/** Where clicking a notification takes the window. */
export function notificationRoute(n: Pick<Notification, 'accountId'>): string {
  return n.accountId ? `#/accounts/${encodeURIComponent(n.accountId)}` : '#/accounts';
}

/** Electron forgets a Notification's click handler once the object is garbage collected, so the
 * last few shown are held until clicked or closed. */
const KEEP = 20;

export function createDesktopNotifier(Notification: NotificationCtorLike, open: (route: string) => void, log: Logger): Notifier {
  const live: NotificationLike[] = [];
  const forget = (toast: NotificationLike) => {
    const i = live.indexOf(toast);
    if (i >= 0) live.splice(i, 1);
  };
  return {
    notify(n) {
      if (!Notification.isSupported()) {
        log.debug(`notifications unsupported here; not shown: ${n.title}`);
        return;
      }
      const toast = new Notification({ title: n.title, body: n.body });
      toast.on('click', () => {
        forget(toast);
        open(notificationRoute(n));
      });
      toast.on('close', () => forget(toast));
      live.push(toast);
      if (live.length > KEEP) live.shift();
      toast.show();
    },
  };
}
