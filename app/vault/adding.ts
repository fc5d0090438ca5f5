// Adding to a vault (SPEC §9): sealing files and folders (add) or a stream (addStream) as new
// items, one data key per item under every vault key, conflicts resolved by policy, each new item
// recorded in the catalog. A replaced item is removed only after its replacement exists. It does
// not walk folders (scan.ts), decide conflicts (conflicts.ts) or keep the index (catalog.ts).

import type { Readable } from 'node:stream';
import { sealToSink, type HeaderInfo, type ItemMetadata } from '../envelope.js';
import { badRequest, CachetError, isCachetError, throwIfAborted } from '../errors.js';
import { wipe, type Keyring } from '../keys/provider.js';
import { asCachetError, entryOf, itemName, PathTaken, toItem, type Catalog } from './catalog.js';
import type { ConfigSource } from './config-source.js';
import { PathsInUse, resolveConflict } from './conflicts.js';
import { ITEMS_DIR, itemContext, newId } from './layout.js';
import { guessMediaType } from './media-type.js';
import { normalizeFolderPath, normalizeVaultPath } from './paths.js';
import { clampConcurrency, Gate, runBatch } from './pool.js';
import { scanSources } from './scan.js';
import type { VaultStore } from './store.js';
import type { IndexEntry } from './index-cache.js';
import type { AddOptions, AddResult, AddStreamOptions, ConflictPolicy, VaultItem } from './types.js';

/** Rounds of sealing one file again after losing its path to another writer (#sealDecided). */
const CLAIM_ROUNDS = 4;
/** Sealed files of one add waiting for their claim at most (each a complete temp file, no descriptor). */
const MAX_UNPLACED = 512;
const NOT_YET = Symbol('not yet');

function metaOf(path: string, size: number | null, mtime: number | null): ItemMetadata {
  const meta: ItemMetadata = { path, size, mtime };
  const type = guessMediaType(path);
  if (type) meta.type = type;
  return meta;
}

export class Adding {
  readonly id: string;
  readonly dir: string;
  readonly #store: VaultStore;
  readonly #keyring: Keyring;
  readonly #cfg: ConfigSource;
  readonly #catalog: Catalog;
  readonly #find: (ref: string) => Promise<VaultItem>;

  constructor(parts: { store: VaultStore; keyring: Keyring; config: ConfigSource; catalog: Catalog; find: (ref: string) => Promise<VaultItem> }) {
    this.id = parts.catalog.id;
    this.dir = parts.catalog.dir;
    this.#store = parts.store;
    this.#keyring = parts.keyring;
    this.#cfg = parts.config;
    this.#catalog = parts.catalog;
    this.#find = parts.find;
  }

  /**
   * Seal one source as a new item, then (for 'replace') remove the items it replaces: the new
   * item exists before the old one goes, so a crash in between leaves both, never neither. The
   * item is made visible only through the catalog's claim of its path (SPEC §9): [PathTaken] when
   * another writer took the path meanwhile (nothing is left; decide again), unless
   * `replaceTaken`, when that writer's item is replaced too.
   */
  async #sealItem(
    source: string | Readable,
    meta: ItemMetadata,
    replace: string[],
    replaceTaken: boolean,
    signal: AbortSignal | undefined,
    onBytes: ((bytes: number) => void) | undefined,
    save: 'now' | 'batch',
    gates?: { key: Gate; seal: Gate },
    onSealed?: () => void,
  ): Promise<{ item: VaultItem; replaceError?: CachetError }> {
    const id = newId();
    const context = itemContext(this.id, id);
    const keys = this.#cfg.config.keys;
    // With gates (add): the data key is requested under the key gate and the file sealed under
    // the seal gate, so one file's disk work (write, fsync, rename) overlaps the next file's KMS
    // round trip instead of holding its slot. The key is wiped here however sealing ends.
    const dataKey = gates
      ? await gates.key.run(() => {
        throwIfAborted(signal);
        return this.#keyring.generate(keys, context, { signal });
      })
      : undefined;
    const claimed = { id, path: meta.path, keys, replace: [...replace], replaceTaken };
    let header: HeaderInfo | undefined;
    let entry: IndexEntry | undefined;
    try {
      // The store writes atomically (SPEC §9): nothing is left if sealing fails or is cancelled.
      // The name is a fresh random id: nothing can be there ('fresh': no pre-check). A batch (add)
      // makes the items folder durable once, after its last item and before it returns.
      // The seal gate's place is held until the temp is complete, not while it waits for its
      // claim: claims queue up and share one index writer section (Catalog.claim).
      let sealed!: () => void;
      const isSealed = new Promise<void>((res) => {
        sealed = res;
      });
      let writing: Promise<unknown> | undefined;
      const seal = (): Promise<unknown> => {
        writing = this.#store.write(itemName(id), async (sink) => {
          header = (await sealToSink(source, sink, {
            keyring: this.#keyring,
            keys,
            context,
            metadata: meta,
            dataKey,
            signal,
            onProgress: onBytes ? (p) => onBytes(p.bytes) : undefined,
          })).header;
        }, 'fresh', {
          sync: save !== 'batch',
          signal,
          sizeHint: meta.size ?? undefined,
          placeWithin: (place) => {
            sealed();
            onSealed?.();
            return this.#catalog.claim(claimed, async () => {
              await place();
              // From here the item exists: no more cancellation points.
              const st = (await this.#catalog.stat(id)) ?? { size: -1, mtimeMs: -1 };
              entry = entryOf(meta, meta.path, header!, st);
              return entry;
            });
          },
        });
        return Promise.race([isSealed, writing]);
      };
      await (gates ? gates.seal.run(seal) : seal());
      await writing;
    } finally {
      wipe(dataKey?.plaintext);
    }
    let replaceError: CachetError | undefined;
    const removed: string[] = [];
    for (const old of claimed.replace) {
      try {
        await this.#store.remove(itemName(old));
        removed.push(old);
      } catch (e) {
        replaceError ??= asCachetError(e, 'remove the replaced item', old);
      }
    }
    if (removed.length > 0) {
      await this.#store.sync(ITEMS_DIR).catch(() => {});
      await this.#catalog.commit({ remove: removed }, save);
    }
    const item = toItem(id, entry!);
    return replaceError ? { item, replaceError } : { item };
  }

  /**
   * Seal `source` where `target` says, again (bounded) where the catalog's claim says another
   * writer took the path meanwhile: decided anew against the paths now known, so the loser of a
   * race follows its policy (fail: [exists], skip, keep-both: the next free name).
   */
  async #sealDecided(
    wanted: string,
    policy: ConflictPolicy,
    first: { path: string; replace: string[] },
    reserved: PathsInUse,
    metaOf: (path: string) => ItemMetadata,
    run: (meta: ItemMetadata, replace: string[]) => Promise<{ item: VaultItem; replaceError?: CachetError }>,
  ): Promise<{ item: VaultItem; replaceError?: CachetError } | 'skip'> {
    let target = first;
    for (let round = 1; ; round++) {
      try {
        return await run(metaOf(target.path), target.replace);
      } catch (e) {
        if (!(e instanceof PathTaken)) throw e;
        if (round >= CLAIM_ROUNDS) {
          reserved.delete(target.path);
          throw new CachetError('conflict', 'other writers kept changing the vault while this was added', { path: wanted });
        }
        if (e.why === 'keys') continue; // the same path, sealed again under the vault's keys now
        reserved.delete(target.path);
        const again = await resolveConflict(wanted, policy, this.#catalog.paths, reserved);
        if (again === 'skip') return 'skip';
        target = again;
        reserved.add(target.path);
      }
    }
  }

  /**
   * Seal files and folders into the vault under `to`. Folders are walked (paths relative to the
   * folder's parent are kept); symbolic links are never followed and, like special files, are
   * reported in `ignored`. Each file gets its own data key under every vault key. Per-file
   * failures are collected and leave no item; the others continue. On cancel, files already
   * sealed stay (each is whole), the rest leave nothing, and 'cancelled' is thrown.
   */
  async add(sources: string[], opts: AddOptions = {}): Promise<AddResult> {
    this.#catalog.assertOpen();
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
    await this.#catalog.refresh(signal);
    if (files.length > 0) await this.#catalog.readyToSeal(signal);

    const reserved = new PathsInUse();
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
    const unplaced = new Set<Promise<unknown>>();
    let cancelledLate = false;
    const { cancelled } = await runBatch(files, { limit: 2 * concurrency, signal }, async (f) => {
      // In file order: conflicts are resolved (and asked about) one at a time.
      let target: { path: string; replace: string[] } | 'skip';
      try {
        target = await resolveConflict(f.path, policy, this.#catalog.paths, reserved);
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
      reserved.add(target.path);
      const first = target;
      return async () => {
        const key = `${f.source}\0${f.path}`;
        inflight.set(key, 0);
        let path = first.path;
        let sealed!: () => void;
        const isSealed = new Promise<void>((res) => {
          sealed = res;
        });
        const done = (async () => {
          try {
            const r = await this.#sealDecided(f.path, policy, first, reserved, (p) => metaOf(p, f.size, f.mtime), (meta, replace) => {
              path = meta.path;
              return this.#sealItem(f.source, meta, replace, policy === 'replace', signal, (b) => {
                inflight.set(key, b);
                progress(path, b, f.size);
              }, 'batch', gates, sealed);
            });
            if (r === 'skip') result.skipped.push(f.path);
            else {
              result.added.push(r.item);
              if (r.replaceError) result.failed.push({ source: f.source, path, item: r.item.id, error: r.replaceError });
            }
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
        })();
        // The batch slot is free once the file is sealed: its claim (a rename under the index
        // writer section) completes meanwhile, with others'. At most MAX_UNPLACED wait at once.
        const settled = done.then(() => undefined, (e: unknown) => e);
        await Promise.race([isSealed, settled]);
        unplaced.add(settled);
        void settled.then(() => unplaced.delete(settled));
        while (unplaced.size >= MAX_UNPLACED) await Promise.race(unplaced);
        const e = await Promise.race([settled, Promise.resolve(NOT_YET)]);
        if (e !== NOT_YET && e !== undefined) throw e;
      };
    });
    for (const e of await Promise.all(unplaced)) if (isCachetError(e, 'cancelled')) cancelledLate = true;
    // One folder fsync for the whole batch (each item file was fsynced before its rename): the
    // items are durable before add returns, also when it then reports 'cancelled'.
    if (result.added.length > 0) await this.#store.sync(ITEMS_DIR);
    await this.#catalog.flush();
    if (cancelled || cancelledLate || signal?.aborted) {
      throw new CachetError('cancelled', 'cancelled', { added: result.added.length, failed: result.failed.length });
    }
    result.added.sort((a, b) => (a.path < b.path ? -1 : 1));
    return result;
  }

  /** Seal a stream (stdin, a drop, an edited temp copy) as the item `path`. */
  async addStream(source: Readable, path: string, opts: AddStreamOptions = {}): Promise<VaultItem> {
    this.#catalog.assertOpen();
    throwIfAborted(opts.signal);
    const wanted = normalizeVaultPath(path);
    if (opts.size !== undefined && opts.size !== null && !(Number.isSafeInteger(opts.size) && opts.size >= 0)) {
      throw badRequest('size', 'size must be a non-negative integer');
    }
    await this.#catalog.refresh(opts.signal);
    await this.#catalog.readyToSeal(opts.signal);
    const policy = opts.conflict ?? 'fail';
    const reserved = new PathsInUse();
    const target = await resolveConflict(wanted, policy, this.#catalog.paths, reserved);
    if (target === 'skip') return this.#find(wanted);
    const size = opts.size ?? null;
    const mtime = opts.mtime === undefined ? Date.now() : opts.mtime;
    // A stream is read once: a second round (another writer took the path while it was sealed)
    // has nothing left to seal, so it fails [conflict] instead of sealing an empty item.
    let rounds = 0;
    const r = await this.#sealDecided(wanted, policy, target, reserved, (p) => metaOf(p, size, mtime), (meta, replace) => {
      if (rounds++ > 0) throw new CachetError('conflict', 'another writer took this path while it was added', { path: wanted });
      return this.#sealItem(source, meta, replace, policy === 'replace', opts.signal, (bytes) => {
        opts.onProgress?.({ phase: 'seal', file: meta.path, fileBytes: bytes, fileTotal: size, bytes, total: size, filesDone: 0, filesTotal: 1 });
      }, 'now');
    });
    if (r === 'skip') return this.#find(wanted);
    if (r.replaceError) throw r.replaceError;
    return r.item;
  }
}
