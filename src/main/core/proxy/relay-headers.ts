// What the client sees of an upstream answer's headers, and the masked account name every answer
// carries.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { AccountRecord } from '../model';

/** Headers never relayed from the upstream to the client. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'set-cookie', 'alt-svc']);

function maskLabel(label: string): string {
  const at = label.indexOf('@');
  if (at > 0) return `${label[0]}***${label.slice(at)}`;
  return label.length > 6 ? `${label.slice(0, 3)}***` : '***';
}

const masked = new WeakMap<AccountRecord, string>();

/** "openai/W*** (1a2b3c4d)": provider, masked label, the start of the account id; ASCII only. */
export function maskedAccount(a: AccountRecord): string {
  let m = masked.get(a);
  if (m === undefined) {
    m = `${a.provider}/${maskLabel(a.label)} (${a.id.slice(0, 8)})`.replace(/[^\x20-\x7e]/g, '?');
    masked.set(a, m);
  }
  return m;
}

/** The upstream's headers for the client: hop-by-hop and cookies dropped, length dropped when rewritten. */
export function relayedHeaders(up: IncomingHttpHeaders, rewritten: boolean, extra: Record<string, string>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const k in up) {
    if (HOP.has(k)) continue;
    if (rewritten && (k === 'content-length' || k === 'content-encoding')) continue;
    out[k] = up[k];
  }
  for (const k in extra) out[k] = extra[k];
  return out;
}
