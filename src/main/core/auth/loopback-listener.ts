// A one-shot HTTP listener on 127.0.0.1 for an OAuth redirect. It answers only its callback path;
// the first request there is handed to `onCallback`, whose page is sent before the listener
// closes. Other paths (a favicon) get 404 and leave it open.
import { createServer, type Server } from 'node:http';

export interface CallbackAnswer {
  status: number;
  html: string;
}

export interface LoopbackListener {
  readonly port: number;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} on 127.0.0.1 is in use`);
    this.name = 'PortInUseError';
  }
}

export async function startLoopbackListener(o: {
  port: number;
  path: string;
  onCallback: (query: URLSearchParams) => Promise<CallbackAnswer>;
}): Promise<LoopbackListener> {
  let handled = false;
  let closing: Promise<void> | null = null;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== o.path || handled) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end('Not found');
      return;
    }
    handled = true;
    void o
      .onCallback(url.searchParams)
      .catch(() => ({ status: 500, html: 'Sign-in failed' }))
      .then((a) => {
        res.writeHead(a.status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', Connection: 'close' });
        res.end(a.html, () => void close());
      });
  });
  function close(): Promise<void> {
    return (closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // A socket still waiting for its page gets it first (the answer ends it); none linger.
      setTimeout(() => server.closeAllConnections(), 1000).unref();
    }));
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new PortInUseError(o.port) : err));
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return { port, close };
}
