// A fake upstream for every provider at once that answers each request with an error whose text
// echoes the caller's own secret (and a token-shaped foreign one) at a chosen offset, so a test
// can look for any fragment of them wherever the product keeps or shows text. Real HTTP on
// loopback; the secret is found in Authorization / x-api-key / x-goog-api-key.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeServerKit } from './fake-server-kit';

export interface CanaryAccount {
  /** The secret the product sends upstream (access token or API key): not token-shaped. */
  secret: string;
  /** A second known secret (the refresh token of an OAuth account), echoed too; null for API keys. */
  refresh: string | null;
  /** A token-shaped string nobody told the product about (its random part is the canary). */
  foreign: string;
  foreignCore: string;
  /** Where the secret starts in the upstream's error text. */
  offset: number;
}

/** Random, not token-shaped (no known prefix, well under 40 characters): only knowing it removes it. */
export function plainCanary(): string {
  return `Cn${randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 22)}`;
}

export function canaryAccount(offset: number, withRefresh = true): CanaryAccount {
  const foreignCore = randomBytes(16).toString('hex');
  return { secret: plainCanary(), refresh: withRefresh ? plainCanary() : null, foreign: `sk-ant-oat01-${foreignCore}`, foreignCore, offset };
}

/** Text before the echo: plain words that share no 8-character run with a canary. */
export function filler(n: number): string {
  return 'the upstream said no; '.repeat(Math.ceil(n / 22) + 1).slice(0, n);
}

/** Every 8-character run of the account's canaries (no longer fragment appears without one). */
export function canaryFragments(a: CanaryAccount, n = 8): string[] {
  const out: string[] = [];
  for (const c of [a.secret, a.refresh ?? '', a.foreignCore]) for (let i = 0; i + n <= c.length; i++) out.push(c.slice(i, i + n));
  return out;
}

const fragmentSets = new WeakMap<readonly CanaryAccount[], Set<string>>();

/** The fragments found in `text` (empty when clean): one pass over the text, a set lookup per position. */
export function leaks(text: string, accounts: readonly CanaryAccount[]): string[] {
  let set = fragmentSets.get(accounts);
  if (!set) fragmentSets.set(accounts, (set = new Set(accounts.flatMap((a) => canaryFragments(a)))));
  const found = new Set<string>();
  for (let i = 0; i + 8 <= text.length; i++) {
    const f = text.slice(i, i + 8);
    if (set.has(f)) found.add(f);
  }
  return [...found];
}

function presented(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  for (const h of ['x-api-key', 'x-goog-api-key']) {
    const v = req.headers[h];
    if (typeof v === 'string') return v.trim();
  }
  return null;
}

export interface CanaryUpstream {
  url: string;
  requests: number;
  close(): Promise<void>;
}

export async function startCanaryUpstream(accounts: readonly CanaryAccount[], status = 400): Promise<CanaryUpstream> {
  const bySecret = new Map(accounts.map((a) => [a.secret, a]));
  const kit = fakeServerKit();
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    state.requests++;
    req.resume();
    req.on('end', () => {
      const a = bySecret.get(presented(req) ?? '');
      const text = a ? `${filler(a.offset)}${a.secret} ${a.foreign} ${a.refresh ?? ''} ${filler(120)}` : 'unknown credential';
      const body = JSON.stringify({ error: { code: status, message: text, type: 'invalid_request_error', status: 'INVALID_ARGUMENT' }, detail: text });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  kit.track(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return state.requests;
    },
    close: () => kit.close(server),
  };
}
