// OpenAI Chat Completions both ways. As a client: /v1/chat/completions parsed into the IR;
// answers, chunks (role, content, reasoning_content, tool_calls deltas with index,
// finish_reason, the usage chunk when asked, [DONE]) and errors ({error: {message, type, code}})
// written back. As an upstream (openai keys and OpenAI-compatible services, openrouter): the IR
// written as a Chat request (always asking for the usage chunk), its answer and chunks read back.
import { z } from 'zod';
import type { UpstreamOp } from '../proxy-routes';
import { BadClientRequest, contentText, mergeIrUsage, newId, noUsage, type IrAnswer, type IrContent, type IrError, type IrEvent, type IrMessage, type IrPart, type IrRequest, type IrStop, type IrTool, type IrToolChoice, type IrUsage } from './ir';
import { isObj, jsonObject, nowSec, numOrNull, sseData, str, typeOfStatus, type ClientProtocolImpl, type StreamDecoder, type StreamEncoder, type TranslateContext, type UpstreamBuild, type UpstreamCall, type UpstreamProtocolImpl } from './protocol';
import { nameToolResults, MissingUpstreamCredential } from './anthropic-protocol';
import { dataUrl, IMAGE_TYPES, parseOrThrow, unsupported } from './validate';

// ---- client request ---------------------------------------------------------------------------

const contentPart = z.object({ type: z.string() }).loose();
const content = z.union([z.string(), z.array(contentPart)]).nullable().optional();
const toolCall = z.object({ id: z.string().min(1), type: z.literal('function').optional(), function: z.object({ name: z.string().min(1), arguments: z.string() }).loose() }).loose();
const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content }).loose(),
  z.object({ role: z.literal('developer'), content }).loose(),
  z.object({ role: z.literal('user'), content }).loose(),
  z.object({ role: z.literal('assistant'), content, tool_calls: z.array(toolCall).optional(), reasoning_content: z.string().nullable().optional() }).loose(),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content }).loose(),
]);
const requestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(message).min(1),
    tools: z.array(z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }).loose() }).loose()).optional(),
    tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }).loose() }).loose()]).optional(),
    max_tokens: z.number().int().positive().nullable().optional(),
    max_completion_tokens: z.number().int().positive().nullable().optional(),
    temperature: z.number().nullable().optional(),
    top_p: z.number().nullable().optional(),
    stop: z.union([z.string(), z.array(z.string())]).nullable().optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
    reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullable().optional(),
    parallel_tool_calls: z.boolean().nullable().optional(),
    n: z.number().int().nullable().optional(),
  })
  .loose();

function partsOf(c: z.infer<typeof content>, field: string): IrContent[] {
  if (c === null || c === undefined) return [];
  if (typeof c === 'string') return [{ kind: 'text', text: c }];
  const out: IrContent[] = [];
  c.forEach((p: Record<string, unknown>, i) => {
    const f = `${field}.${i}`;
    if (p['type'] === 'text' || p['type'] === 'input_text' || p['type'] === 'output_text') {
      if (typeof p['text'] !== 'string') throw new BadClientRequest(`${f}.text: expected string`);
      out.push({ kind: 'text', text: p['text'] });
    } else if (p['type'] === 'image_url') {
      const iu = p['image_url'];
      const url = typeof iu === 'string' ? iu : isObj(iu) ? str(iu['url']) : null;
      if (url === null) throw new BadClientRequest(`${f}.image_url.url: expected string`);
      const d = dataUrl(url);
      if (!d) throw unsupported(`${f}.image_url.url`, 'an image by URL');
      if (!IMAGE_TYPES.has(d.mediaType)) throw unsupported(`${f}.image_url.url`, `an image of type "${d.mediaType}"`);
      out.push({ kind: 'image', mediaType: d.mediaType, data: d.data });
    } else if (p['type'] === 'refusal') {
      // An earlier refusal: nothing to send back.
    } else throw unsupported(f, `content of type "${String(p['type'])}"`);
  });
  return out;
}

const EFFORT = (e: string | null | undefined): 'low' | 'medium' | 'high' | null => (e === 'minimal' || e === 'low' ? 'low' : e === 'medium' ? 'medium' : e === 'high' || e === 'xhigh' ? 'high' : null);

function parseRequest(json: Record<string, unknown>, _op: UpstreamOp): IrRequest {
  const r = parseOrThrow(requestSchema, json);
  if (r.n !== undefined && r.n !== null && r.n > 1) throw new BadClientRequest('n: only 1 choice can be translated to this account');
  const system: string[] = [];
  const messages: IrMessage[] = [];
  const push = (role: 'user' | 'assistant', parts: IrPart[]): void => {
    const prev = messages[messages.length - 1];
    if (prev && prev.role === role) prev.parts.push(...parts);
    else messages.push({ role, parts });
  };
  r.messages.forEach((m, i) => {
    const field = `messages.${i}.content`;
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(contentText(partsOf(m.content, field)));
        return;
      case 'user':
        push('user', partsOf(m.content, field));
        return;
      case 'tool':
        push('user', [{ kind: 'tool_result', id: m.tool_call_id, name: null, content: partsOf(m.content, field), isError: false }]);
        return;
      case 'assistant': {
        const parts: IrPart[] = [];
        if (m.reasoning_content) parts.push({ kind: 'thinking', text: m.reasoning_content, signature: null });
        parts.push(...partsOf(m.content, field));
        for (const tc of m.tool_calls ?? []) parts.push({ kind: 'tool_call', id: tc.id, name: tc.function.name, args: tc.function.arguments });
        push('assistant', parts);
        return;
      }
    }
  });
  nameToolResults(messages);
  const tools: IrTool[] = (r.tools ?? []).map((t) => ({ name: t.function.name, description: t.function.description ?? null, parameters: t.function.parameters ?? { type: 'object', properties: {} } }));
  let toolChoice: IrToolChoice | null = null;
  if (r.tool_choice === 'auto' || r.tool_choice === 'none') toolChoice = { type: r.tool_choice };
  else if (r.tool_choice === 'required') toolChoice = { type: 'any' };
  else if (r.tool_choice) toolChoice = { type: 'tool', name: r.tool_choice.function.name };
  const effort = EFFORT(r.reasoning_effort);
  return {
    model: r.model,
    system: system.length ? system.join('\n') : null,
    messages,
    tools,
    toolChoice,
    maxTokens: r.max_completion_tokens ?? r.max_tokens ?? null,
    temperature: r.temperature ?? null,
    topP: r.top_p ?? null,
    topK: null,
    stop: r.stop == null ? [] : typeof r.stop === 'string' ? [r.stop] : r.stop,
    stream: r.stream === true,
    thinking: effort ? { budget: null, effort } : null,
    includeUsage: r.stream_options?.include_usage === true,
    parallelToolCalls: r.parallel_tool_calls ?? null,
    countOnly: false,
  };
}

// ---- client answer, stream, error -------------------------------------------------------------

const FINISH_OUT: Record<IrStop, string> = { end: 'stop', max_tokens: 'length', tool_use: 'tool_calls', stop_sequence: 'stop', refusal: 'content_filter', error: 'stop' };
const ERROR_TYPE: Record<IrError['type'], string> = {
  invalid_request: 'invalid_request_error', authentication: 'authentication_error', permission: 'permission_error', not_found: 'invalid_request_error',
  rate_limit: 'rate_limit_error', overloaded: 'server_error', api_error: 'server_error',
};
const ERROR_CODE: Partial<Record<IrError['type'], string>> = { not_found: 'model_not_found', rate_limit: 'rate_limit_exceeded', authentication: 'invalid_api_key' };

export function usageOut(u: IrUsage): Record<string, unknown> {
  const input = u.input ?? 0;
  const output = u.output ?? 0;
  const out: Record<string, unknown> = { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
  if (u.cacheRead !== null) out['prompt_tokens_details'] = { cached_tokens: u.cacheRead };
  if (u.reasoning !== null) out['completion_tokens_details'] = { reasoning_tokens: u.reasoning };
  return out;
}

const chatId = (id: string): string => (id.startsWith('chatcmpl-') ? id : `chatcmpl-${id}`);

function answerOut(a: IrAnswer, ctx: TranslateContext): unknown {
  let text = '';
  let reasoning = '';
  const calls: unknown[] = [];
  for (const p of a.parts) {
    if (p.kind === 'text') text += p.text;
    else if (p.kind === 'thinking') reasoning += p.text;
    else if (p.kind === 'tool_call') calls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: p.args || '{}' } });
  }
  const msg: Record<string, unknown> = { role: 'assistant', content: text === '' && calls.length ? null : text, refusal: null };
  if (reasoning) msg['reasoning_content'] = reasoning;
  if (calls.length) msg['tool_calls'] = calls;
  return {
    id: chatId(a.id),
    object: 'chat.completion',
    created: nowSec(),
    model: ctx.model,
    choices: [{ index: 0, message: msg, logprobs: null, finish_reason: FINISH_OUT[a.stop] }],
    usage: usageOut(a.usage),
  };
}

export function errorOut(e: IrError): unknown {
  return { error: { message: e.message, type: ERROR_TYPE[e.type], param: null, code: ERROR_CODE[e.type] ?? null } };
}

class ChatEncoder implements StreamEncoder {
  private id = newId('chatcmpl-');
  private readonly created = nowSec();
  private started = false;
  private toolIndex = -1;
  private inTool = false;
  private readonly usage = noUsage();
  private stop: IrStop = 'end';

  constructor(
    private readonly ctx: TranslateContext,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: Record<string, unknown>, finish: string | null = null): string {
    return sseData({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.ctx.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  }

  private begin(): string {
    if (this.started) return '';
    this.started = true;
    return this.chunk({ role: 'assistant', content: '' });
  }

  push(e: IrEvent): string {
    switch (e.t) {
      case 'start':
        if (e.id && !this.started) this.id = chatId(e.id);
        return '';
      case 'usage':
        mergeIrUsage(this.usage, e.usage);
        return '';
      case 'stop':
        this.stop = e.reason;
        return '';
      case 'done':
      case 'signature':
        return '';
      case 'error':
        return this.fail(e.error);
      case 'text':
        this.inTool = false;
        return e.text === '' ? this.begin() : this.begin() + this.chunk({ content: e.text });
      case 'thinking':
        this.inTool = false;
        return e.text === '' ? this.begin() : this.begin() + this.chunk({ reasoning_content: e.text });
      case 'tool':
        this.toolIndex++;
        this.inTool = true;
        return this.begin() + this.chunk({ tool_calls: [{ index: this.toolIndex, id: e.id, type: 'function', function: { name: e.name, arguments: e.args } }] });
      case 'tool_args':
        if (!this.inTool || e.args === '') return '';
        return this.chunk({ tool_calls: [{ index: this.toolIndex, function: { arguments: e.args } }] });
    }
  }

  finish(): string {
    const stop = this.stop === 'end' && this.toolIndex >= 0 ? 'tool_use' : this.stop;
    let s = this.begin() + this.chunk({}, FINISH_OUT[stop]);
    if (this.includeUsage) s += sseData({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.ctx.model, choices: [], usage: usageOut(this.usage) });
    return `${s}data: [DONE]\n\n`;
  }

  fail(e: IrError): string {
    return sseData(errorOut(e));
  }
}

export const openAiChatClient: ClientProtocolImpl = {
  id: 'openai-chat',
  parse: parseRequest,
  answer: (a, ctx) => answerOut(a, ctx),
  encoder: (ctx, req) => new ChatEncoder(ctx, req.includeUsage),
  streamType: () => 'text/event-stream; charset=utf-8',
  error: errorOut,
};

// ---- upstream ---------------------------------------------------------------------------------

const MAX_COMPLETION_ONLY = /^(?:openai\/)?(?:o\d|gpt-5)/i;

function contentIn(c: IrContent): unknown {
  return c.kind === 'text' ? { type: 'text', text: c.text } : { type: 'image_url', image_url: { url: `data:${c.mediaType};base64,${c.data}` } };
}

/** The IR as a Chat Completions body. */
export function chatBody(ir: IrRequest, model: string, provider: string): Record<string, unknown> {
  const messages: Record<string, unknown>[] = [];
  if (ir.system) messages.push({ role: 'system', content: ir.system });
  for (const m of ir.messages) {
    if (m.role === 'assistant') {
      let text = '';
      const calls: unknown[] = [];
      for (const p of m.parts) {
        if (p.kind === 'text') text += p.text;
        else if (p.kind === 'tool_call') calls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: p.args || '{}' } });
      }
      if (text === '' && calls.length === 0) continue;
      messages.push({ role: 'assistant', content: text === '' ? null : text, ...(calls.length ? { tool_calls: calls } : {}) });
      continue;
    }
    const rest: IrContent[] = [];
    for (const p of m.parts) {
      if (p.kind === 'tool_result') {
        const text = contentText(p.content);
        messages.push({ role: 'tool', tool_call_id: p.id, content: p.isError && !text ? 'error' : text });
        for (const c of p.content) if (c.kind === 'image') rest.push(c);
      } else if (p.kind === 'text' || p.kind === 'image') rest.push(p);
    }
    if (rest.length === 0) continue;
    messages.push({ role: 'user', content: rest.every((c) => c.kind === 'text') ? contentText(rest) : rest.map(contentIn) });
  }
  const body: Record<string, unknown> = { model, messages };
  if (ir.maxTokens !== null) body[provider === 'openai' && MAX_COMPLETION_ONLY.test(model) ? 'max_completion_tokens' : 'max_tokens'] = ir.maxTokens;
  if (ir.temperature !== null) body['temperature'] = ir.temperature;
  if (ir.topP !== null) body['top_p'] = ir.topP;
  if (ir.stop.length) body['stop'] = ir.stop;
  if (ir.tools.length) {
    body['tools'] = ir.tools.map((t) => ({ type: 'function', function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters } }));
    const tc = ir.toolChoice;
    if (tc) body['tool_choice'] = tc.type === 'any' ? 'required' : tc.type === 'tool' ? { type: 'function', function: { name: tc.name } } : tc.type;
    if (ir.parallelToolCalls !== null) body['parallel_tool_calls'] = ir.parallelToolCalls;
  }
  if (ir.thinking) body['reasoning_effort'] = ir.thinking.effort ?? (ir.thinking.budget === null ? 'medium' : ir.thinking.budget <= 4096 ? 'low' : ir.thinking.budget <= 16384 ? 'medium' : 'high');
  if (ir.stream) {
    body['stream'] = true;
    body['stream_options'] = { include_usage: true };
  }
  return body;
}

function upstreamRequest(ir: IrRequest, b: UpstreamBuild): UpstreamCall {
  const key = b.credentials.apiKey ?? b.credentials.accessToken;
  if (!key) throw new MissingUpstreamCredential('API key');
  const prefix = b.account.provider === 'openrouter' ? `${b.baseUrl}/v1` : b.baseUrl;
  return {
    url: `${prefix}/chat/completions`,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: ir.stream ? 'text/event-stream' : 'application/json', 'accept-encoding': 'identity' },
    body: Buffer.from(JSON.stringify(chatBody(ir, b.model, b.account.provider))),
    stream: ir.stream,
  };
}

const FINISH_IN: Record<string, IrStop> = { stop: 'end', length: 'max_tokens', tool_calls: 'tool_use', function_call: 'tool_use', content_filter: 'refusal' };

export function chatUsageIn(u: unknown): IrUsage {
  const out = noUsage();
  if (!isObj(u)) return out;
  out.input = numOrNull(u['prompt_tokens']);
  out.output = numOrNull(u['completion_tokens']);
  if (isObj(u['prompt_tokens_details'])) out.cacheRead = numOrNull(u['prompt_tokens_details']['cached_tokens']);
  if (isObj(u['completion_tokens_details'])) out.reasoning = numOrNull(u['completion_tokens_details']['reasoning_tokens']);
  return out;
}

function answerIn(json: unknown, ctx: TranslateContext): IrAnswer {
  const j = isObj(json) ? json : {};
  const choice = Array.isArray(j['choices']) && isObj(j['choices'][0]) ? (j['choices'][0] as Record<string, unknown>) : {};
  const m = isObj(choice['message']) ? choice['message'] : {};
  const parts: IrPart[] = [];
  const reasoning = str(m['reasoning_content']) ?? str(m['reasoning']);
  if (reasoning) parts.push({ kind: 'thinking', text: reasoning, signature: null });
  const text = str(m['content']);
  if (text) parts.push({ kind: 'text', text });
  for (const tc of Array.isArray(m['tool_calls']) ? m['tool_calls'] : []) {
    if (!isObj(tc) || !isObj(tc['function'])) continue;
    parts.push({ kind: 'tool_call', id: str(tc['id']) ?? newId('call_'), name: str(tc['function']['name']) ?? '', args: str(tc['function']['arguments']) ?? '{}' });
  }
  return { id: str(j['id']) ?? newId('chatcmpl-'), model: str(j['model']) ?? ctx.model, parts, stop: FINISH_IN[str(choice['finish_reason']) ?? 'stop'] ?? 'end', stopSequence: null, usage: chatUsageIn(j['usage']) };
}

class ChatDecoder implements StreamDecoder {
  private started = false;
  private toolIndex: number | null = null;

  event(_name: string | null, data: string, out: IrEvent[]): void {
    if (data.startsWith('[DONE]')) {
      out.push({ t: 'done' });
      return;
    }
    const j = jsonObject(data);
    if (!j) return;
    if (isObj(j['error'])) {
      out.push({ t: 'error', error: errorIn(numOrNull(j['error']['code']) ?? 500, j) });
      return;
    }
    if (!this.started) {
      this.started = true;
      out.push({ t: 'start', id: str(j['id']), model: str(j['model']) });
    }
    const choice = Array.isArray(j['choices']) && isObj(j['choices'][0]) ? (j['choices'][0] as Record<string, unknown>) : null;
    if (choice) {
      const d = isObj(choice['delta']) ? choice['delta'] : {};
      const reasoning = str(d['reasoning_content']) ?? str(d['reasoning']);
      if (reasoning) out.push({ t: 'thinking', text: reasoning });
      const text = str(d['content']);
      if (text) out.push({ t: 'text', text });
      for (const tc of Array.isArray(d['tool_calls']) ? d['tool_calls'] : []) {
        if (!isObj(tc)) continue;
        const index = numOrNull(tc['index']) ?? 0;
        const fn = isObj(tc['function']) ? tc['function'] : {};
        const args = str(fn['arguments']) ?? '';
        if (index !== this.toolIndex || str(tc['id'])) {
          this.toolIndex = index;
          out.push({ t: 'tool', id: str(tc['id']) ?? newId('call_'), name: str(fn['name']) ?? '', args });
        } else if (args) out.push({ t: 'tool_args', args });
      }
      const finish = str(choice['finish_reason']);
      if (finish) out.push({ t: 'stop', reason: FINISH_IN[finish] ?? 'end' });
    }
    if (isObj(j['usage'])) out.push({ t: 'usage', usage: chatUsageIn(j['usage']) });
  }
}

export function errorIn(status: number, json: unknown): IrError {
  const err = isObj(json) && isObj(json['error']) ? json['error'] : null;
  const message = (err && str(err['message'])) || (isObj(json) && typeof json['error'] === 'string' ? json['error'] : '') || `Upstream error ${status}`;
  return { status, type: typeOfStatus(status), message };
}

export const openAiChatUpstream: UpstreamProtocolImpl = {
  id: 'openai-chat',
  request: upstreamRequest,
  answer: answerIn,
  decoder: () => new ChatDecoder(),
  error: errorIn,
};
