// Token counts from upstream answers, for the ledger. JSON answers: OpenAI chat `usage.
// prompt_tokens/completion_tokens`, Responses and Anthropic `usage.input_tokens/output_tokens`
// (Anthropic's cache reads and writes count as input), Gemini `usageMetadata.promptTokenCount/
// candidatesTokenCount (+thoughtsTokenCount)`. Streams: OpenAI's final `usage` chunk, Responses'
// `response.completed`, Anthropic's message_start + message_delta, Gemini's last usageMetadata.
// The SSE tap parses only the data lines that can carry usage, so a long stream costs little.

export interface Usage {
  input: number | null;
  output: number | null;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

function sum(...xs: Array<number | null>): number | null {
  let total: number | null = null;
  for (const x of xs) if (x !== null) total = (total ?? 0) + x;
  return total;
}

/** OpenAI or Anthropic style usage object → counts (null where absent). */
function fromUsageObject(u: Obj): Usage {
  const prompt = num(u['prompt_tokens']);
  const input = prompt ?? sum(num(u['input_tokens']), num(u['cache_creation_input_tokens']), num(u['cache_read_input_tokens']));
  const output = num(u['completion_tokens']) ?? num(u['output_tokens']);
  return { input, output };
}

function fromGemini(m: Obj): Usage {
  const input = num(m['promptTokenCount']);
  const cand = num(m['candidatesTokenCount']);
  const thoughts = num(m['thoughtsTokenCount']);
  return { input, output: sum(cand, thoughts) };
}

/** Usage carried by one JSON answer or one stream event, if any. */
export function usageOf(obj: unknown): Usage | null {
  if (!isObj(obj)) return null;
  if (isObj(obj['usageMetadata'])) return fromGemini(obj['usageMetadata']);
  const type = obj['type'];
  if (type === 'message_start' && isObj(obj['message']) && isObj(obj['message']['usage'])) return fromUsageObject(obj['message']['usage']);
  const inner = obj['response'];
  if (isObj(inner)) {
    // Responses API stream events (response.completed …) and Cloud Code envelopes.
    if (isObj(inner['usage'])) return fromUsageObject(inner['usage']);
    if (isObj(inner['usageMetadata'])) return fromGemini(inner['usageMetadata']);
  }
  if (isObj(obj['usage'])) return fromUsageObject(obj['usage']);
  return null;
}

/** Later readings override earlier ones field by field (Anthropic's and Gemini's counts are cumulative). */
export function mergeUsage(acc: Usage, u: Usage | null): void {
  if (!u) return;
  if (u.input !== null) acc.input = u.input;
  if (u.output !== null) acc.output = u.output;
}

const WS = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** The `{…}` value of the last `"<key>":` in a JSON text (strings and nesting respected), or null. */
export function lastObjectValue(text: string, key: string): string | null {
  const needle = `"${key}"`;
  for (let at = text.lastIndexOf(needle); at >= 0; at = at > 0 ? text.lastIndexOf(needle, at - 1) : -1) {
    let i = at + needle.length;
    while (i < text.length && WS(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 58 /* : */) continue;
    i++;
    while (i < text.length && WS(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 123 /* { */) continue;
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === 92 /* \ */) i++;
        else if (c === 34) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 123) depth++;
      else if (c === 125 && --depth === 0) return text.slice(start, i + 1);
    }
    return null;
  }
  return null;
}

/**
 * Usage of a whole JSON answer. The top-level usage object comes last in OpenAI's and
 * Anthropic's answers, so only that small object is parsed; anything else (no such key, an
 * object without counts) falls back to parsing the whole answer.
 */
export function usageFromJsonText(text: string): Usage {
  const acc: Usage = { input: null, output: null };
  const tail = lastObjectValue(text, 'usage');
  if (tail !== null) {
    try {
      const u = fromUsageObject(JSON.parse(tail) as Obj);
      if (u.input !== null || u.output !== null) return u;
    } catch {
      // Fall through to the whole answer.
    }
  }
  try {
    mergeUsage(acc, usageOf(JSON.parse(text)));
  } catch {
    // Not JSON (an HTML error page, a truncated body): no usage.
  }
  return acc;
}

/** Data lines worth parsing: those with a usage object in them. */
export const MAY_CARRY_USAGE = /"usage(?:Metadata)?"\s*:\s*\{/;

/** Incremental SSE reader that keeps the latest usage seen in `data:` lines. */
export class SseUsageTap {
  readonly usage: Usage = { input: null, output: null };
  private partial = '';

  push(text: string): void {
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl < 0) {
      this.partial += text;
      return;
    }
    let line = this.partial + text.slice(0, nl);
    this.partial = '';
    for (;;) {
      this.line(line);
      start = nl + 1;
      nl = text.indexOf('\n', start);
      if (nl < 0) break;
      line = text.slice(start, nl);
    }
    this.partial = text.slice(start);
  }

  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  /** One `data:` payload (already framed by someone else). */
  data(payload: string): void {
    if (!MAY_CARRY_USAGE.test(payload)) return;
    try {
      mergeUsage(this.usage, usageOf(JSON.parse(payload)));
    } catch {
      // A data line that is not JSON ([DONE], a keep-alive): nothing to learn.
    }
  }

  private line(raw: string): void {
    if (!raw.startsWith('data:')) return;
    const payload = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(5, -1) : raw.slice(5);
    this.data(payload);
  }
}
