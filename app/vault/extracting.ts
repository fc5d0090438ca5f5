// Writing items out of the vault into a local folder (SPEC §9, extraction): the destination
// checks every job that writes plaintext files shares (get into a folder, extract, export):
// toFsPath (containment, names Windows cannot create refused [not-portable]), no folder reached
// through a symbolic link (checked before mkdir and after), never overwriting unless asked, and
// one batch loop with progress and per-item failures. The decryption itself is the envelope's
// openFile (atomic, nothing released before its chunk verifies). It does not find items or
// decide what to extract: the facade (vault.ts) does.

import { lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { openFile } from '../envelope.js';
import { badRequest, CachetError, fromSystemError, throwIfAborted } from '../errors.js';
import { asCachetError, type Catalog } from './catalog.js';
import { keepBothName, toFsPath } from './paths.js';
import { pathClashError, PathsInUse } from './conflicts.js';
import { clampConcurrency, runBatch } from './pool.js';
import type { ExportedItem, ItemFailure, JobOptions, VaultItem } from './types.js';

/** Where `get` writes an item named `name`: `dest` itself, or inside it when it is a folder. */
export async function fileDestination(dest: string, name: string): Promise<string> {
  const st = await stat(dest).catch(() => undefined);
  return st?.isDirectory() ? toFsPath(dest, name) : dest;
}

/**
 * `out`, or the first of `rel (2).ext`, `rel (3).ext`... (as keep-both names a vault path) that
 * nothing holds under `root`: export never overwrites. A name taken meanwhile is still refused
 * by the no-clobber write [exists].
 */
async function freeFsName(root: string, rel: string, out: string, platform: NodeJS.Platform): Promise<string> {
  const taken = (p: string): Promise<boolean> => lstat(p).then(() => true, () => false);
  if (!(await taken(out))) return out;
  for (let n = 2; n < 10_000; n++) {
    const p = toFsPath(root, keepBothName(rel, n), platform);
    if (!(await taken(p))) return p;
  }
  throw new CachetError('exists', 'too many files of the same name', { path: out });
}

/** The one loop that decrypts items into a destination folder (extract and export). */
export async function writeOut(
  catalog: Catalog,
  items: readonly { item: VaultItem; rel: string }[],
  destDir: string,
  opts: JobOptions & { concurrency?: number; overwrite: boolean; freeName: boolean; platform?: NodeJS.Platform },
): Promise<{ written: ExportedItem[]; failed: ItemFailure[] }> {
  const root = resolve(destDir);
  try {
    await mkdir(root, { recursive: true });
  } catch (e) {
    throw fromSystemError(e, 'create the destination folder', root);
  }
  const realRoot = await realpath(root);
  const inside = (p: string): boolean => p === realRoot || p.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
  const escapes = (out: string): CachetError => badRequest('escapes-destination', 'the destination path leaves the chosen folder (a symbolic link?)', { path: out });
  const written: ExportedItem[] = [];
  const failed: ItemFailure[] = [];
  // A vault made before SPEC §9 refused it may hold an item `a` beside items `a/...`: no folder can
  // hold both, so the file is not written and reported [path-clash] (the items inside are).
  const rels = new PathsInUse();
  for (const { rel } of items) rels.add(rel);
  const clashing = new Set<string>();
  for (const { item, rel } of items) {
    const other = rels.under(rel);
    if (other === undefined) continue;
    clashing.add(item.id);
    failed.push({ item: item.id, path: item.path, error: pathClashError(item.path, items.find((i) => i.rel === other)?.item.path ?? other) });
  }
  const total = items.reduce<number | null>((t, { item: i }) => (t === null || i.size === null ? null : t + i.size), 0);
  let doneBytes = 0;
  let filesDone = 0;
  const { cancelled } = await runBatch(items.filter(({ item }) => !clashing.has(item.id)), { limit: clampConcurrency(opts.concurrency), signal: opts.signal }, ({ item, rel }) => async () => {
    let out: string | undefined;
    let fileBytes = 0;
    try {
      const platform = opts.platform ?? process.platform;
      out = toFsPath(root, rel, platform);
      // A symlink inside destDir must not carry the output elsewhere: the nearest folder that
      // exists is checked before mkdir (which would create folders through a link), and after.
      let existing = dirname(out);
      while (existing !== root && !(await lstat(existing).then(() => true, () => false))) existing = dirname(existing);
      if (!inside(await realpath(existing))) throw escapes(out);
      await mkdir(dirname(out), { recursive: true });
      if (!inside(await realpath(dirname(out)))) throw escapes(out);
      if (opts.freeName) out = await freeFsName(root, rel, out, platform);
      const dest = out;
      const r = await catalog.withItem(item.id, (f) => openFile(f, dest, {
        ...catalog.itemOpts(item.id, opts.signal),
        overwrite: opts.overwrite,
        onProgress: (p) => {
          fileBytes = p.bytes;
          opts.onProgress?.({ phase: 'open', file: item.path, fileBytes: p.bytes, fileTotal: item.size, bytes: doneBytes + p.bytes, total, filesDone, filesTotal: items.length });
        },
      }));
      fileBytes = r.bytes;
      written.push({ item: item.id, path: item.path, out: dest });
    } catch (e) {
      const err = asCachetError(e, 'extract', out);
      if (err.code === 'cancelled') throw err;
      failed.push({ item: item.id, path: out ?? item.path, error: err });
    } finally {
      doneBytes += fileBytes;
      filesDone++;
    }
  });
  if (cancelled) throwIfAborted(opts.signal);
  return { written, failed };
}
