// Vault storage (SPEC §9): the few operations the vault needs of the place its files live, so a
// store other than a local folder (S3: ranged GET, If-None-Match, If-Match, multipart) can be
// added as one more implementation of this interface. Names are vault-relative with '/'
// (`vault.json`, `index.env`, `items/<id>.env`); a store never follows a link or opens anything
// but a regular file under such a name. It knows nothing of envelopes, ids or the index.
// The local folder is app/vault/folder-store.ts.

import type { FileHandle } from 'node:fs/promises';
import type { RegularFile } from '../fs/regular-file.js';

/** What a store says of one file. `version` is opaque: equal versions mean the same contents. */
export interface StoreStat {
  size: number;
  mtimeMs: number;
  version: string;
  /** False for a link or anything but a regular file (never read through: notRegularError). */
  regular: boolean;
}

export interface StoreWriteOptions {
  /** 'absent': create only if nothing has the name [exists]; 'any': replace whatever is there. */
  mode: 'absent' | 'any' | 'fresh';
  /** Make the name durable before returning (folder: fsync the folder). Default true. */
  sync?: boolean;
}

export interface VaultStore {
  /** Where the vault lives, for messages (a folder path). */
  readonly location: string;
  /** Open a regular file for reading; 'not-found' when absent; a link or FIFO: notRegularError. */
  openRead(name: string): Promise<RegularFile>;
  /** A small file whole (vault.json), refused past `maxBytes`; its version is that of the bytes read. */
  readSmall(name: string, maxBytes: number): Promise<{ bytes: Buffer; version: string }>;
  /** Undefined when nothing has the name. Does not follow links. */
  stat(name: string): Promise<StoreStat | undefined>;
  /** The names in a folder ('items'); 'vault-not-found' when the folder is gone. */
  list(folder: string): Promise<string[]>;
  /** Write `name` atomically: readers see it wholly old or wholly new, never partial (SPEC §9). */
  write<T>(name: string, fill: (fh: FileHandle) => Promise<T>, opts: StoreWriteOptions): Promise<T>;
  /** Remove `name`; absent is not an error. */
  remove(name: string): Promise<void>;
  /** Make earlier writes and removes in `folder` durable (one call after a batch). */
  sync(folder: string): Promise<void>;
  /** Rename `from` to `to` (replacing it): the sync-conflict repair. */
  rename(from: string, to: string): Promise<void>;
  /** Remove what killed writers left (temps), at open. */
  sweep(): Promise<void>;
  /** The local path of `name`, for code that still writes by path (sealing). */
  pathOf(name: string): string;
}
