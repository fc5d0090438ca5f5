// Where dropped or picked files land in the vault: a file goes to `<to>/<name>`, a folder is
// walked and added under its own name with its relative paths, exactly as Vault.add scans
// (app/vault/vault.ts), so the conflicts asked about are the ones add meets. Symlinks and special
// files are skipped, never followed. Bounded: depth 64 and 100,000 files per request.
// It reads only names and sizes, never content; it does not decide conflicts (the user does) nor
// name the copies of 'keep-both' (Vault.add does).

import { lstat, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { badRequest, CachetError, fromSystemError } from '../../app/errors.js';
import { joinVaultPath } from '../../app/vault/paths.js';

export const MAX_PLANNED_FILES = 100_000;
const MAX_DEPTH = 64;

export interface PlannedSource {
  source: string;
  vaultPath: string;
  size: number;
}

export async function planAdd(sources: readonly string[], to: string, signal?: AbortSignal): Promise<PlannedSource[]> {
  const out: PlannedSource[] = [];
  const seen = new Set<string>();
  const push = (p: PlannedSource): void => {
    if (seen.has(p.vaultPath)) return;
    if (out.length >= MAX_PLANNED_FILES) throw badRequest('too-many-files', `at most ${MAX_PLANNED_FILES} files at once`, { max: MAX_PLANNED_FILES });
    seen.add(p.vaultPath);
    out.push(p);
  };
  const walk = async (fsPath: string, vaultPath: string, depth: number): Promise<void> => {
    if (signal?.aborted) throw new CachetError('cancelled', 'cancelled');
    if (depth > MAX_DEPTH) throw badRequest('too-deep', 'folders nested too deep', { max: MAX_DEPTH, path: fsPath });
    let s;
    try {
      s = await lstat(fsPath);
    } catch (e) {
      throw fromSystemError(e, 'read a file to add', fsPath);
    }
    if (s.isFile()) return push({ source: fsPath, vaultPath, size: s.size });
    if (!s.isDirectory()) return;
    let names: string[];
    try {
      names = (await readdir(fsPath)).sort();
    } catch (e) {
      throw fromSystemError(e, 'read a folder to add', fsPath);
    }
    for (const name of names) {
      await walk(join(fsPath, name), joinVaultPath(vaultPath, name), depth + 1);
    }
  };
  for (const src of sources) {
    const name = basename(src);
    if (!name) throw badRequest('whole-drive', 'cannot add a whole drive or the root folder', { path: src });
    await walk(src, joinVaultPath(to, name), 0);
  }
  return out;
}
