// The engine's live locks, by account then model: looking one up (every decision, every
// selector evaluation) is two map lookups on strings the caller already has, never a key built
// per call.
import type { QuotaLock } from '../model';

const NONE: ReadonlyMap<string, QuotaLock> = new Map();

export class LockTable {
  private readonly byAccount = new Map<string, Map<string, QuotaLock>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(accountId: string, model: string): QuotaLock | undefined {
    return this.byAccount.get(accountId)?.get(model);
  }

  set(lock: QuotaLock): void {
    let models = this.byAccount.get(lock.accountId);
    if (!models) this.byAccount.set(lock.accountId, (models = new Map()));
    if (!models.has(lock.model)) this.count++;
    models.set(lock.model, lock);
  }

  delete(accountId: string, model: string): boolean {
    const models = this.byAccount.get(accountId);
    if (!models?.delete(model)) return false;
    this.count--;
    if (models.size === 0) this.byAccount.delete(accountId);
    return true;
  }

  /** One account's locks (deleting the one being visited while iterating is allowed). */
  ofAccount(accountId: string): IterableIterator<QuotaLock> {
    return (this.byAccount.get(accountId) ?? NONE).values();
  }

  deleteAccount(accountId: string): void {
    const models = this.byAccount.get(accountId);
    if (!models) return;
    this.count -= models.size;
    this.byAccount.delete(accountId);
  }

  *values(): Generator<QuotaLock> {
    for (const models of this.byAccount.values()) yield* models.values();
  }
}
