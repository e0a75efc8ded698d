// The rules of model aliases and fallback chains, shared by the settings schema, the settings
// store (which checks the merged maps) and the window (which checks as the user types).
// An alias maps the name a client sends to the model the accounts serve; a fallback chain names
// the models tried, in order, when every account for a model is exhausted, locked or limited.
// Together they form one graph (alias from → to, fallback model → each of its list): it must
// have no cycle, so every request's chain of models is finite and each model is tried once.

export type ModelAliases = Record<string, string>;
export type ModelFallbacks = Record<string, string[]>;

/** Most alias hops followed when resolving a name (a chain longer than this is refused). */
export const MAX_ALIAS_DEPTH = 8;

/** The model served for a name: its alias, the alias's alias, …, or the name itself. */
export function resolveAlias(aliases: ModelAliases, model: string): string {
  let m = model;
  for (let i = 0; i < MAX_ALIAS_DEPTH; i++) {
    const next = Object.prototype.hasOwnProperty.call(aliases, m) ? aliases[m] : undefined;
    if (next === undefined || next === m) return m;
    m = next;
  }
  return m;
}

/**
 * The first cycle in the alias + fallback graph as the list of models on it (first repeated at
 * the end, e.g. ["a", "b", "a"]), or null when there is none.
 */
export function findModelCycle(aliases: ModelAliases, fallbacks: ModelFallbacks): string[] | null {
  const edges = (m: string): string[] => {
    const out: string[] = [];
    if (Object.prototype.hasOwnProperty.call(aliases, m)) out.push(aliases[m]!);
    if (Object.prototype.hasOwnProperty.call(fallbacks, m)) out.push(...fallbacks[m]!);
    return out;
  };
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  const path: string[] = [];
  const visit = (m: string): string[] | null => {
    state.set(m, 1);
    path.push(m);
    for (const next of edges(m)) {
      const s = state.get(next);
      if (s === 1) return [...path.slice(path.indexOf(next)), next];
      if (s === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state.set(m, 2);
    return null;
  };
  for (const m of [...Object.keys(aliases), ...Object.keys(fallbacks)]) {
    if (state.has(m)) continue;
    const found = visit(m);
    if (found) return found;
  }
  return null;
}

/** A sentence naming the problem with these maps, or null when they are valid. */
export function modelRoutingProblem(aliases: ModelAliases, fallbacks: ModelFallbacks): string | null {
  const cycle = findModelCycle(aliases, fallbacks);
  if (cycle) return `Model aliases and fallbacks form a cycle: ${cycle.join(' → ')}`;
  for (const [from, to] of Object.entries(aliases)) {
    let m = from;
    let hops = 0;
    while (Object.prototype.hasOwnProperty.call(aliases, m) && aliases[m] !== m) {
      m = aliases[m]!;
      if (++hops > MAX_ALIAS_DEPTH) return `The alias "${from}" → "${to}" leads through more than ${MAX_ALIAS_DEPTH} aliases`;
    }
  }
  for (const [model, list] of Object.entries(fallbacks)) {
    if (new Set(list).size !== list.length) return `The fallback chain of "${model}" names a model twice`;
  }
  return null;
}

/**
 * The models one request may be served by, in order: the requested name's alias target, then
 * its fallbacks (looked up by the served name, then by the name the client sent), each
 * alias-resolved and followed by its own fallbacks, depth first, every model once.
 */
export function modelChain(aliases: ModelAliases, fallbacks: ModelFallbacks, requested: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const listOf = (k: string): readonly string[] => (Object.prototype.hasOwnProperty.call(fallbacks, k) ? fallbacks[k]! : []);
  const add = (name: string): void => {
    const m = resolveAlias(aliases, name);
    if (seen.has(m)) return;
    seen.add(m);
    out.push(m);
    for (const f of listOf(m)) add(f);
    if (name !== m) for (const f of listOf(name)) add(f);
  };
  add(requested);
  return out;
}
