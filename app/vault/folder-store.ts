// The local folder as a vault store (SPEC §9): atomic writes are temp + fsync + rename + folder
// fsync through a sink with early write-back (app/fs/atomic.ts writeAtomicSink), reads open only
// regular files and never follow a link (app/fs/regular-file.ts: O_NOFOLLOW|O_NONBLOCK + fstat),
// the writer section of index.env is the index lock file (index-lock.ts), and killed writers'
// temps and locks are swept at open. A version is size:mtime:inode (regular-file.ts versionOf),
// what a reader can see change without reading the file.
// It knows nothing of envelopes, ids or the index; it is the only vault module that touches a
// local path of the vault (besides index-lock.ts, which it drives).

import { lstatSync, type Stats } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { badRequest, CachetError, fromSystemError, isCachetError, throwIfAborted } from '../errors.js';
import { cleanupTemps, replaceHead, syncDir, TEMP_PREFIX, writeAtomicSink } from '../fs/atomic.js';
import { fileReader, openRegular, versionOf, type FileReader } from '../fs/regular-file.js';
import { cleanupIndexLock, withIndexLock } from './index-lock.js';
import { IGNORABLE_NAMES, INDEX_FILE, ITEMS_DIR, VAULT_FILE } from './layout.js';
import { mapPool, STAT_CONCURRENCY } from './pool.js';
import type { ByteSink } from '../stream/stream.js';
import type { StoreEntry, StoreReader, StoreStat, StoreWriteOptions, VaultStore, WriteCondition } from './store.js';

/** Names stat'ed synchronously between two yields to the event loop (#statMany). */
const SYNC_STAT_SLICE = 512;

function storeStat(s: Stats): StoreStat {
  return { size: s.size, mtimeMs: s.mtimeMs, version: versionOf(s), regular: s.isFile() };
}

function conflictError(name: string, location: string): CachetError {
  return new CachetError('conflict', `${name} was changed by another writer`, { path: location });
}

class FolderReader implements StoreReader {
  readonly name: string;
  readonly #f: FileReader;

  constructor(name: string, f: FileReader) {
    this.name = name;
    this.#f = f;
  }

  get location(): string {
    return this.#f.location;
  }

  get size(): number {
    return this.#f.size;
  }

  get mtimeMs(): number {
    return this.#f.mtimeMs;
  }

  get version(): string {
    return this.#f.version;
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return this.#f.read(buffer, offset, length, position);
  }

  /** The opened file's own fstat: a rename over the name does not change what this reader reads. */
  restat(): Promise<StoreStat | undefined> {
    return this.#f.restat();
  }

  close(): Promise<void> {
    return this.#f.close();
  }
}

export class FolderStore implements VaultStore {
  /** A stat slice slower than this (about 20 us per lstat) is not a local disk answering from its
   *  cache (#statMany). Tests set it below zero to take the thread-pool path at once. */
  static slowStatSliceMs = 10;
  readonly kind = 'folder' as const;
  readonly location: string;

  constructor(dir: string) {
    this.location = dir;
  }

  /**
   * Make the folder `dir` (absolute; created if missing) ready to become a new vault: refused if
   * it already holds a vault [exists] or anything else [bad-request]; what a create that died
   * before writing vault.json left (index.env, temps, an empty items/) is cleared. `undo` removes
   * what a failed create made, never the person's files.
   */
  static async prepareNew(dir: string): Promise<{ store: FolderStore; undo(): Promise<void> }> {
    const store = new FolderStore(dir);
    const items = store.locationOf(ITEMS_DIR);
    let madeDir = false;
    try {
      const names = await readdir(dir);
      if (names.includes(VAULT_FILE)) throw new CachetError('exists', 'this folder is already a vault', { path: dir, reason: 'vault' });
      for (const n of names) {
        if (IGNORABLE_NAMES.has(n)) continue;
        // What a create that died before writing vault.json leaves behind: not the person's files.
        if (n === INDEX_FILE || n.startsWith(TEMP_PREFIX)) continue;
        if (n === ITEMS_DIR && (await readdir(items).catch(() => ['?'])).length === 0) continue;
        throw badRequest('not-empty', 'the folder is not empty; choose an empty or new folder', { path: dir });
      }
      for (const n of names) if (n === INDEX_FILE || n.startsWith(TEMP_PREFIX)) await rm(join(dir, n), { force: true });
    } catch (e) {
      if (isCachetError(e)) throw e;
      const errno = (e as NodeJS.ErrnoException).code;
      if (errno === 'ENOTDIR') throw badRequest('not-a-folder', 'this path is a file, not a folder', { path: dir }, { cause: e });
      if (errno !== 'ENOENT') throw fromSystemError(e, 'open the vault folder', dir);
      try {
        await mkdir(dir, { recursive: true });
      } catch (e2) {
        throw fromSystemError(e2, 'create the vault folder', dir);
      }
      madeDir = true;
    }
    try {
      await mkdir(items, { recursive: true });
    } catch (e) {
      if (madeDir) await rmdir(dir).catch(() => {});
      throw fromSystemError(e, 'create the vault folder', dir);
    }
    return {
      store,
      async undo() {
        await rm(store.locationOf(INDEX_FILE), { force: true }).catch(() => {});
        await rmdir(items).catch(() => {});
        if (madeDir) await rmdir(dir).catch(() => {});
      },
    };
  }

  async prepareNew(): Promise<{ undo(): Promise<void> }> {
    return FolderStore.prepareNew(this.location);
  }

  /**
   * At open: `items` must be a folder [vault-corrupt]; a missing one is made, since a sync service
   * may not carry an empty folder and an empty vault is still a vault.
   */
  async checkOpen(): Promise<void> {
    const items = this.locationOf(ITEMS_DIR);
    try {
      const st = await stat(items);
      if (!st.isDirectory()) throw new CachetError('vault-corrupt', 'items is not a folder', { path: this.location, reason: 'items' });
    } catch (e) {
      if (isCachetError(e)) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(e, 'open the vault', this.location);
      await mkdir(items, { recursive: true }).catch((e2: unknown) => {
        throw fromSystemError(e2, 'open the vault', this.location);
      });
    }
  }

  locationOf(name: string): string {
    return join(this.location, ...name.split('/'));
  }

  async openRead(name: string, opts: { signal?: AbortSignal } = {}): Promise<StoreReader> {
    throwIfAborted(opts.signal);
    const f = await openRegular(this.locationOf(name), { follow: false, what: `read ${name}` });
    return new FolderReader(name, fileReader(f));
  }

  async readSmall(name: string, maxBytes: number): Promise<{ bytes: Buffer; version: string }> {
    const path = this.locationOf(name);
    const f = await openRegular(path, { follow: false, what: `read ${name}` });
    try {
      // Bound before reading: one descriptor, so the size checked is the size of the file read.
      if (f.size > maxBytes) throw badRequest('too-large', `${name} is too large`, { path });
      const bytes = await f.fh.readFile();
      if (bytes.length > maxBytes) throw badRequest('too-large', `${name} is too large`, { path });
      return { bytes, version: versionOf(f) };
    } catch (e) {
      throw fromSystemError(e, `read ${name}`, path);
    } finally {
      await f.fh.close().catch(() => {});
    }
  }

  async stat(name: string): Promise<StoreStat | undefined> {
    const path = this.locationOf(name);
    try {
      return storeStat(await lstat(path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fromSystemError(e, `read ${name}`, path);
    }
  }

  /**
   * The lstat of each name, for `list`. A local disk answers an lstat in microseconds, less than
   * the thread-pool round trip of the async call costs (100,000 items listed at ~3x `ls -lR`), so
   * names are stat'ed synchronously in slices of SYNC_STAT_SLICE, yielding to the event loop after
   * each (the main process keeps answering IPC). A slice slower than slowStatSliceMs (a network share,
   * a cold disk) hands the rest to the thread pool, STAT_CONCURRENCY at once, where waits overlap.
   */
  async #statMany(names: string[], signal?: AbortSignal): Promise<(StoreStat | undefined)[]> {
    const out: (StoreStat | undefined)[] = [];
    while (out.length < names.length) {
      const started = performance.now();
      const end = Math.min(out.length + SYNC_STAT_SLICE, names.length);
      for (let i = out.length; i < end; i++) {
        const path = this.locationOf(names[i]!);
        let s: Stats | undefined;
        try {
          s = lstatSync(path, { throwIfNoEntry: false });
        } catch (e) {
          throw fromSystemError(e, `read ${names[i]!}`, path);
        }
        out.push(s ? storeStat(s) : undefined);
      }
      if (out.length === names.length) break;
      await new Promise<void>((done) => setImmediate(done));
      throwIfAborted(signal);
      if (performance.now() - started > FolderStore.slowStatSliceMs) {
        for (const st of await mapPool(names.slice(out.length), STAT_CONCURRENCY, (n) => this.stat(n))) out.push(st);
      }
    }
    return out;
  }

  /** readdir, then an lstat of each name (#statMany); a name gone meanwhile is left out. */
  async list(folder: string, opts: { signal?: AbortSignal } = {}): Promise<StoreEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.locationOf(folder));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CachetError('vault-not-found', 'the vault folder is gone', { path: this.location }, { cause: e });
      }
      throw fromSystemError(e, 'list the vault', this.location);
    }
    throwIfAborted(opts.signal);
    const stats = await this.#statMany(names.map((n) => `${folder}/${n}`), opts.signal);
    throwIfAborted(opts.signal);
    const out: StoreEntry[] = [];
    names.forEach((name, i) => {
      const st = stats[i];
      if (st) out.push({ name, size: st.size, mtimeMs: st.mtimeMs, version: st.version, regular: st.regular });
    });
    return out;
  }

  /**
   * { ifVersion } is checked against the name's lstat just before the rename: exact only for a
   * caller inside `exclusive` (the index lock), a best effort otherwise (a local folder has no
   * compare-and-swap rename).
   */
  async write<T>(name: string, fill: (sink: ByteSink) => Promise<T>, when: WriteCondition, opts: StoreWriteOptions = {}): Promise<{ value: T; version: string }> {
    throwIfAborted(opts.signal);
    let version = '';
    const value = await writeAtomicSink(this.locationOf(name), async (sink, fh) => {
      const v = await fill(sink);
      version = versionOf(await fh.stat());
      return v;
    }, {
      overwrite: when === 'any' || typeof when === 'object',
      fresh: when === 'fresh',
      syncDir: opts.sync ?? true,
      beforePlace: () => this.#beforePlace(name, typeof when === 'object' ? when.ifVersion : undefined, opts.signal),
      aroundPlace: opts.placeWithin,
    });
    return { value, version };
  }

  async #beforePlace(name: string, ifVersion: string | undefined, signal: AbortSignal | undefined): Promise<void> {
    throwIfAborted(signal);
    if (ifVersion === undefined) return;
    const now = await this.stat(name);
    if (now?.version !== ifVersion) throw conflictError(name, this.locationOf(name));
  }

  async rewriteHead(from: StoreReader, head: Buffer, keepFrom: number, opts: { signal?: AbortSignal } = {}): Promise<{ version: string }> {
    if (!(from instanceof FolderReader)) throw new CachetError('internal', 'rewriteHead of a reader this store did not open');
    throwIfAborted(opts.signal);
    const st = await replaceHead(this.locationOf(from.name), from, head, keepFrom, from.size, {
      signal: opts.signal,
      beforePlace: () => this.#beforePlace(from.name, from.version, opts.signal),
    });
    return { version: versionOf(st) };
  }

  async remove(name: string, opts: { ifVersion?: string } = {}): Promise<void> {
    const path = this.locationOf(name);
    if (opts.ifVersion !== undefined) {
      const now = await this.stat(name);
      if (!now) return;
      if (now.version !== opts.ifVersion) throw conflictError(name, path);
    }
    try {
      await unlink(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(e, `remove ${name}`, path);
    }
  }

  sync(folder: string): Promise<void> {
    return syncDir(this.locationOf(folder));
  }

  async rename(from: string, to: string): Promise<void> {
    try {
      await rename(this.locationOf(from), this.locationOf(to));
    } catch (e) {
      throw fromSystemError(e, `rename ${from}`, this.locationOf(from));
    }
  }

  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (name !== INDEX_FILE) throw new CachetError('internal', `no writer section for ${name}`);
    return withIndexLock(this.location, fn);
  }

  async sweep(): Promise<void> {
    await cleanupTemps(this.location);
    await cleanupTemps(this.locationOf(ITEMS_DIR));
    await cleanupIndexLock(this.location);
  }
}
