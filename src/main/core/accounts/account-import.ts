// Import documents: validated whole before anything is written (every problem named by entry
// and field), then an idempotent upsert keyed on provider + identity in one transaction.
// Formats: our own `{accounts:[{provider,...}]}`, and the nearest peer's export
// `{accounts:[{email, refresh_token}]}` or a bare array of either.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PROVIDER_IDS, TIERS, type ImportIssue, type ProviderId, type Tier } from '../../../shared/types';
import { ImportInvalidError } from '../errors';
import type { Credentials } from '../model';
import { chatgptPlanFromJwt } from '../providers/codex';
import { codexPlan } from '../providers/subscription-plans';

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

/** Validates a whole document; throws ImportInvalidError naming every bad entry and field. */
export function parseImportDocument(doc: unknown, supported: ReadonlySet<ProviderId>): ImportEntry[] {
  const top = documentSchema.safeParse(doc);
  if (!top.success) {
    throw new ImportInvalidError([
      { entry: null, field: '(document)', message: 'expected {"accounts": [...]} or an array of accounts' },
    ]);
  }
  const raw = Array.isArray(top.data) ? top.data : top.data.accounts;
  if (raw.length === 0) throw new ImportInvalidError([{ entry: null, field: 'accounts', message: 'the document has no accounts' }]);

  const issues: ImportIssue[] = [];
  const out: ImportEntry[] = [];
  const seen = new Map<string, number>();
  raw.forEach((item, entry) => {
    const parsed = entrySchema.safeParse(item);
    if (!parsed.success) {
      for (const i of parsed.error.issues) issues.push({ entry, field: fieldOf(i.path), message: i.message });
      return;
    }
    const e = parsed.data;
    const provider: ProviderId = e.provider ?? 'antigravity';
    if (!supported.has(provider)) {
      issues.push({ entry, field: 'provider', message: `provider "${provider}" is not supported yet` });
      return;
    }
    const expiresAt = parseExpiry(e.expiresAt);
    if (expiresAt === 'invalid') {
      issues.push({ entry, field: 'expiresAt', message: 'not a date (ISO-8601 or epoch seconds/ms)' });
      return;
    }
    const credentials: Credentials = {};
    const refreshToken = e.refreshToken ?? e.refresh_token;
    const accessToken = e.accessToken ?? e.access_token;
    if (refreshToken) credentials.refreshToken = refreshToken;
    if (accessToken) credentials.accessToken = accessToken;
    if (expiresAt !== undefined) credentials.accessTokenExpiresAt = expiresAt;
    if (e.apiKey) credentials.apiKey = e.apiKey;
    const idToken = e.idToken ?? e.id_token;
    if (idToken) credentials.idToken = idToken;
    const accountId = e.accountId ?? e.account_id;
    if (accountId) credentials.accountId = accountId;
    if (e.clientId) credentials.clientId = e.clientId;
    if (e.clientSecret) credentials.clientSecret = e.clientSecret;
    if (OAUTH_PROVIDERS.has(provider)) {
      if (!credentials.refreshToken) {
        issues.push({ entry, field: 'refreshToken', message: `required for ${provider} accounts` });
        return;
      }
    } else if (!credentials.apiKey) {
      issues.push({ entry, field: 'apiKey', message: `required for ${provider} accounts` });
      return;
    }
    const email = e.email?.toLowerCase() ?? null;
    const identity = identityFor(provider, email, credentials);
    const key = `${provider}\u0000${identity}`;
    const dup = seen.get(key);
    if (dup !== undefined) {
      issues.push({ entry, field: email ? 'email' : 'refreshToken', message: `duplicate of entry ${dup}` });
      return;
    }
    seen.set(key, entry);
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
  });
  if (issues.length > 0) throw new ImportInvalidError(issues);
  return out;
}
