// Opening a file for reading when it must be a regular file: an item, the index, vault.json, or a
// file the person names. The open itself is O_NONBLOCK (a FIFO or device named like one of ours
// opens at once instead of waiting for a writer forever), optionally O_NOFOLLOW (a vault never
// reads through a link placed in its folder), and the type is checked with fstat on the opened
// descriptor, so a file swapped between a stat and the open cannot slip past (SPEC §9).
// `fileReader` turns the opened file into positional reads of that one descriptor, the shape the
// envelope reads (a loose file) and the folder store hands out (a vault file). The version rule of
// a local file (size:mtime:inode) lives here too. It does not read on its own.

import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { badRequest, CachetError, fromSystemError } from '../errors.js';

/** An open regular file and what its descriptor's fstat said when it was opened. */
export interface RegularFile {
  /** The path it was opened by (a rewrite replaces that name). */
  path: string;
  fh: FileHandle;
  size: number;
  mtimeMs: number;
  ino: number;
}

/** A local file's version: what a reader can see change without reading it (size, mtime, inode). */
export function versionOf(s: { size: number; mtimeMs: number; ino: number }): string {
  return `${s.size}:${s.mtimeMs}:${s.ino}`;
}

/** What a local file says of itself now (the shape of StoreStat in app/vault/store.ts). */
export interface FileStat {
  size: number;
  mtimeMs: number;
  version: string;
  regular: boolean;
}

/**
 * Positional reads of an opened regular file, with what its descriptor said at open. `restat` is
 * the descriptor's own fstat: a name renamed over meanwhile does not change what this reader reads,
 * a write into the file in place does (size, mtime), and that is what "changed while reading" means
 * for a local file. `close` closes the descriptor.
 */
export interface FileReader {
  readonly location: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly version: string;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  restat(): Promise<FileStat | undefined>;
  close(): Promise<void>;
}

export function fileReader(f: RegularFile): FileReader {
  return {
    location: f.path,
    size: f.size,
    mtimeMs: f.mtimeMs,
    version: versionOf(f),
    read: (buffer, offset, length, position) => f.fh.read(buffer, offset, length, position),
    async restat() {
      const st = await f.fh.stat();
      return { size: st.size, mtimeMs: st.mtimeMs, version: versionOf(st), regular: st.isFile() };
    },
    close: () => f.fh.close().catch(() => {}),
  };
}

/** The one wording of "this name in the vault is a link or not a file" (refresh, verify, get all say it). */
export function notRegularError(path: string | undefined, item?: string): CachetError {
  const detail: Record<string, string> = {};
  if (path !== undefined) detail['path'] = path;
  if (item !== undefined) detail['item'] = item;
  return badRequest('symlink', 'this file is a symbolic link or not a regular file; Cachet does not follow it', detail);
}

// O_NONBLOCK only changes how a FIFO or device opens; on a regular file it is a no-op for reads.
const BASE_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Open `path` read-only, refusing [bad-request, reason 'symlink'] anything but a regular file:
 * with `follow: false` a symbolic link too (ELOOP). Other failures map as fromSystemError does.
 */
export async function openRegular(path: string, opts: { follow: boolean; what?: string }): Promise<RegularFile> {
  const what = opts.what ?? 'open the file';
  let fh: FileHandle;
  try {
    fh = await open(path, BASE_FLAGS | (opts.follow ? 0 : NOFOLLOW));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ELOOP: the last component is a link (O_NOFOLLOW). ENXIO: a socket or a FIFO on some systems.
    if (code === 'ELOOP' || code === 'ENXIO' || code === 'EOPNOTSUPP') throw notRegularError(path);
    throw fromSystemError(e, what, path);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw notRegularError(path);
    return { path, fh, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch (e) {
    await fh.close().catch(() => {});
    throw fromSystemError(e, what, path);
  }
}
