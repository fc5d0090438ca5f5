// Handlers that write items out as plaintext files: export into a granted folder (a job; never
// overwrites: `name (2).ext`...) and export one item as the file confirmed in the save dialog.
// Destinations are the core's to join and check (Vault.export).

import { stat } from 'node:fs/promises';
import { CachetError, fromSystemError } from '../../../app/errors.js';
import type { Handlers } from '../handlers.js';
import { toErrorPayload } from '../../services/errors.js';
import { fromVaultProgress, type HandlerContext } from './context.js';

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
      // Where each file goes, and every check on the way (containment, names Windows cannot
      // create, no folder made through a link, never overwriting) is the core's: Vault.export.
      const jobId = s.jobs.start('export', async (ctx) => {
        const r = await v.export(items.map((i) => i.id), root, {
          keepFolders: req.keepFolders ?? false,
          // The names the OS main runs on can create (on Windows `a:b.txt` is refused, not an ADS).
          ...(s.platform.os === 'other' ? {} : { platform: s.platform.os }),
          signal: ctx.signal,
          onProgress: (p) => ctx.progress(fromVaultProgress(p)),
        });
        const byId = new Map(items.map((i) => [i.id, i]));
        for (const w of r.written) ctx.result({ ref: w.path, ok: true });
        for (const f of r.failed) ctx.result({ ref: (f.item !== undefined ? byId.get(f.item)?.path : undefined) ?? f.path ?? '', ok: false, error: toErrorPayload(f.error) });
      });
      return { jobId };
    },
    'shell:show-in-folder': async (req) => {
      // Only what the person chose: the file confirmed in a save dialog, or a file or folder
      // inside a folder chosen for export; it must exist.
      let path: string | undefined;
      for (const kind of ['save', 'write'] as const) {
        path ??= await s.grants.checkOnDisk(req.path, kind).catch(() => undefined);
      }
      if (path === undefined) throw new CachetError('permission-denied', 'Cachet only shows files and folders you chose', { kind: 'write' });
      await stat(path).catch((e: unknown) => {
        throw fromSystemError(e, 'read', path);
      });
      s.platform.showInFolder(path);
      return null;
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
