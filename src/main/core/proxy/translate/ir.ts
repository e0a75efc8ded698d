// The neutral form every translated request, answer and stream event passes through: a client
// protocol parses into it, an upstream protocol is written from it, and back. Plain data, no
// behaviour; field names belong to no protocol.

/** One piece of a message. */
export type IrPart =
  | { kind: 'text'; text: string }
  /** An inline image (base64 bytes). */
  | { kind: 'image'; mediaType: string; data: string }
  /** The model's reasoning; `signature` is what an upstream needs to accept it back (null: none). */
  | { kind: 'thinking'; text: string; signature: string | null }
  /** A call the model made; `args` is JSON text. `signature`: a Gemini thought signature, when one came with it. */
  | { kind: 'tool_call'; id: string; name: string; args: string; signature?: string | null }
  /** The client's answer to a tool call (`name` when the protocol carries it). */
  | { kind: 'tool_result'; id: string; name: string | null; content: IrContent[]; isError: boolean };

/** What a tool result holds. */
export type IrContent = Extract<IrPart, { kind: 'text' } | { kind: 'image' }>;

export interface IrMessage {
  role: 'user' | 'assistant';
  parts: IrPart[];
}

export interface IrTool {
  name: string;
  description: string | null;
  /** JSON schema of the arguments (an object schema). */
  parameters: Record<string, unknown>;
}

export type IrToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'any' } | { type: 'tool'; name: string };

export interface IrThinking {
  /** Token budget, when the client named one. */
  budget: number | null;
  /** Effort, when the client named one. */
  effort: 'low' | 'medium' | 'high' | null;
}

export interface IrRequest {
  /** The model the client named (the attempt's model replaces it upstream). */
  model: string;
  system: string | null;
  messages: IrMessage[];
  tools: IrTool[];
  toolChoice: IrToolChoice | null;
  maxTokens: number | null;
  temperature: number | null;
  topP: number | null;
  topK: number | null;
  stop: string[];
  stream: boolean;
  /** Thinking asked for (null: not asked; the upstream's default applies). */
  thinking: IrThinking | null;
  /** OpenAI `stream_options.include_usage`: the client wants the usage chunk. */
  includeUsage: boolean;
  parallelToolCalls: boolean | null;
  /** Only count the input tokens (Anthropic count_tokens). */
  countOnly: boolean;
}

export type IrStop = 'end' | 'max_tokens' | 'tool_use' | 'stop_sequence' | 'refusal' | 'error';

export interface IrUsage {
  input: number | null;
  output: number | null;
  /** Of `input`, read from a prompt cache. */
  cacheRead: number | null;
  /** Of `output`, reasoning tokens. */
  reasoning: number | null;
}

export interface IrAnswer {
  id: string;
  model: string;
  parts: IrPart[];
  stop: IrStop;
  stopSequence: string | null;
  usage: IrUsage;
}

export type IrErrorType = 'invalid_request' | 'authentication' | 'permission' | 'not_found' | 'rate_limit' | 'overloaded' | 'api_error';

export interface IrError {
  status: number;
  type: IrErrorType;
  message: string;
}

/** One step of a streamed answer, in order. Content events belong to the block they open or continue. */
export type IrEvent =
  | { t: 'start'; id: string | null; model: string | null }
  | { t: 'text'; text: string }
  | { t: 'thinking'; text: string }
  /** The signature of the thinking block being streamed. */
  | { t: 'signature'; signature: string }
  /** A tool call begins; `args` may already be whole (Gemini) or empty (more comes as tool_args). */
  | { t: 'tool'; id: string; name: string; args: string; signature?: string | null }
  | { t: 'tool_args'; args: string }
  /** Usage so far (later readings replace earlier ones field by field). */
  | { t: 'usage'; usage: IrUsage }
  | { t: 'stop'; reason: IrStop; sequence?: string | null }
  /** The upstream said the answer is complete. */
  | { t: 'done' }
  | { t: 'error'; error: IrError };

export const noUsage = (): IrUsage => ({ input: null, output: null, cacheRead: null, reasoning: null });

export function mergeIrUsage(acc: IrUsage, u: IrUsage): void {
  if (u.input !== null) acc.input = u.input;
  if (u.output !== null) acc.output = u.output;
  if (u.cacheRead !== null) acc.cacheRead = u.cacheRead;
  if (u.reasoning !== null) acc.reasoning = u.reasoning;
}

/** A client request the translation cannot take (answered 400 in the client's shape). */
export class BadClientRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadClientRequest';
  }
}

/** Builds a whole answer from stream events (an upstream that only streams, a client that did not ask to). */
export class AnswerCollector {
  private readonly parts: IrPart[] = [];
  private id = '';
  private model = '';
  private stop: IrStop = 'end';
  private sequence: string | null = null;
  private readonly usage = noUsage();
  error: IrError | null = null;
  done = false;

  push(e: IrEvent): void {
    const last = this.parts[this.parts.length - 1];
    switch (e.t) {
      case 'start':
        if (e.id) this.id = e.id;
        if (e.model) this.model = e.model;
        return;
      case 'text':
        if (last?.kind === 'text') last.text += e.text;
        else this.parts.push({ kind: 'text', text: e.text });
        return;
      case 'thinking':
        if (last?.kind === 'thinking' && last.signature === null) last.text += e.text;
        else this.parts.push({ kind: 'thinking', text: e.text, signature: null });
        return;
      case 'signature':
        if (last?.kind === 'thinking') last.signature = e.signature;
        else this.parts.push({ kind: 'thinking', text: '', signature: e.signature });
        return;
      case 'tool':
        this.parts.push({ kind: 'tool_call', id: e.id, name: e.name, args: e.args, signature: e.signature ?? null });
        return;
      case 'tool_args':
        if (last?.kind === 'tool_call') last.args += e.args;
        return;
      case 'usage':
        mergeIrUsage(this.usage, e.usage);
        return;
      case 'stop':
        this.stop = e.reason;
        this.sequence = e.sequence ?? null;
        return;
      case 'done':
        this.done = true;
        return;
      case 'error':
        this.error = e.error;
        return;
    }
  }

  answer(fallbackModel: string): IrAnswer {
    const stop = this.stop === 'end' && this.parts.some((p) => p.kind === 'tool_call') ? 'tool_use' : this.stop;
    for (const p of this.parts) if (p.kind === 'tool_call' && p.args === '') p.args = '{}';
    return { id: this.id || `msg_${Date.now().toString(36)}`, model: this.model || fallbackModel, parts: this.parts, stop, stopSequence: this.sequence, usage: this.usage };
  }
}

/** Parses tool-call argument text into an object ({} when empty; wrapped when not an object). */
export function argsObject(args: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(args);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    return { value: v };
  } catch {
    return { raw: args };
  }
}

/** Text of content parts joined (images dropped). */
export function contentText(content: IrContent[]): string {
  let s = '';
  for (const c of content) if (c.kind === 'text') s += s ? `\n${c.text}` : c.text;
  return s;
}

let idSeq = 0;
/** A fresh id with a protocol's prefix (tool calls an upstream left unnamed, answers). */
export function newId(prefix: string): string {
  idSeq = (idSeq + 1) % 1_000_000;
  return `${prefix}${Date.now().toString(36)}${idSeq.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
