// The add scan: what a list of dropped or named sources becomes in the vault. A file goes to
// `<to>/<name>`, a folder is walked and added under its own name with its relative paths. Used
// by Vault.add and by the app's add planner (main/services/add-plan.ts), so the paths the app
// asks about are the ones add writes. Per-source outcomes, never one refusal for the whole drop:
// a name that is not a valid vault path, a folder nested too deep, an unreadable folder fail
// that source only; symbolic links (never followed), special files and the vault's own folder
// are ignored, with a reason. It reads names, sizes and times only, never content, and does not
// decide conflicts (Vault.add does).

import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { badRequest, CachetError, fromSystemError, isCachetError, throwIfAborted } from '../errors.js';
import { joinVaultPath, MAX_DEPTH } from './paths.js';
import type { ItemFailure } from './types.js';

/**
 * Folders nest at most this deep below a source (a deeper one fails, its siblings are added):
 * the vault path's own segment limit, since nothing deeper could be named in the vault.
 */
export const MAX_SCAN_DEPTH = MAX_DEPTH;

/** A source file found by the scan. */
export interface ScannedFile {
  source: string;
  path: string;
  size: number;
  mtime: number;
}

export interface ScanResult {
  files: ScannedFile[];
  /** Sources or entries that could not be added (bad name, too deep, unreadable). */
  failed: ItemFailure[];
  /** Not added by design: symbolic links, special files, the vault folder itself. */
  ignored: ItemFailure[];
}

export interface ScanOptions {
  /** Vault folder to add under ('' = root), already normalized. */
  to: string;
  /** The open vault's folder: never added to itself. */
  vaultDir?: string;
  signal?: AbortSignal | undefined;
  /** Refuse [bad-request, reason 'too-many-files'] a scan that finds more files than this. */
  maxFiles?: number;
}

function asError(e: unknown, what: string, path?: string): CachetError {
  return isCachetError(e) ? e : fromSystemError(e, what, path);
}

/** Walk the sources (no symlink followed) into the files to seal, sorted by name within each folder. */
export async function scanSources(sources: readonly string[], opts: ScanOptions): Promise<ScanResult> {
  const result: ScanResult = { files: [], failed: [], ignored: [] };
  const vaultDir = opts.vaultDir === undefined ? undefined : resolve(opts.vaultDir);
  const { signal } = opts;
  const visit = async (abs: string, vpath: string, depth: number, lst?: Stats): Promise<void> => {
    throwIfAborted(signal);
    let st = lst;
    try {
      st ??= await lstat(abs);
    } catch (e) {
      result.failed.push({ source: abs, path: vpath, error: fromSystemError(e, 'read', abs) });
      return;
    }
    if (vaultDir !== undefined && (abs === vaultDir || abs.startsWith(vaultDir + sep))) {
      result.ignored.push({ source: abs, path: vpath, error: badRequest('vault-folder', 'the vault folder is not added to itself', { path: abs }) });
    } else if (st.isSymbolicLink()) {
      result.ignored.push({ source: abs, path: vpath, error: badRequest('symlink', 'symbolic links are not followed', { path: abs }) });
    } else if (st.isFile()) {
      if (opts.maxFiles !== undefined && result.files.length >= opts.maxFiles) {
        throw badRequest('too-many-files', `at most ${opts.maxFiles} files at once`, { max: opts.maxFiles });
      }
      result.files.push({ source: abs, path: vpath, size: st.size, mtime: Math.floor(st.mtimeMs) });
    } else if (st.isDirectory()) {
      if (depth >= MAX_SCAN_DEPTH) {
        result.failed.push({ source: abs, path: vpath, error: badRequest('too-deep', 'folders nest too deep', { path: abs }) });
        return;
      }
      let raw: Buffer[];
      try {
        raw = await readdir(abs, { encoding: 'buffer' });
      } catch (e) {
        result.failed.push({ source: abs, path: vpath, error: fromSystemError(e, 'list the folder', abs) });
        return;
      }
      const names: string[] = [];
      for (const b of raw) {
        const n = b.toString('utf8');
        // A name that is not UTF-8 (a Linux file system allows any bytes) cannot be a vault path,
        // and its lossy string names no file: say so, instead of a "not found" from lstat.
        if (Buffer.byteLength(n, 'utf8') !== b.length || !Buffer.from(n, 'utf8').equals(b)) {
          result.failed.push({ source: join(abs, n), error: badRequest('name-not-utf8', 'this file name is not valid UTF-8: rename it to add it', { path: join(abs, n) }) });
        } else {
          names.push(n);
        }
      }
      names.sort();
      for (const n of names) {
        let child: string;
        try {
          child = joinVaultPath(vpath, n);
        } catch (e) {
          result.failed.push({ source: join(abs, n), error: asError(e, 'add') });
          continue;
        }
        await visit(join(abs, n), child, depth + 1);
      }
    } else {
      result.ignored.push({ source: abs, path: vpath, error: badRequest('special-file', 'not a regular file or folder', { path: abs }) });
    }
  };
  for (const s of sources) {
    const abs = resolve(s);
    let vpath: string;
    try {
      vpath = joinVaultPath(opts.to, basename(abs));
    } catch (e) {
      result.failed.push({ source: abs, error: asError(e, 'add') });
      continue;
    }
    await visit(abs, vpath, 0);
  }
  return result;
}
