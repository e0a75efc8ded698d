// The translation of one client request: its body parsed once into the IR (on the first attempt
// that lands on an account of another protocol), then per attempt the upstream's request and a
// TranslatedAttempt that turns that upstream's answer, stream or error into the client's shape.
// The dispatch loop calls in here and nowhere branches on protocols itself.
import type { IncomingHttpHeaders } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import type { AccountRecord, Credentials } from '../../model';
import type { ProxyRoute } from '../proxy-routes';
import { eventData, SseFramer, type Transformer } from '../stream-relay';
import type { UpstreamTarget } from '../upstream-request';
import type { Usage } from '../usage-extract';
import { estimateTokens } from './gemini-protocol';
import { AnswerCollector, BadClientRequest, mergeIrUsage, noUsage, type IrError, type IrEvent, type IrRequest } from './ir';
import { errorOut as chatErrorOut } from './openai-chat-protocol';
import { CODEX_DROPPED, codexHeaders, codexUpstream, codexUrl, responsesUsageIn } from './responses-protocol';
import { parseOrThrow } from './validate';
import { clientImpl, clientProtocolOf } from './client-protocols';
import type { ClientProtocolImpl, TranslateContext, UpstreamBuild, UpstreamProtocolImpl } from './protocol';
import type { SignatureCache } from './signature-cache';
import { restoreToolThinking, ToolThinkingTap } from './thinking';
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

/** How one translated attempt's answer reaches the client (the relay and the dispatch loop call these). */
export interface TranslatedAttempt {
  /** The client asked for a stream and the upstream streams: translated event by event. */
  readonly streamsThrough: boolean;
  streamType(): string;
  transformer(): Transformer;
  /** A whole upstream answer (JSON, or a stream read to its end) as the client's answer. */
  whole(buf: Buffer, status: number): WholeAnswer;
  /** An upstream's error answer (status and parsed body) in the client's shape. */
  errorAnswer(status: number, json: unknown): { status: number; text: string };
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
    if (this.ir === null) {
      this.ir = this.client.parse(this.json, this.route.op);
      restoreToolThinking(this.ir.messages, this.signatures);
    }
    return this.ir;
  }

  /** A 400 in the client's shape naming what is wrong. */
  badRequest(e: BadClientRequest): unknown {
    return this.client.error({ status: 400, type: 'invalid_request', message: e.message });
  }

  /** The upstream request for one attempt (or an answer the proxy gives itself). */
  plan(account: AccountRecord, credentials: Credentials, baseUrl: string, model: string, clientHeaders: IncomingHttpHeaders): AttemptPlan {
    if (this.route.op === 'openai.responses' && account.provider === 'codex') {
      // Responses to the Codex backend's Responses: the client's items and tools as they are.
      const call = codexPassThrough(this.json, { account, credentials, baseUrl, model, signatures: this.signatures, clientHeaders });
      const attempt = new ResponsesPassAttempt(this.json['stream'] === true);
      return { kind: 'upstream', target: { url: call.url, headers: call.headers, body: call.body, shape: { kind: 'translated', attempt } } };
    }
    const ir = this.request();
    const upstream = upstreamImpl(upstreamOf(account.provider));
    if (!upstream) throw new Error(`no translator for ${account.provider}`);
    if (ir.countOnly && upstream.id !== 'anthropic') {
      // count_tokens where the upstream has no such call: the proxy's own estimate.
      return { kind: 'local', status: 200, body: this.client.countTokens?.(estimateTokens(ir)) ?? { input_tokens: estimateTokens(ir) } };
    }
    const ctx: TranslateContext = { model, signatures: this.signatures, clientSse: this.route.clientSse };
    const call = upstream.request(ir, { account, credentials, baseUrl, model, signatures: this.signatures, clientHeaders });
    const attempt = new IrAttempt(this.client, upstream, ctx, ir, call.stream);
    return { kind: 'upstream', target: { url: call.url, headers: call.headers, body: call.body, shape: { kind: 'translated', attempt } } };
  }
}

/** A pair translated through the IR. */
export class IrAttempt implements TranslatedAttempt {
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
    return new TranslatingStream(this.upstream.decoder(this.ctx), this.client.encoder(this.ctx, this.ir), new ToolThinkingTap(this.ctx.signatures));
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
    new ToolThinkingTap(this.ctx.signatures).parts(a.parts);
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

/**
 * OpenAI Responses clients on Codex accounts: the same protocol, so the client's body goes up
 * with only what the Codex backend insists on (store: false, stream: true, instructions; the
 * parameters it refuses dropped) and the stream comes back untouched; a client that did not ask
 * for a stream gets the final Response object. Tools and items the IR does not model (custom
 * tools, shell calls) pass through.
 */
export function codexPassThrough(json: Record<string, unknown>, b: UpstreamBuild): { url: string; headers: Record<string, string>; body: Buffer } {
  parseOrThrow(passSchema, json);
  if (typeof json['previous_response_id'] === 'string' && json['previous_response_id']) {
    throw new BadClientRequest('previous_response_id: stored responses cannot be continued on this account; send the whole conversation in input');
  }
  const body: Record<string, unknown> = { ...json, model: b.model, store: false, stream: true };
  for (const k of CODEX_DROPPED) delete body[k];
  if (typeof body['instructions'] !== 'string') body['instructions'] = '';
  if (typeof body['input'] === 'string') body['input'] = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: body['input'] }] }];
  if (!Array.isArray(body['include'])) body['include'] = ['reasoning.encrypted_content'];
  return { url: codexUrl(b.baseUrl), headers: codexHeaders(b), body: Buffer.from(JSON.stringify(body)) };
}

const passSchema = z.object({ model: z.string().min(1), input: z.union([z.string(), z.array(z.unknown())]), stream: z.boolean().nullable().optional() }).loose();

/** Responses SSE passed through byte for byte; usage and a failure read on the side. */
class ResponsesTap implements Transformer {
  private readonly text = new StringDecoder('utf8');
  private readonly framer = new SseFramer();
  private readonly acc = noUsage();
  private done = false;
  private failed: string | null = null;
  private seq = 0;

  chunk(buf: Buffer): Buffer {
    this.read(this.framer.push(this.text.write(buf)));
    return buf;
  }

  private read(frames: string[]): void {
    for (const f of frames) {
      const data = eventData(f);
      if (data === null || !/"type"\s*:\s*"(?:response\.(?:completed|incomplete|failed|done)|error)"/.test(data)) {
        const m = data === null ? null : /"sequence_number"\s*:\s*(\d+)/.exec(data);
        if (m) this.seq = Number(m[1]) + 1;
        continue;
      }
      try {
        const e = JSON.parse(data) as { type: string; response?: { usage?: unknown; error?: { message?: string } }; message?: string };
        if (e.type === 'response.failed' || e.type === 'error') this.failed = `upstream error mid-stream: ${e.response?.error?.message ?? e.message ?? 'failed'}`.slice(0, 300);
        else {
          mergeIrUsage(this.acc, responsesUsageIn(e.response?.usage));
          this.done = true;
        }
      } catch {
        // Not JSON: nothing to learn.
      }
    }
  }

  end(): string {
    this.read(this.framer.push(this.text.end()));
    if (this.failed === null && !this.done) {
      this.failed = 'upstream stream ended before the answer completed';
      return this.failedEvent('The upstream stream ended before the answer completed');
    }
    return '';
  }

  abort(reason: string): string {
    if (this.failed !== null) return '';
    this.failed = reason;
    return this.failedEvent(`The upstream stream was interrupted (${reason})`);
  }

  private failedEvent(message: string): string {
    return `event: response.failed\ndata: ${JSON.stringify({ type: 'response.failed', sequence_number: this.seq, response: { object: 'response', status: 'failed', error: { code: 'server_error', message }, output: [] } })}\n\n`;
  }

  failure(): string | null {
    return this.failed;
  }

  usage(): Usage {
    return { input: this.acc.input, output: this.acc.output };
  }
}

export class ResponsesPassAttempt implements TranslatedAttempt {
  constructor(readonly streamsThrough: boolean) {}

  streamType(): string {
    return 'text/event-stream; charset=utf-8';
  }

  transformer(): Transformer {
    return new ResponsesTap();
  }

  whole(buf: Buffer, status: number): WholeAnswer {
    const framer = new SseFramer();
    const frames = framer.push(buf.toString('utf8'));
    const rest = framer.rest();
    if (rest.trim()) frames.push(rest);
    let final: Record<string, unknown> | null = null;
    let failed: string | null = null;
    for (const f of frames) {
      const data = eventData(f);
      if (data === null) continue;
      try {
        const e = JSON.parse(data) as { type?: string; response?: Record<string, unknown>; message?: string };
        if ((e.type === 'response.completed' || e.type === 'response.incomplete' || e.type === 'response.done') && e.response) final = e.response;
        else if (e.type === 'response.failed' || e.type === 'error') failed = (e.response?.['error'] as { message?: string } | undefined)?.message ?? e.message ?? 'failed';
      } catch {
        // Not JSON.
      }
    }
    const none = { input: null, output: null };
    if (!final) {
      const message = failed ?? 'The upstream stream ended before the answer completed';
      return { ok: false, status: 502, contentType: 'application/json', text: JSON.stringify(chatErrorOut({ status: 502, type: 'api_error', message })), usage: none, error: failed ? `upstream error mid-stream: ${failed}`.slice(0, 300) : 'upstream stream ended before the answer completed' };
    }
    const u = responsesUsageIn(final['usage']);
    return { ok: true, status, contentType: 'application/json', text: JSON.stringify(final), usage: { input: u.input, output: u.output }, error: null };
  }

  errorAnswer(status: number, json: unknown): { status: number; text: string } {
    return { status, text: JSON.stringify(chatErrorOut(codexUpstream.error(status, json))) };
  }
}
