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
//   so they keep each other's entries too, and a new item is renamed into place only there, after
//   its path was checked against that merged index (Catalog.claim), so one path gets one item.
// - vault.json is re-read when it changes, so an instance picks up a re-key made by another process.
// - A failed operation never removes an existing item: 'replace' writes the new item first.
// - Originals are only read (sealFile opens them read-only).
// - An item file that is a symbolic link is not an item: it is reported unreadable ('bad-request',
//   reason 'symlink'), never read through; writes replace names (rename, unlink), never targets.
// - Sync-service conflicted copies (items/<id> (conflicted copy).env, ...) are never listed as items
//   and never deleted: `conflicts()` reports them. One repair is made: a copy whose canonical
//   file is missing, and whose header names that id and this vault, is renamed back into place.
//
// This class is a facade that wires its parts, one job each, and runs the short reading, moving,
// re-keying and verifying jobs itself: the catalog (catalog.ts: entries, refresh, merge with
// index.env, save, and the vault.json steps taken under its lock), adding (adding.ts: add,
// addStream, the seal of one item), writing plaintext out to a local folder (extracting.ts: the
// destination checks and the batch loop of get, extract and export), the vault.json in use (config-source.ts), storage (store.ts,
// the local folder in folder-store.ts), the index cache and its lock (index-cache.ts,
// index-lock.ts), the add scan (scan.ts), conflict decisions (conflicts.ts), one item's re-key
// (rekey.ts), the batch runner (pool.ts) and the public types (types.ts).
// It does not prompt, print or format errors (the CLI and the renderer do), and does not know
// about AWS profiles (the keyring's providers do).

import type { Readable, Writable } from 'node:stream';
import { openFile, openToBuffer, readHeader, rewriteHeader, verifyFile, type ItemMetadata } from '../envelope.js';
import { checkContext } from '../format/context.js';
import { isItemId, isKeyIdLength, isProviderType, MAX_VAULT_KEYS } from '../format/limits.js';
import { badRequest, CachetError, checkVerdict, isCachetError, throwIfAborted } from '../errors.js';
import type { Keyring, Stanza } from '../keys/provider.js';
import { Adding } from './adding.js';
import { fileDestination, writeOut } from './extracting.js';
import { asCachetError, Catalog, entryOf, itemName, toItem } from './catalog.js';
import { rememberOwnConfig, sealVaultConfig } from './config-auth.js';
import { ConfigSource } from './config-source.js';
import type { AwsClientOptions } from '../keys/aws-config.js';
import { openStore } from './open-store.js';
import { deletedItems, itemVersions, openVersion, restoreItem, versioningOf, versionPath, type DeletedItem, type ItemVersion, type Versioning } from './history.js';
export type { DeletedItem, ItemVersion, Versioning } from './history.js';
import { assertNoClash, PathsInUse } from './conflicts.js';
import { IndexStore, type IndexEntry } from './index-cache.js';
import type { KnownVaults } from './known-vaults.js';
import {
  classifyItemName, ITEMS_DIR, itemContext,
  newId, readVaultConfigVersion, VAULT_FORMAT, VAULT_VERSION, type VaultConfig, type VaultKey,
} from './layout.js';
import { guessMediaType } from './media-type.js';
import { newStanzas } from './rekey.js';
import { baseName, folderOf, isUnder, normalizeFolderPath, normalizeVaultPath } from './paths.js';
import { clampConcurrency, runBatch } from './pool.js';
import type { StoreReader, VaultStore } from './store.js';

export type { VaultKey } from './layout.js';
import type { VaultItem, ItemFailure, JobOptions, AddOptions, AddResult, AddStreamOptions, GetOptions, ExtractOptions, ExportOptions, ExportedItem, RekeyOptions, ConflictCopy, VerifyReport } from './types.js';

export type { VaultItem, Conflict, ConflictPolicy, VaultPhase, VaultProgress, ItemFailure, JobOptions, AddOptions, AddResult, AddStreamOptions, GetOptions, ExtractOptions, ExportOptions, ExportedItem, RekeyOptions, ConflictCopy, VerifyReport } from './types.js';

const MAX_PREVIEW_BYTES = 256 * 1024 * 1024;
/** Passes of one whole-vault re-key over items added while it ran, before and after vault.json changes. */
const REKEY_ROUNDS = 5;

/** An item the index knew whose file is gone (verify reports it as damaged: its content is lost here). */
function missingItemError(id: string, path: string): CachetError {
  return new CachetError('not-found', 'the item file is missing from the vault folder', { item: id, path, what: 'item file' });
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

export class Vault {
  readonly id: string;
  readonly dir: string;
  /** Where it is kept: a folder on this computer (`dir` is its path) or an S3 prefix (`dir` is its s3:// URL). */
  get storage(): 'folder' | 's3' {
    return this.#store.kind;
  }
  readonly #keyring: Keyring;
  readonly #store: VaultStore;
  readonly #index: IndexStore;
  readonly #cfg: ConfigSource;
  readonly #catalog: Catalog;
  readonly #adding: Adding;

  private constructor(store: VaultStore, config: VaultConfig, keyring: Keyring, known: KnownVaults | undefined, configVersion?: string) {
    const dir = store.location;
    this.dir = dir;
    this.id = config.id;
    this.#keyring = keyring;
    this.#store = store;
    this.#index = new IndexStore(store, config.id, keyring);
    this.#cfg = new ConfigSource(store, keyring, known, config, configVersion);
    this.#catalog = new Catalog({ dir, store: this.#store, index: this.#index, keyring, config: this.#cfg });
    this.#adding = new Adding({ store: this.#store, keyring, config: this.#cfg, catalog: this.#catalog, find: (ref) => this.find(ref) });
  }
  // -------------------------------------------------------------------------------------------
  // Create, open, close

  /**
   * Make a new vault in `dir` (created if missing). Refuses a folder that already holds a vault
   * [exists] or anything else [bad-request]. The first index is sealed at once, which checks that
   * the keys work and resolves each aws-kms key (alias or id) to the ARN stored in vault.json.
   */
  static async create(where: string | VaultStore, opts: { keys: VaultKey[]; keyring: Keyring; known?: KnownVaults; aws?: AwsClientOptions }): Promise<Vault> {
    const keys = checkKeys(opts.keys);
    const store = await openStore(where, opts.aws);
    const made = { store, ...(await store.prepareNew()) };
    let config: VaultConfig = { format: VAULT_FORMAT, version: VAULT_VERSION, id: newId(), keys, created: new Date().toISOString() };
    const vault = new Vault(made.store, config, opts.keyring, opts.known);
    try {
      const resolved = await vault.#index.write(new Map(), keys, 'any');
      config = await sealVaultConfig({ ...config, keys: keys.map((k, i) => ({ provider: k.provider, keyId: resolved[i] ?? k.keyId })) }, opts.keyring);
      // vault.json last: until it exists, this folder is not a vault and create can be retried.
      vault.#cfg.stamp = await vault.#cfg.write(config, 'absent');
      vault.#cfg.config = config;
      vault.#cfg.checked = true;
      await rememberOwnConfig(config, opts.known);
    } catch (e) {
      vault.close();
      // Another create of this folder won the race for vault.json: the files are its own now.
      if (isCachetError(e, 'exists')) throw new CachetError('exists', 'this location is already a vault', { path: made.store.location, reason: 'vault' }, { cause: e });
      await made.undo();
      throw asCachetError(e, 'create the vault', made.store.location);
    }
    vault.#catalog.created();
    return vault;
  }

  /**
   * Open the vault in `dir`: 'vault-not-found' when there is none, 'vault-corrupt' when vault.json
   * is unreadable. Removes what killed writers left (SPEC §9: temps, a dead index lock). Makes no
   * KMS call.
   */
  static async open(where: string | VaultStore, opts: { keyring: Keyring; known?: KnownVaults; aws?: AwsClientOptions }): Promise<Vault> {
    const store = await openStore(where, opts.aws);
    const { config, version } = await readVaultConfigVersion(store);
    await store.checkOpen();
    const vault = new Vault(store, config, opts.keyring, opts.known, version);
    await store.sweep();
    return vault;
  }

  /** Zero the index data key and forget every cached name. Later calls fail [bad-request]. */
  close(): void {
    this.#catalog.close();
  }

  get closed(): boolean {
    return this.#catalog.closed;
  }

  keys(): VaultKey[] {
    return this.#cfg.config.keys.map((k) => ({ ...k }));
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  /** Every readable item, by path. With a fresh index this costs one unwrap after open, then none. */
  async list(opts: { signal?: AbortSignal } = {}): Promise<VaultItem[]> {
    await this.#catalog.refresh(opts.signal);
    return [...this.#catalog.entries].map(([id, e]) => toItem(id, e)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.id < b.id ? -1 : 1));
  }

  /** Item files whose header could not be read at the last list (wrong key, corrupt, ...). */
  unreadable(): ItemFailure[] {
    return [...this.#catalog.unreadable].map(([id, error]) => ({ item: id, error }));
  }

  /** Whether index.env matches the items of the last list (null: not listed yet). */
  indexFresh(): boolean | null {
    return this.#catalog.indexFresh;
  }

  /** Sync-service copies found at the last list. They are never listed as items nor deleted. */
  conflicts(): ConflictCopy[] {
    return this.#catalog.conflicts.map((c) => ({ ...c }));
  }

  /** The item with this id, or else this vault path: 'not-found'; a path two items share: 'bad-request'. */
  async find(ref: string): Promise<VaultItem> {
    this.#catalog.assertOpen();
    if (typeof ref !== 'string' || ref.length === 0) throw badRequest('empty-ref', 'no item named');
    const path = isItemId(ref) ? undefined : normalizeVaultPath(ref);
    // `fresh`: the entries were validated by a refresh just now, so no item is stat()ed again
    // (the open that follows checks the file itself); cached entries are checked first.
    const look = async (fresh: boolean): Promise<VaultItem | undefined> => {
      const ok = async (id: string, e: IndexEntry): Promise<boolean> => fresh || this.#catalog.stillValid(id, e);
      if (isItemId(ref)) {
        const e = this.#catalog.entries.get(ref);
        if (e && (await ok(ref, e))) return toItem(ref, e);
      }
      const p = path ?? ref;
      const hits = [...this.#catalog.entries].filter(([, e]) => e.path === p);
      const valid: VaultItem[] = [];
      for (const [id, e] of hits) if (await ok(id, e)) valid.push(toItem(id, e));
      if (valid.length !== hits.length) return undefined;
      if (valid.length > 1) {
        throw badRequest('ambiguous', `${valid.length} items have this path; name one by its id`, { path: p, count: valid.length });
      }
      return valid[0];
    };
    if (this.#catalog.refreshed) {
      const hit = await look(false);
      if (hit) return hit;
    }
    await this.#catalog.refresh();
    const hit = await look(true);
    if (hit) return hit;
    // An item file that is there but cannot be read: say why, not "not found".
    const unreadable = isItemId(ref) ? this.#catalog.unreadable.get(ref) : this.#catalog.unreadableAt(path!);
    if (unreadable) throw unreadable;
    // Item files that cannot be read (a link, a damaged header) may include the one asked for: say so.
    const cannotRead = this.#catalog.unreadable.size;
    if (cannotRead > 0) throw new CachetError('not-found', `no such item among those that can be read; ${cannotRead} item file(s) cannot be read`, { ref, ...(path ? { path } : {}), reason: 'unreadable-items', count: cannotRead });
    throw new CachetError('not-found', 'no such item in the vault', { ref });
  }

  /**
   * Decrypt an item to `dest`: a file path (written atomically, only after the last chunk
   * verifies; an existing folder receives the item under its own name) or a Writable (stdout),
   * which receives verified chunks only and which the caller ends.
   */
  async get(ref: string, dest: string | Writable, opts: GetOptions = {}): Promise<VaultItem> {
    throwIfAborted(opts.signal);
    const item = await this.find(ref);
    const out = typeof dest === 'string' ? await fileDestination(dest, baseName(item.path)) : dest;
    const total = item.size;
    const emit = (bytes: number, done: number): void => opts.onProgress?.({ phase: 'open', file: item.path, fileBytes: bytes, fileTotal: total, bytes, total, filesDone: done, filesTotal: 1 });
    emit(0, 0);
    const r = await this.#catalog.withItem(item.id, (f) => openFile(f, out, {
      ...this.#catalog.itemOpts(item.id, opts.signal),
      overwrite: opts.overwrite ?? false,
      onProgress: (p) => emit(p.bytes, 0),
    }), opts.signal);
    emit(r.bytes, 1);
    return { ...item, size: r.metadata.size, mtime: r.metadata.mtime };
  }

  /**
   * Decrypt every item under the vault folder `prefix` ('' = all; an item's own path extracts
   * that item too, unless `prefix` ends in '/') into `destDir`, keeping paths relative to the prefix's parent: extracting
   * `photos` writes `destDir/photos/...`. Per-item failures are collected; the rest continue.
   */
  async extract(prefix: string, destDir: string, opts: ExtractOptions = {}): Promise<{ written: string[]; failed: ItemFailure[] }> {
    const folder = normalizeFolderPath(prefix);
    throwIfAborted(opts.signal);
    await this.#catalog.refresh(opts.signal);
    // `a/` is the folder only, without an item named `a` (a pair older vaults may hold, SPEC §9).
    const inside = typeof prefix === 'string' && prefix.endsWith('/');
    const items = [...this.#catalog.entries].filter(([, e]) => isUnder(e.path, folder) && !(inside && e.path === folder)).map(([id, e]) => toItem(id, e));
    if (items.length === 0) throw new CachetError('not-found', 'nothing in the vault under this path', { ref: prefix });
    const parent = folder === '' ? '' : folderOf(folder);
    const strip = parent === '' ? 0 : parent.length + 1;
    const r = await writeOut(this.#catalog, items.map((item) => ({ item, rel: item.path.slice(strip) })), destDir, { ...opts, overwrite: opts.overwrite ?? false, freeName: false });
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
    return writeOut(this.#catalog, items, destDir, { ...opts, overwrite: false, freeName: true });
  }

  /** The first `maxBytes` of an item's plaintext, from verified chunks only (no file written). */
  async preview(ref: string, maxBytes: number, opts: { signal?: AbortSignal } = {}): Promise<{ item: VaultItem; data: Buffer; truncated: boolean }> {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0 || maxBytes > MAX_PREVIEW_BYTES) {
      throw badRequest('max-bytes', `maxBytes must be an integer from 0 to ${MAX_PREVIEW_BYTES}`);
    }
    const item = await this.find(ref);
    const r = await this.#catalog.withItem(item.id, (f) => openToBuffer(f, { ...this.#catalog.itemOpts(item.id, opts.signal), maxBytes }));
    return { item, data: r.data, truncated: r.truncated };
  }

  // -------------------------------------------------------------------------------------------
  // Item history (history.ts): S3 vaults with bucket versioning

  /** Whether the vault's store keeps versions: 'enabled' | 'suspended' | 'off'; a folder: [no-history]. */
  versioning(): Promise<Versioning> {
    this.#catalog.assertOpen();
    return versioningOf(this.#store);
  }

  /** The versions of an item (by path or id; a deleted item by its id), newest first. */
  async versions(ref: string, opts: { signal?: AbortSignal } = {}): Promise<{ item: string; versions: ItemVersion[] }> {
    this.#catalog.assertOpen();
    const id = isItemId(ref) ? ref : (await this.find(ref)).id;
    const versions = await itemVersions(this.#store, id, opts.signal);
    if (versions.length === 0) throw new CachetError('not-found', 'no such item in the vault, now or before', { ref });
    return { item: id, versions };
  }

  /** Items deleted from the vault whose earlier versions the bucket keeps, newest deletion first. */
  deleted(opts: { signal?: AbortSignal } = {}): Promise<DeletedItem[]> {
    this.#catalog.assertOpen();
    return deletedItems(this.#store, this.#catalog, opts.signal);
  }

  /** Make an earlier version of item `id` current again (a deleted item comes back). */
  async restore(id: string, versionId: string, opts: { signal?: AbortSignal } = {}): Promise<VaultItem> {
    this.#catalog.assertOpen();
    if (!isItemId(id)) throw badRequest('empty-ref', 'name the item to restore by its id', { ref: id });
    await restoreItem(this.#store, this.#catalog, id, versionId, opts.signal);
    await this.#catalog.refresh(opts.signal);
    const e = this.#catalog.entries.get(id);
    if (!e) throw this.#catalog.unreadable.get(id) ?? new CachetError('not-found', 'the restored item is not readable', { ref: id });
    return toItem(id, e);
  }

  /** Decrypt an earlier version of item `id` to `dest` (a file path or a stream), as get does. */
  async getVersion(id: string, versionId: string, dest: string | Writable, opts: GetOptions = {}): Promise<{ path: string; size: number | null }> {
    this.#catalog.assertOpen();
    if (!isItemId(id)) throw badRequest('empty-ref', 'name the item by its id', { ref: id });
    // A file destination that is a folder receives the version under the name in its own header.
    const out = typeof dest === 'string' ? await fileDestination(dest, baseName(await versionPath(this.#store, this.#catalog, id, versionId, opts.signal))) : dest;
    const r = await openVersion(this.#store, this.#catalog, id, versionId, out, { signal: opts.signal, overwrite: opts.overwrite ?? false });
    return { path: r.metadata.path, size: r.metadata.size };
  }

  // -------------------------------------------------------------------------------------------
  // Adding (adding.ts)

  /**
   * Seal files and folders into the vault under `to`. Folders are walked (paths relative to the
   * folder's parent are kept); symbolic links are never followed and, like special files, are
   * reported in `ignored`. Each file gets its own data key under every vault key. Per-file
   * failures are collected and leave no item; the others continue. On cancel, files already
   * sealed stay (each is whole), the rest leave nothing, and 'cancelled' is thrown.
   */
  add(sources: string[], opts: AddOptions = {}): Promise<AddResult> {
    return this.#adding.add(sources, opts);
  }

  /** Seal a stream (stdin, a drop, an edited temp copy) as the item `path`. */
  addStream(source: Readable, path: string, opts: AddStreamOptions = {}): Promise<VaultItem> {
    return this.#adding.addStream(source, path, opts);
  }

  // -------------------------------------------------------------------------------------------
  // Changing items

  /** Rename or move an item; only its header's metadata is rewritten (SPEC §5), the payload is untouched. */
  async move(ref: string, newPath: string, opts: { signal?: AbortSignal } = {}): Promise<VaultItem> {
    const target = normalizeVaultPath(newPath);
    const item = await this.find(ref);
    if (item.path === target) return item;
    const others = new PathsInUse(this.#catalog.entries, item.id);
    if (others.has(target)) throw new CachetError('exists', 'an item with this path is already in the vault', { path: target });
    assertNoClash(target, others);
    const meta: ItemMetadata = { path: target, size: item.size, mtime: item.mtime };
    const type = guessMediaType(target);
    if (type) meta.type = type;
    const header = await this.#catalog.withItem(item.id, (f) => rewriteHeader(f, { metadata: meta }, this.#catalog.itemOpts(item.id, opts.signal), this.#placeHeader(f, opts.signal)));
    const st = (await this.#catalog.stat(item.id)) ?? { size: -1, mtimeMs: -1 };
    const entry = entryOf(meta, target, header, st);
    await this.#catalog.commit({ set: [[item.id, entry]] }, 'now');
    return toItem(item.id, entry);
  }

  /** Where a rewritten item header goes: the store, over the version `f` opened only (SPEC §9). */
  #placeHeader(f: StoreReader, signal: AbortSignal | undefined): (head: Buffer, keepFrom: number) => Promise<void> {
    return async (head, keepFrom) => {
      await this.#store.rewriteHead(f, head, keepFrom, { signal });
    };
  }

  /**
   * Delete an item's file, and the sync services' conflicted copies of it (SPEC §9): they are
   * versions of the item the person deleted, and one left behind would be put back as the item at
   * the next open. Returns the names of the copies removed, for the caller to say so.
   */
  async remove(ref: string): Promise<{ item: VaultItem; copies: string[] }> {
    const item = await this.find(ref);
    await this.#store.remove(itemName(item.id));
    // A fresh listing: a copy a sync client wrote since the last one counts too.
    const copies = (await this.#catalog.readItemsDir()).map((e) => e.name).filter((n) => {
      const k = classifyItemName(n);
      return k.kind === 'conflict' && k.id === item.id;
    });
    const removed: string[] = [];
    for (const name of copies) {
      await this.#store.remove(`${ITEMS_DIR}/${name}`).then(
        () => removed.push(name),
        (e: unknown) => {
          if (!isCachetError(e, 'not-found')) throw asCachetError(e, 'remove a conflicted copy', name);
        },
      );
    }
    await this.#store.sync(ITEMS_DIR).catch(() => {});
    await this.#catalog.commit({ remove: [item.id] }, 'now');
    return { item, copies: removed };
  }

  /**
   * Wrap every item's data key under `to` instead of its current keys, rewriting headers only
   * (content untouched): KMS ReEncrypt when source and target are KMS keys, else unwrap + wrap.
   * Before an item's header is replaced, each new stanza is unwrapped and checked against the
   * item's key commitment, so a re-key can never leave an item that its new keys cannot open.
   * When every item is done (and `refs` was not given) vault.json names the new keys and the index
   * is re-made under them. Items already under exactly `to` are left alone, so a re-key can be resumed.
   * Items another writer adds meanwhile are re-keyed by further passes over a fresh listing
   * (bounded, REKEY_ROUNDS); one still under the old keys at the end is reported [conflict,
   * reason rekey-missed], so a re-key that returns no failure covers every item present then.
   */
  async rekey(to: VaultKey[], opts: RekeyOptions = {}): Promise<{ done: number; failed: ItemFailure[] }> {
    const keys = checkKeys(to);
    throwIfAborted(opts.signal);
    await this.#catalog.refresh(opts.signal);
    let targets: VaultItem[];
    if (opts.refs) {
      targets = [];
      for (const r of opts.refs) targets.push(await this.find(r));
    } else {
      targets = [...this.#catalog.entries].map(([id, e]) => toItem(id, e));
    }
    const failed: ItemFailure[] = [];
    /** Ids re-keyed or reported, so a later round takes only items added meanwhile. */
    const handled = new Set<string>();
    const unreadable = (): void => {
      for (const [id, error] of this.#catalog.unreadable) {
        if (handled.has(id)) continue;
        handled.add(id);
        failed.push({ item: id, error });
      }
    };
    if (!opts.refs) unreadable();
    let done = 0;
    let total = 0;
    const pass = async (items: VaultItem[]): Promise<boolean> => {
      total += items.length;
      for (const item of items) handled.add(item.id);
      const { cancelled } = await runBatch(items, { limit: clampConcurrency(opts.concurrency), signal: opts.signal }, (item) => async () => {
        try {
          await this.#rekeyItem(item, keys, opts.signal);
          done++;
        } catch (e) {
          const err = asCachetError(e, 'rekey');
          if (err.code === 'cancelled') throw err;
          failed.push({ item: item.id, path: item.path, error: err });
        }
        opts.onProgress?.({ phase: 'rekey', file: item.path, fileBytes: 0, fileTotal: null, bytes: 0, total: null, filesDone: done + failed.length, filesTotal: total });
      });
      return cancelled;
    };
    // Items added while a pass runs (another writer still sealing under the old keys) are taken by
    // the next one, over a fresh listing; a bounded number of rounds, before and after vault.json
    // names the new keys (a writer that read it before keeps the old keys until its job ends).
    const newItems = async (): Promise<VaultItem[]> => {
      await this.#catalog.refresh(opts.signal);
      unreadable();
      return [...this.#catalog.entries].filter(([id]) => !handled.has(id)).map(([id, e]) => toItem(id, e));
    };
    let cancelled = await pass(targets);
    for (let round = 1; !opts.refs && !cancelled && round < REKEY_ROUNDS; round++) {
      const more = await newItems();
      if (more.length === 0) break;
      cancelled = await pass(more);
    }
    await this.#catalog.flush();
    if (cancelled) throw new CachetError('cancelled', 'cancelled', { done, failed: failed.length });
    if (!opts.refs && failed.length === 0) {
      await this.#catalog.adoptKeys(keys);
      const want = this.#cfg.config.keys.map((k) => k.keyId);
      const underOld = (items: VaultItem[]): VaultItem[] => items.filter((i) => !(i.keyIds.length === want.length && want.every((k) => i.keyIds.includes(k))));
      const late = underOld(await newItems());
      if (late.length > 0 && (await pass(late))) throw new CachetError('cancelled', 'cancelled', { done, failed: failed.length });
      await this.#catalog.flush();
      // SPEC §12: what is still under the old keys now is named, never left silently behind.
      for (const item of underOld(await newItems())) {
        handled.add(item.id);
        failed.push({ item: item.id, path: item.path, error: new CachetError('conflict', 'added under the old keys while the re-key ran', { item: item.id, path: item.path, reason: 'rekey-missed' }) });
      }
    }
    return { done, failed };
  }

  /** New stanzas for one item, checked, then its header rewritten. Returns the new stanzas (undefined if unchanged). */
  async #rekeyItem(item: VaultItem, keys: VaultKey[], signal: AbortSignal | undefined): Promise<Stanza[] | undefined> {
    return this.#catalog.withItem(item.id, (f) => this.#rekeyOpened(f, item, keys, signal));
  }

  async #rekeyOpened(f: StoreReader, item: VaultItem, keys: VaultKey[], signal: AbortSignal | undefined): Promise<Stanza[] | undefined> {
    const h = await readHeader(f);
    const ctx = itemContext(this.id, item.id);
    checkContext(h.context, ctx, { item: item.id });
    const out = await newStanzas(h, ctx, keys, this.#keyring, item.id, signal);
    if (!out) return undefined;
    throwIfAborted(signal);
    const header = await rewriteHeader(f, { stanzas: out }, this.#catalog.itemOpts(item.id, signal), this.#placeHeader(f, signal));
    const st = await this.#catalog.stat(item.id);
    const prev = this.#catalog.entries.get(item.id);
    if (st && prev) await this.#catalog.commit({ set: [[item.id, { ...prev, keys: header.stanzas.map((x) => x.keyId), fsize: st.size, fmtime: st.mtimeMs }]] }, 'batch');
    return out;
  }

  /**
   * Authenticate every item file (header, metadata, every chunk). `bad`: the items proven damaged
   * (and the ones the index knew whose file is gone, 'not-found'); `unchecked`: the items that
   * could not be checked (a key refused or unreachable...): app/errors.ts checkVerdict decides.
   */
  async verify(opts: JobOptions & { concurrency?: number } = {}): Promise<VerifyReport> {
    this.#catalog.assertOpen();
    throwIfAborted(opts.signal);
    // Names for the report, best effort: an item whose header cannot be read is reported below anyway.
    await this.#catalog.refresh(opts.signal).catch((e: unknown) => {
      if (isCachetError(e, 'cancelled')) throw e;
    });
    const listed = await this.#catalog.readItemsDir(opts.signal);
    const found: { id: string; size: number }[] = [];
    for (const e of listed) {
      const k = classifyItemName(e.name);
      if (k.kind === 'item') found.push({ id: k.id, size: e.size });
    }
    found.sort((a, b) => (a.id < b.id ? -1 : 1));
    const ids = found.map((f) => f.id);
    const total = found.reduce((t, f) => t + f.size, 0);
    let ok = 0;
    let doneBytes = 0;
    let filesDone = 0;
    const bad: ItemFailure[] = [];
    const unchecked: ItemFailure[] = [];
    const listedIds = new Set(ids);
    for (const [id, path] of this.#catalog.missing) {
      if (!listedIds.has(id)) bad.push({ item: id, path, error: missingItemError(id, path) });
    }
    const { cancelled } = await runBatch(ids.entries(), { limit: clampConcurrency(opts.concurrency), signal: opts.signal }, ([i, id]) => async () => {
      const fsize = found[i]!.size;
      {
        const known = this.#catalog.entries.get(id)?.path;
        try {
          const r = await this.#catalog.withItem(id, (f) => verifyFile(f, {
            ...this.#catalog.itemOpts(id, opts.signal),
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
          // Gone meanwhile: missing only if the index still lists it (not removed by this process).
          if (err.code === 'not-found' && !this.#catalog.entries.has(id)) return;
          const f = known ? { item: id, path: known, error: err } : { item: id, error: err };
          (checkVerdict(err) === 'damaged' ? bad : unchecked).push(f);
        } finally {
          doneBytes += fsize;
          filesDone++;
          opts.onProgress?.({ phase: 'verify', file: known ?? id, fileBytes: fsize, fileTotal: fsize, bytes: doneBytes, total, filesDone, filesTotal: ids.length });
        }
      }
    });
    if (cancelled) throw new CachetError('cancelled', 'cancelled', { ok, bad: bad.length, unchecked: unchecked.length });
    return { ok, bad, unchecked };
  }
}
