// `--open`: the headless service opens its web UI link in the default browser, where there is
// one to open: `open` (macOS), `start` (Windows), `xdg-open` (Linux and the BSDs, only with a
// display: DISPLAY or WAYLAND_DISPLAY). Elsewhere, or when the opener is missing, it answers a
// clear line instead and the service carries on. The URL (with its token) is passed as an
// argument, never through a shell on macOS/Linux, and is never logged.
import { spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';

export interface OpenerCommand {
  cmd: string;
  args: string[];
}

export interface OpenResult {
  opened: boolean;
  /** One line for the person at the terminal. */
  message: string;
}

type Spawn = (cmd: string, args: string[], opts: SpawnOptions) => { once(event: 'spawn' | 'error', l: (e?: Error) => void): unknown; unref(): void };

export interface OpenDeps {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  spawn?: Spawn;
}

/** The command that opens a URL here, or null when there is no display to open it on. */
export function openerFor(url: string, platform: NodeJS.Platform, env: Record<string, string | undefined>): OpenerCommand | null {
  if (platform === 'darwin') return { cmd: 'open', args: [url] };
  // `start` is a cmd built-in; the empty "" is the window title it would otherwise take the URL for.
  if (platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""', url.replace(/&/g, '^&')] };
  if (!env['DISPLAY'] && !env['WAYLAND_DISPLAY']) return null;
  return { cmd: 'xdg-open', args: [url] };
}

export function openInBrowser(url: string, d: OpenDeps): Promise<OpenResult> {
  const opener = openerFor(url, d.platform, d.env);
  if (!opener) {
    return Promise.resolve({ opened: false, message: '--open: no display here (DISPLAY and WAYLAND_DISPLAY are unset), so no browser was opened; open the web UI link above in a browser.' });
  }
  const spawn = d.spawn ?? (nodeSpawn as unknown as Spawn);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(opener.cmd, opener.args, { detached: true, stdio: 'ignore', windowsHide: true });
    } catch (err) {
      resolve({ opened: false, message: `--open: could not run ${opener.cmd} (${(err as Error).message}); open the web UI link above in a browser.` });
      return;
    }
    child.once('spawn', () => {
      child.unref();
      resolve({ opened: true, message: `Opened the web UI in the default browser (${opener.cmd}).` });
    });
    child.once('error', (err) => {
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      const why = code === 'ENOENT' ? `${opener.cmd} is not installed` : (err?.message ?? 'unknown error');
      resolve({ opened: false, message: `--open: could not open a browser (${why}); open the web UI link above in a browser.` });
    });
  });
}
