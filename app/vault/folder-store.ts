// The local folder as a vault store (SPEC §9): atomic writes are temp + fsync + rename + folder
// fsync (app/fs/atomic.ts), reads open only regular files and never follow a link
// (app/fs/regular-file.ts), and killed writers' temps are swept at open. A version is
// size:mtime:inode, what a reader can see change without reading the file.
// It does not lock (the index lock is app/vault/index-lock.ts) and knows nothing of envelopes.

import { lstat, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { badRequest, CachetError, fromSystemError } from '../errors.js';
import { cleanupTemps, syncDir, writeAtomic } from '../fs/atomic.js';
import { openRegular, type RegularFile } from '../fs/regular-file.js';
import type { StoreStat, StoreWriteOptions, VaultStore } from './store.js';

export function versionOf(s: { size: number; mtimeMs: number; ino: number }): string {
  return `${s.size}:${s.mtimeMs}:${s.ino}`;
}

export class FolderStore implements VaultStore {
  readonly location: string;

  constructor(dir: string) {
    this.location = dir;
  }

  pathOf(name: string): string {
    return join(this.location, ...name.split('/'));
  }

  openRead(name: string): Promise<RegularFile> {
    return openRegular(this.pathOf(name), { follow: false, what: `read ${name}` });
  }

  async readSmall(name: string, maxBytes: number): Promise<{ bytes: Buffer; version: string }> {
    const f = await this.openRead(name);
    try {
      // Bound before reading: one descriptor, so the size checked is the size of the file read.
      if (f.size > maxBytes) throw badRequest('too-large', `${name} is too large`, { path: this.pathOf(name) });
      const bytes = await f.fh.readFile();
      if (bytes.length > maxBytes) throw badRequest('too-large', `${name} is too large`, { path: this.pathOf(name) });
      return { bytes, version: versionOf(f) };
    } catch (e) {
      throw fromSystemError(e, `read ${name}`, this.pathOf(name));
    } finally {
      await f.fh.close().catch(() => {});
    }
  }

  async stat(name: string): Promise<StoreStat | undefined> {
    const path = this.pathOf(name);
    try {
      const s = await lstat(path);
      return { size: s.size, mtimeMs: s.mtimeMs, version: versionOf(s), regular: s.isFile() };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fromSystemError(e, `read ${name}`, path);
    }
  }

  async list(folder: string): Promise<string[]> {
    try {
      return await readdir(this.pathOf(folder));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CachetError('vault-not-found', 'the vault folder is gone', { path: this.location }, { cause: e });
      }
      throw fromSystemError(e, 'list the vault', this.location);
    }
  }

  write<T>(name: string, fill: (fh: FileHandle) => Promise<T>, opts: StoreWriteOptions): Promise<T> {
    return writeAtomic(this.pathOf(name), fill, { overwrite: opts.mode === 'any', fresh: opts.mode === 'fresh', syncDir: opts.sync ?? true });
  }

  async remove(name: string): Promise<void> {
    try {
      await unlink(this.pathOf(name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(e, `remove ${name}`, this.pathOf(name));
    }
  }

  sync(folder: string): Promise<void> {
    return syncDir(this.pathOf(folder));
  }

  async rename(from: string, to: string): Promise<void> {
    await rename(this.pathOf(from), this.pathOf(to));
  }

  async sweep(): Promise<void> {
    await cleanupTemps(this.location);
    await cleanupTemps(this.pathOf('items'));
  }
}
