// Model prices for the ledger's cost: built-in defaults for well-known models, the user's edits
// (the `pricing` table holds both, `is_default` tells them apart) and glob matching where the
// most specific pattern wins. Prices are USD per million tokens.
import type { PricingRow } from '../../../shared/types';
import type { Db } from '../db/open-database';
import { AppError } from '../errors';
import type { Clock } from '../ports';
import { bySpecificity, costOf, firstMatch, matchPrice, type Price } from '../../../shared/price-match';

export { costOf, matchPrice, type Price };

/**
 * DEFAULTS, not quotes: public list prices (standard tier, short context, no caching or batch
 * discounts) as published by Anthropic, OpenAI and Google in late 2025. Every row is editable
 * through `pricing:set`; an edited row is the user's and no longer follows this list. A pattern
 * without "/" is matched against the model's last path segment ("anthropic/claude-sonnet-4.5",
 * "models/gemini-2.5-pro" → "claude-sonnet-4.5", "gemini-2.5-pro").
 */
export const DEFAULT_PRICING: readonly Price[] = [
  // Anthropic: families first, then the versions priced differently.
  { pattern: 'claude*opus*', inputPerMTok: 15, outputPerMTok: 75 },
  { pattern: 'claude-opus-4-5*', inputPerMTok: 5, outputPerMTok: 25 },
  { pattern: 'claude-opus-4.5*', inputPerMTok: 5, outputPerMTok: 25 },
  { pattern: 'claude*sonnet*', inputPerMTok: 3, outputPerMTok: 15 },
  { pattern: 'claude*haiku*', inputPerMTok: 1, outputPerMTok: 5 },
  { pattern: 'claude-3-5-haiku*', inputPerMTok: 0.8, outputPerMTok: 4 },
  { pattern: 'claude-3.5-haiku*', inputPerMTok: 0.8, outputPerMTok: 4 },
  { pattern: 'claude-3-haiku*', inputPerMTok: 0.25, outputPerMTok: 1.25 },
  // OpenAI
  { pattern: 'gpt-4o*', inputPerMTok: 2.5, outputPerMTok: 10 },
  { pattern: 'gpt-4o-mini*', inputPerMTok: 0.15, outputPerMTok: 0.6 },
  { pattern: 'gpt-4.1*', inputPerMTok: 2, outputPerMTok: 8 },
  { pattern: 'gpt-4.1-mini*', inputPerMTok: 0.4, outputPerMTok: 1.6 },
  { pattern: 'gpt-4.1-nano*', inputPerMTok: 0.1, outputPerMTok: 0.4 },
  { pattern: 'gpt-5*', inputPerMTok: 1.25, outputPerMTok: 10 },
  { pattern: 'gpt-5*mini*', inputPerMTok: 0.25, outputPerMTok: 2 },
  { pattern: 'gpt-5*nano*', inputPerMTok: 0.05, outputPerMTok: 0.4 },
  { pattern: 'gpt-5*pro*', inputPerMTok: 15, outputPerMTok: 120 },
  // Google
  { pattern: 'gemini-2.5-pro*', inputPerMTok: 1.25, outputPerMTok: 10 },
  { pattern: 'gemini-2.5-flash*', inputPerMTok: 0.3, outputPerMTok: 2.5 },
  { pattern: 'gemini-2.5-flash-lite*', inputPerMTok: 0.1, outputPerMTok: 0.4 },
  { pattern: 'gemini-3*pro*', inputPerMTok: 2, outputPerMTok: 12 },
  { pattern: 'gemini-3*flash*', inputPerMTok: 0.5, outputPerMTok: 3 },
];

const DEFAULT_BY_PATTERN = new Map(DEFAULT_PRICING.map((p) => [p.pattern, p]));

interface PricingDbRow {
  pattern: string;
  input_per_mtok: number;
  output_per_mtok: number;
  is_default: number;
}

const MAX_MEMO = 1000;

export class Pricing {
  private readonly stmt;
  /** Sorted most specific first; reloaded after each edit. */
  private prices: Price[] = [];
  private readonly memo = new Map<string, Price | null>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.stmt = {
      all: db.prepare<[], PricingDbRow>('SELECT pattern, input_per_mtok, output_per_mtok, is_default FROM pricing'),
      insertDefault: db.prepare<[string, number, number, number]>(
        'INSERT OR IGNORE INTO pricing (pattern, input_per_mtok, output_per_mtok, is_default, updated_at) VALUES (?, ?, ?, 1, ?)',
      ),
      followDefault: db.prepare<[number, number, number, string]>(
        'UPDATE pricing SET input_per_mtok = ?, output_per_mtok = ?, updated_at = ? WHERE pattern = ? AND is_default = 1',
      ),
      upsert: db.prepare<[string, number, number, number, number]>(
        `INSERT INTO pricing (pattern, input_per_mtok, output_per_mtok, is_default, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (pattern) DO UPDATE SET input_per_mtok = excluded.input_per_mtok, output_per_mtok = excluded.output_per_mtok,
           is_default = excluded.is_default, updated_at = excluded.updated_at`,
      ),
      remove: db.prepare<[string]>('DELETE FROM pricing WHERE pattern = ?'),
    };
    this.seedDefaults();
  }

  /** Adds missing defaults; untouched defaults take this build's prices (edited rows are kept). */
  private seedDefaults(): void {
    const now = this.clock.now();
    this.db.transaction(() => {
      for (const p of DEFAULT_PRICING) {
        this.stmt.insertDefault.run(p.pattern, p.inputPerMTok, p.outputPerMTok, now);
        this.stmt.followDefault.run(p.inputPerMTok, p.outputPerMTok, now, p.pattern);
      }
    })();
    this.reload();
  }

  private reload(): void {
    this.prices = this.stmt.all.all().map((r) => ({ pattern: r.pattern, inputPerMTok: r.input_per_mtok, outputPerMTok: r.output_per_mtok })).sort(bySpecificity);
    this.memo.clear();
  }

  /** The price for a model (most specific matching pattern), memoized until the next edit. */
  priceFor(model: string): Price | null {
    const hit = this.memo.get(model);
    if (hit !== undefined) return hit;
    const found = firstMatch(this.prices, model);
    if (this.memo.size >= MAX_MEMO) this.memo.clear();
    this.memo.set(model, found);
    return found;
  }

  costFor(model: string, inputTokens: number | null, outputTokens: number | null): number | null {
    return costOf(this.priceFor(model), inputTokens, outputTokens);
  }

  list(): PricingRow[] {
    return this.stmt
      .all.all()
      .map((r) => ({ pattern: r.pattern, inputPerMTok: r.input_per_mtok, outputPerMTok: r.output_per_mtok, isDefault: r.is_default === 1 }))
      .sort(bySpecificity);
  }

  /** Adds or edits a pattern's price; from then on it is the user's row (not a default). */
  set(pattern: string, inputPerMTok: number, outputPerMTok: number): PricingRow {
    const p = pattern.trim();
    if (p === '') throw new AppError('bad_request', 'A pricing pattern may not be empty');
    this.stmt.upsert.run(p, inputPerMTok, outputPerMTok, 0, this.clock.now());
    this.reload();
    return { pattern: p, inputPerMTok, outputPerMTok, isDefault: false };
  }

  /**
   * Removes a pattern the user added. A built-in pattern cannot be dropped (it would come back
   * with the next start): removing it restores its default price instead.
   */
  remove(pattern: string): { removed: boolean; restored: PricingRow | null } {
    const def = DEFAULT_BY_PATTERN.get(pattern);
    if (def) {
      this.stmt.upsert.run(def.pattern, def.inputPerMTok, def.outputPerMTok, 1, this.clock.now());
      this.reload();
      return { removed: false, restored: { ...def, isDefault: true } };
    }
    const removed = this.stmt.remove.run(pattern).changes > 0;
    if (removed) this.reload();
    return { removed, restored: null };
  }
}
