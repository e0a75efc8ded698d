// Hands a committed upstream answer to the client as it arrives: every chunk is written when it
// comes (SSE is never held back, except the unfinished tail of an event when events must be
// rewritten), with backpressure from the client, and usage read on the side. An upstream that
// breaks off mid-answer makes the client's response break off too (it sees the error; nothing
// is retried once a byte has gone out). The ledger is settled before the client's response ends.
// Hot path: per-request state lives in class instances with bound listeners (no closures).
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ResponseShape } from './upstream-request';
import { mergeUsage, MAY_CARRY_USAGE, SseUsageTap, usageFromJsonText, usageOf, type Usage } from './usage-extract';

export interface RelayOutcome {
  completed: boolean;
  usage: Usage;
  /** Why the relay did not complete (secret-free). */
  error: string | null;
  clientGone: boolean;
}

export interface RelayInput {
  res: ServerResponse;
  status: number;
  headers: OutgoingHttpHeaders;
  body: Readable;
  /** The first chunk, already read while deciding to commit (null when the body was empty). */
  first: Buffer | null;
  /** The upstream body had already ended with `first`. */
  ended: boolean;
  /** The upstream body had already closed (without ending, unless `ended`). */
  closed: boolean;
  shape: ResponseShape;
  /** The upstream answer is text/event-stream. */
  sse: boolean;
  /** Called once with the outcome, before the client's response is ended or destroyed. */
  settle(o: RelayOutcome): void;
}

/** Non-stream bodies up to this size are kept aside to read their usage. */
const MAX_USAGE_BODY = 8 * 1024 * 1024;

export interface Transformer {
  /** Text or bytes to write now for this chunk. */
  chunk(buf: Buffer): Buffer | string;
  /** What is left to write at the end. */
  end(): string;
  usage(): Usage;
  /**
   * The upstream broke off: what ends the client's stream cleanly in its own protocol (a
   * translated stream's error event). Without it the client's response is cut too.
   */
  abort?(reason: string): string;
  /** Why the answer did not complete although the upstream body ended (its error event), or null. */
  failure?(): string | null;
}

/** JSON passed through; the body is kept aside (bounded) to read its usage at the end. */
class JsonPassThrough implements Transformer {
  private readonly kept: Buffer[] = [];
  private size = 0;

  chunk(buf: Buffer): Buffer {
    this.size += buf.length;
    if (this.size <= MAX_USAGE_BODY) this.kept.push(buf);
    return buf;
  }

  end(): string {
    return '';
  }

  usage(): Usage {
    if (this.size === 0 || this.size > MAX_USAGE_BODY) return { input: null, output: null };
    const text = this.kept.length === 1 ? this.kept[0]!.toString('utf8') : Buffer.concat(this.kept, this.size).toString('utf8');
    return usageFromJsonText(text);
  }
}

/** SSE passed through byte for byte; usage read by a tap on the side. */
class SsePassThrough implements Transformer {
  private readonly decoder = new StringDecoder('utf8');
  private readonly tap = new SseUsageTap();

  chunk(buf: Buffer): Buffer {
    this.tap.push(this.decoder.write(buf));
    return buf;
  }

  end(): string {
    this.tap.push(this.decoder.end());
    this.tap.end();
    return '';
  }

  usage(): Usage {
    return this.tap.usage;
  }
}

/** Splits SSE text into whole events (each with its blank line); keeps the unfinished tail. */
export class SseFramer {
  private buf = '';

  /** Nothing held back (no unfinished event). */
  get empty(): boolean {
    return this.buf.length === 0;
  }

  push(text: string): string[] {
    this.buf += text;
    const out: string[] = [];
    let pos = 0;
    for (;;) {
      const lf = this.buf.indexOf('\n\n', pos);
      const crlf = this.buf.indexOf('\r\n\r\n', pos);
      let end: number;
      if (lf < 0 && crlf < 0) break;
      if (crlf >= 0 && (lf < 0 || crlf < lf)) end = crlf + 4;
      else end = lf + 2;
      out.push(this.buf.slice(pos, end));
      pos = end;
    }
    if (pos > 0) this.buf = this.buf.slice(pos);
    return out;
  }

  /** The unfinished tail, if any (a stream that did not end with a blank line). */
  rest(): string {
    const r = this.buf;
    this.buf = '';
    return r;
  }
}

/** The joined `data:` payload of one event, or null when it has none. */
export function eventData(event: string): string | null {
  let data: string | null = null;
  for (const raw of event.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.startsWith('data:')) continue;
    const v = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
    data = data === null ? v : `${data}\n${v}`;
  }
  return data;
}

/** Event-aligned rewriting: subclasses say what each whole event becomes ('' drops it). */
abstract class EventRewriter implements Transformer {
  private readonly decoder = new StringDecoder('utf8');
  private readonly framer = new SseFramer();
  protected readonly acc: Usage = { input: null, output: null };

  /** The previous chunk ended with a newline (so no partial character is held). */
  private lastEndedLine = true;

  constructor(private prefix = '') {}

  protected abstract rewrite(event: string): string;
  protected tail(): string {
    return '';
  }

  private run(events: string[]): string {
    let out = this.prefix;
    this.prefix = '';
    for (const e of events) out += this.rewrite(e);
    return out;
  }

  chunk(buf: Buffer): Buffer | string {
    // A chunk of whole events (nothing held from before, nothing left after, no split character)
    // whose events all pass unchanged goes out as the same bytes: no string is built or encoded.
    const endsLine = buf.length > 0 && buf[buf.length - 1] === 10;
    // (The decoder holds no bytes of a split character when the previous chunk ended a line.)
    const whole = this.prefix === '' && this.framer.empty && this.lastEndedLine && endsLine;
    this.lastEndedLine = endsLine;
    const events = this.framer.push(this.decoder.write(buf));
    if (!whole || !this.framer.empty) return this.run(events);
    let out: string | null = null;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const r = this.rewrite(e);
      if (out === null && r !== e) out = events.slice(0, i).join('');
      if (out !== null) out += r;
    }
    return out ?? buf;
  }

  end(): string {
    const last = this.framer.push(this.decoder.end());
    const rest = this.framer.rest();
    if (rest.trim()) last.push(rest);
    return this.run(last) + this.tail();
  }

  usage(): Usage {
    return this.acc;
  }
}

/** OpenAI SSE where we asked for usage: the usage-only chunk (choices: []) is read, not sent. */
class OpenAiUsageStripper extends EventRewriter {
  protected rewrite(event: string): string {
    // Most events carry no usage: the raw event is tested before its data is joined.
    if (!MAY_CARRY_USAGE.test(event)) return event;
    const data = eventData(event);
    if (data === null || !MAY_CARRY_USAGE.test(data)) return event;
    try {
      const obj = JSON.parse(data) as { choices?: unknown };
      mergeUsage(this.acc, usageOf(obj));
      if (Array.isArray(obj.choices) && obj.choices.length === 0) return '';
    } catch {
      // Not JSON: pass it on untouched.
    }
    return event;
  }
}

/** Cloud Code SSE: `data: {"response": X}` becomes `data: X`, or the items of a JSON array. */
class CloudCodeUnwrapper extends EventRewriter {
  private items = 0;

  constructor(private readonly clientSse: boolean) {
    super(clientSse ? '' : '[');
  }

  protected rewrite(event: string): string {
    const data = eventData(event);
    if (data === null) return this.clientSse ? event : '';
    let payload = data;
    try {
      const obj = JSON.parse(data) as { response?: unknown };
      const inner = obj && typeof obj === 'object' && 'response' in obj ? obj.response : obj;
      mergeUsage(this.acc, usageOf(inner));
      payload = JSON.stringify(inner);
    } catch {
      // Not JSON: relayed as it came.
    }
    if (this.clientSse) return `data: ${payload}\r\n\r\n`;
    return `${this.items++ === 0 ? '' : ',\r\n'}${payload}`;
  }

  protected override tail(): string {
    return this.clientSse ? '' : ']';
  }
}

/** The whole Cloud Code JSON answer unwrapped (the caller read it fully before committing). */
export function unwrapCloudCode(text: string): { text: string; usage: Usage } {
  try {
    const obj = JSON.parse(text) as { response?: unknown };
    const inner = obj && typeof obj === 'object' && !Array.isArray(obj) && 'response' in obj ? obj.response : obj;
    const usage: Usage = { input: null, output: null };
    mergeUsage(usage, usageOf(inner));
    return { text: JSON.stringify(inner), usage };
  } catch {
    return { text, usage: { input: null, output: null } };
  }
}

/** The relay's transformer for a shape (also what bench/translation.ts measures). */
export function transformerFor(shape: ResponseShape, sse: boolean): Transformer {
  switch (shape.kind) {
    case 'openai-strip-usage':
      return sse ? new OpenAiUsageStripper() : new JsonPassThrough();
    case 'cloudcode-stream':
      return new CloudCodeUnwrapper(shape.clientSse);
    case 'translated':
      return shape.attempt.transformer();
    default:
      return sse ? new SsePassThrough() : new JsonPassThrough();
  }
}

/**
 * True when the relay rewrites the body (its length is no longer the upstream's). A JSON answer
 * where only a stream's usage chunk would be stripped passes through unchanged: it keeps its
 * Content-Length (one write to the client, no chunked encoding and its closing write).
 */
export function rewritesBody(shape: ResponseShape, sse = true): boolean {
  if (shape.kind === 'plain') return false;
  if (shape.kind === 'openai-strip-usage') return sse;
  return true;
}

class Relay {
  private readonly t: Transformer;
  private settled = false;
  private resolve!: (o: RelayOutcome) => void;
  readonly done: Promise<RelayOutcome>;
  private readonly onData = this.data.bind(this);
  private readonly onEnd = this.end.bind(this);
  private readonly onClose = this.upstreamClosed.bind(this);
  private readonly onClientClose = this.clientClosed.bind(this);
  private readonly onDrain = this.drain.bind(this);

  constructor(private readonly i: RelayInput) {
    this.t = transformerFor(i.shape, i.sse);
    this.done = new Promise<RelayOutcome>((resolve) => {
      this.resolve = resolve;
    });
  }

  start(): void {
    const { res, body, first } = this.i;
    // An 'error' always precedes 'close' on these streams; close decides.
    body.on('error', ignore);
    if (first && this.i.ended) return this.whole(first);
    res.writeHead(this.i.status, this.i.headers);
    res.on('close', this.onClientClose);
    res.on('drain', this.onDrain);
    if (first) this.write(this.t.chunk(first));
    if (this.i.ended) return this.end();
    if (this.i.closed || body.destroyed) return this.upstreamClosed();
    body.on('data', this.onData);
    body.on('end', this.onEnd);
    body.on('close', this.onClose);
    body.resume();
  }

  /**
   * The whole answer came with its first chunk (a JSON reply, a short stream): it goes out in one
   * write with its length — no chunked encoding and no second write to close it.
   */
  private whole(first: Buffer): void {
    const head = this.t.chunk(first);
    const tail = this.t.end();
    const out = tail.length === 0 ? head : typeof head === 'string' ? head + tail : Buffer.concat([head, Buffer.from(tail)]);
    const failure = this.t.failure ? this.t.failure() : null;
    this.i.headers['content-length'] = typeof out === 'string' ? Buffer.byteLength(out) : out.length;
    this.i.res.writeHead(this.i.status, this.i.headers);
    this.finish(failure === null, failure, false);
    this.i.res.end(out);
  }

  private finish(completed: boolean, error: string | null, clientGone: boolean): void {
    this.settled = true;
    const { res, body } = this.i;
    body.off('data', this.onData);
    body.off('end', this.onEnd);
    body.off('close', this.onClose);
    res.off('close', this.onClientClose);
    res.off('drain', this.onDrain);
    const outcome: RelayOutcome = { completed, usage: this.t.usage(), error, clientGone };
    this.i.settle(outcome);
    this.resolve(outcome);
  }

  private write(piece: Buffer | string): void {
    if (piece.length > 0 && !this.i.res.write(piece)) this.i.body.pause();
  }

  private drain(): void {
    this.i.body.resume();
  }

  private data(buf: Buffer): void {
    this.write(this.t.chunk(buf));
  }

  private end(): void {
    if (this.settled) return;
    const tail = this.t.end();
    const failure = this.t.failure ? this.t.failure() : null;
    this.finish(failure === null, failure, false);
    if (tail.length > 0) this.i.res.end(tail);
    else this.i.res.end();
  }

  /** 'close' without 'end': the upstream broke off (or we destroyed it for a departed client). */
  private upstreamClosed(): void {
    if (this.settled) return;
    const res = this.i.res;
    const gone = res.destroyed && !res.writableFinished;
    if (!gone && this.t.abort) {
      // A translated stream ends with the client protocol's own error event.
      const tail = this.t.abort('upstream stream interrupted');
      this.finish(false, 'upstream stream interrupted', false);
      res.end(tail);
      return;
    }
    this.finish(false, gone ? 'client disconnected' : 'upstream stream interrupted', gone);
    res.destroy();
  }

  private clientClosed(): void {
    if (this.settled || this.i.res.writableFinished) return;
    this.finish(false, 'client disconnected', true);
    this.i.body.destroy();
  }
}

function ignore(): void {}

export function relayResponse(i: RelayInput): Promise<RelayOutcome> {
  const r = new Relay(i);
  r.start();
  return r.done;
}
