// Thinking in a translated history. An upstream accepts back only the reasoning it signed
// itself; anything else (another upstream's signature, none at all) is dropped rather than
// failing the turn. With extended thinking on, Claude wants the assistant turn that made the
// pending tool calls to open with its signed thinking: when that was dropped, thinking is turned
// off for this request instead.
import type { IrMessage } from './ir';

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
