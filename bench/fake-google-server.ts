// The fake Google upstream (test/helpers/fake-google.ts) in a process of its own, so that its
// HTTP handling and 50 ms timers do not share the CPU and event loop with the product under
// measurement. Prints one JSON line on stdout: {"baseUrl","tokenUrl","controlUrl","pid"}.
//
//   node --import tsx bench/fake-google-server.ts [--latency 50]
//
// Control endpoint (a second server on 127.0.0.1, never seen by the product):
//   POST /accounts     {"accounts": FakeAccountSpec[]} -> {"added": n}
//   GET  /stats        -> {requests, byPath, byStatus, maxConcurrent, inFlight}
//   POST /reset-stats  -> {"ok": true}
// It exits on SIGTERM/SIGINT or when its stdin closes (the parent died).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeGoogle, type FakeAccountSpec } from '../test/helpers/fake-google';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--latency');
  const latency = i >= 0 ? Number(process.argv[i + 1]) : 50;
  const fake = await startFakeGoogle({ defaultLatencyMs: latency });

  const control = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      try {
        if (req.method === 'POST' && req.url === '/accounts') {
          const { accounts } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { accounts: FakeAccountSpec[] };
          for (const spec of accounts) fake.addAccount(spec);
          return reply(200, { added: accounts.length });
        }
        if (req.method === 'GET' && req.url === '/stats') {
          const byPath: Record<string, number> = {};
          const byStatus: Record<string, number> = {};
          for (const r of fake.requests) {
            byPath[r.path] = (byPath[r.path] ?? 0) + 1;
            const s = String(r.status ?? 'none');
            byStatus[s] = (byStatus[s] ?? 0) + 1;
          }
          return reply(200, { requests: fake.requests.length, byPath, byStatus, maxConcurrent: fake.maxConcurrent(), inFlight: fake.inFlight() });
        }
        if (req.method === 'POST' && req.url === '/reset-stats') {
          fake.resetStats();
          return reply(200, { ok: true });
        }
        reply(404, { error: `no control route ${req.method} ${req.url}` });
      } catch (err) {
        reply(500, { error: String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    control.closeAllConnections();
    control.close();
    await fake.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.stdin.on('end', () => void shutdown());
  process.stdin.on('error', () => void shutdown());
  process.stdin.resume();

  process.stdout.write(`${JSON.stringify({ baseUrl: fake.baseUrl, tokenUrl: fake.tokenUrl, controlUrl, pid: process.pid })}\n`);
}

main().catch((err) => {
  process.stderr.write(`fake-google-server: ${String(err)}\n`);
  process.exit(1);
});
