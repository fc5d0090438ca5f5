// Vault storage (SPEC §9): the few operations the vault needs of the place its files live.
// Names are vault-relative with '/' (`vault.json`, `index.env`, `items/<id>.env`); a store never
// follows a link or opens anything but a regular file (an object) under such a name. It knows
// nothing of envelopes, ids or the index. Nothing here takes or returns a local path except
// `location`/`locationOf`, which are for messages only.

import type { ByteSink, PositionalSource } from '../stream/stream.js';

/** What a store says of one file. `version` is opaque: equal versions mean the same contents
 *  (folder: ino+size+mtime; S3: the ETag). */
export interface StoreStat {
  size: number;
  mtimeMs: number;
  version: string;
  /** False for a link or anything but a regular file (never read through: notRegularError). */
  regular: boolean;
}

/** One listed file with its stat (S3: one ListObjectsV2 page gives size+ETag, no per-item call). */
export interface StoreEntry extends StoreStat {
  /** The last segment of the name (`<id>.env`), as `list` returned before. */
  name: string;
}

/** A file opened for reading: positional reads of exactly the version that was opened
 *  (folder: pread on one descriptor; S3: ranged GETs with If-Match on that ETag, so a replaced
 *  object reads as [changed-while-reading], never as a mix). */
export interface StoreReader extends PositionalSource {
  readonly name: string;
  /** For messages: a local path, or s3://bucket/key. */
  readonly location: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly version: string;
  /** The store's current stat of this name (undefined when gone): "did it change while I read". */
  restat(): Promise<StoreStat | undefined>;
  close(): Promise<void>;
}

/**
 * When a write may happen:
 * - 'absent': only if nothing has the name, else [exists] (S3: If-None-Match: *)
 * - 'fresh': the name is a fresh random id; nothing can be there (folder: rename, no pre-check;
 *   S3: as 'absent')
 * - 'any': replace whatever is there
 * - { ifVersion }: replace only if the name still holds that version, else [conflict]
 *   (S3: If-Match on the ETag; folder: checked under the store's exclusive section)
 */
export type WriteCondition = 'absent' | 'fresh' | 'any' | { ifVersion: string };

export interface StoreWriteOptions {
  /** Make the name durable before returning (folder: fsync the folder). Default true. */
  sync?: boolean;
  signal?: AbortSignal;
  /** The byte count if known: the S3 store uses one PutObject below its part size, multipart above. */
  sizeHint?: number;
  /**
   * Run the step that makes the name visible (folder: the rename; S3: the final PutObject or
   * CompleteMultipartUpload) inside the caller's section: adding claims a new item's path under
   * the index writer section (SPEC §9). A throw from it before `place` leaves nothing.
   */
  placeWithin?: (place: () => Promise<void>) => Promise<void>;
}

export interface VaultStore {
  /** 'folder' | 's3': for messages and for what only one kind has (history: S3 versioning). */
  readonly kind: 'folder' | 's3';
  /** Where the vault lives, for messages (a folder path, or s3://bucket/prefix). */
  readonly location: string;
  /** Where `name` lives, for messages only. */
  locationOf(name: string): string;
  /** Open a regular file for reading; [not-found] when absent; a link or FIFO: notRegularError. */
  openRead(name: string, opts?: { signal?: AbortSignal }): Promise<StoreReader>;
  /** A small file whole (vault.json, index.env), refused past `maxBytes` [too-large]. */
  readSmall(name: string, maxBytes: number): Promise<{ bytes: Buffer; version: string }>;
  /** Undefined when nothing has the name. Does not follow links. */
  stat(name: string): Promise<StoreStat | undefined>;
  /** The files in a folder ('items') with their stats; [vault-not-found] when the vault is gone.
   *  Folder: readdir + lstat (bounded concurrency); S3: ListObjectsV2 pages, no per-item call. */
  list(folder: string, opts?: { signal?: AbortSignal }): Promise<StoreEntry[]>;
  /**
   * Write `name` atomically: readers see it wholly old or wholly new, never partial (SPEC §9).
   * `fill` writes the bytes in order into the sink; if it throws (or `signal` aborts) nothing is
   * left (folder: the temp is removed; S3: the multipart upload is aborted). Returns fill's result
   * and the new version.
   */
  write<T>(name: string, fill: (sink: ByteSink) => Promise<T>, when: WriteCondition, opts?: StoreWriteOptions): Promise<{ value: T; version: string }>;
  /**
   * Replace `from.name` with `head` followed by the bytes [keepFrom, from.size) of the version
   * `from` opened, only if that version is still current, else [conflict]. Folder: a new file
   * (head, then a local copy), renamed over; S3: multipart with UploadPart(head) and
   * UploadPartCopy of the kept range, so a rename of a large item moves a few MiB at most.
   * (S3 parts other than the last must be >= 5 MiB: the store handles that, e.g. by copying
   * the first MiBs of the kept range into the first uploaded part.)
   */
  rewriteHead(from: StoreReader, head: Buffer, keepFrom: number, opts?: { signal?: AbortSignal }): Promise<{ version: string }>;
  /** Remove `name`; absent is not an error. With `ifVersion`, only if it still holds that
   *  version (S3: If-Match on DeleteObject where the store supports it), else [conflict]. */
  remove(name: string, opts?: { ifVersion?: string }): Promise<void>;
  /** Make earlier writes and removes in `folder` durable (one call after a batch; S3: no-op). */
  sync(folder: string): Promise<void>;
  /** Rename `from` to `to` (replacing it): the sync-conflict repair (S3: copy then delete). */
  rename(from: string, to: string): Promise<void>;
  /**
   * Run `fn` while holding the store's writer section for `name` (the index): folder: the
   * index lock file (index-lock.ts); S3: nothing (conditional writes do the work, the caller
   * retries on [conflict]). Callers must still use { ifVersion } and retry: the folder lock is
   * advisory and may be taken over.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Make this location ready to become a new vault: [exists] when it already holds one, [bad-request
   * not-empty] when it holds anything else; what a create that died before vault.json left is
   * cleared. `undo` removes what a failed create made, never anything that was there before.
   */
  prepareNew(): Promise<{ undo(): Promise<void> }>;
  /** At open, after vault.json was read: what else the layout needs (folder: `items` is a folder). */
  checkOpen(): Promise<void>;
  /** Remove what killed writers left, at open (folder: temps; S3: incomplete multipart uploads
   *  under the prefix older than a day). */
  sweep(): Promise<void>;
}

/** One version of a name in a store that keeps them (S3 with bucket versioning). */
export interface StoreVersion {
  /** The store's id of this version (S3: VersionId). */
  versionId: string;
  /** False for a delete marker (the name was deleted then). */
  exists: boolean;
  /** Whether this is what the name holds now (a delete marker that is current: the name is deleted). */
  current: boolean;
  size: number;
  mtimeMs: number;
}

/** What a name's earlier versions are; one entry per name whose current version is a delete. */
export interface DeletedName {
  name: string;
  deletedMs: number;
  /** The newest version that holds bytes: what a restore brings back. */
  last: StoreVersion;
}

/**
 * A store that keeps earlier versions (S3 with versioning on): SPEC §9.4 "Item history". A folder
 * store has none; callers check `hasHistory`.
 */
export interface VersionedStore extends VaultStore {
  /** 'enabled', 'suspended' (versions kept, no new ones) or 'off' (never turned on). */
  versioning(): Promise<'enabled' | 'suspended' | 'off'>;
  /** Every version of `name`, newest first. */
  versions(name: string, opts?: { signal?: AbortSignal }): Promise<StoreVersion[]>;
  /** The names in `folder` whose current version is a delete marker. */
  deleted(folder: string, opts?: { signal?: AbortSignal }): Promise<DeletedName[]>;
  /** Open one version for reading ([not-found] when there is no such version). */
  openReadVersion(name: string, versionId: string, opts?: { signal?: AbortSignal }): Promise<StoreReader>;
  /** Make version `versionId` current again, when `when` allows: a server-side copy, no download. */
  restoreVersion(name: string, versionId: string, when: WriteCondition, opts?: { signal?: AbortSignal }): Promise<{ version: string }>;
}

export function hasHistory(store: VaultStore): store is VersionedStore {
  return typeof (store as Partial<VersionedStore>).versions === 'function';
}
