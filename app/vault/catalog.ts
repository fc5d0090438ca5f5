// The catalog of a vault (SPEC §9): which items it holds, as validated index entries. It refreshes
// them from the items folder (keeping entries whose file still has the recorded size and mtime,
// reading the header of every other), merges index.env when another process rewrote it, records
// changes and saves the index (a cache: saving never fails the operation that changed items). It
// also runs the two vault.json steps that need its lock and the index lock: sealing a version-1
// vault.json before the first item is sealed, and adopting new keys after a re-key (SPEC §12).
// Every index write is read-merge-write inside the store's writer section for index.env
// (VaultStore.exclusive), replacing only the version it read ({ ifVersion }) and retried a few
// times when another writer got there first [conflict].
// New items become visible only through claim(): renamed into place inside that section after
// their path was checked against the merged index (SPEC §9, concurrent writers).
// It does not seal, open or re-key items (adding.ts, vault.ts, rekey.ts do) and does not know
// where items are stored (the store does).

import type { HeaderInfo, ItemMetadata } from '../envelope.js';
import { inspectFile, readMetadata } from '../envelope.js';
import { contextMismatch } from '../format/context.js';
import { notRegularError } from '../fs/regular-file.js';
import { isItemId } from '../format/limits.js';
import { badRequest, CachetError, ITEM_LEVEL_CODES, fromSystemError, isCachetError, sleep } from '../errors.js';
import type { Keyring } from '../keys/provider.js';
import { rememberOwnConfig, sealVaultConfig, vaultIdVerdict } from './config-auth.js';
import type { ConfigSource } from './config-source.js';
import { assertNoClash, PathsInUse } from './conflicts.js';
import type { IndexEntries, IndexEntry, IndexStore } from './index-cache.js';
import { classifyItemName, INDEX_FILE, ITEMS_DIR, itemContext, type VaultKey } from './layout.js';
import { normalizeVaultPath } from './paths.js';
import { mapPool, STAT_CONCURRENCY } from './pool.js';
import type { StoreEntry, StoreReader, StoreStat, VaultStore, WriteCondition } from './store.js';
import type { ConflictCopy, VaultItem } from './types.js';

const HEADER_READ_CONCURRENCY = 8;
/**
 * SPEC §9: the waits before an item that should be there is looked for again, before it counts as
 * gone: a replace that is not atomic (a sync client deleting then writing, a network file system)
 * leaves a moment with no file. About 0.2 s in all, only when a file is missing.
 */
const ABSENT_RETRY_MS: readonly number[] = [5, 15, 40, 120];

/** Read-merge-write rounds of one index save before it gives up (the index is a cache). */
const INDEX_WRITE_ATTEMPTS = 5;
/** During a long job the index is saved at most this often, so a crash loses little of it
 * and a big index is not re-sealed for every few files. */
const INDEX_SAVE_INTERVAL_MS = 5_000;

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

export function asCachetError(e: unknown, what: string, path?: string): CachetError {
  return isCachetError(e) ? e : fromSystemError(e, what, path);
}

function closedError(): CachetError {
  return badRequest('closed', 'the vault is closed');
}

export function toItem(id: string, e: IndexEntry): VaultItem {
  const item: VaultItem = { id, path: e.path, size: e.size, mtime: e.mtime, keyIds: [...e.keys] };
  if (e.type !== undefined) item.type = e.type;
  return item;
}

export function entryOf(meta: ItemMetadata, path: string, header: HeaderInfo, st: { size: number; mtimeMs: number }): IndexEntry {
  const e: IndexEntry = { path, size: meta.size, mtime: meta.mtime, keys: header.stanzas.map((s) => s.keyId), fsize: st.size, fmtime: st.mtimeMs };
  if (meta.type !== undefined) e.type = meta.type;
  return e;
}

/** The store name of an item file (SPEC §9: items/<id>.env). */
export function itemName(id: string): string {
  if (!isItemId(id)) throw new CachetError('internal', 'not an item id');
  return `${ITEMS_DIR}/${id}.env`;
}

/**
 * A new item cannot be placed as sealed (Catalog.claim): another writer took its path meanwhile
 * ('taken': decide again), or a re-key changed the vault's keys meanwhile ('keys': seal it again
 * under the keys vault.json names now). Nothing was placed.
 */
export class PathTaken extends Error {
  override readonly name = 'PathTaken';
  readonly path: string;
  readonly why: 'taken' | 'keys';
  constructor(path: string, why: 'taken' | 'keys' = 'taken') {
    super(why === 'taken' ? 'another writer took this path meanwhile' : 'the vault was re-keyed meanwhile');
    this.path = path;
    this.why = why;
  }
}

function sameKeys(a: readonly VaultKey[], b: readonly VaultKey[]): boolean {
  return a.length === b.length && a.every((k) => b.some((o) => o.provider === k.provider && o.keyId === k.keyId));
}

interface PendingClaim {
  id: string;
  path: string;
  /** The vault keys the item was sealed under. */
  keys: readonly VaultKey[];
  replace: string[];
  replaceTaken: boolean;
  place: () => Promise<IndexEntry>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class Catalog {
  readonly id: string;
  readonly dir: string;
  readonly #store: VaultStore;
  readonly #index: IndexStore;
  readonly #keyring: Keyring;
  readonly #cfg: ConfigSource;
  /** Validated entries: each matched its item file's size and mtime when last checked. */
  #entries: IndexEntries = new Map();
  /** The paths of #entries (built when first asked, then kept in step by #setEntry/#deleteEntry). */
  #paths: PathsInUse | undefined;
  /** New items waiting to be made visible under the index writer section (claim). */
  #claims: PendingClaim[] = [];
  #claiming = false;
  /** Ids whose file was seen missing or that were removed: never merged back from an older index. */
  readonly #gone = new Set<string>();
  /** Item files whose header could not be read at the last refresh. */
  readonly #unreadable = new Map<string, CachetError>();
  /** For an unreadable item, the path the index (or this process) last gave it: a read by path says why, not "not found". */
  readonly #unreadablePaths = new Map<string, string>();
  /**
   * Items the index knew whose file is gone without a remove (a sync client or a person deleted
   * it), by id, with their last vault path: verify reports them. Kept while this process runs
   * (the saved index no longer lists them), cleared when the file is back or the item removed.
   */
  readonly #missing = new Map<string, string>();
  #conflicts: ConflictCopy[] = [];
  /** The entries in index.env as this process last read or wrote them (undefined: unknown or unusable). */
  #onDisk: IndexEntries | undefined;
  #refreshed = false;
  #changesSinceSave = 0;
  #lastSave = Date.now();
  #closed = false;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(parts: { dir: string; store: VaultStore; index: IndexStore; keyring: Keyring; config: ConfigSource }) {
    this.dir = parts.dir;
    this.id = parts.config.config.id;
    this.#store = parts.store;
    this.#index = parts.index;
    this.#keyring = parts.keyring;
    this.#cfg = parts.config;
  }

  /** The validated entries (read-only to callers: changes go through commit). */
  get entries(): IndexEntries {
    return this.#entries;
  }

  /** The paths of the entries, for conflict and clash checks (read-only to callers). */
  get paths(): PathsInUse {
    this.#paths ??= new PathsInUse(this.#entries);
    return this.#paths;
  }

  #setEntry(id: string, e: IndexEntry): void {
    const old = this.#entries.get(id);
    if (old) this.#paths?.delete(old.path, id);
    this.#entries.set(id, e);
    this.#paths?.add(e.path, id);
  }

  #deleteEntry(id: string): void {
    const old = this.#entries.get(id);
    if (!old) return;
    this.#entries.delete(id);
    this.#paths?.delete(old.path, id);
  }

  /** Item files whose header could not be read at the last refresh, by id. */
  /** Why the item the index last knew at `path` cannot be read now, if that is the case (issue 16 #12). */
  unreadableAt(path: string): CachetError | undefined {
    const id = this.#unreadablePaths.get(path);
    return id === undefined ? undefined : this.#unreadable.get(id);
  }

  get unreadable(): ReadonlyMap<string, CachetError> {
    return this.#unreadable;
  }

  /** Items the index knew whose file has gone missing (id -> last vault path). */
  get missing(): ReadonlyMap<string, string> {
    return this.#missing;
  }

  /** Sync-service copies found at the last refresh. */
  get conflicts(): readonly ConflictCopy[] {
    return this.#conflicts;
  }

  /** Whether the entries were refreshed at least once (else a lookup refreshes first). */
  get refreshed(): boolean {
    return this.#refreshed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Whether index.env holds exactly the validated entries (same ids, paths and sizes): true, false
   * (a save was missed or another writer changed it since), or null before the first refresh.
   */
  get indexFresh(): boolean | null {
    if (!this.#refreshed) return null;
    return this.#onDisk !== undefined && sameEntries(this.#entries, this.#onDisk);
  }

  /** A vault just created: its index, written empty, is known without reading it. */
  created(): void {
    this.#refreshed = true;
    this.#onDisk = new Map();
  }

  /** Forget every cached name and zero the index data key. Later calls fail [bad-request]. */
  close(): void {
    this.#closed = true;
    this.#index.close();
    this.#entries = new Map();
    this.#paths = undefined;
    this.#unreadable.clear();
    this.#unreadablePaths.clear();
    this.#missing.clear();
    this.#conflicts = [];
  }

  assertOpen(): void {
    if (this.#closed) throw closedError();
  }

  /** Serialise changes to the in-memory index and the index file. Never nest. */
  #locked<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.#chain.then(() => fn());
    this.#chain = run.catch(() => {});
    return run;
  }

  /** What opening item `id` needs: the keyring and the context the item must hold (SPEC §9). */
  itemOpts(id: string, signal?: AbortSignal): { keyring: Keyring; expectContext: Record<string, string>; signal?: AbortSignal } {
    return { keyring: this.#keyring, expectContext: { ...itemContext(this.id, id) }, signal };
  }

  /** Run `fn` on the item file, opened by the store (a regular file, no link followed), then close it. */
  async withItem<T>(id: string, fn: (f: StoreReader) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const f = await this.#again(() => this.#store.openRead(itemName(id), { signal }), signal);
    try {
      return await fn(f);
    } finally {
      await f.close();
    }
  }

  /** The item file's stat, undefined when it is gone. */
  stat(id: string): Promise<StoreStat | undefined> {
    return this.#store.stat(itemName(id));
  }

  /** `fn` again (bounded, ABSENT_RETRY_MS) while it finds no file [not-found]: a transient absence is not "gone". */
  async #again<T>(fn: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (e) {
        if (!isCachetError(e, 'not-found') || i >= ABSENT_RETRY_MS.length) throw e;
      }
      await sleep(ABSENT_RETRY_MS[i]!, signal);
    }
  }

  /** The stats of items the index knows but a listing did not show, looked for again (#again). */
  async #missingAgain(ids: string[], signal: AbortSignal | undefined): Promise<StoreEntry[]> {
    const found = await mapPool(ids, STAT_CONCURRENCY, (id) => this.#again(async () => {
      const st = await this.stat(id);
      if (!st) throw new CachetError('not-found', 'no item file', { item: id });
      return { ...st, name: `${id}.env` };
    }, signal).catch((e: unknown) => {
      if (isCachetError(e, 'not-found')) return undefined;
      throw e;
    }));
    return found.filter((f): f is StoreEntry => f !== undefined);
  }

  // -------------------------------------------------------------------------------------------
  // Refresh and save

  /**
   * Bring the in-memory entries up to date with the folder: merge the index file if someone
   * rewrote it, keep entries whose item file still has the recorded size and mtime, read the
   * header of every other item file (one unwrap each), and save the index if it changed.
   */
  async refresh(signal?: AbortSignal): Promise<void> {
    this.assertOpen();
    await this.#locked(async () => {
      this.assertOpen();
      await this.#cfg.reload();
      const keys = this.#cfg.config.keys;
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

      const listed = await this.readItemsDir(signal);
      // An item the index knows that the listing misses may be between the two steps of a
      // replace that is not atomic: looked for again before it counts as removed.
      const names = new Set(listed.map((e) => e.name));
      const unseen = [...candidates.keys()].filter((id) => !names.has(`${id}.env`) && !this.#gone.has(id));
      if (unseen.length > 0) listed.push(...(await this.#missingAgain(unseen, signal)));
      await this.#repairConflicts(listed);
      const items: { id: string; st: StoreEntry }[] = [];
      const conflicts: ConflictCopy[] = [];
      const present = new Set<string>();
      for (const st of listed) {
        const k = classifyItemName(st.name);
        if (k.kind === 'item') {
          items.push({ id: k.id, st });
          present.add(k.id);
        }
      }
      for (const { name } of listed) {
        const k = classifyItemName(name);
        if (k.kind === 'conflict') conflicts.push({ name, item: k.id, canonical: present.has(k.id) });
      }
      this.#conflicts = conflicts;

      const fresh: IndexEntries = new Map();
      const need: { id: string; st: { size: number; mtimeMs: number } }[] = [];
      const irregular: string[] = [];
      for (const { id, st } of items) {
        this.#gone.delete(id);
        if (!st.regular) {
          irregular.push(id);
          continue;
        }
        const matches = (candidates.get(id) ?? []).filter((c) => c.fsize === st.size && c.fmtime === st.mtimeMs);
        // Two sources that both match the file but disagree (a coarse mtime clock): read the header.
        if (matches.length > 0 && matches.every((m) => sameEntry(m, matches[0]!))) fresh.set(id, matches[0]!);
        else need.push({ id, st });
      }
      // The shared index (else, when it is unusable, this process's entries) is what "the index
      // knew": an item another writer removed is gone from the index it rewrote, not missing.
      const knew = this.#onDisk ?? this.#entries;
      for (const id of candidates.keys()) {
        if (present.has(id) || this.#gone.has(id)) continue; // gone already: removed here, or missing since
        this.#gone.add(id);
        const e = knew.get(id);
        if (e) this.#missing.set(id, e.path);
      }
      for (const id of present) this.#missing.delete(id);

      this.#unreadable.clear();
      for (const id of irregular) {
        this.#unreadable.set(id, notRegularError(undefined, id));
      }
      let systemic: CachetError | undefined;
      await mapPool(need, HEADER_READ_CONCURRENCY, async ({ id, st }) => {
        if (systemic) return;
        try {
          const { metadata, header } = await this.withItem(id, (f) => readMetadata(f, this.itemOpts(id, signal)), signal);
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
      this.#unreadablePaths.clear();
      for (const id of this.#unreadable.keys()) {
        const known = candidates.get(id)?.[0];
        if (known) this.#unreadablePaths.set(known.path, id);
      }
      const odd = systemic ? undefined : vaultIdVerdict(this.id, this.#unreadable, fresh.size);
      if (odd) throw odd;
      this.#entries = fresh;
      this.#paths = undefined;
      this.#refreshed = true;
      if (dirty || systemic || !this.#onDisk || !sameEntries(fresh, this.#onDisk)) await this.#saveBestEffort();
      if (systemic) throw systemic;
    });
  }

  /** The files in the items folder, with their stats (one listing: no stat per item). */
  readItemsDir(signal?: AbortSignal): Promise<StoreEntry[]> {
    return this.#store.list(ITEMS_DIR, { signal });
  }

  /**
   * A conflicted copy whose canonical file is missing (one machine removed or replaced the item
   * while another changed it) is renamed into place when its header is for that item of this
   * vault; nothing else is touched. Mutates `listed` to match.
   */
  async #repairConflicts(listed: StoreEntry[]): Promise<void> {
    const present = new Set(listed.map((e) => e.name));
    for (let i = 0; i < listed.length; i++) {
      const k = classifyItemName(listed[i]!.name);
      if (k.kind !== 'conflict' || present.has(`${k.id}.env`)) continue;
      const from = `${ITEMS_DIR}/${listed[i]!.name}`;
      let st: StoreStat | undefined;
      try {
        const f = await this.#store.openRead(from);
        let h: HeaderInfo;
        try {
          h = await inspectFile(f);
        } finally {
          await f.close();
        }
        if (contextMismatch(h.context, itemContext(this.id, k.id)) !== undefined) continue;
        await this.#store.rename(from, itemName(k.id));
        await this.#store.sync(ITEMS_DIR);
        st = await this.stat(k.id);
      } catch {
        continue; // not a usable copy: leave it for the person to look at
      }
      if (!st) continue;
      present.add(`${k.id}.env`);
      listed[i] = { ...st, name: `${k.id}.env` };
    }
  }

  /**
   * Write the index: this process's validated entries, plus entries another process wrote for
   * items this one has not seen yet (re-read and merged first, so concurrent writers keep each
   * other's entries), inside the store's writer section. Caller holds the catalog's lock.
   */
  async #save(): Promise<void> {
    await this.#store.exclusive(INDEX_FILE, () => this.#saveLocked(this.#cfg.config.keys));
  }

  /**
   * Read, merge, write { ifVersion } of what was read; again (bounded) when another writer
   * replaced it meanwhile [conflict] (the folder's lock is advisory; S3 has none). Caller is in
   * the store's writer section. Returns the index stanzas' key ids in the order of `keys`.
   */
  async #saveLocked(keys: readonly VaultKey[]): Promise<string[]> {
    let last: unknown;
    for (let attempt = 0; attempt < INDEX_WRITE_ATTEMPTS; attempt++) {
      const when = await this.#mergeFromDisk(keys);
      try {
        const resolved = await this.#index.write(this.#entries, keys, when);
        this.#onDisk = new Map(this.#entries);
        this.#changesSinceSave = 0;
        this.#lastSave = Date.now();
        return resolved;
      } catch (e) {
        if (!isCachetError(e, 'conflict') && !isCachetError(e, 'exists')) throw e;
        last = e;
        this.#index.invalidate();
      }
    }
    throw last;
  }

  /**
   * Merge into the entries what index.env holds for items this process has not seen (and whose
   * file still matches), and return the condition for writing over the version read.
   */
  async #mergeFromDisk(keys: readonly VaultKey[]): Promise<WriteCondition> {
    const disk = await this.#index.read(keys);
    if (disk.state === 'read') {
      const extra = [...disk.entries].filter(([id]) => !this.#entries.has(id) && !this.#gone.has(id));
      const stamps = await mapPool(extra, STAT_CONCURRENCY, ([id]) => this.stat(id));
      extra.forEach(([id, e], i) => {
        const st = stamps[i];
        if (st && st.size === e.fsize && st.mtimeMs === e.fmtime) this.#setEntry(id, e);
      });
    }
    return disk.state === 'missing' ? 'absent' : disk.version !== undefined ? { ifVersion: disk.version } : 'any';
  }

  /**
   * SPEC §9, a path per item under concurrent writers: make a new item visible (`place`: the
   * store's final rename) only inside the index writer section, after its path was checked
   * against the index as merged from disk just then, and write the index before the section
   * ends, so the next writer's check sees it. A path another item took meanwhile: with
   * `replaceTaken` (the 'replace' policy) those items are added to `replace` (the caller removes
   * them after); otherwise [PathTaken] is thrown and nothing is placed (the caller decides
   * again). An item sealed under keys vault.json no longer names: [PathTaken, 'keys']. A clash with a folder or a file [path-clash] is thrown whatever the policy.
   * Claims arriving together share one section and one index write.
   */
  claim(c: { id: string; path: string; keys: readonly VaultKey[]; replace: string[]; replaceTaken: boolean }, place: () => Promise<IndexEntry>): Promise<void> {
    this.assertOpen();
    return new Promise<void>((resolve, reject) => {
      this.#claims.push({ ...c, place, resolve, reject });
      if (!this.#claiming) void this.#drainClaims();
    });
  }

  async #drainClaims(): Promise<void> {
    this.#claiming = true;
    try {
      while (this.#claims.length > 0) {
        const batch = this.#claims.splice(0);
        const outcome = new Map<PendingClaim, { error: unknown } | 'placed'>();
        try {
          await this.#locked(() => this.#store.exclusive(INDEX_FILE, async () => {
            // A re-key writes vault.json inside this section (adoptKeys): an item sealed under
            // the keys it replaced is not placed (SPEC §9), so the re-key's last listing has it.
            await this.#cfg.reload();
            if (this.#cfg.unchecked) throw this.#cfg.unchecked;
            const keys = this.#cfg.config.keys;
            await this.#mergeFromDisk(keys);
            for (const c of batch) {
              try {
                await this.#placeClaim(c);
                outcome.set(c, 'placed');
              } catch (e) {
                outcome.set(c, { error: e });
              }
            }
            if ([...outcome.values()].includes('placed')) {
              try {
                await this.#saveLocked(keys);
              } catch {
                this.#index.invalidate();
                this.#onDisk = undefined;
              }
            }
          }));
        } catch (e) {
          for (const c of batch) if (!outcome.has(c)) outcome.set(c, { error: e });
        }
        for (const c of batch) {
          const o = outcome.get(c);
          if (o === 'placed') c.resolve();
          else c.reject(o?.error ?? new CachetError('internal', 'a claim was not decided'));
        }
      }
    } finally {
      this.#claiming = false;
    }
  }

  async #placeClaim(c: PendingClaim): Promise<void> {
    if (this.#closed) throw closedError();
    if (!sameKeys(c.keys, this.#cfg.config.keys)) throw new PathTaken(c.path, 'keys');
    const paths = this.paths;
    const holders: string[] = [];
    for (const id of paths.ids(c.path)) {
      if (id === c.id || c.replace.includes(id)) continue;
      const e = this.#entries.get(id);
      // An entry whose file is gone or changed (removed or renamed meanwhile) holds nothing.
      if (e && (await this.stillValid(id, e))) holders.push(id);
      else {
        this.#deleteEntry(id);
        this.#gone.add(id);
      }
    }
    assertNoClash(c.path, paths);
    if (holders.length > 0) {
      if (!c.replaceTaken) throw new PathTaken(c.path);
      c.replace.push(...holders);
    }
    const entry = await c.place();
    this.#setEntry(c.id, entry);
    this.#gone.delete(c.id);
    this.#changesSinceSave++;
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
  async commit(change: { set?: [string, IndexEntry][]; remove?: string[] }, save: 'now' | 'batch'): Promise<void> {
    await this.#locked(async () => {
      for (const [id, e] of change.set ?? []) {
        this.#setEntry(id, e);
        this.#gone.delete(id);
        this.#missing.delete(id);
      }
      for (const id of change.remove ?? []) {
        this.#deleteEntry(id);
        this.#gone.add(id);
        this.#missing.delete(id);
      }
      this.#changesSinceSave += (change.set?.length ?? 0) + (change.remove?.length ?? 0);
      if (this.#closed) return;
      if (save === 'now' || Date.now() - this.#lastSave >= INDEX_SAVE_INTERVAL_MS) await this.#saveBestEffort();
    });
  }

  async flush(): Promise<void> {
    await this.#locked(async () => {
      if (!this.#closed && this.#changesSinceSave > 0) await this.#saveBestEffort();
    });
  }

  /** Whether `e` still matches its item file (a regular file of the recorded size and mtime). */
  async stillValid(id: string, e: IndexEntry): Promise<boolean> {
    const st = await this.stat(id);
    return !!st && st.regular && st.size === e.fsize && st.mtimeMs === e.fmtime;
  }

  // -------------------------------------------------------------------------------------------
  // vault.json steps that need the catalog's lock and the index lock (SPEC §12)

  /** Make `keys` the vault's keys: the index is re-made under them (resolving aliases to ARNs), then vault.json. */
  async adoptKeys(keys: VaultKey[]): Promise<void> {
    await this.#locked(() => this.#store.exclusive(INDEX_FILE, async () => {
      this.#index.forgetKey();
      const resolved = await this.#saveLocked(keys);
      // SPEC §12: the retired keys vouch for the new set to clients that knew only them.
      const config = await sealVaultConfig({ ...this.#cfg.config, keys: keys.map((k, i) => ({ provider: k.provider, keyId: resolved[i] ?? k.keyId })) }, this.#keyring, { retired: this.#cfg.config.keys });
      // Only over the vault.json this re-key started from: another process's re-key meanwhile is
      // not overwritten [conflict] (run it again: it re-reads vault.json first).
      const stamp = await this.#cfg.write(config, this.#cfg.stamp === undefined ? 'any' : { ifVersion: this.#cfg.stamp });
      await rememberOwnConfig(config, this.#cfg.known);
      this.#cfg.config = config;
      this.#cfg.stamp = stamp;
      this.#cfg.checked = true;
      this.#cfg.unchecked = undefined;
      // The index was sealed under the keys as given; if an alias resolved to an ARN, seal it again
      // so its stanzas match vault.json (same data key: no KMS call).
      if (config.keys.some((k, i) => k.keyId !== keys[i]!.keyId)) await this.#saveLocked(config.keys);
    }));
  }

  /**
   * SPEC §12, before sealing items: vault.json must have been checked (else the reason it could not
   * be is thrown), and a version-1 vault.json is sealed (version 2) by this first write.
   */
  async readyToSeal(signal: AbortSignal | undefined): Promise<void> {
    if (this.#cfg.unchecked) throw this.#cfg.unchecked;
    if (this.#cfg.config.version !== 1) return;
    await this.#locked(() => this.#store.exclusive(INDEX_FILE, async () => {
      await this.#cfg.reload();
      if (this.#cfg.unchecked) throw this.#cfg.unchecked;
      if (this.#cfg.config.version !== 1) return;
      const config = await sealVaultConfig(this.#cfg.config, this.#keyring, { signal });
      const stamp = await this.#cfg.write(config, this.#cfg.stamp === undefined ? 'any' : { ifVersion: this.#cfg.stamp });
      await rememberOwnConfig(config, this.#cfg.known);
      this.#cfg.config = config;
      this.#cfg.stamp = stamp;
    }));
  }
}
