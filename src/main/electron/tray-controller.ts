// The tray icon, tooltip and context menu, kept in step with MonitorStats. Electron's Tray and
// Menu and the icons arrive as ports, so this runs in plain Node under test.
import type { MonitorStats } from '../../shared/types';
import type { Clock } from '../core/ports';
import { trayState, traySummary, type TrayState } from './tray-state';

export interface MenuItemTemplate {
  label?: string;
  type?: 'normal' | 'separator';
  enabled?: boolean;
  click?: () => void;
}

export interface MenuFactoryLike {
  buildFromTemplate(template: MenuItemTemplate[]): unknown;
}

export interface TrayLike<Image> {
  setImage(image: Image): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export type TrayCtorLike<Image> = new (image: Image) => TrayLike<Image>;

export interface TrayActions {
  open(): void;
  syncNow(): void;
  pause(): void;
  resume(): void;
  openSettings(): void;
  quit(): void;
}

/** The context menu for these stats; the pause item's label follows the monitor's state. */
export function trayMenuTemplate(stats: MonitorStats, now: number, actions: TrayActions): MenuItemTemplate[] {
  return [
    // First line: the summary, since Linux tray menus (AppIndicator) show no tooltip.
    { label: traySummary(stats, now).replace(/^QuotaDeck — /, ''), enabled: false },
    { type: 'separator' },
    { label: 'Open QuotaDeck', click: () => actions.open() },
    { label: 'Sync now', enabled: !stats.syncing, click: () => actions.syncNow() },
    stats.paused ? { label: 'Resume monitor', click: () => actions.resume() } : { label: 'Pause monitor', click: () => actions.pause() },
    { label: 'Open proxy settings', click: () => actions.openSettings() },
    { type: 'separator' },
    { label: 'Quit QuotaDeck', click: () => actions.quit() },
  ];
}

export interface TrayControllerDeps<Image> {
  Tray: TrayCtorLike<Image>;
  Menu: MenuFactoryLike;
  icons: Record<TrayState, Image>;
  actions: TrayActions;
  clock: Clock;
  /** "synced 2 min ago" ages by itself: the tooltip and menu are re-rendered this often. */
  refreshMs?: number;
}

export interface TrayController {
  update(stats: MonitorStats): void;
  state(): TrayState;
  dispose(): void;
}

export function createTrayController<Image>(d: TrayControllerDeps<Image>, initial: MonitorStats): TrayController {
  const refreshMs = d.refreshMs ?? 30_000;
  let stats = initial;
  let shown = trayState(initial);
  let tooltip = '';
  let menuKey = '';
  let timer: unknown = null;
  const tray = new d.Tray(d.icons[shown]);
  // Windows (and some Linux trays) send a click on the icon itself: open the window.
  tray.on('click', () => d.actions.open());

  const render = () => {
    const now = d.clock.now();
    const next = trayState(stats);
    if (next !== shown) tray.setImage(d.icons[(shown = next)]);
    const text = traySummary(stats, now);
    if (text !== tooltip) tray.setToolTip((tooltip = text));
    // Rebuilt only when something in it changed: replacing the menu closes it if it is open.
    const template = trayMenuTemplate(stats, now, d.actions);
    const key = JSON.stringify(template.map((i) => [i.label, i.type, i.enabled]));
    if (key !== menuKey) {
      menuKey = key;
      tray.setContextMenu(d.Menu.buildFromTemplate(template));
    }
  };
  const tick = () => {
    render();
    timer = d.clock.setTimeout(tick, refreshMs);
  };
  tick();

  return {
    update(next) {
      stats = next;
      render();
    },
    state: () => shown,
    dispose() {
      if (timer !== null) d.clock.clearTimeout(timer);
      timer = null;
      tray.destroy();
    },
  };
}
