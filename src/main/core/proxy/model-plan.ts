// One request's models: the name the client sent resolved through `modelAliases`, then the
// `modelFallbacks` chain tried in order when every account for a model is exhausted, locked or
// over a local limit. Also the request body as each model wants it (the client's JSON with its
// `model` replaced when an alias or a fallback serves it).
import type { Settings } from '../../../shared/types';
import { modelChain } from '../../../shared/model-routing-rules';

const MAX_MEMO = 1000;
/** Chains per settings object (settings.get() keeps one object until the next update). */
const memo = new WeakMap<Settings, Map<string, readonly string[]>>();

/** The models a request for `requested` may be served by, in order (memoized per settings). */
export function chainFor(settings: Settings, requested: string): readonly string[] {
  const aliases = settings.modelAliases;
  const fallbacks = settings.modelFallbacks;
  let m = memo.get(settings);
  if (!m) memo.set(settings, (m = new Map()));
  let chain = m.get(requested);
  if (chain) return chain;
  chain = modelChain(aliases, fallbacks, requested);
  if (m.size >= MAX_MEMO) m.clear();
  m.set(requested, chain);
  return chain;
}

export class ModelPlan {
  readonly chain: readonly string[];
  private i = 0;
  /** The earliest reset among the models given up on (for the 429's earliestResetAt). */
  earliestReset: number | null = null;
  private rewritten: { model: string; json: Record<string, unknown>; body: Buffer } | null = null;

  constructor(
    readonly requested: string,
    settings: Settings,
  ) {
    this.chain = chainFor(settings, requested);
  }

  /** The model the current attempt asks for. */
  get model(): string {
    return this.chain[this.i]!;
  }

  noteReset(at: number | null): void {
    if (at !== null && (this.earliestReset === null || at < this.earliestReset)) this.earliestReset = at;
  }

  /** Moves to the next model of the chain; false when none is left. */
  advance(): boolean {
    if (this.i + 1 >= this.chain.length) return false;
    this.i++;
    return true;
  }

  /** The client's JSON and body for the current model (as sent when the body names it already). */
  request(json: Record<string, unknown>, body: Buffer): { json: Record<string, unknown>; body: Buffer } {
    const model = this.model;
    const named = json['model'];
    if (typeof named !== 'string' || named === model) return { json, body };
    if (this.rewritten?.model !== model) {
      const next = { ...json, model };
      this.rewritten = { model, json: next, body: Buffer.from(JSON.stringify(next)) };
    }
    return this.rewritten;
  }
}
