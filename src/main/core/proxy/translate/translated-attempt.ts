// The translation of one client request: its body parsed once into the IR (on the first attempt
// that lands on an account of another protocol), then per attempt the upstream's request and a
// TranslatedAttempt that turns that upstream's answer, stream or error into the client's shape.
// The dispatch loop calls in here and nowhere branches on protocols itself.
import type { IncomingHttpHeaders } from 'node:http';
import type { AccountRecord, Credentials } from '../../model';
import type { ProxyRoute } from '../proxy-routes';
import { eventData, SseFramer, type Transformer } from '../stream-relay';
import type { UpstreamTarget } from '../upstream-request';
import type { Usage } from '../usage-extract';
import { estimateTokens } from './gemini-protocol';
import { AnswerCollector, BadClientRequest, type IrError, type IrEvent, type IrRequest } from './ir';
import { clientImpl, clientProtocolOf } from './client-protocols';
import type { ClientProtocolImpl, TranslateContext, UpstreamProtocolImpl } from './protocol';
import type { SignatureCache } from './signature-cache';
import { TranslatingStream } from './translating-stream';
import { upstreamImpl, upstreamOf } from './upstream-protocols';

export { BadClientRequest } from './ir';
export { MissingUpstreamCredential } from './anthropic-protocol';

export interface WholeAnswer {
  ok: boolean;
  status: number;
  contentType: string;
  text: string;
  usage: Usage;
  /** Why it failed (secret-free), when !ok. */
  error: string | null;
}

export type AttemptPlan = { kind: 'upstream'; target: UpstreamTarget } | { kind: 'local'; status: number; body: unknown };

export class Translation {
  private ir: IrRequest | null = null;
  readonly client: ClientProtocolImpl;

  constructor(
    private readonly route: ProxyRoute,
    private readonly json: Record<string, unknown>,
    private readonly signatures: SignatureCache,
  ) {
    const c = clientImpl(clientProtocolOf(route.op));
    if (!c) throw new Error(`no translator for ${route.op}`);
    this.client = c;
  }

  /** The client's request in the IR (validated once; throws BadClientRequest). */
  request(): IrRequest {
    return (this.ir ??= this.client.parse(this.json, this.route.op));
  }

  /** A 400 in the client's shape naming what is wrong. */
  badRequest(e: BadClientRequest): unknown {
    return this.client.error({ status: 400, type: 'invalid_request', message: e.message });
  }

  /** The upstream request for one attempt (or an answer the proxy gives itself). */
  plan(account: AccountRecord, credentials: Credentials, baseUrl: string, model: string, clientHeaders: IncomingHttpHeaders): AttemptPlan {
    const ir = this.request();
    const upstream = upstreamImpl(upstreamOf(account.provider));
    if (!upstream) throw new Error(`no translator for ${account.provider}`);
    if (ir.countOnly && upstream.id !== 'anthropic') {
      // count_tokens where the upstream has no such call: the proxy's own estimate.
      return { kind: 'local', status: 200, body: this.client.countTokens?.(estimateTokens(ir)) ?? { input_tokens: estimateTokens(ir) } };
    }
    const ctx: TranslateContext = { model, signatures: this.signatures, clientSse: this.route.clientSse };
    const call = upstream.request(ir, { account, credentials, baseUrl, model, signatures: this.signatures, clientHeaders });
    const attempt = new TranslatedAttempt(this.client, upstream, ctx, ir, call.stream);
    return { kind: 'upstream', target: { url: call.url, headers: call.headers, body: call.body, shape: { kind: 'translated', attempt } } };
  }
}

export class TranslatedAttempt {
  constructor(
    readonly client: ClientProtocolImpl,
    readonly upstream: UpstreamProtocolImpl,
    readonly ctx: TranslateContext,
    readonly ir: IrRequest,
    /** The upstream was asked for SSE. */
    readonly upstreamStreams: boolean,
  ) {}

  /** The client asked for a stream (and the upstream streams): translated event by event. */
  get streamsThrough(): boolean {
    return this.ir.stream && this.upstreamStreams;
  }

  streamType(): string {
    return this.client.streamType(this.ctx);
  }

  transformer(): Transformer {
    return new TranslatingStream(this.upstream.decoder(this.ctx), this.client.encoder(this.ctx, this.ir));
  }

  /** A whole upstream answer (JSON, or a stream read to its end) as the client's answer. */
  whole(buf: Buffer, status: number): WholeAnswer {
    const text = buf.toString('utf8');
    if (this.upstreamStreams) {
      const c = new AnswerCollector();
      const dec = this.upstream.decoder(this.ctx);
      const framer = new SseFramer();
      const frames = framer.push(text);
      const rest = framer.rest();
      if (rest.trim()) frames.push(rest);
      const events: IrEvent[] = [];
      for (const f of frames) {
        const data = eventData(f);
        if (data !== null) dec.event(null, data, events);
      }
      for (const e of events) c.push(e);
      const answer = c.answer(this.ctx.model);
      const usage = { input: answer.usage.input, output: answer.usage.output };
      if (c.error || !c.done) {
        const err: IrError = c.error ?? { status: 502, type: 'api_error', message: 'The upstream stream ended before the answer completed' };
        return { ...this.error(err), usage, error: c.error ? `upstream error mid-stream: ${err.message}`.slice(0, 300) : 'upstream stream ended before the answer completed' };
      }
      return this.answer(answer, status);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ...this.error({ status: 502, type: 'api_error', message: 'The upstream answered something that is not JSON' }), usage: { input: null, output: null }, error: 'upstream answer is not JSON' };
    }
    return this.answer(this.upstream.answer(json, this.ctx), status);
  }

  private answer(a: ReturnType<UpstreamProtocolImpl['answer']>, status: number): WholeAnswer {
    const body = this.client.answer(a, this.ctx, this.ir);
    return { ok: true, status, contentType: 'application/json', text: JSON.stringify(body), usage: { input: a.usage.input, output: a.usage.output }, error: null };
  }

  private error(e: IrError): { ok: false; status: number; contentType: string; text: string } {
    const status = clientStatus(this.client.id, e.status);
    return { ok: false, status, contentType: 'application/json', text: JSON.stringify(this.client.error({ ...e, status })) };
  }

  /** An upstream's error answer (status and body) in the client's shape. */
  errorAnswer(status: number, json: unknown): { status: number; text: string } {
    const e = this.upstream.error(status, json);
    const s = clientStatus(this.client.id, status);
    return { status: s, text: JSON.stringify(this.client.error({ ...e, status: s })) };
  }
}

/** Statuses only Anthropic speaks (529 overloaded) become their common equivalent elsewhere. */
function clientStatus(client: ClientProtocolImpl['id'], status: number): number {
  if (status === 529 && client !== 'anthropic') return 503;
  return status;
}
