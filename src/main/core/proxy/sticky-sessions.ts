// Sticky sessions: a conversation stays on the account that last served it (per model), so the
// upstream's prompt cache stays warm, while that account can still serve; when it is exhausted,
// locked or over a local limit the selector picks another, and the conversation sticks there.
// The session key is the client's own: header `x-session-id`, Anthropic `metadata.user_id`,
// OpenAI `prompt_cache_key` or `user`. In memory only, O(1) per request, bounded: idle entries
// expire lazily and the oldest go first when the map is full.
import type { IncomingHttpHeaders } from 'node:http';

/** Most sessions remembered at once. */
export const MAX_STICKY_SESSIONS = 10_000;
const MAX_KEY_LENGTH = 512;

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length <= MAX_KEY_LENGTH ? v : null);

/** The client's session key, or null when the request carries none. */
export function sessionKeyOf(headers: IncomingHttpHeaders, json: Record<string, unknown>): string | null {
  const h = str(headers['x-session-id']);
  if (h) return h;
  const meta = json['metadata'];
  if (typeof meta === 'object' && meta !== null) {
    const u = str((meta as Record<string, unknown>)['user_id']);
    if (u) return u;
  }
  return str(json['prompt_cache_key']) ?? str(json['user']);
}

interface Stick {
  accountId: string;
  at: number;
}

export class StickySessions {
  private readonly map = new Map<string, Stick>();

  constructor(private readonly cap = MAX_STICKY_SESSIONS) {}

  /** The account this session's conversation with this model is on, if it was used within ttlMs. */
  preferred(session: string, model: string, now: number, ttlMs: number): string | null {
    const k = `${session}\u0000${model}`;
    const s = this.map.get(k);
    if (!s) return null;
    if (now - s.at > ttlMs) {
      this.map.delete(k);
      return null;
    }
    return s.accountId;
  }

  /** The account that just served this session and model (the session is fresh again). */
  remember(session: string, model: string, accountId: string, now: number): void {
    const k = `${session}\u0000${model}`;
    // Re-inserted so the map's order stays "least recently served first".
    this.map.delete(k);
    this.map.set(k, { accountId, at: now });
    if (this.map.size > this.cap) this.map.delete(this.map.keys().next().value!);
  }

  get size(): number {
    return this.map.size;
  }
}
