// Decrypted copies on disk, for "open with default app" and drag-out only: one private folder
// (0700) under the app's userData, one sub-folder per copy, named by a random temp id. Edits are
// noticed with fs.watch on the copy's folder (editors often save by rename) and reported once the
// file settles; `wipe*` overwrite each file with zeros, fsync and unlink it. The whole folder is
// wiped on lock, on quit and at startup (leftovers of a crash).
// It does not decrypt or seal: the caller passes a `write(dest)` that does, and re-seals on save-back.
// Wiping is best effort against recovery: SSDs and copy-on-write filesystems may keep old blocks.
// A copy with another hard link (made outside, by the person's tools) is unlinked, not zeroed.

import { randomBytes } from 'node:crypto';
import { constants as fsConstants, watch, type FSWatcher } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fromSystemError, CachetError } from '../../app/errors.js';
import { portableFileName } from '../../app/vault/paths.js';
import type { Clock, Timer } from '../platform.js';

export interface TempEntry {
  readonly tempId: string;
  /** The item the copy belongs to; a save-back re-seals it under a new id. */
  itemId: string;
  readonly vaultPath: string;
  /** Absolute path of the decrypted copy. */
  readonly path: string;
  /** Size and mtime when written or last saved back: the copy is "edited" when they differ. */
  baseline: { size: number; mtimeMs: number };
}

export interface TempFilesOptions {
  /** The private folder; created 0700. Everything inside belongs to Cachet and is wiped. */
  root: string;
  clock: Clock;
  onEdited(e: { tempId: string; itemId: string; vaultPath: string; modifiedAt: number }): void;
  /** ms a changed file must stay unchanged before `onEdited` (default 300). */
  settleMs?: number;
  /** Whose file-name rules a copy's name follows (default process.platform; tests set win32). */
  platform?: NodeJS.Platform;
}

const ZEROS = Buffer.alloc(64 * 1024);

export class TempFiles {
  readonly #o: TempFilesOptions;
  readonly #entries = new Map<string, TempEntry & { watcher?: FSWatcher; timer?: Timer }>();

  constructor(opts: TempFilesOptions) {
    this.#o = opts;
  }

  get root(): string {
    return this.#o.root;
  }

  async #ensureRoot(): Promise<void> {
    await mkdir(this.#o.root, { recursive: true, mode: 0o700 });
    await chmod(this.#o.root, 0o700);
  }

  /**
   * Make a decrypted copy named like the item: `write(dest)` must create `dest`. With `watchEdits`
   * the copy is watched and `onEdited` fires after changes settle.
   */
  async create(
    item: { itemId: string; vaultPath: string },
    write: (dest: string) => Promise<void>,
    opts: { watchEdits: boolean },
  ): Promise<TempEntry> {
    await this.#ensureRoot();
    const tempId = `tmp-${randomBytes(12).toString('hex')}`;
    const dir = join(this.#o.root, tempId);
    await mkdir(dir, { mode: 0o700 });
    // Named like the item, so the default app shows that name; on Windows made creatable
    // (`a:b.txt` would otherwise write an alternate data stream, `CON.txt` a device).
    const name = portableFileName(basename(item.vaultPath) || 'item', this.#o.platform);
    const path = join(dir, name);
    try {
      await write(path);
      await chmod(path, 0o600);
      const s = await stat(path);
      const entry: TempEntry & { watcher?: FSWatcher; timer?: Timer } = {
        tempId, itemId: item.itemId, vaultPath: item.vaultPath, path, baseline: { size: s.size, mtimeMs: s.mtimeMs },
      };
      this.#entries.set(tempId, entry);
      if (opts.watchEdits) this.#watch(entry, dir);
      return entry;
    } catch (e) {
      await wipeTree(dir).catch(() => {});
      throw fromSystemError(e, 'make a temporary copy', name);
    }
  }

  #watch(entry: TempEntry & { watcher?: FSWatcher; timer?: Timer }, dir: string): void {
    const settle = this.#o.settleMs ?? 300;
    const check = async (): Promise<void> => {
      entry.timer = undefined;
      const s = await stat(entry.path).catch(() => undefined);
      if (!s || !this.#entries.has(entry.tempId)) return;
      if (s.size !== entry.baseline.size || s.mtimeMs !== entry.baseline.mtimeMs) {
        this.#o.onEdited({ tempId: entry.tempId, itemId: entry.itemId, vaultPath: entry.vaultPath, modifiedAt: Math.round(s.mtimeMs) });
      }
    };
    try {
      entry.watcher = watch(dir, { persistent: false }, () => {
        entry.timer?.cancel();
        entry.timer = this.#o.clock.setTimeout(() => void check(), settle);
      });
      entry.watcher.on('error', () => entry.watcher?.close());
    } catch {
      // Not watchable (some network filesystems): save-back still works on request.
    }
  }

  get(tempId: string): TempEntry {
    const e = this.#entries.get(tempId);
    if (!e) throw new CachetError('not-found', 'that temporary copy is gone (the vault was locked or it was discarded)', { tempId });
    return e;
  }

  /** The copy now matches the vault item `itemId` (after save-back). */
  async markSaved(tempId: string, itemId: string): Promise<void> {
    const e = this.get(tempId);
    const s = await stat(e.path);
    e.baseline = { size: s.size, mtimeMs: s.mtimeMs };
    e.itemId = itemId;
  }

  /** Wipe one copy. */
  async discard(tempId: string): Promise<void> {
    const e = this.#entries.get(tempId);
    if (!e) return;
    this.#entries.delete(tempId);
    e.watcher?.close();
    e.timer?.cancel();
    await wipeTree(join(this.#o.root, tempId));
  }

  /** The copies changed since they were written or last saved back (pending external edits). */
  async edited(): Promise<TempEntry[]> {
    const out: TempEntry[] = [];
    for (const e of this.#entries.values()) {
      const s = await stat(e.path).catch(() => undefined);
      if (s && (s.size !== e.baseline.size || s.mtimeMs !== e.baseline.mtimeMs)) out.push(e);
    }
    return out;
  }

  /**
   * Wipe every copy, known or left over from an earlier run (lock, quit, startup), except the
   * known copies named in `keep` (edited copies nobody was there to ask about: auto-lock).
   */
  async wipeAll(opts: { keep?: ReadonlySet<string> } = {}): Promise<number> {
    const keep = opts.keep ?? new Set<string>();
    for (const [id, e] of this.#entries) {
      if (keep.has(id)) continue;
      e.watcher?.close();
      e.timer?.cancel();
      this.#entries.delete(id);
    }
    let n = 0;
    const names = await readdir(this.#o.root).catch(() => [] as string[]);
    for (const name of names) if (!(keep.has(name) && this.#entries.has(name))) n += await wipeTree(join(this.#o.root, name));
    return n;
  }

  get count(): number {
    return this.#entries.size;
  }
}

/** Overwrite every regular file under `p` with zeros, fsync, unlink; remove folders. Symlinks are unlinked, never followed. Returns the number of files wiped. */
export async function wipeTree(p: string, depth = 0): Promise<number> {
  if (depth > 64) throw new CachetError('io', 'temporary folder nested too deep to wipe', { path: p });
  const s = await lstat(p).catch(() => undefined);
  if (!s) return 0;
  if (s.isDirectory()) {
    let n = 0;
    await chmod(p, 0o700).catch(() => {});
    for (const name of await readdir(p)) n += await wipeTree(join(p, name), depth + 1);
    await rmdir(p).catch(() => rm(p, { recursive: true, force: true }));
    return n;
  }
  if (s.isFile()) {
    await zeroFile(p, s.size).catch(() => {});
    await unlink(p);
    return 1;
  }
  await unlink(p);
  return 0;
}

async function zeroFile(p: string, size: number): Promise<void> {
  await chmod(p, 0o600).catch(() => {});
  // O_NOFOLLOW: if the file became a link since lstat, zero nothing rather than its target.
  const fh = await open(p, fsConstants.O_RDWR | (fsConstants.O_NOFOLLOW ?? 0));
  try {
    // Another name for the same bytes (a hard link made outside the temp folder) is not ours to
    // destroy: unlinking our name is all the wipe may do then.
    const st = await fh.stat();
    if (!st.isFile() || st.nlink > 1) return;
    for (let off = 0; off < size; off += ZEROS.length) {
      await fh.write(ZEROS, 0, Math.min(ZEROS.length, size - off), off);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}
