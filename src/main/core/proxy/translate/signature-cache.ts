// Thinking signatures across translated turns. An upstream signs its reasoning (Claude on Cloud
// Code and Anthropic: the thinking block's signature; Gemini: a thoughtSignature on function
// calls; Codex: a reasoning item's encrypted_content) and wants it back unchanged on the next
// turn — but only its own: a signature from another upstream is refused ("Invalid signature").
// This cache remembers which upstream issued each signature the proxy handed a client, and the
// signature of each tool call and the signed thinking that led to it (clients such as OpenAI
// Chat cannot carry either), so a request can put back what its upstream needs, keep what it
// will accept and drop the rest. In memory, bounded, oldest out first.

export type SignatureOrigin = 'cloudcode' | 'anthropic' | 'codex';

export const MAX_SIGNATURES = 20_000;
/** Gemini's documented placeholder for a function call whose signature was lost. */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

/** Short stable key for a (possibly long) signature. */
function keyOf(signature: string): string {
  return signature.length <= 96 ? signature : `${signature.length}:${signature.slice(0, 48)}${signature.slice(-48)}`;
}

export class SignatureCache {
  private readonly origins = new Map<string, SignatureOrigin>();
  private readonly tools = new Map<string, string>();
  private readonly thinking = new Map<string, { text: string; signature: string }>();

  constructor(private readonly cap = MAX_SIGNATURES) {}

  private bound<K, V>(m: Map<K, V>): void {
    if (m.size > this.cap) m.delete(m.keys().next().value as K);
  }

  /** A signature handed to a client, and who issued it. */
  noteSignature(signature: string, origin: SignatureOrigin): void {
    const k = keyOf(signature);
    this.origins.delete(k);
    this.origins.set(k, origin);
    this.bound(this.origins);
  }

  origin(signature: string): SignatureOrigin | null {
    return this.origins.get(keyOf(signature)) ?? null;
  }

  /** The signature that came with a tool call (Gemini's thoughtSignature). */
  noteTool(toolId: string, signature: string): void {
    this.tools.delete(toolId);
    this.tools.set(toolId, signature);
    this.bound(this.tools);
    this.noteSignature(signature, 'cloudcode');
  }

  tool(toolId: string): string | null {
    return this.tools.get(toolId) ?? null;
  }

  /**
   * The signed thinking that led to a tool call, for clients that cannot carry it (OpenAI Chat
   * drops it, yet Claude wants it back before that call when thinking is on).
   */
  noteToolThinking(toolId: string, text: string, signature: string): void {
    this.thinking.delete(toolId);
    this.thinking.set(toolId, { text, signature });
    this.bound(this.thinking);
  }

  toolThinking(toolId: string): { text: string; signature: string } | null {
    return this.thinking.get(toolId) ?? null;
  }

  get size(): number {
    return this.origins.size + this.tools.size + this.thinking.size;
  }
}
