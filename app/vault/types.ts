// The public types of the vault API (app/vault/vault.ts): items, job options and results,
// progress and failures, shared by the CLI and the Electron main process. No code.

import type { CachetError } from '../errors.js';

export interface VaultItem {
  id: string;
  path: string;
  size: number | null;
  mtime: number | null;
  keyIds: string[];
  type?: string;
}

export type Conflict = 'fail' | 'replace' | 'keep-both' | 'skip';
export type ConflictPolicy = Conflict | ((path: string) => Conflict | Promise<Conflict>);

/** What a vault job is doing: scanning sources, sealing (add), opening (get/extract), verifying, re-keying. */
export type VaultPhase = 'scan' | 'seal' | 'open' | 'verify' | 'rekey';

export interface VaultProgress {
  phase: VaultPhase;
  file?: string;
  fileBytes: number;
  fileTotal: number | null;
  bytes: number;
  total: number | null;
  filesDone: number;
  filesTotal: number;
}

export interface ItemFailure {
  /** The file-system path of an original (add). */
  source?: string;
  /** The item id. */
  item?: string;
  /** The vault path (or, for extract, the output path). */
  path?: string;
  error: CachetError;
}

/** What verify found: items that authenticated, items proven damaged, items that could not be checked. */
export interface VerifyReport {
  ok: number;
  bad: ItemFailure[];
  unchecked: ItemFailure[];
}

export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (p: VaultProgress) => void;
}

export interface AddOptions extends JobOptions {
  /** Vault folder to add under ('' = root). */
  to?: string;
  /** What to do when the vault path is taken (default 'fail'). */
  conflict?: ConflictPolicy;
  /** Files sealed at once, and data keys requested at once (default 4, at most 64). */
  concurrency?: number;
}

export interface AddResult {
  added: VaultItem[];
  /** Vault paths not added because they existed and the policy said 'skip'. */
  skipped: string[];
  failed: ItemFailure[];
  /** Sources not added by design: symbolic links (never followed) and special files. */
  ignored: ItemFailure[];
}

export interface AddStreamOptions extends JobOptions {
  conflict?: ConflictPolicy;
  /** Plaintext size when known (checked when sealing); null otherwise. */
  size?: number | null;
  /** Modification time to record (ms since the epoch; default now). */
  mtime?: number | null;
}

export interface GetOptions extends JobOptions {
  overwrite?: boolean;
}

export interface ExtractOptions extends GetOptions {
  concurrency?: number;
}

export interface ExportOptions extends JobOptions {
  /** Write each item under its vault path (folders made), not only its name. */
  keepFolders?: boolean;
  concurrency?: number;
  /** Whose file-name rules apply (default this process's; tests pass 'win32'). */
  platform?: NodeJS.Platform;
}

/** One item written by export: its id and vault path, and the file it went to. */
export interface ExportedItem {
  item: string;
  path: string;
  out: string;
}

export interface RekeyOptions extends JobOptions {
  /** Only these items (ids or paths); vault.json keeps its keys. Default: every item. */
  refs?: string[];
  concurrency?: number;
}

/** A sync-service copy found beside an item (SPEC §9 leaves them to the reader). */
export interface ConflictCopy {
  /** File name inside items/. */
  name: string;
  /** The item id its name starts with. */
  item: string;
  /** Whether the canonical items/<id>.env exists too. */
  canonical: boolean;
}
