// What every fake upstream needs besides its own endpoints: delayed answers whose timers die with
// the server, socket tracking, and a close() that also ends hung requests, so a test never waits
// on a fake and the process exits cleanly.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface FakeServerKit {
  readonly timers: Set<NodeJS.Timeout>;
  /** Runs fn after ms (at once when ms <= 0); cleared by close(). */
  later(ms: number, fn: () => void): void;
  /** Tracks the server's sockets so close() can destroy hung ones. */
  track(server: Server): void;
  close(server: Server): Promise<void>;
}

export function fakeServerKit(): FakeServerKit {
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  return {
    timers,
    later(ms, fn) {
      if (ms <= 0) {
        fn();
        return;
      }
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    },
    track(server) {
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
    },
    close(server) {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
    },
  };
}
