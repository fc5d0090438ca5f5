// Opening a file for reading when it must be a regular file: an item, the index, vault.json, or a
// file the person names. The open itself is O_NONBLOCK (a FIFO or device named like one of ours
// opens at once instead of waiting for a writer forever), optionally O_NOFOLLOW (a vault never
// reads through a link placed in its folder), and the type is checked with fstat on the opened
// descriptor, so a file swapped between a stat and the open cannot slip past (SPEC §9).
// It does not read; callers read through the returned handle and close it.

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
