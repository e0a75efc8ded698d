// Shapes of the client-setup methods (clients:list|preview|configure|restore): pointing Claude
// Code, Codex CLI and Gemini CLI at QuotaDeck's proxy, with a backup and an undo.

export const CLIENT_IDS = ['claude-code', 'codex', 'gemini-cli'] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

export interface ClientRow {
  id: ClientId;
  name: string;
  /** The tool's folder (~/.claude, ~/.codex, ~/.gemini) or its command on PATH exists. */
  detected: boolean;
  /** Its config points at QuotaDeck's proxy with the current proxy key. */
  configured: boolean;
  /** The main file Configure edits. */
  configPath: string;
  /** QuotaDeck's copy of the original main file, while a restore is possible and the file existed. */
  backupPath?: string;
  /** Restore is possible: QuotaDeck changed this client's config and keeps what was there before. */
  restorable: boolean;
  /** Every file Configure edits, configPath first (Gemini CLI: its .env and settings.json). */
  files: string[];
  /** Why Configure cannot run now (a config that does not parse, the proxy is off), when it cannot. */
  problem?: string;
}

export interface ClientFileChange {
  path: string;
  /** The file exists now / will exist after the change. */
  existsBefore: boolean;
  existsAfter: boolean;
  /** The whole text before and after, with secret values masked (the proxy key too). */
  before: string;
  after: string;
  /** A unified line diff of before → after (masked); '' when nothing changes. */
  diff: string;
}

export interface ClientPreview {
  id: ClientId;
  action: 'configure' | 'restore';
  /** Nothing would be written. */
  unchanged: boolean;
  /** The proxy address the client will use (configure). */
  proxyUrl: string | null;
  changes: ClientFileChange[];
}
