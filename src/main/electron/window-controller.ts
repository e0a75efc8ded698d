// The one main window: created on demand, brought to the front, sent to a renderer hash route
// (#/accounts/<id> from a notification, #/settings from the tray), and — with the closeToTray
// setting — hidden instead of closed, so QuotaDeck keeps running in the tray.
import type { Logger } from '../core/ports';
import type { BrowserWindowLike } from './create-window';

/** The renderer's hash routes main may send the window to. */
const APP_ROUTE = /^#\/(?:accounts(?:\/[\w%.~!*'()-]+)?|usage|settings)?$/;

export function isAppRoute(route: string): boolean {
  return APP_ROUTE.test(route);
}

export interface WindowControllerDeps {
  /** Creates the window, loading the app at `route` when given. */
  create(route: string | undefined): BrowserWindowLike;
  /** Read when the user closes the window (the setting can change at any time). */
  closeToTray(): boolean;
  /** True once the app is quitting: then a close is a close. */
  quitting(): boolean;
  log: Logger;
}

export interface WindowController {
  /** Shows the window (creating it if needed), optionally at a hash route. */
  open(route?: string): void;
  current(): BrowserWindowLike | null;
}

export function createWindowController(d: WindowControllerDeps): WindowController {
  let win: BrowserWindowLike | null = null;

  function navigate(w: BrowserWindowLike, route: string): void {
    // The renderer follows hashchange; setting location.hash is an in-page navigation, so the
    // app is not reloaded and the will-navigate guard is not involved.
    w.webContents.executeJavaScript(`location.hash = ${JSON.stringify(route)}`).catch((err: unknown) => d.log.warn(`could not open ${route}`, err));
  }

  return {
    open(route) {
      const target = route !== undefined && isAppRoute(route) ? route : undefined;
      if (route !== undefined && target === undefined) d.log.warn(`ignored an unknown route: ${route}`);
      if (!win) {
        const created = d.create(target);
        created.on('close', (event) => {
          if (d.quitting() || !d.closeToTray()) return;
          event.preventDefault();
          created.hide();
        });
        created.on('closed', () => {
          if (win === created) win = null;
        });
        win = created;
        return; // it shows itself once ready-to-show
      }
      if (target) navigate(win, target);
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    },
    current: () => win,
  };
}
