// Account use cases: add, update, enable/disable, remove, import. Imports are all-or-nothing.
// Announcing a change is the AccountStore's job (its onChange); nothing here announces.
import type { DiscoveredCredential, ExportReport, ImportReport, ProviderId } from '../../../shared/types';
import type { accountAddSchema } from '../../../shared/contract';
import type { z } from 'zod';
import { AppError } from '../errors';
import type { AccountRecord, Credentials } from '../model';
import type { QuotaEngine } from '../quota/quota-engine';
import type { QuotaRepository } from '../quota/quota-repository';
import type { SyncRepository } from '../quota/sync-repository';
import type { ThresholdTracker } from '../notify/threshold-tracker';
import type { AccountStore } from './account-store';
import { identityFor, parseImportDocument, type ImportEntry } from './account-import';
import { discoverCredentials } from './credential-discovery';
import { writeFileAtomically } from '../fs/atomic-write';
import { checkExportTarget } from './export-target';

export interface AccountServiceDeps {
  store: AccountStore;
  engine: QuotaEngine;
  quotaRepo: QuotaRepository;
  syncRepo: SyncRepository;
  tracker: ThresholdTracker;
  supported: () => ReadonlySet<ProviderId>;
  /** Where other tools keep their credentials (the user's home directory). */
  homeDir: string;
  /** QuotaDeck's own data folder: never an export target. */
  dataDir: string;
}

const CREDENTIAL_FIELDS = ['refreshToken', 'accessToken', 'accessTokenExpiresAt', 'apiKey', 'idToken', 'accountId', 'clientId', 'clientSecret'] as const;
const sameCredentials = (a: Credentials, b: Credentials) => CREDENTIAL_FIELDS.every((k) => a[k] === b[k]);

export class AccountService {
  constructor(private readonly d: AccountServiceDeps) {}

  add(input: z.output<typeof accountAddSchema>): AccountRecord {
    const report = this.import({ accounts: [input] });
    return this.d.store.require(report.ids[0]!);
  }

  import(doc: unknown): Omit<ImportReport, 'accounts'> & { ids: string[] } {
    const entries = parseImportDocument(doc, this.d.supported());
    let created = 0;
    let updated = 0;
    let unchanged = 0;
    const ids: string[] = [];
    this.d.store.transaction(() => {
      for (const e of entries) {
        const r = this.upsert(e);
        ids.push(r.id);
        if (r.result === 'created') created++;
        else if (r.result === 'updated') updated++;
        else unchanged++;
      }
    });
    return { created, updated, unchanged, ids };
  }

  private upsert(e: ImportEntry): { id: string; result: 'created' | 'updated' | 'unchanged' } {
    const existing = this.d.store.findByIdentity(e.provider, e.identity);
    if (!existing) {
      const rec = this.d.store.insert({
        provider: e.provider,
        identity: e.identity,
        email: e.email,
        label: e.label ?? e.email ?? `${e.provider} account`,
        tier: e.tier ?? 'free',
        projectId: e.projectId,
        baseUrl: e.baseUrl,
        models: e.models,
        credentials: e.credentials,
      });
      return { id: rec.id, result: 'created' };
    }
    let changed = false;
    const patch: Parameters<AccountStore['update']>[1] = {};
    if (e.label !== null && e.label !== existing.label) patch.label = e.label;
    if (e.tier !== null && e.tier !== existing.tier) patch.tier = e.tier;
    if (e.projectId !== null && e.projectId !== existing.projectId) patch.projectId = e.projectId;
    if (e.baseUrl !== null && e.baseUrl !== existing.baseUrl) patch.baseUrl = e.baseUrl;
    if (e.models !== null && JSON.stringify(e.models) !== JSON.stringify(existing.models)) patch.models = e.models;
    if (Object.keys(patch).length > 0) {
      this.d.store.update(existing.id, patch);
      changed = true;
    }
    const current = this.d.store.credentials(existing.id);
    const merged: Credentials = { ...current, ...e.credentials };
    // A new refresh token without a new access token invalidates the stored access token.
    if (e.credentials.refreshToken && e.credentials.refreshToken !== current.refreshToken && !e.credentials.accessToken) {
      delete merged.accessToken;
      delete merged.accessTokenExpiresAt;
    }
    if (!sameCredentials(merged, current)) {
      this.d.store.setCredentials(existing.id, merged);
      // New credentials give a dead account another chance.
      if (existing.status === 'invalid_credentials') this.d.store.setStatus(existing.id, 'active', null);
      changed = true;
    }
    return { id: existing.id, result: changed ? 'updated' : 'unchanged' };
  }

  /**
   * Saves a browser sign-in: creates the account, or updates the one with the same identity
   * (new tokens, a dead account made active again). Returns its id.
   */
  saveSignedIn(provider: ProviderId, email: string | null, c: Credentials): string {
    const entry: Record<string, unknown> = { provider, refreshToken: c.refreshToken };
    if (email) entry['email'] = email;
    for (const k of ['accessToken', 'idToken', 'accountId', 'clientId', 'clientSecret'] as const) if (c[k]) entry[k] = c[k];
    if (c.accessTokenExpiresAt) entry['expiresAt'] = c.accessTokenExpiresAt;
    return this.import({ accounts: [entry] }).ids[0]!;
  }

  update(
    id: string,
    patch: { label?: string; tier?: AccountRecord['tier']; reserve?: number | null; projectId?: string | null; baseUrl?: string | null; models?: string[] | null },
  ): AccountRecord {
    const clean: Parameters<AccountStore['update']>[1] = {};
    if (patch.label !== undefined) {
      if (!patch.label.trim()) throw new AppError('bad_request', 'label must not be empty');
      clean.label = patch.label.trim();
    }
    if (patch.tier !== undefined) clean.tier = patch.tier;
    if (patch.reserve !== undefined) clean.reserve = patch.reserve;
    if (patch.projectId !== undefined) clean.projectId = patch.projectId;
    if (patch.baseUrl !== undefined) clean.baseUrl = patch.baseUrl;
    if (patch.models !== undefined) clean.models = patch.models;
    return this.d.store.update(id, clean);
  }

  setEnabled(id: string, enabled: boolean): AccountRecord {
    const cur = this.d.store.require(id);
    if (!enabled && cur.status !== 'disabled') return this.d.store.setStatus(id, 'disabled', 'disabled by the user');
    // Enabling also clears a permanent mark: the user says the account is fixed; the next
    // sync will tell.
    if (enabled && cur.status !== 'active') return this.activate(id);
    return cur;
  }

  /** Active again with a clean slate: no mark, no backoff (reactivation and enabling). */
  activate(id: string): AccountRecord {
    return this.d.store.transaction(() => {
      this.d.syncRepo.setState({ ...this.d.syncRepo.state(id), consecutiveFailures: 0, nextAttemptAt: null });
      this.d.syncRepo.saveStates([this.d.syncRepo.state(id)]);
      return this.d.store.setStatus(id, 'active', null);
    });
  }

  setModelPref(id: string, model: string, reserve: number | null | undefined, excluded: boolean | undefined): AccountRecord {
    const cur = this.d.store.modelPref(id, model);
    this.d.store.setModelPref(id, model, reserve === undefined ? (cur?.reserve ?? null) : reserve, excluded ?? cur?.excluded ?? false);
    return this.d.store.require(id);
  }

  remove(id: string): boolean {
    // One transaction: the change is announced once everything about the account is gone.
    return this.d.store.transaction(() => {
      const removed = this.d.store.remove(id);
      if (removed) {
        this.d.engine.forgetAccount(id);
        this.d.quotaRepo.forgetAccount(id);
        this.d.syncRepo.forget(id);
        this.d.tracker.forgetAccount(id);
      }
      return removed;
    });
  }

  identityOf(provider: ProviderId, email: string | null, c: Credentials): string {
    return identityFor(provider, email, c);
  }

  /** Lists credentials found in other tools' files (masked); nothing is imported yet. */
  discover(): DiscoveredCredential[] {
    return discoverCredentials(this.d.homeDir, (p, email, c) => this.d.store.findByIdentity(p, identityFor(p, email, c)) !== undefined).map((d) => d.view);
  }

  /** Imports the chosen discovered credentials, re-read now, in one transaction. */
  importDiscovered(ids: string[]): ReturnType<AccountService['import']> {
    const found = new Map(discoverCredentials(this.d.homeDir, () => false).map((d) => [d.view.id, d]));
    const accounts = ids.map((id) => {
      const d = found.get(id);
      if (!d) throw new AppError('not_found', `No credentials found for "${id}"`, 404);
      if (!d.entry) throw new AppError('bad_request', d.view.error ?? `Credentials of "${id}" cannot be read`);
      const c = d.entry.credentials;
      return {
        provider: d.entry.provider,
        ...(d.entry.email ? { email: d.entry.email } : {}),
        label: d.entry.label,
        ...(d.entry.tier ? { tier: d.entry.tier } : {}),
        refreshToken: c.refreshToken,
        ...(c.accessToken ? { accessToken: c.accessToken } : {}),
        ...(c.accessTokenExpiresAt ? { expiresAt: c.accessTokenExpiresAt } : {}),
        ...(c.idToken ? { idToken: c.idToken } : {}),
        ...(c.accountId ? { accountId: c.accountId } : {}),
        ...(c.clientId ? { clientId: c.clientId } : {}),
        ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}),
        ...(d.entry.projectId ? { projectId: d.entry.projectId } : {}),
      };
    });
    return this.import({ accounts });
  }

  /**
   * Writes our import format to a file, atomically, never inside the data folder and never over
   * an existing file unless `overwrite`; the file is 0600. With secrets the answer warns; the
   * secrets never travel over the contract.
   */
  exportTo(path: string, includeSecrets: boolean, overwrite = false): ExportReport {
    const target = checkExportTarget(path, this.d.dataDir, overwrite);
    const accounts = this.d.store.list().map((a) => {
      const entry: Record<string, unknown> = { provider: a.provider, label: a.label, tier: a.tier };
      if (a.email) entry.email = a.email;
      if (a.projectId) entry.projectId = a.projectId;
      if (a.baseUrl) entry.baseUrl = a.baseUrl;
      if (a.models) entry.models = a.models;
      if (includeSecrets) {
        const c = this.d.store.credentials(a.id);
        if (c.refreshToken) entry.refreshToken = c.refreshToken;
        if (c.accessToken) entry.accessToken = c.accessToken;
        if (c.accessTokenExpiresAt) entry.expiresAt = new Date(c.accessTokenExpiresAt).toISOString();
        if (c.apiKey) entry.apiKey = c.apiKey;
        if (c.idToken) entry.idToken = c.idToken;
        if (c.accountId) entry.accountId = c.accountId;
      }
      return entry;
    });
    try {
      writeFileAtomically(target.path, `${JSON.stringify({ accounts }, null, 2)}\n`, { mode: 0o600, replace: overwrite });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new AppError('bad_request', `A file already exists at ${path}. Choose another name, or confirm replacing it (overwrite: true).`);
      const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' ? 'the disk is read-only' : (code ?? 'error');
      throw new AppError('bad_request', `Cannot write ${path}: ${why}.`);
    }
    return {
      path,
      accounts: accounts.length,
      includesSecrets: includeSecrets,
      warning: includeSecrets ? 'This file holds live credentials in plain text. Keep it private and delete it after use.' : null,
    };
  }
}
