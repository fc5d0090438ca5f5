// Where an added item goes when its vault path is taken (the --on-conflict policy, or the
// person's answer in the app): fail, skip, keep both ("name (2).ext") or replace; and the rule
// that no item's path is a folder of another's (SPEC §9 [path-clash]: no file system can hold a
// file `a` and a file `a/x`), which no policy overrides. Pure decisions over the paths in use; it
// does not write or remove items (adding.ts and Vault.move do).

import { badRequest, CachetError } from '../errors.js';
import type { IndexEntries } from './index-cache.js';
import { folderOf, keepBothName } from './paths.js';
import type { ConflictPolicy } from './types.js';

/**
 * A set of vault paths (each with the ids that hold it; none for a path only reserved by a job)
 * and the folders they make, so that "is this path, or a folder of it, or anything under it,
 * taken" costs O(depth), not a scan of the vault.
 */
export class PathsInUse {
  readonly #ids = new Map<string, string[]>();
  /** folder -> how many paths lie under it. */
  readonly #folders = new Map<string, number>();

  constructor(entries?: IndexEntries, except?: string) {
    for (const [id, e] of entries ?? []) if (id !== except) this.add(e.path, id);
  }

  add(path: string, id?: string): void {
    const l = this.#ids.get(path);
    if (l) {
      if (id !== undefined) l.push(id);
      return;
    }
    this.#ids.set(path, id === undefined ? [] : [id]);
    for (let f = folderOf(path); f !== ''; f = folderOf(f)) this.#folders.set(f, (this.#folders.get(f) ?? 0) + 1);
  }

  /** Remove `path`, or with `id` only that id's hold on it (the path goes with its last id). */
  delete(path: string, id?: string): void {
    const l = this.#ids.get(path);
    if (!l) return;
    if (id !== undefined) {
      const i = l.indexOf(id);
      if (i >= 0) l.splice(i, 1);
      if (l.length > 0) return;
    }
    this.#ids.delete(path);
    for (let f = folderOf(path); f !== ''; f = folderOf(f)) {
      const n = (this.#folders.get(f) ?? 1) - 1;
      if (n <= 0) this.#folders.delete(f);
      else this.#folders.set(f, n);
    }
  }

  has(path: string): boolean {
    return this.#ids.has(path);
  }

  /** The ids holding exactly `path`. */
  ids(path: string): string[] {
    return [...(this.#ids.get(path) ?? [])];
  }

  /**
   * A path in the set that `path` cannot stand beside: one of its folders held as an item path
   * (`a` for `a/x`), or `path` itself a folder of paths in the set (`a/x` for `a`). Undefined when
   * none.
   */
  clash(path: string): string | undefined {
    for (let f = folderOf(path); f !== ''; f = folderOf(f)) if (this.#ids.has(f)) return f;
    return this.under(path);
  }

  /** A path in the set inside the folder `path`, or undefined when it is not a folder of any. */
  under(path: string): string | undefined {
    if (!this.#folders.has(path)) return undefined;
    const prefix = `${path}/`;
    for (const p of this.#ids.keys()) if (p.startsWith(prefix)) return p;
    return undefined;
  }
}

/** [path-clash]: `path` and the item path `other` cannot both be in the vault (SPEC §9). */
export function pathClashError(path: string, other: string): CachetError {
  const asFolder = other.startsWith(`${path}/`);
  return new CachetError('path-clash', asFolder
    ? 'the vault holds items inside a folder of this name'
    : 'the vault holds an item whose name is a folder of this path', { path, other, as: asFolder ? 'folder' : 'file' });
}

/** Throw [path-clash] when `path` clashes with a path of any of `sets`. */
export function assertNoClash(path: string, ...sets: PathsInUse[]): void {
  for (const s of sets) {
    const other = s.clash(path);
    if (other !== undefined) throw pathClashError(path, other);
  }
}

/**
 * Decide where `path` goes given the policy: the path to write and the ids it replaces, or
 * 'skip', or a failure. `reserved` holds paths taken earlier in the same job. A path that clashes
 * with another (a file where a folder is, or the reverse) fails [path-clash] whatever the policy.
 */
export async function resolveConflict(path: string, policy: ConflictPolicy, inUse: PathsInUse, reserved: PathsInUse): Promise<{ path: string; replace: string[] } | 'skip'> {
  assertNoClash(path, inUse, reserved);
  const taken = (p: string): boolean => inUse.has(p) || reserved.has(p);
  if (!taken(path)) return { path, replace: [] };
  const choice = typeof policy === 'function' ? await policy(path) : policy;
  switch (choice) {
    case 'fail':
      throw new CachetError('exists', 'an item with this path is already in the vault', { path });
    case 'skip':
      return 'skip';
    case 'keep-both': {
      for (let n = 2; n < 10_000; n++) {
        const p = keepBothName(path, n);
        if (!taken(p) && inUse.clash(p) === undefined && reserved.clash(p) === undefined) return { path: p, replace: [] };
      }
      throw new CachetError('exists', 'no free "keep both" name', { path });
    }
    case 'replace':
      if (reserved.has(path)) throw new CachetError('exists', 'this path is added twice in one job', { path, reason: 'duplicate-in-job' });
      return { path, replace: inUse.ids(path) };
    default:
      throw badRequest('conflict', 'unknown conflict choice', { choice: String(choice) });
  }
}
