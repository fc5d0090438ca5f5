// Item history (SPEC §9.4): where the store keeps earlier versions (an S3 bucket with versioning),
// an item's versions are listed, any of them opened (exported) or made current again, and a
// deleted item is found and brought back. Every version is an envelope under the item's own
// context, so an earlier version authenticates exactly as the current one does; its path is read
// from its own header (one unwrap) before a restore, so a restore never gives two items one path.
// A store without history (a folder) is refused [bad-request no-history] with what to do.

import { openFile, readMetadata } from '../envelope.js';
import { badRequest, CachetError } from '../errors.js';
import type { Catalog } from './catalog.js';
import { itemName } from './catalog.js';
import { normalizeVaultPath } from './paths.js';
import { hasHistory, type StoreReader, type VaultStore, type VersionedStore } from './store.js';
import { ITEMS_DIR } from './layout.js';
import type { Writable } from 'node:stream';

export type Versioning = 'enabled' | 'suspended' | 'off';

/** One version of an item, newest first. */
export interface ItemVersion {
  versionId: string;
  /** What the item is now (the newest version, unless the item is deleted). */
  current: boolean;
  /** A delete marker: the item was deleted at `modified`. */
  deleted: boolean;
  /** The item file's size (the envelope), bytes. */
  size: number;
  /** When this version was written (ms since the epoch). */
  modified: number;
}

/** An item whose current version is a delete, with the version a restore brings back. */
export interface DeletedItem {
  id: string;
  /** The path in the last version's header; null when it could not be read (`error` says why). */
  path: string | null;
  deletedAt: number;
  versionId: string;
  size: number;
  error?: CachetError;
}

function versioned(store: VaultStore): VersionedStore {
  if (!hasHistory(store)) {
    throw badRequest('no-history', 'a folder vault keeps no earlier versions; item history needs an S3 vault with bucket versioning', { path: store.location });
  }
  return store;
}

/** Whether the store keeps versions now; a folder vault: [bad-request no-history]. */
export function versioningOf(store: VaultStore): Promise<Versioning> {
  return versioned(store).versioning();
}

export async function itemVersions(store: VaultStore, id: string, signal?: AbortSignal): Promise<ItemVersion[]> {
  const list = await versioned(store).versions(itemName(id), { signal });
  return list.map((v) => ({ versionId: v.versionId, current: v.current && v.exists, deleted: !v.exists, size: v.size, modified: v.mtimeMs }));
}

async function withVersion<T>(store: VaultStore, id: string, versionId: string, fn: (f: StoreReader) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const f = await versioned(store).openReadVersion(itemName(id), versionId, { signal });
  try {
    return await fn(f);
  } finally {
    await f.close();
  }
}

/** The vault path in a version's own header (one unwrap); [header-corrupt] when it is not one. */
export async function versionPath(store: VaultStore, catalog: Catalog, id: string, versionId: string, signal?: AbortSignal): Promise<string> {
  const { metadata } = await withVersion(store, id, versionId, (f) => readMetadata(f, catalog.itemOpts(id, signal)), signal);
  try {
    return normalizeVaultPath(metadata.path);
  } catch (e) {
    throw new CachetError('header-corrupt', 'the item path in this header is not a valid vault path', { item: id, reason: 'bad-path' }, { cause: e });
  }
}

export async function deletedItems(store: VaultStore, catalog: Catalog, signal?: AbortSignal): Promise<DeletedItem[]> {
  const out: DeletedItem[] = [];
  for (const d of await versioned(store).deleted(ITEMS_DIR, { signal })) {
    const m = /^([0-9a-f]{32})\.env$/.exec(d.name);
    if (!m) continue;
    const id = m[1]!;
    const item: DeletedItem = { id, path: null, deletedAt: d.deletedMs, versionId: d.last.versionId, size: d.last.size };
    try {
      item.path = await versionPath(store, catalog, id, d.last.versionId, signal);
    } catch (e) {
      if (e instanceof CachetError && e.code === 'cancelled') throw e;
      item.error = e instanceof CachetError ? e : new CachetError('internal', String(e));
    }
    out.push(item);
  }
  return out;
}

/**
 * Make version `versionId` of item `id` current again (a deleted item comes back). Refused
 * [exists] when another item holds the version's path now (move that one first); [conflict] when
 * another writer changed the item meanwhile. The caller refreshes the catalog afterwards.
 */
export async function restoreItem(store: VaultStore, catalog: Catalog, id: string, versionId: string, signal?: AbortSignal): Promise<{ path: string }> {
  const s = versioned(store);
  const path = await versionPath(store, catalog, id, versionId, signal);
  await catalog.refresh(signal);
  const holder = [...catalog.entries].find(([other, e]) => other !== id && e.path === path);
  if (holder) {
    throw new CachetError('exists', `another item holds ${path} now`, { path, item: holder[0], reason: 'restore-path-taken' });
  }
  const now = await s.stat(itemName(id));
  await s.restoreVersion(itemName(id), versionId, now ? { ifVersion: now.version } : 'absent', { signal });
  return { path };
}

/** Decrypt version `versionId` of item `id` into `out` (a file path, written atomically, or a stream). */
export function openVersion(store: VaultStore, catalog: Catalog, id: string, versionId: string, out: string | Writable, opts: { signal?: AbortSignal; overwrite?: boolean } = {}): Promise<Awaited<ReturnType<typeof openFile>>> {
  return withVersion(store, id, versionId, (f) => openFile(f, out, { ...catalog.itemOpts(id, opts.signal), overwrite: opts.overwrite ?? false }), opts.signal);
}
