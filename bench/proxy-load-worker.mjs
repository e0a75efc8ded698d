// Load generator for bench/proxy-latency.ts, run in a worker thread (its own event loop, so the
// client's work does not queue behind the proxy's). Closed loop: `concurrency` connections, each
// sending its next request when the previous answer is complete (or, for ttfb, when the answer
// is complete but timed at its first body byte). Keep-alive agents per target and concurrency.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';

const agents = new Map();

function agentFor(url, concurrency) {
  const k = `${new URL(url).host}|${concurrency}`;
  let a = agents.get(k);
  if (!a) {
    a = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
    agents.set(k, a);
  }
  return a;
}

function one(url, headers, body, agent, ttfb, retried = false) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let first = 0;
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent }, (res) => {
      res.on('data', () => {
        if (first === 0) first = performance.now();
      });
      res.on('end', () => {
        const end = performance.now();
        resolve({ ok: res.statusCode === 200, ms: (ttfb ? first || end : end) - t0, status: res.statusCode });
      });
      res.on('error', () => resolve({ ok: false, ms: 0, status: -1 }));
    });
    req.setNoDelay(true);
    // A kept-alive socket the server closed while it sat idle (between phases): Node's documented
    // race; the request never reached the server, so it is sent again once on a new socket.
    req.on('error', (err) => {
      if (!retried && req.reusedSocket && err.code === 'ECONNRESET') resolve(one(url, headers, body, agent, ttfb, true));
      else resolve({ ok: false, ms: 0, status: -2 });
    });
    req.end(body);
  });
}

async function run(job) {
  const { url, headers, body, concurrency, total, ttfb } = job;
  const agent = agentFor(url, concurrency);
  const lat = new Float64Array(total);
  let issued = 0;
  let done = 0;
  let errors = 0;
  let lastStatus = 0;
  const t0 = performance.now();
  async function loop() {
    while (issued < total) {
      issued++;
      const r = await one(url, headers, body, agent, ttfb);
      if (!r.ok) {
        errors++;
        lastStatus = r.status;
      }
      lat[done++] = r.ms;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop));
  const wallMs = performance.now() - t0;
  return { lat, wallMs, errors, lastStatus };
}

parentPort.on('message', async (msg) => {
  if (msg.type === 'close') {
    for (const a of agents.values()) a.destroy();
    parentPort.close();
    return;
  }
  const r = await run(msg.job);
  parentPort.postMessage({ id: msg.id, ...r }, [r.lat.buffer]);
});
