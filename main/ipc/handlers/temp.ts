// Handlers of plaintext temp copies (main/services/temp-files.ts): open an item with the
// system's default app (never a program or script), save an edited copy back as the item,
// discard a copy, and drag items out of the window.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { badRequest, CachetError } from '../../../app/errors.js';
import type { Handlers } from '../handlers.js';
import { toItemT, type HandlerContext } from './context.js';

export function tempHandlers(c: HandlerContext) {
  const { s } = c;
  return {
    'item:open-external': async (req) => {
      const v = c.vault();
      const it = await c.findItem(req.id);
      if (isRunnable(it.path)) {
        // The OS "default app" of these is running them: a vault item must not become a program.
        throw badRequest('runnable', 'Cachet does not open programs or scripts; export the file instead', { path: it.path });
      }
      const entry = await s.temps.create({ itemId: it.id, vaultPath: it.path }, async (dest) => void (await v.get(it.id, dest)), { watchEdits: true });
      const err = await s.platform.openPath(entry.path).catch((e: unknown) => String((e as Error)?.message ?? e));
      if (err) {
        await s.temps.discard(entry.tempId);
        throw new CachetError('io', `the system could not open the file: ${err.slice(0, 200)}`, { what: 'open-with-default-app' });
      }
      return { tempId: entry.tempId, name: basename(entry.path) };
    },
    'temp:save-back': async (req) => {
      const v = c.vault();
      const entry = s.temps.get(req.tempId);
      const current = await c.findItem(entry.itemId);
      const st = await stat(entry.path);
      // A new envelope under a new id replaces the item at its path (written first, then the old
      // one removed: SPEC §9 atomic writes); the temp copy now follows the new id.
      const saved = await v.addStream(createReadStream(entry.path), current.path, { conflict: 'replace', size: st.size, mtime: Math.floor(st.mtimeMs) });
      await s.temps.markSaved(req.tempId, saved.id);
      s.emit('vault:changed', {});
      return toItemT(saved);
    },
    'temp:discard': async (req) => {
      await s.temps.discard(req.tempId);
      return null;
    },
    'items:drag-out': async (req) => {
      const v = c.vault();
      const files: string[] = [];
      for (const id of req.ids) {
        const it = await c.findItem(id);
        const e = await s.temps.create({ itemId: it.id, vaultPath: it.path }, async (dest) => void (await v.get(it.id, dest)), { watchEdits: false });
        files.push(e.path);
      }
      s.platform.startDrag(files);
      return null;
    },
  } satisfies Partial<Handlers>;
}

const RUNNABLE = new Set([
  'exe', 'com', 'bat', 'cmd', 'msi', 'msp', 'scr', 'pif', 'cpl', 'ps1', 'psm1', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'wsh', 'hta',
  'lnk', 'url', 'reg', 'jar', 'sh', 'bash', 'zsh', 'command', 'tool', 'app', 'pkg', 'desktop', 'appimage', 'run', 'deb', 'rpm',
  'py', 'pyw', 'pl', 'rb', 'scpt', 'applescript', 'workflow', 'action', 'terminal', 'inf', 'settingcontent-ms', 'library-ms', 'appref-ms',
]);

/** Whether the default app of this name would execute it. */
export function isRunnable(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  return dot >= 0 && RUNNABLE.has(name.slice(dot + 1));
}
