// Atomic file writes (SPEC §9): write a temp file beside the target, fsync it, rename it into
// place, fsync the folder. A failed or cancelled write removes its temp file; a killed writer's
// temp is removed later by cleanupTemps. `writeAtomicSink` is the same through a ByteSink with early
// write-back (every sealed or opened output file, and every vault file the folder store writes);
// `replaceHead` writes a new head before a copied range of the old file (a header rewrite).
// It does not lock: two writers of one target race, and the last rename wins (vault items are
// named by random ids, so they do not meet; a caller that must not lose a race checks the target
// in `beforePlace`, under its own lock).

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { link, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CachetError, fromSystemError, throwIfAborted } from '../errors.js';
import { fileSink, type ByteSink, type PositionalSource } from '../stream/stream.js';

export const TEMP_PREFIX = '.tmp-';
/** A temp from another host is only judged by its age: we cannot see that host's processes. */
export const FOREIGN_TEMP_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * The owner part of a temp name: which running system the pid in the name belongs to (SPEC §9).
 * A pid means something only on the system that issued it, during that boot, so a host name
 * alone is not enough: two machines named alike that share a vault would each take the other's
 * live temps for leftovers of dead local processes and delete them (issue 16 #10). The owner is
 * the host name (for people reading a folder) plus a digest of the OS install and the boot:
 * Linux `/etc/machine-id` and the kernel's boot id; elsewhere a random id kept in the OS temp
 * folder (per user, emptied at reboot: the same scope). A temp whose owner differs is only judged
 * by its age (FOREIGN_TEMP_MAX_AGE_MS), so any doubt errs towards keeping a file.
 * No '/' or other path-special characters; computed once per process.
 */
export function tempHost(): string {
  ownerCache ??= `${hostname().replace(/[^A-Za-z0-9._-]/g, '_') || 'host'}.${systemId()}`;
  return ownerCache;
}
let ownerCache: string | undefined;

/** 12 hex digits naming this OS install and boot (see tempHost). */
function systemId(): string {
  const linux = ['/etc/machine-id', '/proc/sys/kernel/random/boot_id'].map((f) => readSmallText(f));
  const seed = linux.every((v) => v !== undefined && v.length > 0) ? linux.join('/') : persistedRandomId();
  return createHash('sha256').update('cachet temp owner\0').update(seed).digest('hex').slice(0, 12);
}

function readSmallText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').slice(0, 200).trim();
  } catch {
    return undefined;
  }
}

/**
 * A random id shared by this user's processes until the next reboot: created once (exclusive
 * create, so two first processes agree on the winner's), 0600. If the temp folder cannot hold it,
 * a random id of this process alone: its temps are then foreign to everyone else, which only
 * delays their sweep.
 */
function persistedRandomId(): string {
  const file = join(tmpdir(), `cachet-system-id-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
  const fresh = randomBytes(16).toString('hex');
  try {
    writeFileSync(file, fresh, { flag: 'wx', mode: 0o600 });
    return fresh;
  } catch {
    const got = readSmallText(file);
    return got !== undefined && /^[0-9a-f]{32}$/.test(got) ? got : fresh;
  }
}

/** `.tmp-<host>-<pid>-<random>` (SPEC §9). */
export function tempName(): string {
  return `${TEMP_PREFIX}${tempHost()}-${process.pid}-${randomBytes(8).toString('hex')}`;
}

/** Parse a temp name; null if it is not one of ours. Host names may hold '-', so parse from the right. */
export function parseTempName(name: string): { host: string; pid: number } | null {
  const m = /^\.tmp-(.+)-(\d+)-([0-9a-f]+)$/.exec(name);
  if (!m) return null;
  return { host: m[1]!, pid: Number(m[2]) };
}

export interface WriteAtomicOptions {
  /** Replace an existing `dest`; otherwise an existing one is refused [exists]. */
  overwrite?: boolean;
  /** File mode of the new file (default 0o666 & ~umask). */
  mode?: number;
  /**
   * fsync the folder after the rename (default true). A caller that writes many files into one
   * folder may pass false and call syncDir once after the last of them, before it reports them
   * durable: each file is still complete (fsynced) before its rename, so a crash loses at most
   * whole renames, never leaves a partial file (SPEC §9).
   */
  syncDir?: boolean;
  /**
   * `dest` is a fresh random name (a vault item id, 128 random bits) that nothing else can hold:
   * skip the up-front existence check and place the temp with one rename instead of link +
   * unlink. Two fs operations fewer per file in a batch of small files (BENCHMARKS.md).
   */
  fresh?: boolean;
  /**
   * Runs around the whole life of the temp (created, written, renamed or removed), given its
   * path: a plaintext output passes in-flight.ts withInFlightRecord, so a hard kill's leftover
   * is found and removed by the next Cachet process.
   */
  around?: <R>(temp: string, run: () => Promise<R>) => Promise<R>;
  /**
   * Runs after the temp is complete and fsynced, just before the rename: a throw leaves `dest`
   * untouched and removes the temp (the folder store's { ifVersion } check, a last cancel check).
   */
  beforePlace?: () => Promise<void>;
  /**
   * Runs the final step (beforePlace, the rename) inside the caller's own section, e.g. the
   * vault's claim of a new item's path under the index writer section. A throw from it before
   * the rename leaves `dest` untouched and removes the temp.
   */
  aroundPlace?: (place: () => Promise<void>) => Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw fromSystemError(e, 'check the destination', path);
  }
}

/** fsync a folder so a rename in it is durable. Some platforms cannot (Windows): not an error. */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EACCES' && code !== 'ENOTSUP') throw fromSystemError(e, 'flush the folder', dir);
  } finally {
    await fh?.close().catch(() => {});
  }
}

/**
 * Run `write` on a fresh temp file beside `dest`, then make it `dest` atomically. On any error
 * (including a CachetError 'cancelled' from `write`) the temp is closed and removed and `dest` is
 * untouched. Without `overwrite` an existing `dest` is refused before and at the moment of the
 * rename (a hard link cannot replace a file, so the final step cannot clobber one).
 */
export async function writeAtomic<T>(dest: string, write: (fh: FileHandle) => Promise<T>, opts: WriteAtomicOptions = {}): Promise<T> {
  const dir = dirname(dest);
  if (!opts.overwrite && !opts.fresh && (await exists(dest))) throw new CachetError('exists', `${basename(dest)} already exists`, { path: dest });
  const temp = join(dir, tempName());
  if (opts.around) return opts.around(temp, () => writeTemp(temp, dest, write, opts));
  return writeTemp(temp, dest, write, opts);
}

async function writeTemp<T>(temp: string, dest: string, write: (fh: FileHandle) => Promise<T>, opts: WriteAtomicOptions): Promise<T> {
  const dir = dirname(dest);
  let fh: FileHandle | undefined;
  let placed = false;
  try {
    try {
      fh = await open(temp, 'wx', opts.mode ?? 0o666);
    } catch (e) {
      throw fromSystemError(e, 'create a file', dest);
    }
    const result = await write(fh);
    try {
      await fh.sync();
      await fh.close();
      fh = undefined;
    } catch (e) {
      throw fromSystemError(e, 'write the file', dest);
    }
    const place = async (): Promise<void> => {
      await opts.beforePlace?.();
      try {
        if (opts.overwrite || opts.fresh) {
          await rename(temp, dest);
        } else {
          await placeNoClobber(temp, dest);
        }
        placed = true;
      } catch (e) {
        throw fromSystemError(e, 'write the file', dest);
      }
    };
    await (opts.aroundPlace ? opts.aroundPlace(place) : place());
    if (opts.syncDir !== false) await syncDir(dir);
    return result;
  } finally {
    if (fh) await fh.close().catch(() => {});
    if (!placed) await unlink(temp).catch(() => {});
  }
}

/** Early write-back for atomic outputs (see FileSinkOptions.syncEvery); the final fsync stays. */
export const SYNC_EVERY = 64 * 1024 * 1024;

/**
 * writeAtomic through a file sink that starts write-back early (SYNC_EVERY); a write-back error
 * is never lost (the sink's settle() runs before the final fsync, also when `fill` throws).
 * `fill` gets the handle too, for what a sink cannot do (utimes of an opened file).
 */
export function writeAtomicSink<T>(dest: string, fill: (sink: ByteSink, fh: FileHandle) => Promise<T>, opts: WriteAtomicOptions = {}): Promise<T> {
  return writeAtomic(dest, async (fh) => {
    const sink = fileSink(fh, 0, { syncEvery: SYNC_EVERY });
    let r: T;
    try {
      r = await fill(sink, fh);
    } catch (e) {
      await sink.settle().catch(() => {});
      throw e;
    }
    await sink.settle();
    return r;
  }, opts);
}

const COPY_BLOCK = 4 * 1024 * 1024;

/**
 * Replace `dest` atomically with `head` followed by the bytes [keepFrom, end) of `src` (the file
 * `dest` was opened as, `end` its size then): a header rewrite that leaves the payload bytes as
 * they were. A source that ends early [changed-while-reading]; `signal` is checked per block.
 * Returns what `beforePlace`-style callers need: the new file's fstat (size, mtime, inode).
 */
export async function replaceHead(
  dest: string, src: PositionalSource, head: Buffer, keepFrom: number, end: number,
  opts: { signal?: AbortSignal; beforePlace?: () => Promise<void> } = {},
): Promise<{ size: number; mtimeMs: number; ino: number }> {
  return writeAtomicSink(dest, async (sink, fh) => {
    await sink.write([head]);
    const length = end - keepFrom;
    const buf = Buffer.allocUnsafe(Math.min(Math.max(length, 1), COPY_BLOCK));
    let done = 0;
    while (done < length) {
      throwIfAborted(opts.signal);
      const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, length - done), keepFrom + done);
      if (bytesRead === 0) throw new CachetError('changed-while-reading', 'the file got shorter while it was rewritten');
      await sink.write([buf.subarray(0, bytesRead)]);
      done += bytesRead;
    }
    const st = await fh.stat();
    return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  }, { overwrite: true, beforePlace: opts.beforePlace });
}

async function placeNoClobber(temp: string, dest: string): Promise<void> {
  try {
    await link(temp, dest);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CachetError('exists', `${basename(dest)} already exists`, { path: dest });
    // File systems without hard links (FAT, some network and sync folders): check, then rename.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV' || code === 'EMLINK' || code === 'ENOSYS') {
      if (await exists(dest)) throw new CachetError('exists', `${basename(dest)} already exists`, { path: dest });
      await rename(temp, dest);
      return;
    }
    throw e;
  }
  await unlink(temp);
}

/** Whether a process of this host is alive (EPERM: it is, but another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the `.tmp-*` leftovers of killed writers in `dir` (SPEC §9): temps of this host whose
 * process is gone, and temps of other hosts (or unparseable names) older than 24 hours.
 * A live writer's temp is kept. Returns the names removed. A missing `dir` removes nothing.
 */
export async function cleanupTemps(dir: string, now: number = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fromSystemError(e, 'list the folder', dir);
  }
  const host = tempHost();
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const path = join(dir, name);
    const t = parseTempName(name);
    let stale: boolean;
    if (t && t.host === host) {
      stale = t.pid !== process.pid && !processAlive(t.pid);
    } else {
      try {
        stale = now - (await stat(path)).mtimeMs > FOREIGN_TEMP_MAX_AGE_MS;
      } catch {
        continue;
      }
    }
    if (!stale) continue;
    try {
      await unlink(path);
      removed.push(name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(e, 'remove a leftover temp file', path);
    }
  }
  return removed;
}
