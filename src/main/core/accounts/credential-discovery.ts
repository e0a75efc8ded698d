// Finds credentials other tools already keep on this machine, only when the user asks:
// ~/.claude/.credentials.json, ~/.codex/auth.json (and ~/.chatgpt/auth.json),
// ~/.gemini/oauth_creds.json, CLIProxyAPI's auth folder (~/.cli-proxy-api/*.json, one account
// per file) and the Antigravity Manager's data folder (~/.antigravity_tools/accounts/*.json).
// Read-only: those files belong to their tools and are never written back. Candidates carry
// masked hints; secrets are re-read only at import time.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PROVIDER_IDS, type DiscoveredCredential, type ImportIssue, type ProviderId, type Tier } from '../../../shared/types';
import { ImportInvalidError } from '../errors';
import { parseImportDocument } from './account-import';
import { CLIPROXYAPI_TYPES } from './peer-formats';
import { maskSecret } from '../log/redact';
import type { Credentials } from '../model';
import { claudePlan, codexPlan } from '../providers/subscription-plans';

export interface DiscoveredEntry {
  view: DiscoveredCredential;
  /** Null when the file could not be read as credentials (view.error says why). */
  entry: { provider: ProviderId; email: string | null; label: string; credentials: Credentials; tier?: Tier; projectId?: string } | null;
}

interface Source {
  id: string;
  provider: ProviderId;
  path: (home: string) => string;
  read: (json: unknown, home: string) => { email: string | null; label: string; credentials: Credentials; tier?: Tier; projectId?: string; provider?: ProviderId };
}

/** A folder where a tool keeps one JSON file per account. */
interface FolderSource {
  /** Prefix of each file's source id ("cliproxyapi:<file>"). */
  id: string;
  dir: (home: string) => string;
  /** The provider to show for a file that cannot be read. */
  guess: (file: string) => ProviderId;
  name: string;
}

const MAX_FILES = 200;

const MAX_FILE = 1024 * 1024;

/** Claims of a JWT (no verification: only used to name the account and find its id). */
export function jwtClaims(token: string | undefined): Record<string, unknown> | null {
  const part = token?.split('.')[1];
  if (!part) return null;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

function toMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v > 1e12 ? v : v * 1000;
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Date.parse(v);
  return undefined;
}

function codexRead(json: unknown) {
  const tokens = obj(obj(json)?.tokens);
  const refreshToken = str(tokens?.refresh_token);
  if (!refreshToken) throw new Error('no tokens.refresh_token');
  const idToken = str(tokens?.id_token);
  const claims = jwtClaims(idToken);
  const email = str(claims?.email) ?? null;
  const credentials: Credentials = { refreshToken };
  const at = str(tokens?.access_token);
  if (at) credentials.accessToken = at;
  if (idToken) credentials.idToken = idToken;
  const accountId = str(tokens?.account_id) ?? str(obj(claims?.['https://api.openai.com/auth'])?.chatgpt_account_id);
  if (accountId) credentials.accountId = accountId;
  const exp = jwtClaims(at)?.exp;
  if (typeof exp === 'number') credentials.accessTokenExpiresAt = exp * 1000;
  const plan = codexPlan(str(obj(claims?.['https://api.openai.com/auth'])?.chatgpt_plan_type));
  return { email, label: email ?? 'Codex (ChatGPT)', credentials, ...(plan ? { tier: plan.tier } : {}) };
}

const SOURCES: Source[] = [
  {
    id: 'claude-code',
    provider: 'claude',
    path: (home) => join(home, '.claude', '.credentials.json'),
    read: (json) => {
      const o = obj(obj(json)?.claudeAiOauth);
      const refreshToken = str(o?.refreshToken);
      if (!refreshToken) throw new Error('no claudeAiOauth.refreshToken');
      const credentials: Credentials = { refreshToken };
      const at = str(o?.accessToken);
      if (at) credentials.accessToken = at;
      const exp = toMs(o?.expiresAt);
      if (exp) credentials.accessTokenExpiresAt = exp;
      const plan = claudePlan({ subscriptionType: str(o?.subscriptionType), rateLimitTier: str(o?.rateLimitTier) });
      return { email: null, label: plan?.label ?? 'Claude', credentials, ...(plan ? { tier: plan.tier } : {}) };
    },
  },
  { id: 'codex-cli', provider: 'codex', path: (home) => join(home, '.codex', 'auth.json'), read: codexRead },
  { id: 'chatgpt-cli', provider: 'codex', path: (home) => join(home, '.chatgpt', 'auth.json'), read: codexRead },
  {
    id: 'gemini-cli',
    provider: 'gemini-cli',
    path: (home) => join(home, '.gemini', 'oauth_creds.json'),
    read: (json, home) => {
      const o = obj(json);
      const refreshToken = str(o?.refresh_token);
      if (!refreshToken) throw new Error('no refresh_token');
      const credentials: Credentials = { refreshToken };
      const at = str(o?.access_token);
      if (at) credentials.accessToken = at;
      const exp = toMs(o?.expiry_date);
      if (exp) credentials.accessTokenExpiresAt = exp;
      let email = str(jwtClaims(str(o?.id_token))?.email) ?? null;
      if (!email) {
        try {
          email = str(obj(JSON.parse(readFileSync(join(home, '.gemini', 'google_accounts.json'), 'utf8')))?.active) ?? null;
        } catch {
          // The account list is optional.
        }
      }
      return { email, label: email ?? 'Gemini CLI', credentials };
    },
  },
];

/** One account file of a peer tool, read as our import format does (every problem named). */
function readPeerFile(json: unknown, fallbackLabel: string) {
  let entry;
  try {
    [entry] = parseImportDocument(json, new Set(PROVIDER_IDS));
  } catch (err) {
    if (err instanceof ImportInvalidError) throw new Error(err.issues.map((i: ImportIssue) => `${i.field}: ${i.message}`).join('; '));
    throw err;
  }
  if (!entry) throw new Error('no account in the file');
  return {
    provider: entry.provider,
    email: entry.email,
    label: entry.label ?? entry.email ?? fallbackLabel,
    credentials: entry.credentials,
    ...(entry.tier ? { tier: entry.tier } : {}),
    ...(entry.projectId ? { projectId: entry.projectId } : {}),
  };
}

const FOLDERS: FolderSource[] = [
  {
    // CLIProxyAPI's `auth-dir` (default "~/.cli-proxy-api"): <type>-<email>….json, `type` inside.
    id: 'cliproxyapi',
    name: 'CLIProxyAPI',
    dir: (home) => join(home, '.cli-proxy-api'),
    guess: (file) => CLIPROXYAPI_TYPES[file.split('-')[0]!.toLowerCase()] ?? 'antigravity',
  },
  {
    // The Antigravity Manager (lbjlaq/Antigravity-Manager): ~/.antigravity_tools/accounts/<id>.json.
    id: 'antigravity-manager',
    name: 'Antigravity Manager',
    dir: (home) => join(home, '.antigravity_tools', 'accounts'),
    guess: () => 'antigravity',
  },
];

/** A file's source id, within the contract's 100 characters. */
function fileSourceId(prefix: string, file: string): string {
  const id = `${prefix}:${file}`;
  return id.length <= 100 ? id : `${prefix}:${createHash('sha256').update(file).digest('hex').slice(0, 16)}.json`;
}

/** The folder sources' files as sources of their own, one per account file. */
function folderSources(home: string): Source[] {
  const out: Source[] = [];
  for (const f of FOLDERS) {
    const dir = f.dir(home);
    let files: string[];
    try {
      files = readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.json') && !n.startsWith('.')).sort().slice(0, MAX_FILES);
    } catch {
      continue;
    }
    for (const file of files) {
      out.push({ id: fileSourceId(f.id, file), provider: f.guess(file), path: () => join(dir, file), read: (json) => readPeerFile(json, `${f.name}: ${basename(file, '.json')}`) });
    }
  }
  return out;
}

export function discoverCredentials(home: string, isImported: (provider: ProviderId, email: string | null, c: Credentials) => boolean): DiscoveredEntry[] {
  const out: DiscoveredEntry[] = [];
  for (const s of [...SOURCES, ...folderSources(home)]) {
    const path = s.path(home);
    if (!existsSync(path)) continue;
    try {
      if (statSync(path).size > MAX_FILE) throw new Error('file too large');
      const { provider = s.provider, ...parsed } = s.read(JSON.parse(readFileSync(path, 'utf8')), home);
      out.push({
        view: {
          id: s.id,
          provider,
          path,
          email: parsed.email,
          label: parsed.label,
          secretHint: maskSecret(parsed.credentials.refreshToken),
          expiresAt: parsed.credentials.accessTokenExpiresAt ? new Date(parsed.credentials.accessTokenExpiresAt).toISOString() : null,
          alreadyImported: isImported(provider, parsed.email, parsed.credentials),
          error: null,
        },
        entry: { provider, ...parsed },
      });
    } catch (err) {
      const reason = err instanceof SyntaxError ? 'not valid JSON' : (err as Error).message;
      out.push({ view: { id: s.id, provider: s.provider, path, email: null, label: s.id, secretHint: '', expiresAt: null, alreadyImported: false, error: `Cannot read ${path}: ${reason}` }, entry: null });
    }
  }
  return out;
}
