// How a quota reading is named for people: "Gemini 3 Pro", "5-hour limit", "Opus · weekly".
// Glob keys ("*", "*opus*") and window keys ("weekly-opus") never reach the screen.
import type { QuotaView } from '../../../../shared/types';

/** A window key as words: "5h" → "5-hour", "weekly-opus" → "weekly", "30d" → "30-day". */
export function windowWords(window: string | null): string | null {
  if (!window) return null;
  const base = window.replace(/-(opus|sonnet|[a-z]+)$/i, (m, w: string) => (/^(opus|sonnet)$/i.test(w) ? '' : m));
  const m = /^(\d+)\s*([hdm])$/i.exec(base);
  if (m) return `${m[1]}-${{ h: 'hour', d: 'day', m: 'minute' }[m[2]!.toLowerCase() as 'h' | 'd' | 'm']}`;
  return base.replace(/[_-]+/g, ' ');
}

/** The part of the reading's scope worth saying: "Claude Opus" → "Opus"; all models → null. */
function scopeWords(q: Pick<QuotaView, 'model' | 'displayName'>): string | null {
  if (q.model === '*') return null;
  const name = q.displayName?.trim();
  if (name) {
    if (/^all\b/i.test(name)) return null;
    // "Claude Opus" on a Claude account: the family is already on the row.
    const short = name.replace(/^(claude|codex|openai)\s+(?=\S)/i, '');
    return short;
  }
  const bare = q.model.replace(/\*/g, ' ').trim();
  return bare ? bare.charAt(0).toUpperCase() + bare.slice(1) : null;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A model id as words when the upstream gave no name: "gemini-2.5-flash" → "Gemini 2.5 Flash". */
export function modelWords(id: string): string {
  if (!/^(gemini|claude|gpt|llama|mistral|deepseek|qwen|grok)-[a-z0-9.-]+$/i.test(id)) return id;
  const words: string[] = [];
  for (const part of id.split('-')) {
    const prev = words[words.length - 1];
    // "4-5" is a version: "4.5".
    if (/^\d+$/.test(part) && prev !== undefined && /^\d+$/.test(prev) && part.length <= 2) words[words.length - 1] = `${prev}.${part}`;
    else words.push(/^gpt$/i.test(part) ? 'GPT' : /^o\d/.test(part) ? part : part.charAt(0).toUpperCase() + part.slice(1));
  }
  return words.join(' ').replace(/^GPT (\d)/, 'GPT-$1');
}

export function quotaName(q: Pick<QuotaView, 'model' | 'displayName' | 'window'>): string {
  if (!q.model.includes('*')) return q.displayName ?? modelWords(q.model);
  const scope = scopeWords(q);
  const win = windowWords(q.window);
  if (!scope) return win ? `${cap(win)} limit` : 'All models';
  return win ? `${scope} · ${win}` : scope;
}

/** One line to show for a reading: the reading itself, or one of the windows it binds. */
export interface WindowLine {
  key: string;
  name: string;
  remainingFraction: number | null;
  resetAt: string | null;
  /** The reading's decision applies to this line (the binding window, or a plain reading). */
  binding: boolean;
  kind: QuotaView['decision']['kind'];
}

/**
 * Every window of a reading, named for people: Claude's "*" shows "5-hour limit" and "Weekly
 * limit", each with its own bar and reset; a plain reading is one line. The decision (badge,
 * lock) belongs to the binding window, the tightest one.
 */
export function windowLines(q: QuotaView): WindowLine[] {
  const parts = q.windows ?? [];
  if (parts.length === 0) {
    return [{ key: q.model, name: quotaName(q), remainingFraction: q.remainingFraction, resetAt: q.resetAt, binding: true, kind: q.decision.kind }];
  }
  const bindingIndex = Math.max(
    0,
    parts.findIndex((p) => p.window === q.window && p.remainingFraction === q.remainingFraction),
  );
  // A family reading ("*opus*") bound by a shared window says so on its own line.
  const boundElsewhere = !parts.some((p) => p.window === q.window && p.remainingFraction === q.remainingFraction);
  return parts.map((p, i) => {
    const binding = !boundElsewhere && i === bindingIndex;
    const kind = binding ? q.decision.kind : p.remainingFraction === 0 ? 'exhausted' : p.remainingFraction === null ? 'unknown' : 'proceed';
    return { key: `${q.model}\u0000${p.window ?? i}`, name: quotaName({ model: q.model, displayName: q.displayName, window: p.window }), remainingFraction: p.remainingFraction, resetAt: p.resetAt, binding, kind };
  });
}
