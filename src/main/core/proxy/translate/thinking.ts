// Thinking in a translated history. An upstream accepts back only the reasoning it signed
// itself; anything else (another upstream's signature, none at all) is dropped rather than
// failing the turn. With extended thinking on, Claude wants the assistant turn that made the
// pending tool calls to open with its signed thinking: when that was dropped, thinking is turned
// off for this request instead.
import type { IrMessage, IrPart } from './ir';
import type { SignatureCache } from './signature-cache';

export function dropUnacceptedThinking(messages: IrMessage[], keep: (signature: string) => boolean): { messages: IrMessage[]; thinkingAllowed: boolean } {
  let changed = false;
  const out = messages.map((m) => {
    if (m.role !== 'assistant' || !m.parts.some((p) => p.kind === 'thinking')) return m;
    const parts = m.parts.filter((p) => p.kind !== 'thinking' || (p.signature !== null && p.signature !== '' && keep(p.signature)));
    if (parts.length === m.parts.length) return m;
    changed = true;
    return { role: m.role, parts };
  });
  let lastAssistant: IrMessage | null = null;
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]!.role === 'assistant') {
      lastAssistant = out[i]!;
      break;
    }
  }
  const pendingTools = lastAssistant !== null && lastAssistant.parts.some((p) => p.kind === 'tool_call');
  const thinkingAllowed = !pendingTools || lastAssistant!.parts[0]?.kind === 'thinking';
  return { messages: changed ? out : messages, thinkingAllowed };
}

/** Remembers the signed thinking before each tool call of an answer (parts in order). */
export class ToolThinkingTap {
  private text = '';
  private signature: string | null = null;

  constructor(private readonly cache: SignatureCache) {}

  thinking(text: string): void {
    if (this.signature !== null) {
      // A new thinking block after a signed one.
      this.text = '';
      this.signature = null;
    }
    this.text += text;
  }

  signed(signature: string): void {
    this.signature = signature;
  }

  tool(id: string): void {
    if (this.signature !== null) this.cache.noteToolThinking(id, this.text, this.signature);
  }

  parts(parts: IrPart[]): void {
    for (const p of parts) {
      if (p.kind === 'thinking') {
        this.thinking(p.text);
        if (p.signature) this.signed(p.signature);
      } else if (p.kind === 'tool_call') this.tool(p.id);
    }
  }
}

/**
 * Puts back the signed thinking a client could not carry: an assistant turn with tool calls
 * but no thinking gets the thinking remembered for its first call (the upstream's request
 * writer then keeps it only where that upstream signed it).
 */
export function restoreToolThinking(messages: IrMessage[], cache: SignatureCache): void {
  for (const m of messages) {
    if (m.role !== 'assistant' || m.parts.some((p) => p.kind === 'thinking')) continue;
    const call = m.parts.find((p) => p.kind === 'tool_call');
    if (!call || call.kind !== 'tool_call') continue;
    const t = cache.toolThinking(call.id);
    if (t) m.parts.unshift({ kind: 'thinking', text: t.text, signature: t.signature });
  }
}
