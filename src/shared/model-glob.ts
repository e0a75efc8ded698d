// Model-name globs, shared by the core (adapters, pricing) and the window (the pricing preview):
// case-insensitive, "*" stands for any run of characters; exact ids are the most specific.

const compiled = new Map<string, RegExp>();

/** Case-insensitive glob match where "*" stands for any run of characters. */
export function modelMatches(pattern: string, model: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern.length === model.length && pattern.toLowerCase() === model.toLowerCase();
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    // Patterns come from adapters and settings: few and reused. The bound only guards memory.
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.test(model);
}

/** How specific a reading's key is for ordering: exact ids first, then longer globs, "*" last. */
export function patternSpecificity(pattern: string): number {
  if (!pattern.includes('*')) return Number.MAX_SAFE_INTEGER;
  return pattern.replace(/\*/g, '').length;
}
