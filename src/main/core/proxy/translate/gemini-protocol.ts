// Gemini generateContent both ways. As a client: /v1beta/models/{model}:generateContent and
// :streamGenerateContent (SSE with alt=sse, else one JSON array) parsed into the IR and answered
// back ({candidates, usageMetadata}; errors {error: {code, message, status}}). As an upstream:
// Cloud Code `v1internal` (antigravity, gemini-cli): the request wrapped as {model, project,
// request}, each answer and SSE event unwrapped from {response: …}. Parts: text, inlineData,
// thought parts (thought: true + thoughtSignature), functionCall {name, args, id} (with a
// thoughtSignature on Gemini 3), functionResponse {name, response, id}.
import { z } from 'zod';
import { USER_AGENT } from '../../providers/provider-adapter';
import type { UpstreamOp } from '../proxy-routes';
import { argsObject, contentText, mergeIrUsage, newId, noUsage, type IrAnswer, type IrContent, type IrError, type IrEvent, type IrMessage, type IrPart, type IrRequest, type IrStop, type IrTool, type IrToolChoice, type IrUsage } from './ir';
import { isObj, numOrNull, str, typeOfStatus, type ClientProtocolImpl, type StreamDecoder, type StreamEncoder, type TranslateContext, type UpstreamBuild, type UpstreamCall, type UpstreamProtocolImpl } from './protocol';
import { SKIP_SIGNATURE } from './signature-cache';
import { dropUnacceptedThinking } from './thinking';
import { IMAGE_TYPES, parseOrThrow, unsupported } from './validate';
import { MissingUpstreamCredential } from './anthropic-protocol';

// ---- client request ---------------------------------------------------------------------------

const partSchema = z.object({}).loose();
const requestSchema = z
  .object({
    contents: z.array(z.object({ role: z.enum(['user', 'model', 'function', 'tool']).optional(), parts: z.array(partSchema) }).loose()),
    systemInstruction: z.object({ parts: z.array(z.object({ text: z.string().optional() }).loose()) }).loose().optional(),
    tools: z.array(z.object({ functionDeclarations: z.array(z.object({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional(), parametersJsonSchema: z.record(z.string(), z.unknown()).optional() }).loose()).optional() }).loose()).optional(),
    toolConfig: z.object({ functionCallingConfig: z.object({ mode: z.enum(['AUTO', 'ANY', 'NONE', 'VALIDATED', 'MODE_UNSPECIFIED']).optional(), allowedFunctionNames: z.array(z.string()).optional() }).loose().optional() }).loose().optional(),
    generationConfig: z
      .object({
        maxOutputTokens: z.number().int().positive().optional(),
        temperature: z.number().optional(),
        topP: z.number().optional(),
        topK: z.number().optional(),
        stopSequences: z.array(z.string()).optional(),
        thinkingConfig: z.object({ thinkingBudget: z.number().int().optional(), includeThoughts: z.boolean().optional(), thinkingLevel: z.string().optional() }).loose().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

const functionCall = z.object({ name: z.string().min(1), args: z.record(z.string(), z.unknown()).optional(), id: z.string().optional() }).loose();
const functionResponse = z.object({ name: z.string().min(1), response: z.unknown().optional(), id: z.string().optional() }).loose();
const inlineData = z.object({ mimeType: z.string(), data: z.string().min(1) }).loose();

function parseRequest(json: Record<string, unknown>, op: UpstreamOp): IrRequest {
  const r = parseOrThrow(requestSchema, json);
  const messages: IrMessage[] = [];
  // Gemini calls may carry no id: the n-th call of a turn and the n-th response after it pair up.
  let pending: Array<{ id: string; name: string }> = [];
  r.contents.forEach((c, i) => {
    const role = c.role === 'model' ? 'assistant' : 'user';
    const parts: IrPart[] = [];
    const calls: Array<{ id: string; name: string }> = [];
    c.parts.forEach((p: Record<string, unknown>, j) => {
      const f = `contents.${i}.parts.${j}`;
      if (p['functionCall'] !== undefined) {
        const fc = parseOrThrow(functionCall, p['functionCall'], `${f}.functionCall`);
        const id = fc.id || `call_${i}_${j}`;
        calls.push({ id, name: fc.name });
        parts.push({ kind: 'tool_call', id, name: fc.name, args: JSON.stringify(fc.args ?? {}), signature: str(p['thoughtSignature']) });
      } else if (p['functionResponse'] !== undefined) {
        const fr = parseOrThrow(functionResponse, p['functionResponse'], `${f}.functionResponse`);
        let id = fr.id;
        if (!id) {
          const k = pending.findIndex((x) => x.name === fr.name);
          id = k >= 0 ? pending.splice(k, 1)[0]!.id : `call_${i}_${j}`;
        }
        const resp = fr.response;
        const text = typeof resp === 'string' ? resp : JSON.stringify(resp ?? {});
        parts.push({ kind: 'tool_result', id, name: fr.name, content: [{ kind: 'text', text }], isError: isObj(resp) && resp['error'] !== undefined && resp['output'] === undefined });
      } else if (p['inlineData'] !== undefined) {
        const d = parseOrThrow(inlineData, p['inlineData'], `${f}.inlineData`);
        if (!IMAGE_TYPES.has(d.mimeType)) throw unsupported(`${f}.inlineData.mimeType`, `inline data of type "${d.mimeType}"`);
        parts.push({ kind: 'image', mediaType: d.mimeType, data: d.data });
      } else if (typeof p['text'] === 'string') {
        if (p['thought'] === true) parts.push({ kind: 'thinking', text: p['text'], signature: str(p['thoughtSignature']) });
        else parts.push({ kind: 'text', text: p['text'] });
      } else if (p['fileData'] !== undefined) throw unsupported(`${f}.fileData`, 'a file by URI');
      else if (p['thoughtSignature'] === undefined) throw unsupported(f, `a part with ${Object.keys(p).join(', ') || 'no content'}`);
    });
    if (role === 'assistant') pending = calls;
    messages.push({ role, parts });
  });
  const sys = r.systemInstruction?.parts.map((p) => p.text ?? '').join('\n') ?? '';
  const tools: IrTool[] = [];
  for (const t of r.tools ?? []) for (const d of t.functionDeclarations ?? []) tools.push({ name: d.name, description: d.description ?? null, parameters: d.parametersJsonSchema ?? d.parameters ?? { type: 'object', properties: {} } });
  const fcc = r.toolConfig?.functionCallingConfig;
  let toolChoice: IrToolChoice | null = null;
  if (fcc?.mode === 'NONE') toolChoice = { type: 'none' };
  else if (fcc?.mode === 'ANY' || fcc?.mode === 'VALIDATED') toolChoice = fcc.allowedFunctionNames?.length === 1 ? { type: 'tool', name: fcc.allowedFunctionNames[0]! } : { type: 'any' };
  else if (fcc?.mode === 'AUTO') toolChoice = { type: 'auto' };
  const g = r.generationConfig ?? {};
  const tc = g.thinkingConfig;
  const level = tc?.thinkingLevel?.toLowerCase();
  return {
    model: '',
    system: sys || null,
    messages,
    tools,
    toolChoice,
    maxTokens: g.maxOutputTokens ?? null,
    temperature: g.temperature ?? null,
    topP: g.topP ?? null,
    topK: g.topK ?? null,
    stop: g.stopSequences ?? [],
    stream: op === 'gemini.stream',
    thinking: tc && tc.thinkingBudget !== 0 && (tc.includeThoughts || tc.thinkingBudget || level) ? { budget: tc.thinkingBudget && tc.thinkingBudget > 0 ? tc.thinkingBudget : null, effort: level === 'low' || level === 'high' || level === 'medium' ? level : null } : null,
    includeUsage: true,
    parallelToolCalls: null,
    countOnly: false,
  };
}

// ---- client answer, stream, error -------------------------------------------------------------

const FINISH_OUT: Record<IrStop, string> = { end: 'STOP', max_tokens: 'MAX_TOKENS', tool_use: 'STOP', stop_sequence: 'STOP', refusal: 'SAFETY', error: 'OTHER' };
const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};

function usageOut(u: IrUsage): Record<string, number> {
  const out: Record<string, number> = {};
  const thoughts = u.reasoning ?? 0;
  if (u.input !== null) out['promptTokenCount'] = u.input;
  if (u.output !== null) out['candidatesTokenCount'] = Math.max(0, u.output - thoughts);
  if (u.reasoning !== null) out['thoughtsTokenCount'] = u.reasoning;
  if (u.cacheRead !== null) out['cachedContentTokenCount'] = u.cacheRead;
  out['totalTokenCount'] = (u.input ?? 0) + (u.output ?? 0);
  return out;
}

function partOut(p: IrPart): Record<string, unknown> | null {
  switch (p.kind) {
    case 'text':
      return { text: p.text };
    case 'thinking':
      return { text: p.text, thought: true, ...(p.signature ? { thoughtSignature: p.signature } : {}) };
    case 'tool_call':
      return { functionCall: { name: p.name, args: argsObject(p.args), id: p.id }, ...(p.signature ? { thoughtSignature: p.signature } : {}) };
    default:
      return null;
  }
}

function answerOut(a: IrAnswer, ctx: TranslateContext): unknown {
  const parts: unknown[] = [];
  for (const p of a.parts) {
    const o = partOut(p);
    if (o) parts.push(o);
  }
  return { candidates: [{ content: { role: 'model', parts }, finishReason: FINISH_OUT[a.stop], index: 0 }], usageMetadata: usageOut(a.usage), modelVersion: ctx.model, responseId: a.id };
}

function errorOut(e: IrError): unknown {
  return { error: { code: e.status, message: e.message, status: GOOGLE_STATUS[e.status] ?? (e.status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION') } };
}

/** Each IR content event becomes one chunk; a tool call goes out whole once its arguments are in. */
class GeminiEncoder implements StreamEncoder {
  private items = 0;
  private id = newId('');
  private tool: { id: string; name: string; args: string; signature: string | null } | null = null;
  private readonly usage = noUsage();
  private stop: IrStop = 'end';

  constructor(private readonly ctx: TranslateContext) {}

  private chunk(parts: unknown[], last: boolean): string {
    const body: Record<string, unknown> = { candidates: [{ content: { role: 'model', parts }, index: 0, ...(last ? { finishReason: FINISH_OUT[this.stop] } : {}) }] };
    if (last) body['usageMetadata'] = usageOut(this.usage);
    body['modelVersion'] = this.ctx.model;
    body['responseId'] = this.id;
    return this.item(body);
  }

  private item(body: unknown): string {
    if (this.ctx.clientSse) return `data: ${JSON.stringify(body)}\r\n\r\n`;
    return `${this.items++ === 0 ? '[' : ',\r\n'}${JSON.stringify(body)}`;
  }

  private flushTool(): string {
    const t = this.tool;
    if (!t) return '';
    this.tool = null;
    return this.chunk([{ functionCall: { name: t.name, args: argsObject(t.args), id: t.id }, ...(t.signature ? { thoughtSignature: t.signature } : {}) }], false);
  }

  push(e: IrEvent): string {
    switch (e.t) {
      case 'start':
        if (e.id) this.id = e.id;
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
      case 'tool_args':
        if (this.tool) this.tool.args += e.args;
        return '';
      case 'tool': {
        const s = this.flushTool();
        this.tool = { id: e.id, name: e.name, args: e.args, signature: e.signature ?? null };
        return s;
      }
      case 'text':
        return e.text === '' ? this.flushTool() : this.flushTool() + this.chunk([{ text: e.text }], false);
      case 'thinking':
        return e.text === '' ? this.flushTool() : this.flushTool() + this.chunk([{ text: e.text, thought: true }], false);
      case 'signature':
        return this.flushTool() + this.chunk([{ text: '', thought: true, thoughtSignature: e.signature }], false);
    }
  }

  finish(): string {
    const s = this.flushTool() + this.chunk([], true);
    return this.ctx.clientSse ? s : `${s}]`;
  }

  fail(e: IrError): string {
    const s = this.item(errorOut(e));
    return this.ctx.clientSse ? s : `${s}]`;
  }
}

export const geminiClient: ClientProtocolImpl = {
  id: 'gemini',
  parse: parseRequest,
  answer: (a, ctx) => answerOut(a, ctx),
  encoder: (ctx) => new GeminiEncoder(ctx),
  streamType: (ctx) => (ctx.clientSse ? 'text/event-stream' : 'application/json; charset=UTF-8'),
  error: errorOut,
};

// ---- upstream: Cloud Code v1internal ----------------------------------------------------------

/** JSON-schema keywords Gemini's function declarations refuse. */
const SCHEMA_DROP = new Set(['$schema', '$id', '$ref', '$defs', 'definitions', 'additionalProperties', 'patternProperties', 'propertyNames', 'unevaluatedProperties', 'examples', 'default', 'const', 'exclusiveMinimum', 'exclusiveMaximum', 'if', 'then', 'else', 'not', 'dependentSchemas', 'dependentRequired', 'contentEncoding', 'contentMediaType', 'title', 'strict']);

/** A tool schema Gemini accepts: unsupported keywords dropped, `const` as a one-value enum, type lists narrowed. */
export function geminiSchema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(geminiSchema);
  if (!isObj(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k in v) {
    const x = v[k];
    if (k === 'const') {
      out['enum'] = [x];
      continue;
    }
    if (SCHEMA_DROP.has(k)) continue;
    if (k === 'type' && Array.isArray(x)) {
      const types = x.filter((t) => t !== 'null');
      out['type'] = types[0] ?? 'string';
      if (types.length < x.length) out['nullable'] = true;
      continue;
    }
    if (k === 'properties' && isObj(x)) {
      const props: Record<string, unknown> = {};
      for (const p in x) props[p] = geminiSchema(x[p]);
      out[k] = props;
      continue;
    }
    if (k === 'format' && x !== 'enum' && x !== 'date-time') continue;
    out[k] = geminiSchema(x);
  }
  return out;
}

function contentIn(c: IrContent): Record<string, unknown> {
  return c.kind === 'text' ? { text: c.text } : { inlineData: { mimeType: c.mediaType, data: c.data } };
}

function toolResponse(p: Extract<IrPart, { kind: 'tool_result' }>): Record<string, unknown> {
  const text = contentText(p.content);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Plain text output.
  }
  const response = isObj(parsed) ? parsed : p.isError ? { error: text } : { output: parsed };
  return { functionResponse: { name: p.name ?? 'tool', response, id: p.id } };
}

/** The IR as a Gemini `request` (contents, systemInstruction, tools, toolConfig, generationConfig). */
export function geminiRequest(ir: IrRequest, model: string, signatures: UpstreamBuild['signatures']): Record<string, unknown> {
  const claude = model.toLowerCase().includes('claude');
  // Claude on Cloud Code takes back only thinking Cloud Code signed; Gemini needs no thought text back.
  const { messages, thinkingAllowed } = dropUnacceptedThinking(ir.messages, (sig) => claude && signatures.origin(sig) === 'cloudcode');
  const contents: Array<{ role: string; parts: Record<string, unknown>[] }> = [];
  for (const m of messages) {
    const parts: Record<string, unknown>[] = [];
    let firstCall = true;
    for (const p of m.parts) {
      if (p.kind === 'text') {
        if (p.text !== '') parts.push({ text: p.text });
      } else if (p.kind === 'image') parts.push(contentIn(p));
      else if (p.kind === 'thinking') {
        if (claude) parts.push({ text: p.text, thought: true, thoughtSignature: p.signature });
      } else if (p.kind === 'tool_call') {
        const call: Record<string, unknown> = { functionCall: { name: p.name, args: argsObject(p.args), id: p.id } };
        if (!claude) {
          // Gemini 3 wants the first call of a turn signed: its own signature, else the documented placeholder.
          const sig = p.signature ?? signatures.tool(p.id);
          if (sig) call['thoughtSignature'] = sig;
          else if (firstCall) call['thoughtSignature'] = SKIP_SIGNATURE;
        }
        firstCall = false;
        parts.push(call);
      } else {
        parts.push(toolResponse(p));
        for (const c of p.content) if (c.kind === 'image') parts.push(contentIn(c));
      }
    }
    if (parts.length === 0) continue;
    const role = m.role === 'assistant' ? 'model' : 'user';
    const prev = contents[contents.length - 1];
    if (prev && prev.role === role) prev.parts.push(...parts);
    else contents.push({ role, parts });
  }
  const req: Record<string, unknown> = { contents };
  if (ir.system) req['systemInstruction'] = { role: 'user', parts: [{ text: ir.system }] };
  if (ir.tools.length) {
    req['tools'] = [{ functionDeclarations: ir.tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), parameters: geminiSchema(t.parameters) })) }];
    const tc = ir.toolChoice;
    if (tc) {
      const cfg: Record<string, unknown> = { mode: tc.type === 'none' ? 'NONE' : tc.type === 'auto' ? 'AUTO' : 'ANY' };
      if (tc.type === 'tool') cfg['allowedFunctionNames'] = [tc.name];
      req['toolConfig'] = { functionCallingConfig: cfg };
    }
  }
  const gen: Record<string, unknown> = {};
  if (ir.maxTokens !== null) gen['maxOutputTokens'] = ir.maxTokens;
  if (ir.temperature !== null) gen['temperature'] = ir.temperature;
  if (ir.topP !== null) gen['topP'] = ir.topP;
  if (ir.topK !== null) gen['topK'] = ir.topK;
  if (ir.stop.length) gen['stopSequences'] = ir.stop;
  if (ir.thinking && thinkingAllowed) {
    const budget = ir.thinking.budget ?? { low: 2048, medium: 8192, high: 24576 }[ir.thinking.effort ?? 'medium'];
    gen['thinkingConfig'] = { includeThoughts: true, thinkingBudget: budget };
    if (claude && typeof gen['maxOutputTokens'] === 'number' && gen['maxOutputTokens'] <= budget) gen['maxOutputTokens'] = budget + 4096;
  }
  if (Object.keys(gen).length) req['generationConfig'] = gen;
  return req;
}

function upstreamRequest(ir: IrRequest, b: UpstreamBuild): UpstreamCall {
  if (!b.credentials.accessToken) throw new MissingUpstreamCredential('access token');
  const envelope: Record<string, unknown> = { model: b.model };
  if (b.account.projectId !== null) envelope['project'] = b.account.projectId;
  envelope['request'] = geminiRequest(ir, b.model, b.signatures);
  return {
    url: `${b.baseUrl}/v1internal:${ir.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    headers: {
      authorization: `Bearer ${b.credentials.accessToken}`,
      'content-type': 'application/json',
      accept: ir.stream ? 'text/event-stream' : 'application/json',
      'accept-encoding': 'identity',
      'user-agent': USER_AGENT,
    },
    body: Buffer.from(JSON.stringify(envelope)),
    stream: ir.stream,
  };
}

const FINISH_IN: Record<string, IrStop> = {
  STOP: 'end', MAX_TOKENS: 'max_tokens', SAFETY: 'refusal', RECITATION: 'refusal', PROHIBITED_CONTENT: 'refusal', BLOCKLIST: 'refusal', SPII: 'refusal', IMAGE_SAFETY: 'refusal',
  MALFORMED_FUNCTION_CALL: 'error',
};

function usageIn(m: unknown): IrUsage {
  const u = noUsage();
  if (!isObj(m)) return u;
  u.input = numOrNull(m['promptTokenCount']);
  const cand = numOrNull(m['candidatesTokenCount']);
  const thoughts = numOrNull(m['thoughtsTokenCount']);
  if (cand !== null || thoughts !== null) u.output = (cand ?? 0) + (thoughts ?? 0);
  u.reasoning = thoughts;
  u.cacheRead = numOrNull(m['cachedContentTokenCount']);
  return u;
}

/** The `{response: …}` envelope's inside (or the object itself when it has none). */
const inner = (j: unknown): Record<string, unknown> => {
  if (!isObj(j)) return {};
  return isObj(j['response']) ? j['response'] : j;
};

/** One answer chunk's parts as IR events (also used for the whole answer). */
function partsToEvents(r: Record<string, unknown>, ctx: TranslateContext, out: IrEvent[]): { finish: string | null; sawTool: boolean } {
  const cand = Array.isArray(r['candidates']) && isObj(r['candidates'][0]) ? (r['candidates'][0] as Record<string, unknown>) : null;
  let sawTool = false;
  const content = cand && isObj(cand['content']) ? cand['content'] : null;
  for (const p of content && Array.isArray(content['parts']) ? content['parts'] : []) {
    if (!isObj(p)) continue;
    const sig = str(p['thoughtSignature']);
    if (isObj(p['functionCall'])) {
      const fc = p['functionCall'];
      const id = str(fc['id']) || newId('call_');
      if (sig) ctx.signatures.noteTool(id, sig);
      out.push({ t: 'tool', id, name: str(fc['name']) ?? '', args: JSON.stringify(fc['args'] ?? {}), signature: sig });
      sawTool = true;
    } else if (typeof p['text'] === 'string' || sig) {
      const text = str(p['text']) ?? '';
      if (p['thought'] === true) {
        if (text) out.push({ t: 'thinking', text });
        if (sig) {
          ctx.signatures.noteSignature(sig, 'cloudcode');
          out.push({ t: 'signature', signature: sig });
        }
      } else if (text) out.push({ t: 'text', text });
    }
  }
  return { finish: cand ? str(cand['finishReason']) : null, sawTool };
}

function answerIn(json: unknown, ctx: TranslateContext): IrAnswer {
  const r = inner(json);
  const events: IrEvent[] = [];
  const { finish, sawTool } = partsToEvents(r, ctx, events);
  const parts: IrPart[] = [];
  for (const e of events) {
    const last = parts[parts.length - 1];
    if (e.t === 'text') {
      if (last?.kind === 'text') last.text += e.text;
      else parts.push({ kind: 'text', text: e.text });
    } else if (e.t === 'thinking') {
      if (last?.kind === 'thinking' && last.signature === null) last.text += e.text;
      else parts.push({ kind: 'thinking', text: e.text, signature: null });
    } else if (e.t === 'signature') {
      if (last?.kind === 'thinking') last.signature = e.signature;
      else parts.push({ kind: 'thinking', text: '', signature: e.signature });
    } else if (e.t === 'tool') parts.push({ kind: 'tool_call', id: e.id, name: e.name, args: e.args, signature: e.signature ?? null });
  }
  const stop = FINISH_IN[finish ?? 'STOP'] ?? 'end';
  return { id: str(r['responseId']) ?? newId(''), model: str(r['modelVersion']) ?? ctx.model, parts, stop: sawTool && stop === 'end' ? 'tool_use' : stop, stopSequence: null, usage: usageIn(r['usageMetadata']) };
}

class CloudCodeDecoder implements StreamDecoder {
  private started = false;
  private sawTool = false;
  constructor(private readonly ctx: TranslateContext) {}

  event(_name: string | null, data: string, out: IrEvent[]): void {
    let j: unknown;
    try {
      j = JSON.parse(data);
    } catch {
      return;
    }
    if (isObj(j) && isObj(j['error'])) {
      out.push({ t: 'error', error: errorIn(numOrNull(j['error']['code']) ?? 500, j) });
      return;
    }
    const r = inner(j);
    if (!this.started) {
      this.started = true;
      out.push({ t: 'start', id: str(r['responseId']), model: str(r['modelVersion']) });
    }
    const { finish, sawTool } = partsToEvents(r, this.ctx, out);
    this.sawTool ||= sawTool;
    if (isObj(r['usageMetadata'])) out.push({ t: 'usage', usage: usageIn(r['usageMetadata']) });
    if (finish) {
      const stop = FINISH_IN[finish] ?? 'end';
      out.push({ t: 'stop', reason: this.sawTool && stop === 'end' ? 'tool_use' : stop });
      out.push({ t: 'done' });
    }
  }
}

function errorIn(status: number, json: unknown): IrError {
  const j = isObj(json) && Array.isArray(json) ? json[0] : json;
  const err = isObj(j) && isObj(j['error']) ? j['error'] : null;
  const message = (err && str(err['message'])) || `Upstream error ${status}`;
  return { status, type: typeOfStatus(status), message };
}

export const cloudCodeUpstream: UpstreamProtocolImpl = {
  id: 'cloudcode',
  request: upstreamRequest,
  answer: answerIn,
  decoder: (ctx) => new CloudCodeDecoder(ctx),
  error: errorIn,
};

/** A rough count of a request's input tokens (about four characters a token) for count_tokens. */
export function estimateTokens(ir: IrRequest): number {
  let chars = (ir.system ?? '').length;
  for (const m of ir.messages) {
    for (const p of m.parts) {
      if (p.kind === 'text' || p.kind === 'thinking') chars += p.text.length;
      else if (p.kind === 'tool_call') chars += p.name.length + p.args.length;
      else if (p.kind === 'tool_result') chars += contentText(p.content).length;
      else chars += 1600 * 4;
    }
  }
  for (const t of ir.tools) chars += t.name.length + (t.description?.length ?? 0) + JSON.stringify(t.parameters).length;
  return Math.max(1, Math.ceil(chars / 4));
}

