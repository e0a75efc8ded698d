// Which price applies to a model and what a request costs: the most specific matching pattern
// wins; a pattern without "/" is matched against the model's last path segment. The ledger
// (core/usage/pricing.ts) and the window's pricing preview use these same functions.
import { modelMatches, patternSpecificity } from './model-glob';

export interface Price {
  pattern: string;
  inputPerMTok: number;
  outputPerMTok: number;
}

/** Most specific first: exact names, then more literal characters, then fewer "*", then by name. */
export function bySpecificity(a: Price, b: Price): number {
  const s = patternSpecificity(b.pattern) - patternSpecificity(a.pattern);
  if (s !== 0) return s;
  const stars = (p: string) => p.split('*').length;
  return stars(a.pattern) - stars(b.pattern) || (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0);
}

const lastSegment = (model: string) => model.slice(model.lastIndexOf('/') + 1);

/** The first price in `sorted` (most specific first) that matches the model. */
export function firstMatch<P extends Price>(sorted: readonly P[], model: string): P | null {
  const short = lastSegment(model);
  return sorted.find((p) => modelMatches(p.pattern, p.pattern.includes('/') ? model : short)) ?? null;
}

/** The price that applies to a model among `prices` (most specific match), or null. */
export function matchPrice<P extends Price>(prices: readonly P[], model: string): P | null {
  return firstMatch([...prices].sort(bySpecificity), model);
}

/** USD for a completed attempt; null when no price applies or no token count is known. */
export function costOf(price: Price | null, inputTokens: number | null, outputTokens: number | null): number | null {
  if (!price || (inputTokens === null && outputTokens === null)) return null;
  return ((inputTokens ?? 0) * price.inputPerMTok + (outputTokens ?? 0) * price.outputPerMTok) / 1_000_000;
}
