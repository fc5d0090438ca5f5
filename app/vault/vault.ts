// A vault (SPEC §9): a folder of independently sealed items plus a small vault.json, and the one
// API the CLI and the Electron main process call to list, add, get, extract, preview, move,
// remove, re-key and verify items. Everything is async, cancellable through an AbortSignal
// (CachetError 'cancelled') and reports progress.
//
// Invariants this module keeps:
// - An item is one file, items/<id>.env, written atomically (temp + fsync + rename, app/fs/atomic.ts)
//   by sealFile/rewriteHeader; a killed or cancelled writer leaves each item wholly old or wholly new,
//   and its temps are removed at the next open.
// - Opening an item always names the context it must hold (its id, the vault id, purpose=item), so
//   an item file copied over another's name is refused [context-mismatch].
// - The index is only a cache (index-cache.ts). Items are the truth: two processes adding at once
//   lose no item, whatever happens to the index; writers re-read and merge it under `index.lock`,
//   so they keep each other's entries too.
// - vault.json is re-read when it changes, so an instance picks up a re-key made by another process.
// - A failed operation never removes an existing item: 'replace' writes the new item first.
// - Originals are only read (sealFile opens them read-only).
// - An item file that is a symbolic link is not an item: it is reported unreadable ('bad-request',
//   reason 'symlink'), never read through; writes replace names (rename, unlink), never targets.
// - Sync-service conflicted copies (items/<id> (conflicted copy).env, ...) are never listed as items
//   and never deleted: `conflicts()` reports them. One repair is made: a copy whose canonical
//   file is missing, and whose header names that id and this vault, is renamed back into place.
//
// Its parts, one job each: storage (store.ts, the local folder in folder-store.ts), the index
// cache and its lock (index-cache.ts, index-lock.ts), the add scan (scan.ts), conflict decisions
// (conflicts.ts), one item's re-key (rekey.ts), the batch runner (pool.ts) and the public types
// (types.ts). This class holds the catalog (entries, refresh, merge, save) and runs the jobs.
// It does not prompt, print or format errors (the CLI and the renderer do), and does not know
// about AWS profiles (the keyring's providers do).

import { lstat, mkdir, readdir, realpath, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { inspectFile, openFile, openToBuffer, readMetadata, rewriteHeader, sealFile, verifyFile, type HeaderInfo, type ItemMetadata } from '../envelope.js';
import { contextMismatch, checkContext } from '../format/context.js';
import { notRegularError, type RegularFile } from '../fs/regular-file.js';
import { isItemId, isKeyIdLength, isProviderType, MAX_VAULT_KEYS } from '../format/limits.js';
import { FolderStore, versionOf } from './folder-store.js';
import { checkVaultConfig, rememberOwnConfig, sealVaultConfig, vaultIdVerdict } from './config-auth.js';
import type { KnownVaults } from './known-vaults.js';
import type { StoreStat, VaultStore } from './store.js';
import { badRequest, CachetError, ITEM_LEVEL_CODES, fromSystemError, isCachetError, throwIfAborted, type ErrorCode } from '../errors.js';

import { wipe, type Keyring, type Stanza } from '../keys/provider.js';
import { IndexStore, type IndexEntries, type IndexEntry } from './index-cache.js';
import { cleanupIndexLock, withIndexLock } from './index-lock.js';
import {
  classifyItemName, encodeVaultConfig, IGNORABLE_NAMES, INDEX_FILE, ITEMS_DIR, itemContext, itemsDir,
  newId, readVaultConfigVersion, VAULT_FILE, VAULT_FORMAT, VAULT_VERSION, type VaultConfig, type VaultKey,
} from './layout.js';
import { guessMediaType } from './media-type.js';
import { scanSources } from './scan.js';
import { newStanzas, readHeaderOf } from './rekey.js';
import { pathsInUse, resolveConflict } from './conflicts.js';
import { baseName, folderOf, isUnder, keepBothName, normalizeFolderPath, normalizeVaultPath, toFsPath } from './paths.js';
import { clampConcurrency, Gate, mapPool, runBatch } from './pool.js';

export type { VaultKey } from './layout.js';
import type { VaultItem, ItemFailure, JobOptions, AddOptions, AddResult, AddStreamOptions, GetOptions, ExtractOptions, ExportOptions, ExportedItem, RekeyOptions, ConflictCopy } from './types.js';

export type { VaultItem, Conflict, ConflictPolicy, JobProgress, ItemFailure, JobOptions, AddOptions, AddResult, AddStreamOptions, GetOptions, ExtractOptions, ExportOptions, ExportedItem, RekeyOptions, ConflictCopy } from './types.js';

const HEADER_READ_CONCURRENCY = 8;
const STAT_CONCURRENCY = 64;
/** During a long job the index is saved at most this often, so a crash loses little of it
 * and a big index is not re-sealed for every few files. */
const INDEX_SAVE_INTERVAL_MS = 5_000;
const MAX_PREVIEW_BYTES = 256 * 1024 * 1024;

function sameEntry(a: IndexEntry, b: IndexEntry): boolean {
  return a === b || (a.path === b.path && a.fsize === b.fsize && a.fmtime === b.fmtime && a.size === b.size && a.mtime === b.mtime && a.type === b.type && a.keys.join('\n') === b.keys.join('\n'));
}

function sameEntries(a: IndexEntries, b: IndexEntries): boolean {
  if (a.size !== b.size) return false;
  for (const [id, e] of a) {
    const o = b.get(id);
    if (!o || !sameEntry(e, o)) return false;
  }
  return true;
}

function asCachetError(e: unknown, what: string, path?: string): CachetError {
  return isCachetError(e) ? e : fromSystemError(e, what, path);
}

function closedError(): CachetError {
  return badRequest('closed', 'the vault is closed');
}

function toItem(id: string, e: IndexEntry): VaultItem {
  const item: VaultItem = { id, path: e.path, size: e.size, mtime: e.mtime, keys: [...e.keys] };
  if (e.type !== undefined) item.type = e.type;
  return item;
}

function entryOf(meta: ItemMetadata, path: string, header: HeaderInfo, st: { size: number; mtimeMs: number }): IndexEntry {
  const e: IndexEntry = { path, size: meta.size, mtime: meta.mtime, keys: header.stanzas.map((s) => s.keyId), fsize: st.size, fmtime: st.mtimeMs };
  if (meta.type !== undefined) e.type = meta.type;
  return e;
}

/** The store name of an item file (SPEC §9: items/<id>.env). */
function itemName(id: string): string {
  if (!isItemId(id)) throw new CachetError('internal', 'not an item id');
  return `${ITEMS_DIR}/${id}.env`;
}

function checkKeys(keys: unknown): VaultKey[] {
  if (!Array.isArray(keys) || keys.length === 0) throw badRequest('no-keys', 'a vault needs at least one key');
  if (keys.length > MAX_VAULT_KEYS) throw badRequest('too-many-keys', `a vault has at most ${MAX_VAULT_KEYS} keys`, { max: MAX_VAULT_KEYS });
  const out: VaultKey[] = [];
  for (const k of keys as unknown[]) {
    const r = k as Partial<VaultKey> | null;
    if (!r || !isProviderType(r.provider) || typeof r.keyId !== 'string' || !isKeyIdLength(r.keyId)) {
      throw badRequest('bad-key', 'a vault key is {provider: "aws-kms" | "local", keyId}');
    }
    if (out.some((o) => o.provider === r.provider && o.keyId === r.keyId)) throw badRequest('duplicate-key', 'a key is named twice', { keyId: r.keyId });
    out.push({ provider: r.provider, keyId: r.keyId });
  }
  return out;
}

/**
 * `out`, or the first of `rel (2).ext`, `rel (3).ext`... (as keep-both names a vault path) that
 * nothing holds under `root`: export never overwrites. A name taken meanwhile is still refused
 * by the no-clobber write [exists].
 */
async function freeFsName(root: string, rel: string, out: string, platform: NodeJS.Platform): Promise<string> {
  const taken = (p: string): Promise<boolean> => lstat(p).then(() => true, () => false);
  if (!(await taken(out))) return out;
  for (let n = 2; n < 10_000; n++) {
    const p = toFsPath(root, keepBothName(rel, n), platform);
    if (!(await taken(p))) return p;
  }
  throw new CachetError('exists', 'too many files of the same name', { path: out });
}

export class Vault {
  readonly id: string;
  readonly dir: string;
  #config: VaultConfig;
  readonly #keyring: Keyring;
  readonly #store: VaultStore;
  readonly #index: IndexStore;
  /** The key sets this client accepted per vault (SPEC §12); none: only the MAC is checked. */
  readonly #known: KnownVaults | undefined;
  /** Validated entries: each matched its item file's size and mtime when last checked. */
  #entries: IndexEntries = new Map();
  /** Ids whose file was seen missing or that were removed: never merged back from an older index. */
  readonly #gone = new Set<string>();
  /** Item files whose header could not be read at the last refresh. */
  readonly #unreadable = new Map<string, CachetError>();
  #conflicts: ConflictCopy[] = [];
  /** The entries in index.env as this process last read or wrote them (undefined: unknown or unusable). */
  #onDisk: IndexEntries | undefined;
  #refreshed = false;
  #configStamp: string | undefined;
  /** Why vault.json could not be checked (SPEC §12): reading goes on, sealing is refused with it. */
  #configUnchecked: CachetError | undefined;
  /** Whether #config (the vault.json of #configStamp) passed checkVaultConfig or was written here. */
  #configChecked = false;
  #changesSinceSave = 0;
  #lastSave = Date.now();
  #closed = false;
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, config: VaultConfig, keyring: Keyring, known: KnownVaults | undefined, configVersion?: string) {
    this.#known = known;
    this.dir = dir;
    this.id = config.id;
    this.#config = config;
    this.#configStamp = configVersion;
    this.#keyring = keyring;
    this.#store = new FolderStore(dir);
    this.#index = new IndexStore(dir, config.id, keyring);
  }

  // -------------------------------------------------------------------------------------------
  // Create, open, close

  /**
   * Make a new vault in `dir` (created if missing). Refuses a folder that already holds a vault
   * [exists] or anything else [bad-request]. The first index is sealed at once, which checks that
   * the keys work and resolves each aws-kms key (alias or id) to the ARN stored in vault.json.
   */
  static async create(dir: string, opts: { keys: VaultKey[]; keyring: Keyring; known?: KnownVaults }): Promise<Vault> {
    const keys = checkKeys(opts.keys);
    const abs = resolve(dir);
    let madeDir = false;
    try {
      const names = await readdir(abs);
      if (names.includes(VAULT_FILE)) throw new CachetError('exists', 'this folder is already a vault', { path: abs, reason: 'vault' });
      for (const n of names) {
        if (IGNORABLE_NAMES.has(n)) continue;
        // What a create that died before writing vault.json leaves behind: not the person's files.
        if (n === INDEX_FILE || n.startsWith('.tmp-')) continue;
        if (n === ITEMS_DIR && (await readdir(itemsDir(abs)).catch(() => ['?'])).length === 0) continue;
        throw badRequest('not-empty', 'the folder is not empty; choose an empty or new folder', { path: abs });
      }
      for (const n of names) if (n === INDEX_FILE || n.startsWith('.tmp-')) await rm(join(abs, n), { force: true });
    } catch (e) {
      if (isCachetError(e)) throw e;
      const errno = (e as NodeJS.ErrnoException).code;
      if (errno === 'ENOTDIR') throw badRequest('not-a-folder', 'this path is a file, not a folder', { path: abs }, { cause: e });
      if (errno !== 'ENOENT') throw fromSystemError(e, 'open the vault folder', abs);
      try {
        await mkdir(abs, { recursive: true });
      } catch (e2) {
        throw fromSystemError(e2, 'create the vault folder', abs);
      }
      madeDir = true;
    }
    let config: VaultConfig = { format: VAULT_FORMAT, version: VAULT_VERSION, id: newId(), keys, created: new Date().toISOString() };
    const vault = new Vault(abs, config, opts.keyring, opts.known);
    try {
      await mkdir(itemsDir(abs), { recursive: true });
      const resolved = await vault.#index.write(new Map(), keys);
      config = await sealVaultConfig({ ...config, keys: keys.map((k, i) => ({ provider: k.provider, keyId: resolved[i] ?? k.keyId })) }, opts.keyring);
      // vault.json last: until it exists, this folder is not a vault and create can be retried.
      vault.#configStamp = await vault.#writeConfig(config, 'absent');
      vault.#config = config;
      vault.#configChecked = true;
      await rememberOwnConfig(config, opts.known);
    } catch (e) {
      vault.close();
      await rm(vault.#index.file, { force: true }).catch(() => {});
      await rmdir(itemsDir(abs)).catch(() => {});
      if (madeDir) await rmdir(abs).catch(() => {});
      throw asCachetError(e, 'create the vault', abs);
    }
    vault.#refreshed = true;
    vault.#onDisk = new Map();
    return vault;
  }

  /**
   * Open the vault in `dir`: 'vault-not-found' when there is none, 'vault-corrupt' when vault.json
   * is unreadable. Removes the temps of writers that are gone (SPEC §9). Makes no KMS call.
   */
  static async open(dir: string, opts: { keyring: Keyring; known?: KnownVaults }): Promise<Vault> {
    const abs = resolve(dir);
    const { config, version } = await readVaultConfigVersion(abs);
    try {
      const st = await stat(itemsDir(abs));
      if (!st.isDirectory()) throw new CachetError('vault-corrupt', 'items is not a folder', { path: abs, reason: 'items' });
    } catch (e) {
      if (isCachetError(e)) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(e, 'open the vault', abs);
      // A sync service may not carry an empty folder: an empty vault is still a vault.
      await mkdir(itemsDir(abs), { recursive: true }).catch((e2: unknown) => {
        throw fromSystemError(e2, 'open the vault', abs);
      });
    }
    const vault = new Vault(abs, config, opts.keyring, opts.known, version);
    await vault.#store.sweep();
    await cleanupIndexLock(abs);
    return vault;
  }

  /** Zero the index data key and forget every cached name. Later calls fail [bad-request]. */
  close(): void {
    this.#closed = true;
    this.#index.close();
    this.#entries = new Map();
    this.#unreadable.clear();
    this.#conflicts = [];
  }

  get closed(): boolean {
    return this.#closed;
  }

  keys(): VaultKey[] {
    return this.#config.keys.map((k) => ({ ...k }));
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError();
  }

  /** Serialise changes to the in-memory index and the index file. Never nest. */
  #locked<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.#chain.then(() => fn());
    this.#chain = run.catch(() => {});
    return run;
  }

  #itemOpts(id: string, signal?: AbortSignal): { keyring: Keyring; expectContext: Record<string, string>; signal?: AbortSignal } {
    return { keyring: this.#keyring, expectContext: { ...itemContext(this.id, id) }, signal };
  }

  /** Run `fn` on the item file, opened by the store (a regular file, no link followed), then close it. */
  async #withItem<T>(id: string, fn: (f: RegularFile) => Promise<T>): Promise<T> {
    const f = await this.#store.openRead(itemName(id));
    try {
      return await fn(f);
    } finally {
      await f.fh.close().catch(() => {});
    }
  }

  #stat(id: string): Promise<StoreStat | undefined> {
    return this.#store.stat(itemName(id));
  }

  // -------------------------------------------------------------------------------------------
  // Index: refresh and save

  /**
   * Bring the in-memory entries up to date with the folder: merge the index file if someone
   * rewrote it, keep entries whose item file still has the recorded size and mtime, read the
   * header of every other item file (one unwrap each), and save the index if it changed.
   */
  async #refresh(signal?: AbortSignal): Promise<void> {
    this.#assertOpen();
    await this.#locked(async () => {
      this.#assertOpen();
      await this.#reloadConfig();
      const keys = this.#config.keys;
      const disk = await this.#index.read(keys, { signal });
      if (disk.state === 'read') this.#onDisk = disk.entries;
      else if (disk.state !== 'unchanged') this.#onDisk = undefined;
      let dirty = false;
      const candidates = new Map<string, IndexEntry[]>();
      for (const [id, e] of this.#entries) candidates.set(id, [e]);
      for (const [id, e] of this.#onDisk ?? []) {
        const list = candidates.get(id);
        if (list) list.push(e);
        else candidates.set(id, [e]);
      }

      const names = await this.#readItemsDir();
      await this.#repairConflicts(names);
      const ids: string[] = [];
      const conflicts: ConflictCopy[] = [];
      const present = new Set<string>();
      for (const n of names) {
        const k = classifyItemName(n);
        if (k.kind === 'item') {
          ids.push(k.id);
          present.add(k.id);
        }
      }
      for (const n of names) {
        const k = classifyItemName(n);
        if (k.kind === 'conflict') conflicts.push({ name: n, item: k.id, canonical: present.has(k.id) });
      }
      this.#conflicts = conflicts;

      const stamps = await mapPool(ids, STAT_CONCURRENCY, (id) => this.#stat(id));
      const fresh: IndexEntries = new Map();
      const need: { id: string; st: { size: number; mtimeMs: number } }[] = [];
      const irregular: string[] = [];
      ids.forEach((id, i) => {
        const st = stamps[i];
        if (!st) return;
        this.#gone.delete(id);
        if (!st.regular) {
          irregular.push(id);
          return;
        }
        const matches = (candidates.get(id) ?? []).filter((c) => c.fsize === st.size && c.fmtime === st.mtimeMs);
        // Two sources that both match the file but disagree (a coarse mtime clock): read the header.
        if (matches.length > 0 && matches.every((m) => sameEntry(m, matches[0]!))) fresh.set(id, matches[0]!);
        else need.push({ id, st });
      });
      for (const id of candidates.keys()) if (!present.has(id)) this.#gone.add(id);

      this.#unreadable.clear();
      for (const id of irregular) {
        this.#unreadable.set(id, notRegularError(undefined, id));
      }
      let systemic: CachetError | undefined;
      await mapPool(need, HEADER_READ_CONCURRENCY, async ({ id, st }) => {
        if (systemic) return;
        try {
          const { metadata, header } = await this.#withItem(id, (f) => readMetadata(f, this.#itemOpts(id, signal)));
          let path: string;
          try {
            path = normalizeVaultPath(metadata.path);
          } catch (e) {
            throw new CachetError('header-corrupt', 'the item path in this header is not a valid vault path', { item: id, reason: 'bad-path' }, { cause: e });
          }
          fresh.set(id, entryOf(metadata, path, header, st));
          dirty = true;
        } catch (e) {
          const err = asCachetError(e, 'read an item header');
          if (err.code === 'not-found') return; // removed meanwhile
          if (err.code === 'cancelled' || !ITEM_LEVEL_CODES.has(err.code)) {
            systemic ??= err;
            return;
          }
          this.#unreadable.set(id, err);
        }
      });
      const odd = systemic ? undefined : vaultIdVerdict(this.id, this.#unreadable, fresh.size);
      if (odd) throw odd;
      this.#entries = fresh;
      this.#refreshed = true;
      if (dirty || systemic || !this.#onDisk || !sameEntries(fresh, this.#onDisk)) await this.#saveBestEffort();
      if (systemic) throw systemic;
    });
  }

  /**
   * Another process may have re-keyed the vault: pick up vault.json's keys when the file changed.
   * A vault.json this process did not write itself is checked (SPEC §12) before its keys are
   * used, including the one read at open (open makes no KMS call: the check waits until here).
   */
  async #reloadConfig(): Promise<void> {
    const st = await this.#store.stat(VAULT_FILE);
    if (!st) throw new CachetError('vault-not-found', 'vault.json is gone', { path: this.dir });
    if (st.version === this.#configStamp && this.#configChecked) return;
    let config = this.#config;
    let version = this.#configStamp;
    if (st.version !== this.#configStamp) {
      ({ config, version } = await readVaultConfigVersion(this.dir));
      if (config.id !== this.id) throw new CachetError('vault-corrupt', 'vault.json now names another vault', { path: this.dir, reason: 'id-changed' });
    }
    this.#configUnchecked = await checkVaultConfig(config, this.#keyring, { known: this.#known });
    this.#config = config;
    this.#configStamp = version;
    this.#configChecked = true;
  }

  #readItemsDir(): Promise<string[]> {
    return this.#store.list(ITEMS_DIR);
  }

  /**
   * A conflicted copy whose canonical file is missing (one machine removed or replaced the item
   * while another changed it) is renamed into place when its header is for that item of this
   * vault; nothing else is touched. Mutates `names` to match.
   */
  async #repairConflicts(names: string[]): Promise<void> {
    const present = new Set(names);
    for (let i = 0; i < names.length; i++) {
      const k = classifyItemName(names[i]!);
      if (k.kind !== 'conflict' || present.has(`${k.id}.env`)) continue;
      const from = `${ITEMS_DIR}/${names[i]!}`;
      try {
        const f = await this.#store.openRead(from);
        let h: HeaderInfo;
        try {
          h = await inspectFile(f);
        } finally {
          await f.fh.close().catch(() => {});
        }
        if (contextMismatch(h.context, itemContext(this.id, k.id)) !== undefined) continue;
        await this.#store.rename(from, itemName(k.id));
        await this.#store.sync(ITEMS_DIR);
      } catch {
        continue; // not a usable copy: leave it for the person to look at
      }
      present.add(`${k.id}.env`);
      names[i] = `${k.id}.env`;
    }
  }

  /**
   * Write the index: this process's validated entries, plus entries another process wrote for
   * items this one has not seen yet (re-read and merged first, so concurrent writers keep each
   * other's entries). Caller holds the lock.
   */
  async #save(): Promise<void> {
    await withIndexLock(this.dir, () => this.#saveLocked());
  }

  async #saveLocked(): Promise<void> {
    const keys = this.#config.keys;
    const disk = await this.#index.read(keys);
    if (disk.state === 'read') {
      const extra = [...disk.entries].filter(([id]) => !this.#entries.has(id) && !this.#gone.has(id));
      const stamps = await mapPool(extra, STAT_CONCURRENCY, ([id]) => this.#stat(id));
      extra.forEach(([id, e], i) => {
        const st = stamps[i];
        if (st && st.size === e.fsize && st.mtimeMs === e.fmtime) this.#entries.set(id, e);
      });
    }
    await this.#index.write(this.#entries, keys);
    this.#onDisk = new Map(this.#entries);
    this.#changesSinceSave = 0;
    this.#lastSave = Date.now();
  }

  /** The index is a cache: failing to write it never fails the operation that changed items. */
  async #saveBestEffort(): Promise<void> {
    try {
      await this.#save();
    } catch {
      this.#index.invalidate();
      this.#onDisk = undefined;
    }
  }

  /** Record changes to items (under the lock) and save the index now, or for 'batch' at most every INDEX_SAVE_INTERVAL_MS. */
  async #commit(change: { set?: [string, IndexEntry][]; remove?: string[] }, save: 'now' | 'batch'): Promise<void> {
    await this.#locked(async () => {
      for (const [id, e] of change.set ?? []) {
        this.#entries.set(id, e);
        this.#gone.delete(id);
      }
      for (const id of change.remove ?? []) {
        this.#entries.delete(id);
        this.#gone.add(id);
      }
      this.#changesSinceSave += (change.set?.length ?? 0) + (change.remove?.length ?? 0);
      if (this.#closed) return;
      if (save === 'now' || Date.now() - this.#lastSave >= INDEX_SAVE_INTERVAL_MS) await this.#saveBestEffort();
    });
  }

  async #flush(): Promise<void> {
    await this.#locked(async () => {
      if (!this.#closed && this.#changesSinceSave > 0) await this.#saveBestEffort();
    });
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  /** Every readable item, by path. With a fresh index this costs one unwrap after open, then none. */
  async list(opts: { signal?: AbortSignal } = {}): Promise<VaultItem[]> {
    await this.#refresh(opts.signal);
    return [...this.#entries].map(([id, e]) => toItem(id, e)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.id < b.id ? -1 : 1));
  }

  /** Item files whose header could not be read at the last list (wrong key, corrupt, ...). */
  unreadable(): ItemFailure[] {
    return [...this.#unreadable].map(([id, error]) => ({ item: id, error }));
  }

  /** Sync-service copies found at the last list. They are never listed as items nor deleted. */
  conflicts(): ConflictCopy[] {
    return this.#conflicts.map((c) => ({ ...c }));
  }

  /** The item with this id, or else this vault path: 'not-found'; a path two items share: 'bad-request'. */
  async find(ref: string): Promise<VaultItem> {
    this.#assertOpen();
    if (typeof ref !== 'string' || ref.length === 0) throw badRequest('empty-ref', 'no item named');
    const path = isItemId(ref) ? undefined : normalizeVaultPath(ref);
    // `fresh`: the entries were validated by a refresh just now, so no item is stat()ed again
    // (the open that follows checks the file itself); cached entries are checked first.
    const look = async (fresh: boolean): Promise<VaultItem | undefined> => {
      const ok = async (id: string, e: IndexEntry): Promise<boolean> => fresh || this.#stillValid(id, e);
      if (isItemId(ref)) {
        const e = this.#entries.get(ref);
        if (e && (await ok(ref, e))) return toItem(ref, e);
      }
      const p = path ?? ref;
      const hits = [...this.#entries].filter(([, e]) => e.path === p);
      const valid: VaultItem[] = [];
      for (const [id, e] of hits) if (await ok(id, e)) valid.push(toItem(id, e));
      if (valid.length !== hits.length) return undefined;
      if (valid.length > 1) {
        throw badRequest('ambiguous', `${valid.length} items have this path; name one by its id`, { path: p, count: valid.length });
      }
      return valid[0];
    };
    if (this.#refreshed) {
      const hit = await look(false);
      if (hit) return hit;
    }
    await this.#refresh();
    const hit = await look(true);
    if (hit) return hit;
    // An item file that is there but cannot be read: say why, not "not found".
    const unreadable = isItemId(ref) ? this.#unreadable.get(ref) : undefined;
    if (unreadable) throw unreadable;
    throw new CachetError('not-found', 'no such item in the vault', { ref });
  }

  async #stillValid(id: string, e: IndexEntry): Promise<boolean> {
    const st = await this.#stat(id);
    return !!st && st.regular && st.size === e.fsize && st.mtimeMs === e.fmtime;
  }

  /**
   * Decrypt an item to `dest`: a file path (written atomically, only after the last chunk
   * verifies; an existing folder receives the item under its own name) or a Writable (stdout),
   * which receives verified chunks only and which the caller ends.
   */
  async get(ref: string, dest: string | Writable, opts: GetOptions = {}): Promise<VaultItem> {
    throwIfAborted(opts.signal);
    const item = await this.find(ref);
    let out: string | Writable = dest;
    if (typeof dest === 'string') {
      const st = await stat(dest).catch(() => undefined);
      if (st?.isDirectory()) out = toFsPath(dest, baseName(item.path));
    }
    const total = item.size;
    const emit = (bytes: number, done: number): void => opts.onProgress?.({ phase: 'open', file: item.path, fileBytes: bytes, fileTotal: total, bytes, total, filesDone: done, filesTotal: 1 });
    emit(0, 0);
    const r = await this.#withItem(item.id, (f) => openFile(f, out, {
      ...this.#itemOpts(item.id, opts.signal),
      overwrite: opts.overwrite ?? false,
      onProgress: (p) => emit(p.bytes, 0),
    }));
    emit(r.bytes, 1);
    return { ...item, size: r.metadata.size, mtime: r.metadata.mtime };
  }

  /**
   * Decrypt every item under the vault folder `prefix` ('' = all; an item's own path extracts
   * that item) into `destDir`, keeping paths relative to the prefix's parent: extracting
   * `photos` writes `destDir/photos/...`. Per-item failures are collected; the rest continue.
   */
  async extract(prefix: string, destDir: string, opts: ExtractOptions = {}): Promise<{ written: string[]; failed: ItemFailure[] }> {
    const folder = normalizeFolderPath(prefix);
    throwIfAborted(opts.signal);
    await this.#refresh(opts.signal);
    const items = [...this.#entries].filter(([, e]) => isUnder(e.path, folder)).map(([id, e]) => toItem(id, e));
    if (items.length === 0) throw new CachetError('not-found', 'nothing in the vault under this path', { ref: prefix });
    const parent = folder === '' ? '' : folderOf(folder);
    const strip = parent === '' ? 0 : parent.length + 1;
    const r = await this.#writeOut(items.map((item) => ({ item, rel: item.path.slice(strip) })), destDir, { ...opts, overwrite: opts.overwrite ?? false, freeName: false });
    return { written: r.written.map((w) => w.out).sort(), failed: r.failed };
  }

  /**
   * Decrypt the items `ids` into the folder `destDir` (created if missing), each under its own
   * name, or under its vault path with `keepFolders`. Never overwrites: a name already taken gets
   * ` (2)`, ` (3)`... before its extension. Per-item failures are collected; the rest continue.
   * The destination checks are extract's: toFsPath (containment, names Windows cannot create
   * refused [not-portable]) and no folder reached through a symbolic link.
   */
  async export(ids: readonly string[], destDir: string, opts: ExportOptions = {}): Promise<{ written: ExportedItem[]; failed: ItemFailure[] }> {
    throwIfAborted(opts.signal);
    const items: { item: VaultItem; rel: string }[] = [];
    for (const id of ids) {
      const item = await this.find(id);
      items.push({ item, rel: opts.keepFolders ? item.path : baseName(item.path) });
    }
    return this.#writeOut(items, destDir, { ...opts, overwrite: false, freeName: true });
  }

  /** The one loop that decrypts items into a destination folder (extract and export). */
  async #writeOut(
    items: readonly { item: VaultItem; rel: string }[],
    destDir: string,
    opts: JobOptions & { concurrency?: number; overwrite: boolean; freeName: boolean; platform?: NodeJS.Platform },
  ): Promise<{ written: ExportedItem[]; failed: ItemFailure[] }> {
    const root = resolve(destDir);
    try {
      await mkdir(root, { recursive: true });
    } catch (e) {
      throw fromSystemError(e, 'create the destination folder', root);
    }
    const realRoot = await realpath(root);
    const inside = (p: string): boolean => p === realRoot || p.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
    const escapes = (out: string): CachetError => badRequest('escapes-destination', 'the destination path leaves the chosen folder (a symbolic link?)', { path: out });
    const written: ExportedItem[] = [];
    const failed: ItemFailure[] = [];
    const total = items.reduce<number | null>((t, { item: i }) => (t === null || i.size === null ? null : t + i.size), 0);
    let doneBytes = 0;
    let filesDone = 0;
    const { cancelled } = await runBatch(items, { limit: clampConcurrency(opts.concurrency), signal: opts.signal }, ({ item, rel }) => async () => {
      let out: string | undefined;
      let fileBytes = 0;
      try {
        const platform = opts.platform ?? process.platform;
        out = toFsPath(root, rel, platform);
        // A symlink inside destDir must not carry the output elsewhere: the nearest folder that
        // exists is checked before mkdir (which would create folders through a link), and after.
        let existing = dirname(out);
        while (existing !== root && !(await lstat(existing).then(() => true, () => false))) existing = dirname(existing);
        if (!inside(await realpath(existing))) throw escapes(out);
        await mkdir(dirname(out), { recursive: true });
        if (!inside(await realpath(dirname(out)))) throw escapes(out);
        if (opts.freeName) out = await freeFsName(root, rel, out, platform);
        const dest = out;
        const r = await this.#withItem(item.id, (f) => openFile(f, dest, {
          ...this.#itemOpts(item.id, opts.signal),
          overwrite: opts.overwrite,
          onProgress: (p) => {
            fileBytes = p.bytes;
            opts.onProgress?.({ phase: 'open', file: item.path, fileBytes: p.bytes, fileTotal: item.size, bytes: doneBytes + p.bytes, total, filesDone, filesTotal: items.length });
          },
        }));
        fileBytes = r.bytes;
        written.push({ item: item.id, path: item.path, out: dest });
      } catch (e) {
        const err = asCachetError(e, 'extract', out);
        if (err.code === 'cancelled') throw err;
        failed.push({ item: item.id, path: out ?? item.path, error: err });
      } finally {
        doneBytes += fileBytes;
        filesDone++;
      }
    });
    if (cancelled) throwIfAborted(opts.signal);
    return { written, failed };
  }

  /** The first `maxBytes` of an item's plaintext, from verified chunks only (no file written). */
  async preview(ref: string, maxBytes: number, opts: { signal?: AbortSignal } = {}): Promise<{ item: VaultItem; data: Buffer; truncated: boolean }> {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0 || maxBytes > MAX_PREVIEW_BYTES) {
      throw badRequest('max-bytes', `maxBytes must be an integer from 0 to ${MAX_PREVIEW_BYTES}`);
    }
    const item = await this.find(ref);
    const r = await this.#withItem(item.id, (f) => openToBuffer(f, { ...this.#itemOpts(item.id, opts.signal), maxBytes }));
    return { item, data: r.data, truncated: r.truncated };
  }

  // -------------------------------------------------------------------------------------------
  // Adding

  /**
   * Seal one source as a new item, then (for 'replace') remove the items it replaces: the new
   * item exists before the old one goes, so a crash in between leaves both, never neither.
   */
  async #sealItem(
    source: string | Readable,
    meta: ItemMetadata,
    replace: string[],
    signal: AbortSignal | undefined,
    onBytes: ((bytes: number) => void) | undefined,
    save: 'now' | 'batch',
    gates?: { key: Gate; seal: Gate },
  ): Promise<{ item: VaultItem; replaceError?: CachetError }> {
    const id = newId();
    // Sealing still writes by path (SPEC §9 atomic write, app/fs/atomic.ts through sealFile).
    const file = this.#store.pathOf(itemName(id));
    const context = itemContext(this.id, id);
    // With gates (add): the data key is requested under the key gate and the file sealed under
    // the seal gate, so one file's disk work (write, fsync, rename) overlaps the next file's KMS
    // round trip instead of holding its slot. The key is wiped here however sealing ends.
    const dataKey = gates
      ? await gates.key.run(() => {
        throwIfAborted(signal);
        return this.#keyring.generate(this.#config.keys, context, { signal });
      })
      : undefined;
    let sealed: Awaited<ReturnType<typeof sealFile>>;
    try {
      const seal = (): ReturnType<typeof sealFile> => sealFile(source, file, {
        keyring: this.#keyring,
        keys: this.#config.keys,
        context,
        metadata: meta,
        dataKey,
        signal,
        onProgress: onBytes ? (p) => onBytes(p.bytes) : undefined,
        overwrite: false,
        // The name is a fresh random id: nothing can be there (no pre-check; rename, not link).
        fresh: true,
        // A batch (add) fsyncs the items folder once, after its last item and before it returns.
        syncDir: save !== 'batch',
      });
      sealed = gates ? await gates.seal.run(seal) : await seal();
    } finally {
      wipe(dataKey?.plaintext);
    }
    const { header } = sealed;
    // From here the item exists: no more cancellation points.
    const st = (await this.#stat(id)) ?? { size: -1, mtimeMs: -1 };
    const entry = entryOf(meta, meta.path, header, st);
    let replaceError: CachetError | undefined;
    const removed: string[] = [];
    for (const old of replace) {
      try {
        await this.#store.remove(itemName(old));
        removed.push(old);
      } catch (e) {
        replaceError ??= asCachetError(e, 'remove the replaced item', old);
      }
    }
    if (removed.length > 0) await this.#store.sync(ITEMS_DIR).catch(() => {});
    await this.#commit({ set: [[id, entry]], remove: removed }, save);
    return replaceError ? { item: toItem(id, entry), replaceError } : { item: toItem(id, entry) };
  }

  /**
   * Seal files and folders into the vault under `to`. Folders are walked (paths relative to the
   * folder's parent are kept); symbolic links are never followed and, like special files, are
   * reported in `ignored`. Each file gets its own data key under every vault key. Per-file
   * failures are collected and leave no item; the others continue. On cancel, files already
   * sealed stay (each is whole), the rest leave nothing, and 'cancelled' is thrown.
   */
  async add(sources: string[], opts: AddOptions = {}): Promise<AddResult> {
    this.#assertOpen();
    const signal = opts.signal;
    throwIfAborted(signal);
    if (!Array.isArray(sources) || sources.some((s) => typeof s !== 'string' || s.length === 0)) {
      throw badRequest('sources', 'sources must be file or folder paths');
    }
    const to = normalizeFolderPath(opts.to ?? '');
    const policy = opts.conflict ?? 'fail';
    const result: AddResult = { added: [], skipped: [], failed: [], ignored: [] };
    opts.onProgress?.({ phase: 'scan', fileBytes: 0, fileTotal: null, bytes: 0, total: null, filesDone: 0, filesTotal: 0 });
    const scan = await scanSources(sources, { to, vaultDir: this.dir, signal });
    const files = scan.files;
    result.failed.push(...scan.failed);
    result.ignored.push(...scan.ignored);
    throwIfAborted(signal);
    await this.#refresh(signal);
    if (files.length > 0) await this.#readyToSeal(signal);

    const inUse = pathsInUse(this.#entries);
    const reserved = new Set<string>();
    const total = files.reduce((t, f) => t + f.size, 0);
    let doneBytes = 0;
    let filesDone = 0;
    const inflight = new Map<string, number>();
    const progress = (file: string | undefined, fileBytes: number, fileTotal: number | null): void => {
      if (!opts.onProgress) return;
      let bytes = doneBytes;
      for (const b of inflight.values()) bytes += b;
      opts.onProgress({ phase: 'seal', file, fileBytes, fileTotal, bytes, total, filesDone, filesTotal: files.length });
    };
    const concurrency = clampConcurrency(opts.concurrency);
    // Up to `concurrency` data-key requests and `concurrency` seals at once (BENCHMARKS.md).
    const gates = { key: new Gate(concurrency), seal: new Gate(concurrency) };
    const { cancelled } = await runBatch(files, { limit: 2 * concurrency, signal }, async (f) => {
      // In file order: conflicts are resolved (and asked about) one at a time.
      let target: { path: string; replace: string[] } | 'skip';
      try {
        target = await resolveConflict(f.path, policy, inUse, reserved);
      } catch (e) {
        result.failed.push({ source: f.source, path: f.path, error: asCachetError(e, 'add') });
        doneBytes += f.size;
        filesDone++;
        return undefined;
      }
      if (target === 'skip') {
        result.skipped.push(f.path);
        doneBytes += f.size;
        filesDone++;
        return undefined;
      }
      const { path, replace } = target;
      reserved.add(path);
      const meta: ItemMetadata = { path, size: f.size, mtime: f.mtime };
      const type = guessMediaType(path);
      if (type) meta.type = type;
      return async () => {
        const key = `${f.source}\0${path}`;
        inflight.set(key, 0);
        try {
          const r = await this.#sealItem(f.source, meta, replace, signal, (b) => {
            inflight.set(key, b);
            progress(path, b, f.size);
          }, 'batch', gates);
          result.added.push(r.item);
          if (r.replaceError) result.failed.push({ source: f.source, path, item: r.item.id, error: r.replaceError });
        } catch (e) {
          const err = asCachetError(e, 'add', f.source);
          reserved.delete(path);
          if (err.code === 'cancelled') throw err;
          result.failed.push({ source: f.source, path, error: err });
        } finally {
          inflight.delete(key);
          doneBytes += f.size;
          filesDone++;
          progress(path, f.size, f.size);
        }
      };
    });
    // One folder fsync for the whole batch (each item file was fsynced before its rename): the
    // items are durable before add returns, also when it then reports 'cancelled'.
    if (result.added.length > 0) await this.#store.sync(ITEMS_DIR);
    await this.#flush();
    if (cancelled || signal?.aborted) {
      throw new CachetError('cancelled', 'cancelled', { added: result.added.length, failed: result.failed.length });
    }
    result.added.sort((a, b) => (a.path < b.path ? -1 : 1));
    return result;
  }

  /** Seal a stream (stdin, a drop, an edited temp copy) as the item `path`. */
  async addStream(source: Readable, path: string, opts: AddStreamOptions = {}): Promise<VaultItem> {
    this.#assertOpen();
    throwIfAborted(opts.signal);
    const wanted = normalizeVaultPath(path);
    if (opts.size !== undefined && opts.size !== null && !(Number.isSafeInteger(opts.size) && opts.size >= 0)) {
      throw badRequest('size', 'size must be a non-negative integer');
    }
    await this.#refresh(opts.signal);
    await this.#readyToSeal(opts.signal);
    const inUse = pathsInUse(this.#entries);
    const target = await resolveConflict(wanted, opts.conflict ?? 'fail', inUse, new Set());
    if (target === 'skip') return this.find(wanted);
    const meta: ItemMetadata = { path: target.path, size: opts.size ?? null, mtime: opts.mtime === undefined ? Date.now() : opts.mtime };
    const type = guessMediaType(target.path);
    if (type) meta.type = type;
    const total = meta.size;
    const r = await this.#sealItem(source, meta, target.replace, opts.signal, (bytes) => {
      opts.onProgress?.({ phase: 'seal', file: target.path, fileBytes: bytes, fileTotal: total, bytes, total, filesDone: 0, filesTotal: 1 });
    }, 'now');
    if (r.replaceError) throw r.replaceError;
    return r.item;
  }

  // -------------------------------------------------------------------------------------------
  // Changing items

  /** Rename or move an item; only its header's metadata is rewritten (SPEC §5), the payload is untouched. */
  async move(ref: string, newPath: string, opts: { signal?: AbortSignal } = {}): Promise<VaultItem> {
    const target = normalizeVaultPath(newPath);
    const item = await this.find(ref);
    if (item.path === target) return item;
    if ([...this.#entries].some(([id, e]) => id !== item.id && e.path === target)) {
      throw new CachetError('exists', 'an item with this path is already in the vault', { path: target });
    }
    const meta: ItemMetadata = { path: target, size: item.size, mtime: item.mtime };
    const type = guessMediaType(target);
    if (type) meta.type = type;
    const header = await this.#withItem(item.id, (f) => rewriteHeader(f, { metadata: meta }, this.#itemOpts(item.id, opts.signal)));
    const st = (await this.#stat(item.id)) ?? { size: -1, mtimeMs: -1 };
    const entry = entryOf(meta, target, header, st);
    await this.#commit({ set: [[item.id, entry]] }, 'now');
    return toItem(item.id, entry);
  }

  /** Delete an item's file. */
  async remove(ref: string): Promise<void> {
    const item = await this.find(ref);
    await this.#store.remove(itemName(item.id));
    await this.#store.sync(ITEMS_DIR).catch(() => {});
    await this.#commit({ remove: [item.id] }, 'now');
  }

  /**
   * Wrap every item's data key under `to` instead of its current keys, rewriting headers only
   * (content untouched): KMS ReEncrypt when source and target are KMS keys, else unwrap + wrap.
   * Before an item's header is replaced, each new stanza is unwrapped and checked against the
   * item's key commitment, so a re-key can never leave an item that its new keys cannot open.
   * When every item is done (and `refs` was not given) vault.json names the new keys and the index
   * is re-made under them. Items already under exactly `to` are left alone, so a re-key can be resumed.
   */
  async rekey(to: VaultKey[], opts: RekeyOptions = {}): Promise<{ done: number; failed: ItemFailure[] }> {
    const keys = checkKeys(to);
    throwIfAborted(opts.signal);
    await this.#refresh(opts.signal);
    let targets: VaultItem[];
    if (opts.refs) {
      targets = [];
      for (const r of opts.refs) targets.push(await this.find(r));
    } else {
      targets = [...this.#entries].map(([id, e]) => toItem(id, e));
    }
    const failed: ItemFailure[] = [];
    if (!opts.refs) for (const [id, error] of this.#unreadable) failed.push({ item: id, error });
    let done = 0;
    const { cancelled } = await runBatch(targets, { limit: clampConcurrency(opts.concurrency), signal: opts.signal }, (item) => async () => {
      try {
        await this.#rekeyItem(item, keys, opts.signal);
        done++;
      } catch (e) {
        const err = asCachetError(e, 'rekey');
        if (err.code === 'cancelled') throw err;
        failed.push({ item: item.id, path: item.path, error: err });
      }
      opts.onProgress?.({ phase: 'rekey', file: item.path, fileBytes: 0, fileTotal: null, bytes: 0, total: null, filesDone: done + failed.length, filesTotal: targets.length });
    });
    await this.#flush();
    if (cancelled) throw new CachetError('cancelled', 'cancelled', { done, failed: failed.length });
    if (!opts.refs && failed.length === 0) await this.#adoptKeys(keys);
    return { done, failed };
  }

  /** New stanzas for one item, checked, then its header rewritten. Returns the new stanzas (undefined if unchanged). */
  async #rekeyItem(item: VaultItem, keys: VaultKey[], signal: AbortSignal | undefined): Promise<Stanza[] | undefined> {
    return this.#withItem(item.id, (f) => this.#rekeyOpened(f, item, keys, signal));
  }

  async #rekeyOpened(f: RegularFile, item: VaultItem, keys: VaultKey[], signal: AbortSignal | undefined): Promise<Stanza[] | undefined> {
    const h = await readHeaderOf(f);
    const ctx = itemContext(this.id, item.id);
    checkContext(h.context, ctx, { item: item.id });
    const out = await newStanzas(h, ctx, keys, this.#keyring, item.id, signal);
    if (!out) return undefined;
    throwIfAborted(signal);
    const header = await rewriteHeader(f, { stanzas: out }, this.#itemOpts(item.id, signal));
    const st = await this.#stat(item.id);
    const prev = this.#entries.get(item.id);
    if (st && prev) await this.#commit({ set: [[item.id, { ...prev, keys: header.stanzas.map((x) => x.keyId), fsize: st.size, fmtime: st.mtimeMs }]] }, 'batch');
    return out;
  }

  /** Make `keys` the vault's keys: the index is re-made under them (resolving aliases to ARNs), then vault.json. */
  async #adoptKeys(keys: VaultKey[]): Promise<void> {
    await this.#locked(() => withIndexLock(this.dir, async () => {
      this.#index.forgetKey();
      const resolved = await this.#index.write(this.#entries, keys);
      // SPEC §12: the retired keys vouch for the new set to clients that knew only them.
      const config = await sealVaultConfig({ ...this.#config, keys: keys.map((k, i) => ({ provider: k.provider, keyId: resolved[i] ?? k.keyId })) }, this.#keyring, { retired: this.#config.keys });
      const stamp = await this.#writeConfig(config, 'any');
      await rememberOwnConfig(config, this.#known);
      this.#config = config;
      this.#configStamp = stamp;
      this.#configChecked = true;
      this.#configUnchecked = undefined;
      // The index was sealed under the keys as given; if an alias resolved to an ARN, seal it again
      // so its stanzas match vault.json (same data key: no KMS call).
      if (config.keys.some((k, i) => k.keyId !== keys[i]!.keyId)) await this.#index.write(this.#entries, config.keys);
      this.#onDisk = new Map(this.#entries);
    }));
  }

  /** Write vault.json (SPEC §9, §12); returns its version, taken from the written file itself. */
  #writeConfig(config: VaultConfig, mode: 'absent' | 'any'): Promise<string> {
    const bytes = encodeVaultConfig(config);
    return this.#store.write(VAULT_FILE, async (fh) => {
      await fh.writeFile(bytes);
      return versionOf(await fh.stat());
    }, { mode });
  }

  /**
   * SPEC §12, before sealing items: vault.json must have been checked (else the reason it could not
   * be is thrown), and a version-1 vault.json is sealed (version 2) by this first write.
   */
  async #readyToSeal(signal: AbortSignal | undefined): Promise<void> {
    if (this.#configUnchecked) throw this.#configUnchecked;
    if (this.#config.version !== 1) return;
    await this.#locked(() => withIndexLock(this.dir, async () => {
      await this.#reloadConfig();
      if (this.#configUnchecked) throw this.#configUnchecked;
      if (this.#config.version !== 1) return;
      const config = await sealVaultConfig(this.#config, this.#keyring, { signal });
      const stamp = await this.#writeConfig(config, 'any');
      await rememberOwnConfig(config, this.#known);
      this.#config = config;
      this.#configStamp = stamp;
    }));
  }

  /** Authenticate every item file (header, metadata, every chunk) and report each bad one. */
  async verify(opts: JobOptions & { concurrency?: number } = {}): Promise<{ ok: number; bad: ItemFailure[] }> {
    this.#assertOpen();
    throwIfAborted(opts.signal);
    // Names for the report, best effort: an item whose header cannot be read is reported below anyway.
    await this.#refresh(opts.signal).catch((e: unknown) => {
      if (isCachetError(e, 'cancelled')) throw e;
    });
    const names = await this.#readItemsDir();
    const ids: string[] = [];
    for (const n of names) {
      const k = classifyItemName(n);
      if (k.kind === 'item') ids.push(k.id);
    }
    ids.sort();
    const sizes = await mapPool(ids, STAT_CONCURRENCY, (id) => this.#stat(id));
    const total = sizes.reduce((t, s) => t + (s?.size ?? 0), 0);
    let ok = 0;
    let doneBytes = 0;
    let filesDone = 0;
    const bad: ItemFailure[] = [];
    const { cancelled } = await runBatch(ids.entries(), { limit: clampConcurrency(opts.concurrency), signal: opts.signal }, ([i, id]) => async () => {
      const fsize = sizes[i]?.size ?? 0;
      {
        const known = this.#entries.get(id)?.path;
        try {
          const r = await this.#withItem(id, (f) => verifyFile(f, {
            ...this.#itemOpts(id, opts.signal),
            onProgress: (p) => opts.onProgress?.({ phase: 'verify', file: known ?? id, fileBytes: p.bytes, fileTotal: p.total, bytes: doneBytes, total, filesDone, filesTotal: ids.length }),
          }));
          try {
            normalizeVaultPath(r.metadata.path);
          } catch (e) {
            throw new CachetError('header-corrupt', 'the item path in this header is not a valid vault path', { item: id, reason: 'bad-path' }, { cause: e });
          }
          ok++;
        } catch (e) {
          const err = asCachetError(e, 'verify');
          if (err.code === 'cancelled') throw err;
          if (err.code !== 'not-found') bad.push(known ? { item: id, path: known, error: err } : { item: id, error: err });
        } finally {
          doneBytes += fsize;
          filesDone++;
          opts.onProgress?.({ phase: 'verify', file: known ?? id, fileBytes: fsize, fileTotal: fsize, bytes: doneBytes, total, filesDone, filesTotal: ids.length });
        }
      }
    });
    if (cancelled) throw new CachetError('cancelled', 'cancelled', { ok, bad: bad.length });
    return { ok, bad };
  }
}
