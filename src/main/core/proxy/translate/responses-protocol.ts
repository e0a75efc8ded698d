// OpenAI Responses both ways. As a client: /v1/responses parsed into the IR (input items:
// messages, function_call, function_call_output, reasoning), answered as a Response object or
// its event stream (response.created … output_item/content_part/output_text/function_call
// arguments/reasoning summary events … response.completed, response.failed on an error). As an
// upstream: the Codex backend (codex subscriptions) at {base}/backend-api/codex/responses, which
// only streams, wants `store: false`, `instructions`, and signs reasoning with encrypted_content.
import { z } from 'zod';
import { chatgptAccountIdFromJwt } from '../../providers/codex';
import { USER_AGENT } from '../../providers/provider-adapter';
import type { UpstreamOp } from '../proxy-routes';
import { BadClientRequest, contentText, mergeIrUsage, newId, noUsage, type IrAnswer, type IrContent, type IrError, type IrEvent, type IrMessage, type IrPart, type IrRequest, type IrStop, type IrTool, type IrToolChoice, type IrUsage } from './ir';
import { isObj, jsonObject, nowSec, numOrNull, sseEvent, str, typeOfStatus, type ClientProtocolImpl, type StreamDecoder, type StreamEncoder, type TranslateContext, type UpstreamBuild, type UpstreamCall, type UpstreamProtocolImpl } from './protocol';
import { MissingUpstreamCredential, nameToolResults } from './anthropic-protocol';
import { errorOut as chatErrorOut } from './openai-chat-protocol';
import { dropUnacceptedThinking } from './thinking';
import { dataUrl, IMAGE_TYPES, parseOrThrow, unsupported } from './validate';

// ---- client request ---------------------------------------------------------------------------

const requestSchema = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.object({}).loose())]),
    instructions: z.string().nullable().optional(),
    tools: z.array(z.object({ type: z.string(), name: z.string().optional(), description: z.string().nullable().optional(), parameters: z.record(z.string(), z.unknown()).nullable().optional() }).loose()).optional(),
    tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.string(), name: z.string().optional() }).loose()]).optional(),
    max_output_tokens: z.number().int().positive().nullable().optional(),
    temperature: z.number().nullable().optional(),
    top_p: z.number().nullable().optional(),
    stream: z.boolean().nullable().optional(),
    reasoning: z.object({ effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullable().optional() }).loose().nullable().optional(),
    parallel_tool_calls: z.boolean().nullable().optional(),
    previous_response_id: z.string().nullable().optional(),
  })
  .loose();

const functionCall = z.object({ call_id: z.string().min(1), name: z.string().min(1), arguments: z.string() }).loose();
const functionOutput = z.object({ call_id: z.string().min(1), output: z.union([z.string(), z.array(z.object({ type: z.string() }).loose())]) }).loose();
const message = z.object({ role: z.enum(['user', 'assistant', 'system', 'developer']), content: z.union([z.string(), z.array(z.object({ type: z.string() }).loose())]) }).loose();

function partsOf(c: string | Array<Record<string, unknown>>, field: string): IrContent[] {
  if (typeof c === 'string') return [{ kind: 'text', text: c }];
  const out: IrContent[] = [];
  c.forEach((p, i) => {
    const f = `${field}.${i}`;
    const t = p['type'];
    if (t === 'input_text' || t === 'output_text' || t === 'text') {
      if (typeof p['text'] !== 'string') throw new BadClientRequest(`${f}.text: expected string`);
      out.push({ kind: 'text', text: p['text'] });
    } else if (t === 'input_image') {
      const d = typeof p['image_url'] === 'string' ? dataUrl(p['image_url']) : null;
      if (!d) throw unsupported(`${f}.image_url`, 'an image by URL or file id');
      if (!IMAGE_TYPES.has(d.mediaType)) throw unsupported(`${f}.image_url`, `an image of type "${d.mediaType}"`);
      out.push({ kind: 'image', mediaType: d.mediaType, data: d.data });
    } else if (t === 'refusal') {
      // An earlier refusal: nothing to send back.
    } else throw unsupported(f, `content of type "${String(t)}"`);
  });
  return out;
}

function parseRequest(json: Record<string, unknown>, _op: UpstreamOp): IrRequest {
  const r = parseOrThrow(requestSchema, json);
  if (r.previous_response_id) throw new BadClientRequest('previous_response_id: stored responses cannot be continued on this account; send the whole conversation in input');
  const system: string[] = r.instructions ? [r.instructions] : [];
  const messages: IrMessage[] = [];
  const push = (role: 'user' | 'assistant', parts: IrPart[]): void => {
    const prev = messages[messages.length - 1];
    if (prev && prev.role === role) prev.parts.push(...parts);
    else messages.push({ role, parts });
  };
  if (typeof r.input === 'string') push('user', [{ kind: 'text', text: r.input }]);
  else r.input.forEach((item: Record<string, unknown>, i) => {
    const f = `input.${i}`;
    const type = item['type'] ?? (item['role'] !== undefined ? 'message' : undefined);
    switch (type) {
      case 'message': {
        const m = parseOrThrow(message, item, f);
        const parts = partsOf(m.content, `${f}.content`);
        if (m.role === 'system' || m.role === 'developer') system.push(contentText(parts));
        else push(m.role, parts);
        return;
      }
      case 'function_call': {
        const c = parseOrThrow(functionCall, item, f);
        push('assistant', [{ kind: 'tool_call', id: c.call_id, name: c.name, args: c.arguments }]);
        return;
      }
      case 'function_call_output': {
        const o = parseOrThrow(functionOutput, item, f);
        push('user', [{ kind: 'tool_result', id: o.call_id, name: null, content: partsOf(o.output as string | Array<Record<string, unknown>>, `${f}.output`), isError: false }]);
        return;
      }
      case 'reasoning': {
        const summary = Array.isArray(item['summary']) ? item['summary'] : [];
        const text = summary.map((s) => (isObj(s) ? (str(s['text']) ?? '') : '')).join('\n');
        push('assistant', [{ kind: 'thinking', text, signature: str(item['encrypted_content']) }]);
        return;
      }
      default:
        throw unsupported(f, `an input item of type "${String(type)}"`);
    }
  });
  nameToolResults(messages);
  const tools: IrTool[] = [];
  for (const t of r.tools ?? []) {
    // Built-in tools (web search, file search, shell …) run at OpenAI: nothing to translate them to.
    if (t.type !== 'function' || !t.name) continue;
    tools.push({ name: t.name, description: t.description ?? null, parameters: t.parameters ?? { type: 'object', properties: {} } });
  }
  let toolChoice: IrToolChoice | null = null;
  if (r.tool_choice === 'auto' || r.tool_choice === 'none') toolChoice = { type: r.tool_choice };
  else if (r.tool_choice === 'required') toolChoice = { type: 'any' };
  else if (r.tool_choice && r.tool_choice.type === 'function' && r.tool_choice.name) toolChoice = { type: 'tool', name: r.tool_choice.name };
  const e = r.reasoning?.effort;
  const effort = e === 'minimal' || e === 'low' ? 'low' : e === 'medium' ? 'medium' : e === 'high' || e === 'xhigh' ? 'high' : null;
  return {
    model: r.model,
    system: system.length ? system.join('\n') : null,
    messages,
    tools,
    toolChoice,
    maxTokens: r.max_output_tokens ?? null,
    temperature: r.temperature ?? null,
    topP: r.top_p ?? null,
    topK: null,
    stop: [],
    stream: r.stream === true,
    thinking: effort ? { budget: null, effort } : null,
    includeUsage: true,
    parallelToolCalls: r.parallel_tool_calls ?? null,
    countOnly: false,
  };
}

// ---- client answer, stream, error -------------------------------------------------------------

function usageOut(u: IrUsage): Record<string, unknown> {
  const input = u.input ?? 0;
  const output = u.output ?? 0;
  return { input_tokens: input, input_tokens_details: { cached_tokens: u.cacheRead ?? 0 }, output_tokens: output, output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 }, total_tokens: input + output };
}

const respId = (id: string | null): string => (id && id.startsWith('resp_') ? id : newId('resp_'));

function responseObject(id: string, created: number, ctx: TranslateContext, status: string, output: unknown[], usage: IrUsage | null, stop: IrStop): Record<string, unknown> {
  return {
    id,
    object: 'response',
    created_at: created,
    status,
    error: null,
    incomplete_details: status === 'incomplete' || stop === 'max_tokens' ? { reason: 'max_output_tokens' } : null,
    instructions: null,
    max_output_tokens: null,
    model: ctx.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    truncation: 'disabled',
    usage: usage ? usageOut(usage) : null,
    metadata: {},
  };
}

function outputItems(parts: IrPart[]): unknown[] {
  const out: unknown[] = [];
  for (const p of parts) {
    if (p.kind === 'text') {
      const last = out[out.length - 1] as { type?: string; content?: Array<{ text: string }> } | undefined;
      if (last?.type === 'message') last.content![0]!.text += p.text;
      else out.push({ type: 'message', id: newId('msg_'), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: p.text, annotations: [] }] });
    } else if (p.kind === 'thinking') out.push({ type: 'reasoning', id: newId('rs_'), summary: p.text ? [{ type: 'summary_text', text: p.text }] : [], ...(p.signature ? { encrypted_content: p.signature } : {}) });
    else if (p.kind === 'tool_call') out.push({ type: 'function_call', id: newId('fc_'), call_id: p.id, name: p.name, arguments: p.args || '{}', status: 'completed' });
  }
  return out;
}

function answerOut(a: IrAnswer, ctx: TranslateContext): unknown {
  return responseObject(respId(a.id), nowSec(), ctx, a.stop === 'max_tokens' ? 'incomplete' : 'completed', outputItems(a.parts), a.usage, a.stop);
}

type Item = { type: 'message'; id: string; text: string } | { type: 'reasoning'; id: string; text: string; signature: string | null } | { type: 'function_call'; id: string; callId: string; name: string; args: string };

class ResponsesEncoder implements StreamEncoder {
  private seq = 0;
  private id: string | null = null;
  private readonly created = nowSec();
  private started = false;
  private item: Item | null = null;
  private readonly output: unknown[] = [];
  private readonly usage = noUsage();
  private stop: IrStop = 'end';
  private sawTool = false;

  constructor(private readonly ctx: TranslateContext) {}

  private ev(type: string, data: Record<string, unknown>): string {
    return sseEvent(type, { type, sequence_number: this.seq++, ...data });
  }

  private begin(): string {
    if (this.started) return '';
    this.started = true;
    this.id = respId(this.id);
    const r = responseObject(this.id, this.created, this.ctx, 'in_progress', [], null, 'end');
    return this.ev('response.created', { response: r }) + this.ev('response.in_progress', { response: r });
  }

  private get index(): number {
    return this.output.length;
  }

  private close(): string {
    const it = this.item;
    if (!it) return '';
    this.item = null;
    const output_index = this.index;
    let s = '';
    let done: Record<string, unknown>;
    if (it.type === 'message') {
      const part = { type: 'output_text', text: it.text, annotations: [] };
      s += this.ev('response.output_text.done', { item_id: it.id, output_index, content_index: 0, text: it.text });
      s += this.ev('response.content_part.done', { item_id: it.id, output_index, content_index: 0, part });
      done = { type: 'message', id: it.id, status: 'completed', role: 'assistant', content: [part] };
    } else if (it.type === 'reasoning') {
      const part = { type: 'summary_text', text: it.text };
      if (it.text) {
        s += this.ev('response.reasoning_summary_text.done', { item_id: it.id, output_index, summary_index: 0, text: it.text });
        s += this.ev('response.reasoning_summary_part.done', { item_id: it.id, output_index, summary_index: 0, part });
      }
      done = { type: 'reasoning', id: it.id, summary: it.text ? [part] : [], ...(it.signature ? { encrypted_content: it.signature } : {}) };
    } else {
      s += this.ev('response.function_call_arguments.done', { item_id: it.id, output_index, arguments: it.args });
      done = { type: 'function_call', id: it.id, call_id: it.callId, name: it.name, arguments: it.args, status: 'completed' };
    }
    s += this.ev('response.output_item.done', { output_index, item: done });
    this.output.push(done);
    return s;
  }

  private open(it: Item): string {
    let s = this.close();
    this.item = it;
    const output_index = this.index;
    if (it.type === 'message') {
      s += this.ev('response.output_item.added', { output_index, item: { type: 'message', id: it.id, status: 'in_progress', role: 'assistant', content: [] } });
      s += this.ev('response.content_part.added', { item_id: it.id, output_index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    } else if (it.type === 'reasoning') {
      s += this.ev('response.output_item.added', { output_index, item: { type: 'reasoning', id: it.id, summary: [] } });
    } else {
      s += this.ev('response.output_item.added', { output_index, item: { type: 'function_call', id: it.id, call_id: it.callId, name: it.name, arguments: '', status: 'in_progress' } });
    }
    return s;
  }

  push(e: IrEvent): string {
    switch (e.t) {
      case 'start':
        if (!this.started && e.id) this.id = e.id;
        return '';
      case 'usage':
        mergeIrUsage(this.usage, e.usage);
        return '';
      case 'stop':
        this.stop = e.reason;
        return '';
      case 'done':
        return '';
      case 'error':
        return this.fail(e.error);
      case 'text': {
        let s = this.begin();
        if (this.item?.type !== 'message') s += this.open({ type: 'message', id: newId('msg_'), text: '' });
        if (e.text === '') return s;
        (this.item as Extract<Item, { type: 'message' }>).text += e.text;
        return s + this.ev('response.output_text.delta', { item_id: this.item!.id, output_index: this.index, content_index: 0, delta: e.text });
      }
      case 'thinking': {
        let s = this.begin();
        if (this.item?.type !== 'reasoning') s += this.open({ type: 'reasoning', id: newId('rs_'), text: '', signature: null });
        if (e.text === '') return s;
        const it = this.item as Extract<Item, { type: 'reasoning' }>;
        if (it.text === '') s += this.ev('response.reasoning_summary_part.added', { item_id: it.id, output_index: this.index, summary_index: 0, part: { type: 'summary_text', text: '' } });
        it.text += e.text;
        return s + this.ev('response.reasoning_summary_text.delta', { item_id: it.id, output_index: this.index, summary_index: 0, delta: e.text });
      }
      case 'signature': {
        let s = this.begin();
        if (this.item?.type !== 'reasoning') s += this.open({ type: 'reasoning', id: newId('rs_'), text: '', signature: null });
        (this.item as Extract<Item, { type: 'reasoning' }>).signature = e.signature;
        return s + this.close();
      }
      case 'tool': {
        this.sawTool = true;
        let s = this.begin() + this.open({ type: 'function_call', id: newId('fc_'), callId: e.id, name: e.name, args: e.args });
        if (e.args) s += this.ev('response.function_call_arguments.delta', { item_id: this.item!.id, output_index: this.index, delta: e.args });
        return s;
      }
      case 'tool_args': {
        if (this.item?.type !== 'function_call' || e.args === '') return '';
        this.item.args += e.args;
        return this.ev('response.function_call_arguments.delta', { item_id: this.item.id, output_index: this.index, delta: e.args });
      }
    }
  }

  finish(): string {
    const s = this.begin() + this.close();
    const stop = this.stop === 'end' && this.sawTool ? 'tool_use' : this.stop;
    const status = stop === 'max_tokens' ? 'incomplete' : 'completed';
    const r = responseObject(this.id!, this.created, this.ctx, status, this.output, this.usage, stop);
    return s + this.ev(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: r });
  }

  fail(e: IrError): string {
    const s = this.begin();
    const r = responseObject(this.id!, this.created, this.ctx, 'failed', this.output, this.usage, 'error');
    r['error'] = { code: e.type === 'rate_limit' ? 'rate_limit_exceeded' : 'server_error', message: e.message };
    return s + this.ev('response.failed', { response: r });
  }
}

export const responsesClient: ClientProtocolImpl = {
  id: 'openai-responses',
  parse: parseRequest,
  answer: (a, ctx) => answerOut(a, ctx),
  encoder: (ctx) => new ResponsesEncoder(ctx),
  streamType: () => 'text/event-stream; charset=utf-8',
  error: chatErrorOut,
};

// ---- upstream: the Codex backend --------------------------------------------------------------

/** Parameters the Codex backend refuses (it picks them itself). */
export const CODEX_DROPPED = ['max_output_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'truncation', 'service_tier', 'previous_response_id', 'prompt_cache_retention', 'safety_identifier', 'user', 'metadata', 'background'];

export function codexHeaders(b: Pick<UpstreamBuild, 'credentials'>): Record<string, string> {
  const c = b.credentials;
  if (!c.accessToken) throw new MissingUpstreamCredential('access token');
  const headers: Record<string, string> = {
    authorization: `Bearer ${c.accessToken}`,
    'content-type': 'application/json',
    accept: 'text/event-stream',
    'accept-encoding': 'identity',
    'openai-beta': 'responses=experimental',
    originator: 'codex_cli_rs',
    'user-agent': USER_AGENT,
  };
  const accountId = c.accountId ?? chatgptAccountIdFromJwt(c.idToken) ?? chatgptAccountIdFromJwt(c.accessToken);
  if (accountId) headers['chatgpt-account-id'] = accountId;
  return headers;
}

export const codexUrl = (baseUrl: string): string => `${baseUrl}/backend-api/codex/responses`;

function contentIn(c: IrContent, role: 'user' | 'assistant'): unknown {
  if (c.kind === 'text') return { type: role === 'user' ? 'input_text' : 'output_text', text: c.text };
  return { type: 'input_image', image_url: `data:${c.mediaType};base64,${c.data}` };
}

/** The IR as a Codex backend Responses body. */
export function codexBody(ir: IrRequest, model: string, keepSignature: (sig: string) => boolean): Record<string, unknown> {
  const { messages } = dropUnacceptedThinking(ir.messages, keepSignature);
  const input: unknown[] = [];
  for (const m of messages) {
    let content: unknown[] = [];
    const flush = (): void => {
      if (content.length) input.push({ type: 'message', role: m.role, content });
      content = [];
    };
    for (const p of m.parts) {
      if (p.kind === 'text' || p.kind === 'image') {
        if (p.kind === 'text' && p.text === '') continue;
        content.push(contentIn(p, m.role));
        continue;
      }
      flush();
      if (p.kind === 'thinking') input.push({ type: 'reasoning', summary: p.text ? [{ type: 'summary_text', text: p.text }] : [], encrypted_content: p.signature });
      else if (p.kind === 'tool_call') input.push({ type: 'function_call', call_id: p.id, name: p.name, arguments: p.args || '{}' });
      else {
        input.push({ type: 'function_call_output', call_id: p.id, output: contentText(p.content) || (p.isError ? 'error' : '') });
        const images = p.content.filter((c) => c.kind === 'image');
        if (images.length) input.push({ type: 'message', role: 'user', content: images.map((c) => contentIn(c, 'user')) });
      }
    }
    flush();
  }
  const body: Record<string, unknown> = { model, instructions: ir.system ?? '', input };
  if (ir.tools.length) {
    body['tools'] = ir.tools.map((t) => ({ type: 'function', name: t.name, description: t.description ?? '', parameters: t.parameters, strict: false }));
    const tc = ir.toolChoice;
    body['tool_choice'] = !tc ? 'auto' : tc.type === 'any' ? 'required' : tc.type === 'tool' ? { type: 'function', name: tc.name } : tc.type;
    body['parallel_tool_calls'] = ir.parallelToolCalls ?? true;
  }
  body['reasoning'] = { effort: ir.thinking?.effort ?? (ir.thinking?.budget ? (ir.thinking.budget <= 4096 ? 'low' : ir.thinking.budget <= 16384 ? 'medium' : 'high') : 'medium'), summary: 'auto' };
  body['store'] = false;
  body['stream'] = true;
  body['include'] = ['reasoning.encrypted_content'];
  return body;
}

function upstreamRequest(ir: IrRequest, b: UpstreamBuild): UpstreamCall {
  const headers = codexHeaders(b);
  const body = codexBody(ir, b.model, (sig) => b.signatures.origin(sig) === 'codex');
  return { url: codexUrl(b.baseUrl), headers, body: Buffer.from(JSON.stringify(body)), stream: true };
}

export function responsesUsageIn(u: unknown): IrUsage {
  const out = noUsage();
  if (!isObj(u)) return out;
  out.input = numOrNull(u['input_tokens']);
  out.output = numOrNull(u['output_tokens']);
  if (isObj(u['input_tokens_details'])) out.cacheRead = numOrNull(u['input_tokens_details']['cached_tokens']);
  if (isObj(u['output_tokens_details'])) out.reasoning = numOrNull(u['output_tokens_details']['reasoning_tokens']);
  return out;
}

function answerIn(json: unknown, ctx: TranslateContext): IrAnswer {
  const r = isObj(json) && isObj(json['response']) ? json['response'] : isObj(json) ? json : {};
  const parts: IrPart[] = [];
  for (const it of Array.isArray(r['output']) ? r['output'] : []) {
    if (!isObj(it)) continue;
    if (it['type'] === 'message') {
      for (const c of Array.isArray(it['content']) ? it['content'] : []) if (isObj(c) && typeof c['text'] === 'string') parts.push({ kind: 'text', text: c['text'] });
    } else if (it['type'] === 'reasoning') {
      const sig = str(it['encrypted_content']);
      if (sig) ctx.signatures.noteSignature(sig, 'codex');
      const summary = Array.isArray(it['summary']) ? it['summary'] : [];
      parts.push({ kind: 'thinking', text: summary.map((s) => (isObj(s) ? (str(s['text']) ?? '') : '')).join('\n'), signature: sig });
    } else if (it['type'] === 'function_call') parts.push({ kind: 'tool_call', id: str(it['call_id']) ?? newId('call_'), name: str(it['name']) ?? '', args: str(it['arguments']) ?? '{}' });
  }
  const incomplete = r['status'] === 'incomplete';
  const stop: IrStop = incomplete ? 'max_tokens' : parts.some((p) => p.kind === 'tool_call') ? 'tool_use' : 'end';
  return { id: str(r['id']) ?? newId('resp_'), model: str(r['model']) ?? ctx.model, parts, stop, stopSequence: null, usage: responsesUsageIn(r['usage']) };
}

class CodexDecoder implements StreamDecoder {
  private sawTool = false;
  constructor(private readonly ctx: TranslateContext) {}

  event(_name: string | null, data: string, out: IrEvent[]): void {
    const e = jsonObject(data);
    if (!e) return;
    const item = isObj(e['item']) ? e['item'] : null;
    switch (e['type']) {
      case 'response.created': {
        const r = isObj(e['response']) ? e['response'] : {};
        out.push({ t: 'start', id: str(r['id']), model: str(r['model']) });
        return;
      }
      case 'response.output_item.added':
        if (item?.['type'] === 'function_call') {
          this.sawTool = true;
          out.push({ t: 'tool', id: str(item['call_id']) ?? newId('call_'), name: str(item['name']) ?? '', args: str(item['arguments']) ?? '' });
        }
        return;
      case 'response.output_text.delta':
        out.push({ t: 'text', text: str(e['delta']) ?? '' });
        return;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        out.push({ t: 'thinking', text: str(e['delta']) ?? '' });
        return;
      case 'response.function_call_arguments.delta':
        out.push({ t: 'tool_args', args: str(e['delta']) ?? '' });
        return;
      case 'response.output_item.done':
        if (item?.['type'] === 'reasoning') {
          const sig = str(item['encrypted_content']);
          if (sig) {
            this.ctx.signatures.noteSignature(sig, 'codex');
            out.push({ t: 'signature', signature: sig });
          }
        }
        return;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.done': {
        const r = isObj(e['response']) ? e['response'] : {};
        out.push({ t: 'usage', usage: responsesUsageIn(r['usage']) });
        const incomplete = e['type'] === 'response.incomplete' || r['status'] === 'incomplete';
        out.push({ t: 'stop', reason: incomplete ? 'max_tokens' : this.sawTool ? 'tool_use' : 'end' });
        out.push({ t: 'done' });
        return;
      }
      case 'response.failed': {
        const r = isObj(e['response']) ? e['response'] : {};
        out.push({ t: 'error', error: errorIn(502, { error: r['error'] }) });
        return;
      }
      case 'error':
        out.push({ t: 'error', error: errorIn(502, { error: e }) });
        return;
    }
  }
}

function errorIn(status: number, json: unknown): IrError {
  let message = `Upstream error ${status}`;
  if (isObj(json)) {
    const err = json['error'];
    const detail = json['detail'];
    if (isObj(err) && str(err['message'])) message = err['message'] as string;
    else if (typeof detail === 'string') message = detail;
    else if (isObj(detail) && str(detail['message'])) message = detail['message'] as string;
  }
  return { status, type: typeOfStatus(status), message };
}

export const codexUpstream: UpstreamProtocolImpl = {
  id: 'codex',
  request: upstreamRequest,
  answer: answerIn,
  decoder: (ctx) => new CodexDecoder(ctx),
  error: errorIn,
};
