// Client setup: lists Claude Code, Codex CLI and Gemini CLI with their state, previews the exact
// change, configures each to use QuotaDeck's proxy (backup first, atomic writes, every other
// setting kept) and restores the original byte for byte. Every file of a client is read and its
// new text computed before anything is written, so a file that does not parse stops the whole
// change with nothing written.
import { existsSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { ClientFileChange, ClientId, ClientPreview, ClientRow } from '../../../shared/client-setup';
import { AppError, NotFoundError } from '../errors';
import type { Clock, Logger } from '../ports';
import { ClientBackups, removeEmptyDirs, type BackupManifest } from './client-backups';
import { clientDefinitions, type ClientDefinition, type ProxyTarget } from './client-definitions';
import { ensureDir, readSnapshot, writeAtomically } from './config-file-io';
import { maskConfigText, unifiedDiff } from './config-preview';

/** The proxy the clients should use: its URL when known, its key, and why configuring cannot run. */
export interface ProxyTargetState {
  url: string | null;
  key: string;
  problem: string | null;
}

export interface ClientSetupDeps {
  homeDir: string;
  /** Where backups live (DATA_DIR/client-backups). */
  backupDir: string;
  env: Record<string, string | undefined>;
  target: () => ProxyTargetState;
  clock: Clock;
  log: Logger;
}

interface PlannedFile {
  path: string;
  before: string | null;
  after: string | null;
}

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));

export class ClientSetup {
  private readonly defs: Map<ClientId, ClientDefinition>;
  private readonly backups: ClientBackups;

  constructor(private readonly d: ClientSetupDeps) {
    this.defs = new Map(clientDefinitions(d.homeDir).map((c) => [c.id, c]));
    this.backups = new ClientBackups(d.backupDir);
  }

  list(): ClientRow[] {
    return [...this.defs.keys()].map((id) => this.row(id));
  }

  row(id: ClientId): ClientRow {
    const def = this.def(id);
    const target = this.d.target();
    let configured = false;
    let problem: string | undefined;
    try {
      const t = target.url ? { url: target.url, key: target.key } : null;
      const states = def.files.map((f) => f.configured(text(readSnapshot(f.path).bytes), t ?? { url: '', key: target.key }));
      configured = t !== null && states.every(Boolean);
    } catch (err) {
      problem = (err as Error).message;
    }
    if (!problem && !configured && target.problem) problem = target.problem;
    let manifest: BackupManifest | null = null;
    try {
      manifest = this.backups.get(id);
    } catch (err) {
      problem ??= (err as Error).message;
    }
    const main = manifest?.files.find((f) => f.path === def.files[0]!.path);
    const backupPath = main ? this.backups.copyPath(id, main) : null;
    return {
      id,
      name: def.name,
      detected: existsSync(def.folder) || def.commands.some((c) => this.onPath(c)),
      configured,
      configPath: def.files[0]!.path,
      ...(backupPath ? { backupPath } : {}),
      restorable: manifest !== null,
      files: def.files.map((f) => f.path),
      ...(problem ? { problem } : {}),
    };
  }

  preview(id: ClientId, action: 'configure' | 'restore'): ClientPreview {
    const plan = action === 'configure' ? this.planConfigure(id) : this.planRestore(id);
    const changes: ClientFileChange[] = plan.files.map((f) => {
      const before = f.before === null ? null : maskConfigText(f.before);
      const after = f.after === null ? null : maskConfigText(f.after);
      return {
        path: f.path,
        existsBefore: f.before !== null,
        existsAfter: f.after !== null,
        before: before ?? '',
        after: after ?? '',
        diff: f.before === f.after ? '' : unifiedDiff(f.path, before, after),
      };
    });
    return { id, action, unchanged: changes.every((c) => c.diff === ''), proxyUrl: plan.url, changes };
  }

  configure(id: ClientId): ClientRow {
    const plan = this.planConfigure(id);
    const changed = plan.files.filter((f) => f.before !== f.after);
    if (changed.length === 0) return this.row(id);
    this.backups.keepOriginals(
      id,
      changed.map((f) => ({ path: f.path, snapshot: readSnapshot(f.path), createdDir: missingTop(dirname(f.path)) })),
      new Date(this.d.clock.now()),
    );
    for (const f of changed) {
      ensureDir(dirname(f.path));
      writeAtomically(f.path, f.after!);
    }
    this.d.log.info(`configured ${id} to use the proxy at ${plan.url}: ${changed.map((f) => f.path).join(', ')}`);
    return this.row(id);
  }

  restore(id: ClientId): ClientRow {
    const manifest = this.backups.get(id);
    if (!manifest) return this.row(id);
    // Every original is read before anything is written.
    const originals = manifest.files.map((e) => ({ e, bytes: this.backups.original(id, e) }));
    for (const { e, bytes } of originals) {
      if (bytes) {
        ensureDir(dirname(e.path));
        writeAtomically(e.path, bytes, e.mode ?? undefined);
      } else if (existsSync(e.path)) {
        rmSync(e.path, { force: true });
        if (e.createdDir) removeEmptyDirs(dirname(e.path), e.createdDir);
      }
    }
    this.backups.drop(id);
    this.d.log.info(`restored ${id}'s original config: ${manifest.files.map((e) => e.path).join(', ')}`);
    return this.row(id);
  }

  private def(id: ClientId): ClientDefinition {
    const def = this.defs.get(id);
    if (!def) throw new NotFoundError(`Client ${id}`);
    return def;
  }

  private planConfigure(id: ClientId): { url: string | null; files: PlannedFile[] } {
    const def = this.def(id);
    const target = this.d.target();
    if (target.problem || !target.url) throw new AppError('bad_request', target.problem ?? 'The local proxy has no address yet.');
    const t: ProxyTarget = { url: target.url, key: target.key };
    return {
      url: t.url,
      files: def.files.map((f) => {
        const before = text(readSnapshot(f.path).bytes);
        const after = f.apply(before, t);
        return { path: f.path, before, after: before === null && after === '' ? null : after };
      }),
    };
  }

  private planRestore(id: ClientId): { url: string | null; files: PlannedFile[] } {
    this.def(id);
    const manifest = this.backups.get(id);
    if (!manifest) return { url: null, files: [] };
    return {
      url: null,
      files: manifest.files.map((e) => ({ path: e.path, before: text(readSnapshot(e.path).bytes), after: text(this.backups.original(id, e)) })),
    };
  }

  private onPath(command: string): boolean {
    const dirs = (this.d.env.PATH ?? '').split(delimiter).filter(Boolean);
    const exts = process.platform === 'win32' ? ['', '.exe', '.cmd', '.bat'] : [''];
    return dirs.some((dir) => exts.some((ext) => existsSync(join(dir, command + ext))));
  }
}

/** The topmost folder of `dir` that does not exist yet (null when `dir` exists). */
function missingTop(dir: string): string | null {
  let top: string | null = null;
  let cur = dir;
  while (!existsSync(cur)) {
    top = cur;
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  return top;
}
