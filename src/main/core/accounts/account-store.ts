// Accounts in SQLite, mirrored in memory for the hot paths. Secrets go in and out only through
// the SecretBox; records handed around carry a masked hint, never the secret itself.
// The store is the one place that announces an account change: every write that changes what
// an account looks like moves version() and tells onChange listeners (once per transaction,
// after it commits) — callers never announce by hand.
import { randomUUID } from 'node:crypto';
import type { AccountStatus, ProviderId, Tier } from '../../../shared/types';
import type { Db } from '../db/open-database';
import { NotFoundError } from '../errors';
import { maskSecret } from '../log/redact';
import type { AccountRecord, Credentials, ModelPrefRecord } from '../model';
import type { Clock, SecretBox } from '../ports';

interface AccountRow {
  id: string;
  provider: string;
  identity: string;
  email: string | null;
  label: string;
  tier: string;
  tier_label: string | null;
  status: string;
  status_reason: string | null;
  project_id: string | null;
  secret_hint: string;
  reserve: number | null;
  base_url: string | null;
  models: string | null;
  details: string;
  created_at: number;
  updated_at: number;
}

export interface NewAccount {
  provider: ProviderId;
  identity: string;
  email: string | null;
  label: string;
  tier: Tier;
  projectId: string | null;
  baseUrl?: string | null;
  models?: string[] | null;
  credentials: Credentials;
}

export type AccountPatch = Partial<Pick<AccountRecord, 'label' | 'tier' | 'tierLabel' | 'projectId' | 'reserve' | 'email' | 'baseUrl' | 'models' | 'details'>>;

/** One string per distinct value of the small vocabularies (provider, tier, plan, status), not one per row read. */
const vocabulary = new Map<string, string>();
function word<T extends string | null>(s: T): T {
  if (s === null) return s;
  const have = vocabulary.get(s);
  if (have !== undefined) return have as T;
  if (vocabulary.size < 1000) vocabulary.set(s, s);
  return s;
}

/** The previous record's string when the row repeats it (each row read from SQLite is a new string). */
const same = <T extends string | null>(next: T, prev: T | undefined): T => (prev !== undefined && prev === next ? prev : next);

const fromRow = (r: AccountRow, prev?: AccountRecord): AccountRecord => {
  const email = same(r.email, prev?.email);
  return {
    id: prev?.id ?? r.id,
    provider: word(r.provider) as ProviderId,
    // The identity and the label are the email unless the user named it: one string then.
    identity: email !== null && r.identity === email ? email : same(r.identity, prev?.identity),
    email,
    label: email !== null && r.label === email ? email : same(r.label, prev?.label),
    tier: word(r.tier) as Tier,
    tierLabel: word(r.tier_label),
    status: word(r.status) as AccountStatus,
    statusReason: same(r.status_reason, prev?.statusReason),
    projectId: same(r.project_id, prev?.projectId),
    secretHint: same(r.secret_hint, prev?.secretHint),
    reserve: r.reserve,
    baseUrl: r.base_url,
    models: r.models ? (JSON.parse(r.models) as string[]) : null,
    details: JSON.parse(r.details || '{}') as AccountRecord['details'],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
};

export function hintFor(c: Credentials): string {
  return maskSecret(c.apiKey ?? c.refreshToken ?? c.accessToken ?? '');
}

export type AccountChangeListener = (accountIds: string[]) => void;

export class AccountStore {
  private readonly byId = new Map<string, AccountRecord>();
  private readonly listeners = new Set<AccountChangeListener>();
  private changeVersion = 0;
  /** Ids changed inside the running transaction (announced when it commits). */
  private pending: Set<string> | null = null;
  private readonly prefs = new Map<string, ModelPrefRecord[]>();
  private readonly plain = new Map<string, Credentials>();
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly secretBox: SecretBox,
    private readonly clock: Clock,
  ) {
    this.stmt = {
      all: db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY created_at, rowid'),
      one: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?'),
      insert: db.prepare(
        `INSERT INTO accounts (id, provider, identity, email, label, tier, status, project_id, base_url, models, secret, secret_hint, created_at, updated_at)
         VALUES (@id, @provider, @identity, @email, @label, @tier, 'active', @projectId, @baseUrl, @models, @secret, @hint, @now, @now)`,
      ),
      update: db.prepare(
        `UPDATE accounts SET label = @label, tier = @tier, tier_label = @tierLabel, project_id = @projectId,
           reserve = @reserve, email = @email, base_url = @baseUrl, models = @models, details = @details, updated_at = @now WHERE id = @id`,
      ),
      status: db.prepare('UPDATE accounts SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?'),
      secret: db.prepare<[Buffer, string, number, string]>('UPDATE accounts SET secret = ?, secret_hint = ?, updated_at = ? WHERE id = ?'),
      readSecret: db.prepare<[string], { secret: Buffer }>('SELECT secret FROM accounts WHERE id = ?'),
      remove: db.prepare<[string]>('DELETE FROM accounts WHERE id = ?'),
      allPrefs: db.prepare<[], { account_id: string; model: string; reserve: number | null; excluded: number }>(
        'SELECT * FROM account_model_prefs ORDER BY account_id, model',
      ),
      upsertPref: db.prepare(
        `INSERT INTO account_model_prefs (account_id, model, reserve, excluded) VALUES (?, ?, ?, ?)
         ON CONFLICT (account_id, model) DO UPDATE SET reserve = excluded.reserve, excluded = excluded.excluded`,
      ),
      deletePref: db.prepare('DELETE FROM account_model_prefs WHERE account_id = ? AND model = ?'),
    };
    for (const row of this.stmt.all.iterate()) this.byId.set(row.id, fromRow(row));
    for (const p of this.stmt.allPrefs.all()) {
      const list = this.prefs.get(p.account_id) ?? [];
      list.push({ accountId: p.account_id, model: p.model, reserve: p.reserve, excluded: p.excluded === 1 });
      this.prefs.set(p.account_id, list);
    }
  }

  list(): AccountRecord[] {
    return [...this.byId.values()];
  }

  get(id: string): AccountRecord | undefined {
    return this.byId.get(id);
  }

  require(id: string): AccountRecord {
    const a = this.byId.get(id);
    if (!a) throw new NotFoundError(`Account ${id}`);
    return a;
  }

  findByIdentity(provider: ProviderId, identity: string): AccountRecord | undefined {
    for (const a of this.byId.values()) if (a.provider === provider && a.identity === identity) return a;
    return undefined;
  }

  /** Moves on every account change (the selector and views key their caches on it). */
  version(): number {
    return this.changeVersion;
  }

  /** Told the ids of changed accounts after each change (or committed transaction). */
  onChange(listener: AccountChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(id: string): void {
    this.changeVersion++;
    if (this.pending) this.pending.add(id);
    else this.announce([id]);
  }

  private announce(ids: string[]): void {
    for (const l of this.listeners) l(ids);
  }

  /**
   * Runs fn in one SQLite transaction; the memory mirror is reloaded if it throws. Changes made
   * inside are announced once, after the commit (nothing is announced for a rollback).
   */
  transaction<T>(fn: () => T): T {
    const outer = this.pending === null;
    if (outer) this.pending = new Set();
    let result: T;
    try {
      result = this.db.transaction(fn)();
    } catch (err) {
      if (outer) this.pending = null;
      this.reload();
      this.changeVersion++;
      throw err;
    }
    if (outer) {
      const ids = [...this.pending!];
      this.pending = null;
      if (ids.length > 0) this.announce(ids);
    }
    return result;
  }

  private reload(): void {
    this.byId.clear();
    this.plain.clear();
    for (const row of this.stmt.all.iterate()) this.byId.set(row.id, fromRow(row));
  }

  private refresh(id: string): AccountRecord {
    const row = this.stmt.one.get(id);
    if (!row) {
      this.byId.delete(id);
      throw new NotFoundError(`Account ${id}`);
    }
    // The record is new (callers may hold the old one); its strings are the old ones where equal.
    const rec = fromRow(row, this.byId.get(id));
    this.byId.set(id, rec);
    return rec;
  }

  insert(a: NewAccount): AccountRecord {
    const id = randomUUID();
    this.stmt.insert.run({
      id,
      provider: a.provider,
      identity: a.identity,
      email: a.email,
      label: a.label,
      tier: a.tier,
      projectId: a.projectId,
      baseUrl: a.baseUrl ?? null,
      models: a.models ? JSON.stringify(a.models) : null,
      secret: this.secretBox.encrypt(JSON.stringify(a.credentials)),
      hint: hintFor(a.credentials),
      now: this.clock.now(),
    });
    const rec = this.refresh(id);
    this.changed(id);
    return rec;
  }

  update(id: string, patch: AccountPatch): AccountRecord {
    const cur = this.require(id);
    const next = { ...cur, ...patch };
    this.stmt.update.run({
      id,
      label: next.label,
      tier: next.tier,
      tierLabel: next.tierLabel,
      projectId: next.projectId,
      reserve: next.reserve,
      email: next.email,
      baseUrl: next.baseUrl,
      models: next.models ? JSON.stringify(next.models) : null,
      details: JSON.stringify(next.details ?? {}),
      now: this.clock.now(),
    });
    const rec = this.refresh(id);
    this.changed(id);
    return rec;
  }

  setStatus(id: string, status: AccountStatus, reason: string | null): AccountRecord {
    this.require(id);
    this.stmt.status.run(status, reason, this.clock.now(), id);
    const rec = this.refresh(id);
    this.changed(id);
    return rec;
  }

  /**
   * Decrypted credentials, kept in memory after first use: every sync needs them, and
   * decrypting 1,000 blobs per cycle was a measurable share of its CPU. Copies go out so a
   * caller cannot alter the cached value.
   */
  credentials(id: string): Credentials {
    const cached = this.plain.get(id);
    if (cached) return { ...cached };
    const row = this.stmt.readSecret.get(id);
    if (!row) throw new NotFoundError(`Account ${id}`);
    const c = JSON.parse(this.secretBox.decrypt(row.secret)) as Credentials;
    this.plain.set(id, c);
    return { ...c };
  }

  /** A refreshed access token is not an account change; a new hint (another secret) is. */
  setCredentials(id: string, c: Credentials): void {
    const before = this.require(id).secretHint;
    this.stmt.secret.run(this.secretBox.encrypt(JSON.stringify(c)), hintFor(c), this.clock.now(), id);
    this.plain.set(id, { ...c });
    if (this.refresh(id).secretHint !== before) this.changed(id);
  }

  remove(id: string): boolean {
    const removed = this.stmt.remove.run(id).changes > 0;
    this.byId.delete(id);
    this.plain.delete(id);
    this.prefs.delete(id);
    if (removed) this.changed(id);
    return removed;
  }

  modelPrefs(id: string): ModelPrefRecord[] {
    return this.prefs.get(id) ?? [];
  }

  modelPref(id: string, model: string): ModelPrefRecord | undefined {
    return this.prefs.get(id)?.find((p) => p.model === model);
  }

  setModelPref(id: string, model: string, reserve: number | null, excluded: boolean): void {
    this.require(id);
    const list = (this.prefs.get(id) ?? []).filter((p) => p.model !== model);
    if (reserve === null && !excluded) {
      this.stmt.deletePref.run(id, model);
    } else {
      this.stmt.upsertPref.run(id, model, reserve, excluded ? 1 : 0);
      list.push({ accountId: id, model, reserve, excluded });
    }
    this.prefs.set(id, list);
    this.changed(id);
  }
}
