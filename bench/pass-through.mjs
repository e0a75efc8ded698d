// The proxy benchmark's baseline: a minimal node:http pass-through in a process of its own (as the
// shipped service is): keep-alive upstream agent, headers and bodies piped as they are, nothing
// else. Prints {"url","pid"} on stdout; exits on SIGTERM or when stdin closes.
//
//   node bench/pass-through.mjs --upstream http://127.0.0.1:PORT
import { Agent, createServer, request } from 'node:http';

const at = process.argv.indexOf('--upstream');
const target = new URL(process.argv[at + 1]);
const agent = new Agent({ keepAlive: true });
const server = createServer({ noDelay: true }, (req, res) => {
  const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host }, agent }, (ures) => {
    res.writeHead(ures.statusCode ?? 502, ures.headers);
    ures.pipe(res);
  });
  up.setNoDelay(true);
  up.on('error', () => res.destroy());
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, pid: process.pid })}\n`);
});
const stop = () => {
  agent.destroy();
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
