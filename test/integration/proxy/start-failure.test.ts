// A proxy port taken by another program: the headless service fails fast (it prints a hint and
// exits), the desktop app starts everything else and says why the proxy is not running.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type CoreApp } from '../../../src/main/core/app';
import { createAesSecretBox } from '../../../src/main/core/secrets/key-file-secret-box';
import { createMemoryLogger } from '../../../src/main/core/log/memory-logger';
import { randomBytes } from 'node:crypto';
import { tempDir } from '../../helpers/harness';

let blocker: Server | undefined;
let app: CoreApp | undefined;
let tmp: { dir: string; cleanup: () => void } | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
  blocker = undefined;
  tmp?.cleanup();
});

async function busyPort(): Promise<number> {
  blocker = createServer();
  await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
  return (blocker.address() as { port: number }).port;
}

async function open(proxyStartFailure?: 'fail' | 'report') {
  const port = await busyPort();
  tmp = tempDir();
  const logger = createMemoryLogger();
  app = await createApp(
    { dataDir: tmp.dir, mode: 'electron', env: {}, autoSync: false, overrides: { proxyPort: port }, ...(proxyStartFailure ? { proxyStartFailure } : {}) },
    { logger, secretBox: createAesSecretBox(randomBytes(32)) },
  );
  return { port, logger };
}

describe('a proxy port in use', () => {
  it('rejects start() by default', async () => {
    await open();
    await expect(app!.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it("with 'report', starts the rest and says why the proxy is not running", async () => {
    const { port, logger } = await open('report');
    await app!.start();
    const info = app!.proxyInfo();
    expect(info).toMatchObject({ enabled: true, running: false, url: null });
    expect(info.error).toBe(`Port ${port} on 127.0.0.1 is in use by another program: choose another proxy port in Settings and restart QuotaDeck.`);
    expect((await app!.api.call('proxy:getInfo', {})) as { ok: boolean; result: { error: string } }).toMatchObject({ ok: true, result: { error: info.error } });
    expect(await app!.api.call('monitor:getStats', {})).toMatchObject({ ok: true });
    expect(logger.lines.some((l) => l.startsWith('[error] (proxy)') && l.includes('is in use'))).toBe(true);
  });
});
