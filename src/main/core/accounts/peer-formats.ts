// Other tools' account files, read as entries of our import format (docs/PROVIDERS.md, "Import
// formats worth reading"). Each entry is recognised on its own, so an array may mix them:
// - CLIProxyAPI auth files: one JSON object per account, `type` naming the provider
//   ("gemini" → gemini-cli, "antigravity", "claude", "codex"; other types are named as unsupported).
// - The Antigravity Manager's account data files (~/.antigravity_tools/accounts/<id>.json):
//   `{id, email, name, token: {access_token, refresh_token, expiry_timestamp, project_id}}`.
// - Its export and our own entries pass through unchanged (`{email, refresh_token}` is an
//   Antigravity account; `provider` names ours).
import type { ProviderId } from '../../../shared/types';

export interface PeerProblem {
  field: string;
  message: string;
}

export interface PeerEntry {
  /** The entry in our format (unknown fields kept: the importer ignores them). */
  entry: unknown;
  /** Where it came from, for messages. */
  format: 'quotadeck' | 'cliproxyapi' | 'antigravity-manager';
  /** Problems found while reading the peer's shape (the entry is then not imported). */
  problems: PeerProblem[];
}

/** CLIProxyAPI's `type` → our provider. */
export const CLIPROXYAPI_TYPES: Readonly<Record<string, ProviderId>> = {
  gemini: 'gemini-cli',
  'gemini-cli': 'gemini-cli',
  antigravity: 'antigravity',
  claude: 'claude',
  codex: 'codex',
};

const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

/** Keeps only the fields that have a value. */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** A single project id (CLIProxyAPI writes "ALL" or a comma list for several; those are left to discovery). */
function oneProject(v: unknown): string | undefined {
  const p = str(v);
  return p && !p.includes(',') && p.toLowerCase() !== 'all' ? p : undefined;
}

/** Whether a lone JSON object is itself one account file (a document of one entry). */
export function isAccountFile(doc: unknown): boolean {
  const o = obj(doc);
  if (!o || 'accounts' in o) return false;
  return typeof o['type'] === 'string' || obj(o['token']) !== undefined || ['provider', 'refresh_token', 'refreshToken', 'apiKey'].some((k) => k in o);
}

function fromCliProxyApi(o: Record<string, unknown>, type: string): PeerEntry {
  const provider = CLIPROXYAPI_TYPES[type.toLowerCase()];
  if (!provider) {
    return {
      entry: o,
      format: 'cliproxyapi',
      problems: [{ field: 'type', message: `CLIProxyAPI type "${type.slice(0, 40)}" is not supported (gemini, antigravity, claude and codex are)` }],
    };
  }
  // Gemini keeps Google's token object; the others keep the tokens at the top level.
  const token = provider === 'gemini-cli' ? (obj(o['token']) ?? {}) : o;
  const started = Date.parse(str(o['timestamp']) ?? '') || num(o['timestamp']);
  const expiresIn = num(o['expires_in']);
  const expiresAt =
    str(o['expired']) ?? str(token['expiry']) ?? num(token['expiry_date']) ?? (started && expiresIn ? (started > 1e12 ? started : started * 1000) + expiresIn * 1000 : undefined);
  return {
    entry: defined({
      provider,
      email: str(o['email']),
      label: str(o['label']),
      refreshToken: str(token['refresh_token']),
      accessToken: str(token['access_token']),
      expiresAt,
      idToken: str(o['id_token']),
      accountId: str(o['account_id']),
      projectId: oneProject(o['project_id']),
      clientId: str(token['client_id']),
      clientSecret: str(token['client_secret']),
    }),
    format: 'cliproxyapi',
    problems: [],
  };
}

function fromAntigravityManager(o: Record<string, unknown>, token: Record<string, unknown>): PeerEntry {
  return {
    entry: defined({
      provider: 'antigravity',
      email: str(o['email']) ?? str(token['email']),
      label: str(o['name']),
      refreshToken: str(token['refresh_token']),
      accessToken: str(token['access_token']),
      // Seconds since the epoch (the importer takes seconds or ms).
      expiresAt: num(token['expiry_timestamp']),
      projectId: str(token['project_id']),
    }),
    format: 'antigravity-manager',
    problems: [],
  };
}

/** One entry of a document, read in our format whatever tool wrote it. */
export function fromPeerEntry(item: unknown): PeerEntry {
  const o = obj(item);
  if (!o || 'provider' in o) return { entry: item, format: 'quotadeck', problems: [] };
  const type = o['type'];
  if (typeof type === 'string') return fromCliProxyApi(o, type);
  const token = obj(o['token']);
  if (token && ('refresh_token' in token || 'access_token' in token)) return fromAntigravityManager(o, token);
  return { entry: item, format: 'quotadeck', problems: [] };
}

/** The entry's label or email, to name it in messages. */
export function entryName(item: unknown): string | null {
  const o = obj(item);
  if (!o) return null;
  for (const v of [o['email'], o['label'], o['name'], obj(o['token'])?.['email'], o['accountId'], o['account_id']]) {
    const s = str(v);
    if (s) return s.slice(0, 120);
  }
  return null;
}
