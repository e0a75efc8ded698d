// Decides whether an export may write to a path, before anything is written. The data directory
// (its database, key, tokens, logs) is never a target — checked on the real path, so `..`, a
// symlinked folder or a link named like the target cannot lead there — and an existing file is
// only replaced when the caller said so. Every refusal is a bad_request a person can act on.
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { AppError } from '../errors';

export interface ExportTarget {
  /** Where the file is written: the real parent folder plus the file name. */
  path: string;
  /** A file existed there (and overwrite was asked). */
  replaces: boolean;
}

const refuse = (message: string) => new AppError('bad_request', message);

function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/** True when `p` is `dir` itself or anything below it. */
function isWithin(p: string, dir: string): boolean {
  const rel = relative(dir, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export function checkExportTarget(rawPath: string, dataDir: string, overwrite: boolean): ExportTarget {
  if (!isAbsolute(rawPath)) throw refuse(`Export path must be a full path (such as /home/you/quotadeck-accounts.json), not "${rawPath}".`);
  const asked = resolve(rawPath);
  const name = basename(asked);
  if (!name || asked === dirname(asked)) throw refuse(`Export path "${rawPath}" names no file; add a file name.`);
  const dataDirs = [resolve(dataDir), realOrResolved(dataDir)];
  const insideData = (p: string) => dataDirs.some((d) => isWithin(p, d));
  const dataRefusal = () =>
    refuse(`Export cannot write inside QuotaDeck's data folder (${dataDirs[0]}): it holds the database and the encryption key. Choose a file in another folder.`);
  if (insideData(asked)) throw dataRefusal();

  const folder = dirname(asked);
  let realFolder: string;
  try {
    realFolder = realpathSync(folder);
  } catch {
    throw refuse(`The folder ${folder} does not exist. Create it first or choose another one.`);
  }
  if (!statSync(realFolder).isDirectory()) throw refuse(`${folder} is not a folder.`);
  const target = resolve(realFolder, name);
  if (insideData(target)) throw dataRefusal();

  let existing: ReturnType<typeof lstatSync> | null = null;
  try {
    existing = lstatSync(target);
  } catch {
    existing = null;
  }
  if (existing) {
    // A link there might point into the data folder: refuse that outright, whatever overwrite says.
    if (existing.isSymbolicLink() && insideData(realOrResolved(target))) throw dataRefusal();
    if (statSafe(target)?.isDirectory()) throw refuse(`${asked} is a folder; give a file name inside it.`);
    if (!overwrite) throw refuse(`A file already exists at ${asked}. Choose another name, or confirm replacing it (overwrite: true).`);
  }
  return { path: target, replaces: existing !== null };
}

function statSafe(p: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}
