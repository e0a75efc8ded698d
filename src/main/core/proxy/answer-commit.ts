// A proxied request's answer once an attempt has one: a 2xx is committed to the client (its
// first byte awaited, so a connection that dies before it is still retried by the loop), then
// relayed (stream-relay.ts) or read whole and translated; a failure the loop gives up on is
// relayed in the client's own shape. The attempt's ledger row is settled through the loop's
// failure-safe ledger calls (RowSettler) before the client's response ends.
import { performance } from 'node:perf_hooks';
import type { AccountRecord } from '../model';
import type { AttemptStatus } from '../usage/usage-ports';
import type { Attempts, ClientCall } from './attempts';
import { relayedHeaders } from './relay-headers';
import { relayResponse, rewritesBody, unwrapCloudCode, type RelayOutcome } from './stream-relay';
import type { TranslatedAttempt } from './translate/translated-attempt';
import type { UpstreamTarget } from './upstream-request';
import { FirstChunkWatch, MAX_UNWRAP_BODY, parseJson, readAll, type Failure } from './upstream-answer';
import type { UpstreamResponse } from './upstream-transport';

/** Settles an attempt's ledger row (the dispatcher's ledger calls, whose failures never fail a request). */
export interface RowSettler {
  complete(row: number | null, status: AttemptStatus, httpStatus: number | null, input: number | null, output: number | null, error: string | null, partial?: boolean): void;
  settleRow(row: number | null, status: number, o: RelayOutcome): void;
}

export function relayFailure(c: ClientCall, f: Failure, extra: Record<string, string>): void {
  if (f.translated) {
    // Another protocol's error (its scrubbed body), in the client's own shape.
    const e = f.translated.errorAnswer(f.status, parseJson(f.body));
    const h = relayedHeaders(f.headers, true, extra);
    h['content-type'] = 'application/json';
    h['content-length'] = Buffer.byteLength(e.text);
    c.res.writeHead(e.status, h);
    c.res.end(e.text);
    return;
  }
  // The body may have been scrubbed (issue 14): its own length, never the upstream's encoding.
  const headers = relayedHeaders(f.headers, true, extra);
  headers['content-length'] = f.body.length;
  c.res.writeHead(f.status, headers);
  c.res.end(f.body);
}

/**
 * A 2xx: waits for its first byte (a connection that dies before it is still retried), then
 * commits: headers and bytes go to the client as they come; the ledger row is settled before
 * the client's response ends. Returns 'retry' when nothing was sent.
 */
export async function commitAnswer(rows: RowSettler, a: Attempts, account: AccountRecord, up: UpstreamResponse, target: UpstreamTarget, row: number | null, sent: number): Promise<'done' | 'retry'> {
  const res = a.c.res;
  if (target.shape.kind === 'translated' && !target.shape.attempt.streamsThrough) return commitWhole(rows, a, account, up, target.shape.attempt, row, sent);
  if (target.shape.kind === 'cloudcode-json') {
    const buf = await readAll(up.body, MAX_UNWRAP_BODY);
    a.upstreamMs += performance.now() - sent;
    if (buf === null) return a.c.cancel.aborted ? gone(rows, row, up.status) : 'retry';
    const { text, usage } = unwrapCloudCode(buf.toString('utf8'));
    const headers = relayedHeaders(up.headers, true, a.stamp(account));
    headers['content-length'] = Buffer.byteLength(text);
    rows.complete(row, 'completed', up.status, usage.input, usage.output, null);
    res.writeHead(up.status, headers);
    res.end(text);
    return 'done';
  }
  const watch = new FirstChunkWatch(up.body);
  const first = await watch.first;
  a.upstreamMs += performance.now() - sent;
  if (first.failed) {
    watch.release();
    return a.c.cancel.aborted ? gone(rows, row, up.status) : 'retry';
  }
  const ct = up.headers['content-type'];
  const sse = typeof ct === 'string' && ct.includes('text/event-stream');
  const headers = relayedHeaders(up.headers, rewritesBody(target.shape, sse), a.stamp(account));
  if (target.shape.kind === 'cloudcode-stream' && !target.shape.clientSse) headers['content-type'] = 'application/json; charset=UTF-8';
  else if (target.shape.kind === 'translated') headers['content-type'] = target.shape.attempt.streamType();
  const late = watch.release();
  await relayResponse({
    res,
    status: up.status,
    headers,
    body: up.body,
    first: first.chunk,
    ended: first.ended || late.ended,
    closed: late.closed,
    shape: target.shape,
    sse,
    settle: new Settle(rows, row, up.status).fn,
  });
  return 'done';
}

/** A translated answer the client takes whole: read to its end, translated, sent. */
async function commitWhole(rows: RowSettler, a: Attempts, account: AccountRecord, up: UpstreamResponse, t: TranslatedAttempt, row: number | null, sent: number): Promise<'done' | 'retry'> {
  const buf = await readAll(up.body, MAX_UNWRAP_BODY);
  a.upstreamMs += performance.now() - sent;
  if (buf === null) return a.c.cancel.aborted ? gone(rows, row, up.status) : 'retry';
  const w = t.whole(buf, up.status);
  const headers = relayedHeaders(up.headers, true, a.stamp(account));
  headers['content-type'] = w.contentType;
  headers['content-length'] = Buffer.byteLength(w.text);
  const partial = !w.ok && ((w.usage.input ?? 0) > 0 || (w.usage.output ?? 0) > 0);
  rows.complete(row, w.ok ? 'completed' : 'failed', up.status, w.usage.input, w.usage.output, w.error, partial);
  a.c.res.writeHead(w.status, headers);
  a.c.res.end(w.text);
  return 'done';
}

function gone(rows: RowSettler, row: number | null, status: number): 'done' {
  rows.complete(row, 'failed', status, null, null, 'client disconnected');
  return 'done';
}

/** The relay's settle callback for one row, as a bound method rather than a closure. */
class Settle {
  readonly fn: (o: RelayOutcome) => void;
  constructor(
    private readonly rows: RowSettler,
    private readonly row: number | null,
    private readonly status: number,
  ) {
    this.fn = this.call.bind(this);
  }
  private call(o: RelayOutcome): void {
    this.rows.settleRow(this.row, this.status, o);
  }
}
