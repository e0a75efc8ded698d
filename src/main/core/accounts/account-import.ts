// Import documents: validated whole before anything is written (every problem of every entry
// named by entry number, label and field), then an idempotent upsert keyed on provider +
// identity in one transaction. Formats: our own `{accounts:[{provider,...}]}`, the Antigravity
// Manager's export `{accounts:[{email, refresh_token}]}` and its account data files, CLIProxyAPI
// auth files (`type` per entry), alone or in an array, mixed (peer-formats.ts).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PROVIDER_IDS, TIERS, type ImportIssue, type ProviderId, type Tier } from '../../../shared/types';
import { ImportInvalidError } from '../errors';
import type { Credentials } from '../model';
import { chatgptPlanFromJwt } from '../providers/codex';
import { codexPlan } from '../providers/subscription-plans';
import { entryName, fromPeerEntry, isAccountFile } from './peer-formats';

const entrySchema = z
  .object({
    provider: z.enum(PROVIDER_IDS).optional(),
    email: z.string().trim().email().max(320).optional(),
    label: z.string().trim().max(200).optional(),
    refreshToken: z.string().trim().min(1).max(8192).optional(),
    refresh_token: z.string().trim().min(1).max(8192).optional(),
    accessToken: z.string().trim().min(1).max(16384).optional(),
    access_token: z.string().trim().min(1).max(16384).optional(),
    expiresAt: z.union([z.number().positive(), z.string().min(1)]).optional(),
    apiKey: z.string().trim().min(1).max(8192).optional(),
    idToken: z.string().trim().min(1).max(16384).optional(),
    id_token: z.string().trim().min(1).max(16384).optional(),
    accountId: z.string().trim().min(1).max(200).optional(),
    account_id: z.string().trim().min(1).max(200).optional(),
    clientId: z.string().trim().min(1).max(500).optional(),
    clientSecret: z.string().trim().min(1).max(500).optional(),
    baseUrl: z.string().trim().url().max(2000).optional(),
    models: z.array(z.string().trim().min(1).max(200)).max(500).optional(),
    projectId: z.string().trim().min(1).max(200).optional(),
    project_id: z.string().trim().min(1).max(200).optional(),
    tier: z.enum(TIERS).optional(),
  })
  // Unknown fields from other tools' exports are ignored rather than rejected.
  .passthrough();

const documentSchema = z.union([
  z.object({ accounts: z.array(z.unknown()).max(100_000) }).passthrough(),
  z.array(z.unknown()).max(100_000),
]);

export interface ImportEntry {
  provider: ProviderId;
  identity: string;
  email: string | null;
  label: string | null;
  tier: Tier | null;
  projectId: string | null;
  baseUrl: string | null;
  models: string[] | null;
  credentials: Credentials;
}

export const OAUTH_PROVIDERS: ReadonlySet<ProviderId> = new Set(['antigravity', 'gemini-cli', 'claude', 'codex']);

export function fingerprint(secret: string): string {
  return `fp:${createHash('sha256').update(secret).digest('hex').slice(0, 20)}`;
}

export function identityFor(provider: ProviderId, email: string | null, c: Credentials): string {
  if (email && OAUTH_PROVIDERS.has(provider)) return email.toLowerCase();
  // A ChatGPT account id outlives rotating refresh tokens.
  if (c.accountId && OAUTH_PROVIDERS.has(provider)) return `acct:${c.accountId}`;
  const secret = c.apiKey ?? c.refreshToken ?? c.accessToken ?? '';
  return fingerprint(secret);
}

/** The tier a token itself names (a ChatGPT id_token's chatgpt_plan_type), when no tier is given. */
function planTier(provider: ProviderId, c: Credentials): Tier | null {
  if (provider !== 'codex') return null;
  return codexPlan(chatgptPlanFromJwt(c.idToken) ?? chatgptPlanFromJwt(c.accessToken))?.tier ?? null;
}

function parseExpiry(v: number | string | undefined): number | undefined | 'invalid' {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v > 1e12 ? v : v * 1000; // seconds or ms since the epoch
  const t = Date.parse(v);
  return Number.isNaN(t) ? 'invalid' : t;
}

function fieldOf(path: PropertyKey[]): string {
  return path.length === 0 ? '(entry)' : path.map(String).join('.');
}

/** A document-level problem (no entry). */
const docIssue = (field: string, message: string): ImportIssue => ({ entry: null, index: null, label: null, field, message });

/**
 * Validates a whole document; throws ImportInvalidError naming every problem of every entry.
 * Entries are numbered from 0 — their position in the document's list — in `entry` (the API's
 * number since the first import), `index` (the same, kept for clarity), the messages and the window.
 */
export function parseImportDocument(doc: unknown, supported: ReadonlySet<ProviderId>): ImportEntry[] {
  const top = isAccountFile(doc) ? { success: true as const, data: [doc] } : documentSchema.safeParse(doc);
  if (!top.success) {
    throw new ImportInvalidError([docIssue('(document)', 'expected {"accounts": [...]}, an array of accounts, or one account file (CLIProxyAPI, Antigravity Manager)')]);
  }
  const raw = Array.isArray(top.data) ? top.data : top.data.accounts;
  if (raw.length === 0) throw new ImportInvalidError([docIssue('accounts', 'the document has no accounts')]);

  const issues: ImportIssue[] = [];
  const out: ImportEntry[] = [];
  const seen = new Map<string, number>();
  raw.forEach((item, index) => {
    const peer = fromPeerEntry(item);
    const label = entryName(item);
    const problems: { field: string; message: string }[] = [...peer.problems];
    const report = () => {
      for (const p of problems) issues.push({ entry: index, index, label, field: p.field, message: p.message });
    };
    if (peer.problems.length > 0) return report();
    let parsed = entrySchema.safeParse(peer.entry);
    if (!parsed.success) {
      for (const i of parsed.error.issues) problems.push({ field: fieldOf(i.path), message: i.message });
      // Read the rest without the bad fields, so every other problem of this entry is named too.
      const bad = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')));
      const o = peer.entry && typeof peer.entry === 'object' && !Array.isArray(peer.entry) ? (peer.entry as Record<string, unknown>) : null;
      if (!o || bad.has('')) return report();
      parsed = entrySchema.safeParse(Object.fromEntries(Object.entries(o).filter(([k]) => !bad.has(k))));
      if (!parsed.success) return report();
    }
    const reported = new Set(problems.map((p) => p.field.split('.')[0]));
    const problem = (field: string, message: string) => {
      if (!reported.has(field)) problems.push({ field, message });
    };
    const e = parsed.data;
    const provider: ProviderId = e.provider ?? 'antigravity';
    if (!supported.has(provider)) problem('provider', `provider "${provider}" is not supported yet`);
    const expiresAt = parseExpiry(e.expiresAt);
    if (expiresAt === 'invalid') problem('expiresAt', 'not a date (ISO-8601 or epoch seconds/ms)');
    const credentials: Credentials = {};
    const refreshToken = e.refreshToken ?? e.refresh_token;
    const accessToken = e.accessToken ?? e.access_token;
    if (refreshToken) credentials.refreshToken = refreshToken;
    if (accessToken) credentials.accessToken = accessToken;
    if (expiresAt !== undefined && expiresAt !== 'invalid') credentials.accessTokenExpiresAt = expiresAt;
    if (e.apiKey) credentials.apiKey = e.apiKey;
    const idToken = e.idToken ?? e.id_token;
    if (idToken) credentials.idToken = idToken;
    const accountId = e.accountId ?? e.account_id;
    if (accountId) credentials.accountId = accountId;
    if (e.clientId) credentials.clientId = e.clientId;
    if (e.clientSecret) credentials.clientSecret = e.clientSecret;
    if (OAUTH_PROVIDERS.has(provider)) {
      if (!credentials.refreshToken) problem('refreshToken', `required for ${provider} accounts`);
    } else if (!credentials.apiKey) {
      problem('apiKey', `required for ${provider} accounts`);
    }
    const email = e.email?.toLowerCase() ?? null;
    if (credentials.refreshToken || credentials.apiKey) {
      const identity = identityFor(provider, email, credentials);
      const key = `${provider}\u0000${identity}`;
      const dup = seen.get(key);
      if (dup !== undefined) problem(email ? 'email' : 'refreshToken', `duplicate of entry ${dup}`);
      else seen.set(key, index);
      if (problems.length === 0) {
        out.push({
          provider,
          identity,
          email,
          label: e.label || null,
          tier: e.tier ?? planTier(provider, credentials),
          projectId: e.projectId ?? e.project_id ?? null,
          baseUrl: e.baseUrl ?? null,
          models: e.models ?? null,
          credentials,
        });
      }
    }
    report();
  });
  if (issues.length > 0) throw new ImportInvalidError(issues);
  return out;
}
