// `--open`: which command opens the web UI link on each platform, the clear line where there is
// no display or no opener, and the flag itself. Real child processes stand in for the opener.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseHeadlessArgs, HEADLESS_USAGE } from '../../src/main/core/headless-options';
import { openerFor, openInBrowser } from '../../src/main/open-browser';

const URL = 'http://127.0.0.1:4820/#token=abc_DEF-123';

describe('openerFor', () => {
  it('uses open on macOS, start on Windows, xdg-open where Linux has a display', () => {
    expect(openerFor(URL, 'darwin', {})).toEqual({ cmd: 'open', args: [URL] });
    expect(openerFor(URL, 'win32', {})).toEqual({ cmd: 'cmd', args: ['/c', 'start', '""', URL] });
    expect(openerFor(URL, 'linux', { DISPLAY: ':0' })).toEqual({ cmd: 'xdg-open', args: [URL] });
    expect(openerFor(URL, 'linux', { WAYLAND_DISPLAY: 'wayland-0' })).toEqual({ cmd: 'xdg-open', args: [URL] });
    expect(openerFor(URL, 'linux', {})).toBeNull();
    expect(openerFor(URL, 'linux', { DISPLAY: '' })).toBeNull();
  });
});

describe('openInBrowser', () => {
  it('without a display opens nothing and says so in one line', async () => {
    const r = await openInBrowser(URL, { platform: 'linux', env: {} });
    expect(r).toEqual({ opened: false, message: expect.stringMatching(/^--open: no display here .*open the web UI link above in a browser\.$/) });
  });

  it('runs the opener detached and reports it opened', async () => {
    const seen: string[][] = [];
    // The opener's arguments reach a real process (node, exiting at once) instead of a browser.
    const r = await openInBrowser(URL, {
      platform: 'linux',
      env: { DISPLAY: ':0' },
      spawn: (cmd, args, opts) => {
        seen.push([cmd, ...args]);
        return spawn(process.execPath, ['-e', ''], opts);
      },
    });
    expect(seen).toEqual([['xdg-open', URL]]);
    expect(r).toEqual({ opened: true, message: 'Opened the web UI in the default browser (xdg-open).' });
  });

  it('a missing opener is a clear line, not a crash', async () => {
    const r = await openInBrowser(URL, {
      platform: 'linux',
      env: { DISPLAY: ':0' },
      spawn: (_cmd, args, opts) => spawn('quotadeck-no-such-opener', args, opts),
    });
    expect(r.opened).toBe(false);
    expect(r.message).toBe('--open: could not open a browser (xdg-open is not installed); open the web UI link above in a browser.');
  });
});

describe('--open flag', () => {
  it('is parsed, off by default, and in the usage text', () => {
    expect(parseHeadlessArgs(['--open'], {}).open).toBe(true);
    expect(parseHeadlessArgs([], {}).open).toBe(false);
    expect(HEADLESS_USAGE).toMatch(/--open\s+open the web UI link in the default browser/);
  });
});
