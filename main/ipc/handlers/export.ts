// Handlers that write items out as plaintext files: export into a granted folder (a job; never
// overwrites: `name (2).ext`...) and export one item as the file confirmed in the save dialog.
// Destinations are joined from a granted folder and a normalized vault path, and checked to stay
// inside it.

import { mkdir, lstat } from 'node:fs/promises';
import { basename, dirname, join, relative, isAbsolute, sep } from 'node:path';
import { badRequest, CachetError, isCachetError } from '../../../app/errors.js';
import { normalizeVaultPath } from '../../../app/vault/paths.js';
import type { Handlers } from '../handlers.js';
import { toErrorPayload } from '../../services/errors.js';
import type { HandlerContext } from './context.js';

export function exportHandlers(c: HandlerContext) {
  const { s } = c;
  return {
    'items:export': async (req) => {
      const v = c.vault();
      const root = await s.grants.checkOnDisk(req.to, 'write', { self: true });
      const all = new Map((await c.listItems()).map((i) => [i.id, i]));
      const items = req.ids.map((id) => {
        const it = all.get(id);
        if (!it) throw new CachetError('not-found', 'no such item in this vault', { id });
        return it;
      });
      const total = items.reduce((n, i) => n + (i.size ?? 0), 0);
      const jobId = s.jobs.start('export', async (ctx) => {
        let bytes = 0;
        let done = 0;
        for (const it of items) {
          if (ctx.signal.aborted) throw new CachetError('cancelled', 'cancelled');
          const base = bytes;
          try {
            const rel = req.keepFolders ? normalizeVaultPath(it.path) : basename(normalizeVaultPath(it.path));
            // Folders kept from the vault path must not lead through a link placed in the chosen
            // folder: checked before mkdir (which would create folders through it) and after.
            await s.grants.checkOnDisk(dirname(inside(root, rel)), 'write', { self: true });
            const dest = await freeFsPath(inside(root, rel));
            await mkdir(dirname(dest), { recursive: true });
            await s.grants.checkOnDisk(dirname(dest), 'write', { self: true });
            await v.get(it.id, dest, {
              signal: ctx.signal,
              overwrite: false,
              onProgress: (p) => ctx.progress({ bytesDone: base + p.bytes, bytesTotal: total, filesDone: done, filesTotal: items.length, current: it.path, fileBytes: p.fileBytes, fileTotal: it.size }),
            });
            ctx.result({ ref: it.path, ok: true });
          } catch (e) {
            if (isCachetError(e, 'cancelled') || ctx.signal.aborted) throw e;
            ctx.result({ ref: it.path, ok: false, error: toErrorPayload(e) });
          }
          bytes = base + (it.size ?? 0);
          done++;
          ctx.progress({ bytesDone: bytes, bytesTotal: total, filesDone: done, filesTotal: items.length, current: null });
        }
      });
      return { jobId };
    },
    'item:export-as': async (req) => {
      const v = c.vault();
      // Only the file confirmed in dialog:save may be overwritten ('save' is exact); a folder
      // chosen for export grants 'write', which never overwrites.
      const dest = await s.grants.checkOnDisk(req.to, 'save');
      await c.findItem(req.id);
      await v.get(req.id, dest, { overwrite: true });
      return null;
    },
  } satisfies Partial<Handlers>;
}

/** `root/rel`, refused unless it stays inside root (rel is a normalized vault path already). */
function inside(root: string, rel: string): string {
  const dest = join(root, ...rel.split('/'));
  const r = relative(root, dest);
  if (r === '' || r.startsWith('..') || isAbsolute(r) || r.split(sep).includes('..')) {
    throw badRequest('escapes-destination', 'that item would be written outside the chosen folder');
  }
  return dest;
}

/** `dest`, or `name (2).ext`... if something is there already: export never overwrites. */
async function freeFsPath(dest: string): Promise<string> {
  const exists = async (p: string): Promise<boolean> => lstat(p).then(() => true, () => false);
  if (!(await exists(dest))) return dest;
  const dir = dirname(dest);
  const name = basename(dest);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 2; i < 10_000; i++) {
    const p = join(dir, `${stem} (${i})${ext}`);
    if (!(await exists(p))) return p;
  }
  throw new CachetError('exists', 'too many files of the same name', { path: name });
}
