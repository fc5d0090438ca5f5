// Handlers of the system dialogs: each path the person picks is granted for this session with
// the kind its purpose needs (PathGrants), the only way a renderer request may name a new path.

import { basename } from 'node:path';
import type { Handlers } from '../handlers.js';
import type { HandlerContext } from './context.js';

export function dialogHandlers({ s }: HandlerContext) {
  return {
    'dialog:pick-folder': async (req) => {
      const [path] = await s.platform.showOpenDialog({ kind: 'folder', title: req.title, createFolder: req.purpose === 'create-vault' || req.purpose === 'export' });
      if (!path) return { path: null };
      const kind = req.purpose === 'export' ? 'write' : req.purpose === 'add' ? 'read' : 'vault';
      return { path: s.grants.grant(path, [kind]) };
    },
    'dialog:pick-files': async (req) => {
      const paths = await s.platform.showOpenDialog({ kind: 'files', title: req.title });
      return { paths: paths.map((p) => s.grants.grant(p, ['read'])) };
    },
    'dialog:save': async (req) => {
      const suggested = basename(req.suggestedName.replaceAll('\\', '/')) || 'item';
      const path = await s.platform.showSaveDialog({ suggestedName: suggested, title: req.title });
      return { path: path ? s.grants.grant(path, ['save']) : null };
    },
  } satisfies Partial<Handlers>;
}
