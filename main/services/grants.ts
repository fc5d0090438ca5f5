// Filesystem paths the renderer may name. The renderer is untrusted, so main accepts an absolute
// path only if this session handed it out: chosen in a main-process dialog, or dropped on the
// window (the preload's pathForFile tells main through a private IPC message that page scripts
// cannot reach, and webUtils.getPathForFile only yields a path for a File the user really dropped
// or picked). A granted folder covers everything below it (adding a dropped folder walks it).
// Grants live in memory only and are cleared on lock. Before use, paths are also re-checked on
// disk by the caller (lstat: symlinks are not followed when walking).
// Decision: we grant by path, not by opaque token, so the renderer keeps plain paths for display
// and for drag-and-drop; a token scheme would add nothing against a renderer that can already
// only replay what it was given.

import { isAbsolute, normalize, resolve, sep } from 'node:path';
import { CachetError } from '../../app/errors.js';

export type GrantKind = 'read' | 'write' | 'vault';

const MAX_GRANTS = 100_000;

export class PathGrants {
  readonly #grants = new Map<string, Set<GrantKind>>();

  /** Record a path from a dialog or a drop. Returns the normalized path. */
  grant(path: string, kinds: readonly GrantKind[]): string {
    if (!isAbsolute(path)) throw new CachetError('bad-request', 'a granted path must be absolute');
    const p = canonical(path);
    if (this.#grants.size >= MAX_GRANTS && !this.#grants.has(p)) this.#grants.delete(this.#grants.keys().next().value!);
    const set = this.#grants.get(p) ?? new Set<GrantKind>();
    for (const k of kinds) set.add(k);
    this.#grants.set(p, set);
    return p;
  }

  /** The canonical path if `path` equals or lies inside a path granted for `kind`; else 'permission-denied'. */
  check(path: string, kind: GrantKind): string {
    if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0')) {
      throw new CachetError('permission-denied', 'Cachet only uses files and folders you chose or dropped', { kind });
    }
    const p = canonical(path);
    for (let cur = p, i = 0; i < 4096; i++) {
      if (this.#grants.get(cur)?.has(kind)) return p;
      const up = resolve(cur, '..');
      if (up === cur) break;
      cur = up;
    }
    throw new CachetError('permission-denied', 'Cachet only uses files and folders you chose or dropped', { kind });
  }

  has(path: string, kind: GrantKind): boolean {
    try {
      this.check(path, kind);
      return true;
    } catch {
      return false;
    }
  }

  clear(): void {
    this.#grants.clear();
  }
}

/** Absolute, normalized, no trailing separator (except the root). `..` is resolved away here, before any containment test. */
function canonical(path: string): string {
  const r = resolve(normalize(path));
  return r.length > 1 && r.endsWith(sep) ? r.slice(0, -1) : r;
}
