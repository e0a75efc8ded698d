// Anthropic Messages both ways. As a client: /v1/messages (and count_tokens) parsed into the
// IR; answers, the event sequence (message_start, content_block_start/delta/stop for text,
// thinking and tool_use with input_json_delta, message_delta with stop_reason and usage,
// message_stop) and errors ({type: "error", error: {type, message}}) written back. As an
// upstream (anthropic keys, claude subscriptions): the IR written as a Messages request, its
// answer, events and errors read back.
import { z } from 'zod';
import { CLAUDE_OAUTH_BETA } from '../../providers/claude';
import { DEFAULT_ANTHROPIC_VERSION } from '../upstream-request';
import type { UpstreamOp } from '../proxy-routes';
import { argsObject, BadClientRequest, mergeIrUsage, newId, noUsage, type IrAnswer, type IrContent, type IrError, type IrEvent, type IrMessage, type IrPart, type IrRequest, type IrStop, type IrTool, type IrToolChoice, type IrUsage } from './ir';
import { isObj, jsonObject, numOrNull, sseEvent, str, typeOfStatus, type ClientProtocolImpl, type StreamDecoder, type StreamEncoder, type TranslateContext, type UpstreamBuild, type UpstreamCall, type UpstreamProtocolImpl } from './protocol';
import { dropUnacceptedThinking } from './thinking';
import { IMAGE_TYPES, parseOrThrow, unsupported } from './validate';

// ---- client request ---------------------------------------------------------------------------

const num = z.number().finite();
const textBlock = z.object({ type: z.literal('text'), text: z.string() }).loose();
const imageBlock = z
  .object({
    type: z.literal('image'),
    source: z.union([
      z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string().min(1) }).loose(),
      z.object({ type: z.literal('url'), url: z.string() }).loose(),
    ]),
  })
  .loose();
const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() }).loose();
const toolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()) }).loose();
const toolResultBlock = z
  .object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().min(1),
    content: z.union([z.string(), z.array(z.object({ type: z.string() }).loose())]).optional(),
    is_error: z.boolean().optional(),
  })
  .loose();

const requestSchema = z
  .object({
    model: z.string().min(1),
    max_tokens: z.number().int().positive().optional(),
    messages: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(z.object({ type: z.string() }).loose())]) }).loose()),
    system: z.union([z.string(), z.array(z.object({ type: z.literal('text'), text: z.string() }).loose())]).optional(),
    tools: z.array(z.object({ name: z.string().min(1), description: z.string().optional(), input_schema: z.record(z.string(), z.unknown()).optional(), type: z.string().optional() }).loose()).optional(),
    tool_choice: z.object({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().optional(), disable_parallel_tool_use: z.boolean().optional() }).loose().optional(),
    temperature: num.optional(),
    top_p: num.optional(),
    top_k: z.number().int().optional(),
    stop_sequences: z.array(z.string()).optional(),
    stream: z.boolean().optional(),
    thinking: z.object({ type: z.enum(['enabled', 'disabled', 'adaptive']), budget_tokens: z.number().int().optional() }).loose().optional(),
  })
  .loose();

function imagePart(v: unknown, field: string): IrContent {
  const b = parseOrThrow(imageBlock, v, field);
  if (b.source.type !== 'base64') throw unsupported(`${field}.source`, 'an image by URL');
  if (!IMAGE_TYPES.has(b.source.media_type)) throw unsupported(`${field}.source.media_type`, `an image of type "${b.source.media_type}"`);
  return { kind: 'image', mediaType: b.source.media_type, data: b.source.data };
}

function contentOf(v: unknown, field: string): IrContent[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return [{ kind: 'text', text: v }];
  const out: IrContent[] = [];
  (v as Array<{ type: string }>).forEach((b, i) => {
    const f = `${field}.${i}`;
    if (b.type === 'text') out.push({ kind: 'text', text: parseOrThrow(textBlock, b, f).text });
    else if (b.type === 'image') out.push(imagePart(b, f));
    else throw unsupported(f, `content of type "${b.type}"`);
  });
  return out;
}

function blockToPart(b: { type: string }, field: string): IrPart | null {
  switch (b.type) {
    case 'text':
      return { kind: 'text', text: parseOrThrow(textBlock, b, field).text };
    case 'image':
      return imagePart(b, field);
    case 'thinking': {
      const t = parseOrThrow(thinkingBlock, b, field);
      return { kind: 'thinking', text: t.thinking, signature: t.signature || null };
    }
    case 'redacted_thinking':
      // Encrypted reasoning only Anthropic can read: never sent elsewhere.
      return null;
    case 'server_tool_use':
    case 'web_search_tool_result':
    case 'web_fetch_tool_result':
    case 'code_execution_tool_result':
    case 'bash_code_execution_tool_result':
    case 'text_editor_code_execution_tool_result':
      // A tool Anthropic ran itself earlier in the conversation: no other upstream can take it back.
      return null;
    case 'tool_use': {
      const t = parseOrThrow(toolUseBlock, b, field);
      return { kind: 'tool_call', id: t.id, name: t.name, args: JSON.stringify(t.input) };
    }
    case 'tool_result': {
      const t = parseOrThrow(toolResultBlock, b, field);
      return { kind: 'tool_result', id: t.tool_use_id, name: null, content: contentOf(t.content, `${field}.content`), isError: t.is_error === true };
    }
    default:
      throw unsupported(field, `content of type "${b.type}"`);
  }
}

/** Tool results name the call they answer; the IR also carries its name (Gemini needs it). */
export function nameToolResults(messages: IrMessage[]): void {
  const names = new Map<string, string>();
  for (const m of messages) {
    for (const p of m.parts) {
      if (p.kind === 'tool_call') names.set(p.id, p.name);
      else if (p.kind === 'tool_result' && p.name === null) p.name = names.get(p.id) ?? null;
    }
  }
}

function parseRequest(json: Record<string, unknown>, op: UpstreamOp): IrRequest {
  const r = parseOrThrow(requestSchema, json);
  const countOnly = op === 'anthropic.count_tokens';
  if (!countOnly && r.max_tokens === undefined) throw new BadClientRequest('max_tokens: Field required');
  const messages: IrMessage[] = r.messages.map((m, i) => {
    const field = `messages.${i}.content`;
    const parts: IrPart[] = [];
    if (typeof m.content === 'string') parts.push({ kind: 'text', text: m.content });
    else m.content.forEach((b, j) => {
      const p = blockToPart(b, `${field}.${j}`);
      if (p) parts.push(p);
    });
    return { role: m.role, parts };
  });
  nameToolResults(messages);
  const system = r.system === undefined ? null : typeof r.system === 'string' ? r.system : r.system.map((b) => b.text).join('\n');
  const tools: IrTool[] = [];
  for (const t of r.tools ?? []) {
    // Server tools (web search, code execution …) run at Anthropic: nothing to translate them to.
    if (t.type !== undefined && t.type !== 'custom' && t.input_schema === undefined) continue;
    tools.push({ name: t.name, description: t.description ?? null, parameters: t.input_schema ?? { type: 'object', properties: {} } });
  }
  let toolChoice: IrToolChoice | null = null;
  if (r.tool_choice) {
    if (r.tool_choice.type === 'tool') {
      if (!r.tool_choice.name) throw new BadClientRequest('tool_choice.name: Field required');
      toolChoice = { type: 'tool', name: r.tool_choice.name };
    } else toolChoice = { type: r.tool_choice.type };
  }
  const th = r.thinking;
  return {
    model: r.model,
    system: system || null,
    messages,
    tools,
    toolChoice,
    maxTokens: r.max_tokens ?? null,
    temperature: r.temperature ?? null,
    topP: r.top_p ?? null,
    topK: r.top_k ?? null,
    stop: r.stop_sequences ?? [],
    stream: r.stream === true && !countOnly,
    thinking: th && th.type !== 'disabled' ? { budget: th.budget_tokens ?? null, effort: null } : null,
    includeUsage: false,
    parallelToolCalls: r.tool_choice?.disable_parallel_tool_use === true ? false : null,
    countOnly,
  };
}

// ---- client answer, stream, error -------------------------------------------------------------

const STOP_OUT: Record<IrStop, string> = { end: 'end_turn', max_tokens: 'max_tokens', tool_use: 'tool_use', stop_sequence: 'stop_sequence', refusal: 'refusal', error: 'end_turn' };
const ERROR_TYPE: Record<IrError['type'], string> = {
  invalid_request: 'invalid_request_error', authentication: 'authentication_error', permission: 'permission_error', not_found: 'not_found_error',
  rate_limit: 'rate_limit_error', overloaded: 'overloaded_error', api_error: 'api_error',
};

function usageOut(u: IrUsage): Record<string, number> {
  const out: Record<string, number> = { input_tokens: Math.max(0, (u.input ?? 0) - (u.cacheRead ?? 0)), output_tokens: u.output ?? 0 };
  if (u.cacheRead !== null) out['cache_read_input_tokens'] = u.cacheRead;
  return out;
}

function noteSignature(ctx: TranslateContext, sig: string | null | undefined, origin: 'cloudcode' | 'codex' | 'anthropic' | null): void {
  if (sig && origin) ctx.signatures.noteSignature(sig, origin);
}

function answerOut(a: IrAnswer, ctx: TranslateContext): unknown {
  const content: unknown[] = [];
  for (const p of a.parts) {
    if (p.kind === 'text') content.push({ type: 'text', text: p.text });
    else if (p.kind === 'thinking') content.push({ type: 'thinking', thinking: p.text, signature: p.signature ?? '' });
    else if (p.kind === 'tool_call') {
      content.push({ type: 'tool_use', id: p.id, name: p.name, input: argsObject(p.args) });
    }
  }
  return { id: a.id.startsWith('msg_') ? a.id : `msg_${a.id}`, type: 'message', role: 'assistant', model: ctx.model, content, stop_reason: STOP_OUT[a.stop], stop_sequence: a.stopSequence, usage: usageOut(a.usage) };
}

function errorOut(e: IrError): unknown {
  return { type: 'error', error: { type: ERROR_TYPE[e.type], message: e.message } };
}

type Block = 'text' | 'thinking' | 'tool' | null;

class AnthropicEncoder implements StreamEncoder {
  private started = false;
  private block: Block = null;
  private index = -1;
  private id: string | null = null;
  private readonly usage = noUsage();
  private stop: IrStop = 'end';
  private sequence: string | null = null;
  private sawTool = false;

  constructor(private readonly ctx: TranslateContext) {}

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const id = this.id ? (this.id.startsWith('msg_') ? this.id : `msg_${this.id}`) : newId('msg_');
    return sseEvent('message_start', {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model: this.ctx.model, content: [], stop_reason: null, stop_sequence: null, usage: usageOut(this.usage) },
    });
  }

  private close(): string {
    if (this.block === null) return '';
    this.block = null;
    return sseEvent('content_block_stop', { type: 'content_block_stop', index: this.index });
  }

  private open(kind: Exclude<Block, null>, contentBlock: unknown): string {
    const s = this.close();
    this.block = kind;
    this.index++;
    return `${s}${sseEvent('content_block_start', { type: 'content_block_start', index: this.index, content_block: contentBlock })}`;
  }

  private delta(delta: unknown): string {
    return sseEvent('content_block_delta', { type: 'content_block_delta', index: this.index, delta });
  }

  push(e: IrEvent): string {
    switch (e.t) {
      case 'start':
        this.id ??= e.id;
        return '';
      case 'usage':
        mergeIrUsage(this.usage, e.usage);
        return '';
      case 'stop':
        this.stop = e.reason;
        this.sequence = e.sequence ?? null;
        return '';
      case 'done':
        return '';
      case 'error':
        return this.fail(e.error);
      case 'text': {
        if (e.text === '' && this.block === 'text') return '';
        let s = this.start();
        if (this.block !== 'text') s += this.open('text', { type: 'text', text: '' });
        return e.text === '' ? s : s + this.delta({ type: 'text_delta', text: e.text });
      }
      case 'thinking': {
        let s = this.start();
        if (this.block !== 'thinking') s += this.open('thinking', { type: 'thinking', thinking: '', signature: '' });
        return e.text === '' ? s : s + this.delta({ type: 'thinking_delta', thinking: e.text });
      }
      case 'signature': {
        let s = this.start();
        if (this.block !== 'thinking') s += this.open('thinking', { type: 'thinking', thinking: '', signature: '' });
        s += this.delta({ type: 'signature_delta', signature: e.signature });
        return s + this.close();
      }
      case 'tool': {
        this.sawTool = true;
        let s = this.start() + this.open('tool', { type: 'tool_use', id: e.id, name: e.name, input: {} });
        if (e.args) s += this.delta({ type: 'input_json_delta', partial_json: e.args });
        return s;
      }
      case 'tool_args':
        if (this.block !== 'tool' || e.args === '') return '';
        return this.delta({ type: 'input_json_delta', partial_json: e.args });
    }
  }

  finish(): string {
    const stop = this.stop === 'end' && this.sawTool ? 'tool_use' : this.stop;
    return (
      this.start() +
      this.close() +
      sseEvent('message_delta', { type: 'message_delta', delta: { stop_reason: STOP_OUT[stop], stop_sequence: this.sequence }, usage: usageOut(this.usage) }) +
      sseEvent('message_stop', { type: 'message_stop' })
    );
  }

  fail(e: IrError): string {
    return sseEvent('error', errorOut(e));
  }
}

export const anthropicClient: ClientProtocolImpl = {
  id: 'anthropic',
  parse: parseRequest,
  answer: (a, ctx) => answerOut(a, ctx),
  encoder: (ctx) => new AnthropicEncoder(ctx),
  streamType: () => 'text/event-stream; charset=utf-8',
  error: errorOut,
  countTokens: (n) => ({ input_tokens: n }),
};

// ---- upstream ---------------------------------------------------------------------------------

const EFFORT_BUDGET = { low: 2048, medium: 8192, high: 24576 } as const;

function contentIn(c: IrContent): unknown {
  return c.kind === 'text' ? { type: 'text', text: c.text } : { type: 'image', source: { type: 'base64', media_type: c.mediaType, data: c.data } };
}

/** The IR as an Anthropic Messages body. */
export function anthropicBody(ir: IrRequest, model: string, keepSignature: (sig: string) => boolean): Record<string, unknown> {
  const { messages, thinkingAllowed } = dropUnacceptedThinking(ir.messages, keepSignature);
  const out: Record<string, unknown>[] = [];
  for (const m of messages) {
    const content: unknown[] = [];
    for (const p of m.parts) {
      if (p.kind === 'text') {
        if (p.text !== '') content.push({ type: 'text', text: p.text });
      } else if (p.kind === 'image') content.push(contentIn(p));
      else if (p.kind === 'thinking') content.push({ type: 'thinking', thinking: p.text, signature: p.signature });
      else if (p.kind === 'tool_call') content.push({ type: 'tool_use', id: p.id, name: p.name, input: argsObject(p.args) });
      else content.push({ type: 'tool_result', tool_use_id: p.id, content: p.content.map(contentIn), ...(p.isError ? { is_error: true } : {}) });
    }
    if (content.length === 0) continue;
    const prev = out[out.length - 1];
    if (prev && prev['role'] === m.role) (prev['content'] as unknown[]).push(...content);
    else out.push({ role: m.role, content });
  }
  const body: Record<string, unknown> = { model, messages: out };
  if (!ir.countOnly) body['max_tokens'] = ir.maxTokens ?? 8192;
  if (ir.system) body['system'] = ir.system;
  if (ir.tools.length) body['tools'] = ir.tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), input_schema: t.parameters }));
  if (ir.tools.length && (ir.toolChoice || ir.parallelToolCalls === false)) {
    const tc = ir.toolChoice ?? { type: 'auto' as const };
    const choice: Record<string, unknown> = tc.type === 'tool' ? { type: 'tool', name: tc.name } : { type: tc.type };
    if (ir.parallelToolCalls === false && tc.type !== 'none') choice['disable_parallel_tool_use'] = true;
    body['tool_choice'] = choice;
  }
  if (ir.stop.length) body['stop_sequences'] = ir.stop;
  if (ir.thinking && thinkingAllowed && !ir.countOnly) {
    const budget = Math.max(1024, ir.thinking.budget ?? EFFORT_BUDGET[ir.thinking.effort ?? 'medium']);
    body['thinking'] = { type: 'enabled', budget_tokens: budget };
    if ((body['max_tokens'] as number) <= budget) body['max_tokens'] = budget + 4096;
  } else {
    if (ir.temperature !== null) body['temperature'] = ir.temperature;
    if (ir.topP !== null) body['top_p'] = ir.topP;
    if (ir.topK !== null) body['top_k'] = ir.topK;
  }
  if (ir.stream) body['stream'] = true;
  return body;
}

function withBeta(existing: string | undefined, flag: string): string {
  const parts = (existing ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.includes(flag)) parts.push(flag);
  return parts.join(',');
}

function upstreamRequest(ir: IrRequest, b: UpstreamBuild): UpstreamCall {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: ir.stream ? 'text/event-stream' : 'application/json',
    'accept-encoding': 'identity',
    'anthropic-version': DEFAULT_ANTHROPIC_VERSION,
  };
  if (b.account.provider === 'claude') {
    if (!b.credentials.accessToken) throw new MissingUpstreamCredential('access token');
    headers['authorization'] = `Bearer ${b.credentials.accessToken}`;
    headers['anthropic-beta'] = withBeta(undefined, CLAUDE_OAUTH_BETA);
  } else {
    if (!b.credentials.apiKey) throw new MissingUpstreamCredential('API key');
    headers['x-api-key'] = b.credentials.apiKey;
  }
  const body = anthropicBody(ir, b.model, (sig) => b.signatures.origin(sig) === 'anthropic');
  const path = ir.countOnly ? '/v1/messages/count_tokens' : '/v1/messages';
  return { url: `${b.baseUrl}${path}`, headers, body: Buffer.from(JSON.stringify(body)), stream: ir.stream };
}

export class MissingUpstreamCredential extends Error {
  constructor(readonly what: string) {
    super(`The account has no ${what}`);
  }
}

const STOP_IN: Record<string, IrStop> = { end_turn: 'end', max_tokens: 'max_tokens', tool_use: 'tool_use', stop_sequence: 'stop_sequence', refusal: 'refusal', pause_turn: 'end' };

function usageIn(u: unknown): IrUsage {
  const out = noUsage();
  if (!isObj(u)) return out;
  const input = numOrNull(u['input_tokens']);
  const cw = numOrNull(u['cache_creation_input_tokens']);
  const cr = numOrNull(u['cache_read_input_tokens']);
  if (input !== null || cw !== null || cr !== null) out.input = (input ?? 0) + (cw ?? 0) + (cr ?? 0);
  out.output = numOrNull(u['output_tokens']);
  out.cacheRead = cr;
  return out;
}

function answerIn(json: unknown, ctx: TranslateContext): IrAnswer {
  const j = isObj(json) ? json : {};
  const parts: IrPart[] = [];
  for (const b of Array.isArray(j['content']) ? j['content'] : []) {
    if (!isObj(b)) continue;
    if (b['type'] === 'text') parts.push({ kind: 'text', text: str(b['text']) ?? '' });
    else if (b['type'] === 'thinking') {
      const sig = str(b['signature']);
      noteSignature(ctx, sig, 'anthropic');
      parts.push({ kind: 'thinking', text: str(b['thinking']) ?? '', signature: sig });
    } else if (b['type'] === 'tool_use') parts.push({ kind: 'tool_call', id: str(b['id']) ?? newId('toolu_'), name: str(b['name']) ?? '', args: JSON.stringify(b['input'] ?? {}) });
  }
  return {
    id: str(j['id']) ?? newId('msg_'),
    model: str(j['model']) ?? ctx.model,
    parts,
    stop: STOP_IN[str(j['stop_reason']) ?? ''] ?? 'end',
    stopSequence: str(j['stop_sequence']),
    usage: usageIn(j['usage']),
  };
}

class AnthropicDecoder implements StreamDecoder {
  constructor(private readonly ctx: TranslateContext) {}

  event(_name: string | null, data: string, out: IrEvent[]): void {
    const e = jsonObject(data);
    if (!e) return;
    switch (e['type']) {
      case 'message_start': {
        const m = isObj(e['message']) ? e['message'] : {};
        out.push({ t: 'start', id: str(m['id']), model: str(m['model']) });
        out.push({ t: 'usage', usage: usageIn(m['usage']) });
        return;
      }
      case 'content_block_start': {
        const b = isObj(e['content_block']) ? e['content_block'] : {};
        if (b['type'] === 'text') out.push({ t: 'text', text: str(b['text']) ?? '' });
        else if (b['type'] === 'thinking') out.push({ t: 'thinking', text: str(b['thinking']) ?? '' });
        else if (b['type'] === 'tool_use') {
          const input = b['input'];
          const args = isObj(input) && Object.keys(input).length > 0 ? JSON.stringify(input) : '';
          out.push({ t: 'tool', id: str(b['id']) ?? newId('toolu_'), name: str(b['name']) ?? '', args });
        }
        return;
      }
      case 'content_block_delta': {
        const d = isObj(e['delta']) ? e['delta'] : {};
        if (d['type'] === 'text_delta') out.push({ t: 'text', text: str(d['text']) ?? '' });
        else if (d['type'] === 'thinking_delta') out.push({ t: 'thinking', text: str(d['thinking']) ?? '' });
        else if (d['type'] === 'signature_delta') {
          const sig = str(d['signature']);
          if (sig) {
            this.ctx.signatures.noteSignature(sig, 'anthropic');
            out.push({ t: 'signature', signature: sig });
          }
        } else if (d['type'] === 'input_json_delta') out.push({ t: 'tool_args', args: str(d['partial_json']) ?? '' });
        return;
      }
      case 'content_block_stop':
        return;
      case 'message_delta': {
        const d = isObj(e['delta']) ? e['delta'] : {};
        const reason = str(d['stop_reason']);
        if (reason) out.push({ t: 'stop', reason: STOP_IN[reason] ?? 'end', sequence: str(d['stop_sequence']) });
        out.push({ t: 'usage', usage: usageIn(e['usage']) });
        return;
      }
      case 'message_stop':
        out.push({ t: 'done' });
        return;
      case 'error':
        out.push({ t: 'error', error: errorIn(529, e) });
        return;
    }
  }
}

function errorIn(status: number, json: unknown): IrError {
  const err = isObj(json) && isObj(json['error']) ? json['error'] : null;
  const message = (err && str(err['message'])) || `Upstream error ${status}`;
  const t = err ? str(err['type']) : null;
  const type: IrError['type'] =
    t === 'overloaded_error' ? 'overloaded' : t === 'rate_limit_error' ? 'rate_limit' : t === 'not_found_error' ? 'not_found' : t === 'authentication_error' ? 'authentication' : t === 'permission_error' ? 'permission' : t === 'invalid_request_error' ? 'invalid_request' : typeOfStatus(status);
  return { status, type, message };
}

export const anthropicUpstream: UpstreamProtocolImpl = {
  id: 'anthropic',
  request: upstreamRequest,
  answer: answerIn,
  decoder: (ctx) => new AnthropicDecoder(ctx),
  error: errorIn,
};
