// Starts the built headless service (out/main/headless.js) as a child process and talks to it
// over HTTP, the way a user's script would.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** How long a SIGTERM/SIGINT stop may take before the service is killed and the stop fails. */
const STOP_TIMEOUT_MS = 15_000;

export const HEADLESS_ENTRY = resolve(__dirname, '../../out/main/headless.js');

export interface HeadlessProcess {
  child: ChildProcess;
  url: string;
  /** The proxy's URL, when it started. */
  proxyUrl: string | null;
  token: string;
  stdout: () => string;
  stderr: () => string;
  api<T = unknown>(method: string, body?: unknown): Promise<{ status: number; body: { ok: boolean; result?: T; error?: { code: string; message: string; details?: unknown } } }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `nodeArgs` go to node itself, before the entry (e.g. a V8 flag). */
export async function startHeadless(dataDir: string, args: string[] = [], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<HeadlessProcess> {
  if (!existsSync(HEADLESS_ENTRY)) throw new Error(`${HEADLESS_ENTRY} is missing: run "npm run build" first (npm test does)`);
  // Free ports for both listeners so parallel tests never collide.
  const proxyArgs = args.includes('--proxy-port') || args.includes('--no-proxy') ? [] : ['--proxy-port', '0'];
  const child = spawn(process.execPath, [...nodeArgs, HEADLESS_ENTRY, '--data-dir', dataDir, '--port', '0', ...proxyArgs, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`headless did not start in time\nstdout: ${out}\nstderr: ${err}`)), 20_000);
    const check = () => {
      const m = /QuotaDeck headless listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`headless exited with ${code}\nstdout: ${out}\nstderr: ${err}`));
    });
  });
  const token = readFileSync(join(dataDir, 'control-token'), 'utf8').trim();
  // The proxy's line follows; a service that dies (or stalls) before it fails the start, never hangs it.
  await new Promise<void>((r, reject) => {
    const ready = () => /QuotaDeck proxy (listening|not started)/.test(out);
    if (ready()) return r();
    const timer = setTimeout(() => reject(new Error(`headless proxy did not start in time\nstdout: ${out}\nstderr: ${err}`)), 20_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`headless exited with ${code} before its proxy started\nstdout: ${out}\nstderr: ${err}`));
    };
    child.once('exit', onExit);
    child.stdout!.on('data', () => {
      if (!ready()) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      r();
    });
  });
  const proxyUrl = /QuotaDeck proxy listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? null;
  return {
    child,
    url,
    proxyUrl,
    token,
    stdout: () => out,
    stderr: () => err,
    async api(method, body) {
      const res = await fetch(`${url}/api/${method}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as never };
    },
    stop(signal = 'SIGTERM') {
      return new Promise((resolveExit, reject) => {
        // Already gone (an exit code, or killed by a signal): the 'exit' event will not come again.
        if (child.exitCode !== null || child.signalCode !== null) return resolveExit(child.exitCode);
        // A clean stop that stalls is a failure to see (with what the service said), never a hang.
        const timer =
          signal === 'SIGKILL'
            ? null
            : setTimeout(() => {
                child.kill('SIGKILL');
                reject(new Error(`headless did not stop within ${STOP_TIMEOUT_MS} ms of ${signal}\nstdout: ${out.slice(-2000)}\nstderr: ${err.slice(-2000)}`));
              }, STOP_TIMEOUT_MS);
        child.once('exit', (code) => {
          if (timer) clearTimeout(timer);
          resolveExit(code);
        });
        child.kill(signal);
      });
    },
  };
}
