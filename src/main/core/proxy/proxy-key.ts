// The proxy key AI clients present (as their API key): random, kept in DATA_DIR/proxy-key with
// mode 0600. "sk-qd-" marks it as ours and lets the log redactor recognise it if it ever slips
// into a message. Regenerating replaces the file atomically (temp file + rename).
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../fs/atomic-write';

export const PROXY_KEY_FILE = 'proxy-key';
export const PROXY_KEY_PREFIX = 'sk-qd-';
const MIN_LENGTH = 24;

export function proxyKeyPath(dataDir: string): string {
  return join(dataDir, PROXY_KEY_FILE);
}

function newKey(): string {
  return `${PROXY_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

function readKey(path: string): string | null {
  try {
    const k = readFileSync(path, 'utf8').trim();
    return k.length >= MIN_LENGTH && !/\s/.test(k) ? k : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function writeAtomically(path: string, key: string): void {
  writeFileAtomically(path, `${key}\n`, { mode: 0o600, replace: true });
}

/** The stored key (its mode tightened to 0600), or a new one written there. */
export function loadOrCreateProxyKey(dataDir: string): string {
  const path = proxyKeyPath(dataDir);
  const existing = readKey(path);
  if (existing) {
    chmodSync(path, 0o600);
    return existing;
  }
  const key = newKey();
  writeAtomically(path, key);
  return key;
}

/** Replaces the key; clients holding the old one get 401 once the server is given the new one. */
export function regenerateProxyKey(dataDir: string): string {
  const key = newKey();
  writeAtomically(proxyKeyPath(dataDir), key);
  return key;
}
