// Filesystem paths the renderer may name. The renderer is untrusted, so main accepts an absolute
// path only if this session handed it out: chosen in a main-process dialog, or dropped on the
// window (the preload's pathForFile tells main through a private IPC message that page scripts
// cannot reach, and webUtils.getPathForFile only yields a path for a File the user really dropped
// or picked). A granted folder covers everything below it (adding a dropped folder walks it).
// Grants live in memory only and are cleared on lock. A granted folder covers what is inside it
// by name only, so `checkOnDisk` also refuses a path that reaches below its granted folder through
// a symbolic link placed there (`chosen/keys -> ~/.ssh`): the renderer may name any path under a
// grant, and a lexical check alone would let it read or write wherever such a link points. The
// granted path itself may be a link: the person chose it. Walks of granted folders use lstat and
// never follow links either.
// Decision: we grant by path, not by opaque token, so the renderer keeps plain paths for display
// and for drag-and-drop; a token scheme would add nothing against a renderer that can already
// only replay what it was given.

import { lstat } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { badRequest, CachetError, fromSystemError } from '../../app/errors.js';

/**
 * 'save' is the file confirmed in a save dialog: it may be overwritten, and it covers that exact
 * path only. The others cover what is inside the granted path; 'write' there never overwrites
 * (export picks a free name).
 */
export type GrantKind = 'read' | 'write' | 'vault' | 'save';

const MAX_GRANTS = 100_000;

export class PathGrants {
  readonly #grants = new Map<string, Set<GrantKind>>();

  /** Record a path from a dialog or a drop. Returns the normalized path. */
  grant(path: string, kinds: readonly GrantKind[]): string {
    if (!isAbsolute(path)) throw badRequest('not-absolute', 'a granted path must be absolute');
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
    if (this.#grantRoot(p, kind) === undefined) {
      throw new CachetError('permission-denied', 'Cachet only uses files and folders you chose or dropped', { kind });
    }
    return p;
  }

  /**
   * `check`, then on disk: no existing component strictly below the nearest granted folder is a
   * symbolic link (nor `path` itself with `self`: for a folder that will be written into). A
   * missing component ends the walk: nothing below it exists to lead elsewhere.
   */
  async checkOnDisk(path: string, kind: GrantKind, opts: { self?: boolean } = {}): Promise<string> {
    const p = this.check(path, kind);
    const root = this.#grantRoot(p, kind)!;
    const parts = relative(root, p).split(sep).filter((x) => x !== '');
    const upTo = opts.self ? parts.length : parts.length - 1;
    let cur = root;
    for (let i = 0; i < upTo; i++) {
      cur = join(cur, parts[i]!);
      let st;
      try {
        st = await lstat(cur);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException)?.code;
        if (code === 'ENOENT' || code === 'ENOTDIR') break;
        throw fromSystemError(e, 'check a chosen path', cur);
      }
      if (st.isSymbolicLink()) {
        throw new CachetError('permission-denied', 'Cachet does not follow symbolic links inside a folder you chose', { kind, reason: 'symlink', path: cur });
      }
    }
    return p;
  }

  /** The nearest granted path of `kind` that is `p` or contains it. */
  #grantRoot(p: string, kind: GrantKind): string | undefined {
    if (kind === 'save') return this.#grants.get(p)?.has(kind) ? p : undefined;
    for (let cur = p, i = 0; i < 4096; i++) {
      if (this.#grants.get(cur)?.has(kind)) return cur;
      const up = resolve(cur, '..');
      if (up === cur) break;
      cur = up;
    }
    return undefined;
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
