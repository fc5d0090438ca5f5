// Adding to a vault (SPEC §9): sealing files and folders (add) or a stream (addStream) as new
// items, one data key per item under every vault key, conflicts resolved by policy, each new item
// recorded in the catalog. A replaced item is removed only after its replacement exists. It does
// not walk folders (scan.ts), decide conflicts (conflicts.ts) or keep the index (catalog.ts).

import type { Readable } from 'node:stream';
import { sealToSink, type ItemMetadata } from '../envelope.js';
import { badRequest, CachetError, throwIfAborted } from '../errors.js';
import { wipe, type Keyring } from '../keys/provider.js';
import { asCachetError, entryOf, itemName, toItem, type Catalog } from './catalog.js';
import type { ConfigSource } from './config-source.js';
import { PathsInUse, resolveConflict } from './conflicts.js';
import { ITEMS_DIR, itemContext, newId } from './layout.js';
import { guessMediaType } from './media-type.js';
import { normalizeFolderPath, normalizeVaultPath } from './paths.js';
import { clampConcurrency, Gate, runBatch } from './pool.js';
import { scanSources } from './scan.js';
import type { VaultStore } from './store.js';
import type { AddOptions, AddResult, AddStreamOptions, VaultItem } from './types.js';

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
    const context = itemContext(this.id, id);
    // With gates (add): the data key is requested under the key gate and the file sealed under
    // the seal gate, so one file's disk work (write, fsync, rename) overlaps the next file's KMS
    // round trip instead of holding its slot. The key is wiped here however sealing ends.
    const dataKey = gates
      ? await gates.key.run(() => {
        throwIfAborted(signal);
        return this.#keyring.generate(this.#cfg.config.keys, context, { signal });
      })
      : undefined;
    let sealed: Awaited<ReturnType<typeof sealToSink>>;
    try {
      // The store writes atomically (SPEC §9): nothing is left if sealing fails or is cancelled.
      // The name is a fresh random id: nothing can be there ('fresh': no pre-check). A batch (add)
      // makes the items folder durable once, after its last item and before it returns.
      const seal = async (): Promise<Awaited<ReturnType<typeof sealToSink>>> => (await this.#store.write(itemName(id), (sink) => sealToSink(source, sink, {
        keyring: this.#keyring,
        keys: this.#cfg.config.keys,
        context,
        metadata: meta,
        dataKey,
        signal,
        onProgress: onBytes ? (p) => onBytes(p.bytes) : undefined,
      }), 'fresh', { sync: save !== 'batch', signal, sizeHint: meta.size ?? undefined })).value;
      sealed = gates ? await gates.seal.run(seal) : await seal();
    } finally {
      wipe(dataKey?.plaintext);
    }
    const { header } = sealed;
    // From here the item exists: no more cancellation points.
    const st = (await this.#catalog.stat(id)) ?? { size: -1, mtimeMs: -1 };
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
    await this.#catalog.commit({ set: [[id, entry]], remove: removed }, save);
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

    const inUse = new PathsInUse(this.#catalog.entries);
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
    await this.#catalog.flush();
    if (cancelled || signal?.aborted) {
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
    const target = await resolveConflict(wanted, opts.conflict ?? 'fail', new PathsInUse(this.#catalog.entries), new PathsInUse());
    if (target === 'skip') return this.#find(wanted);
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
}
