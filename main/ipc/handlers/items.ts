// Handlers of the items of the open vault: list, plan and run an add, preview, rename, move,
// delete. Vault paths from the renderer are re-normalized with app/vault/paths.ts on top of the
// contract's schema; source files must have been granted 'read' (dialogs, drops).
// Export and temp copies have their own areas (export.ts, temp.ts).

import { basename } from 'node:path';
import { CachetError } from '../../../app/errors.js';
import { guessMediaType, isTextMediaType, looksLikeText } from '../../../app/vault/media-type.js';
import { joinVaultPath, normalizeFolderPath, normalizeVaultPath } from '../../../app/vault/paths.js';
import type { ItemT } from '../../../contract/ipc.js';
import type { Handlers } from '../handlers.js';
import { planAdd } from '../../services/add-plan.js';
import { toErrorPayload } from '../../services/errors.js';
import { fromVaultProgress, toItemT, type HandlerContext } from './context.js';

const TEXT_PREVIEW_BYTES = 1024 * 1024;
const OTHER_PREVIEW_BYTES = 32 * 1024 * 1024;
const BINARY_PREVIEW_BYTES = 64 * 1024;
const HARD_PREVIEW_BYTES = 64 * 1024 * 1024;

export function itemHandlers(c: HandlerContext) {
  const { s } = c;
  return {
    'items:list': async () => ({ items: (await c.listItems()).map(toItemT) }),
    'items:plan-add': async (req) => {
      const to = normalizeFolderPath(req.to);
      const sources = await Promise.all(req.sources.map((p) => s.grants.checkOnDisk(p, 'read')));
      const planned = await planAdd(sources, to, { vaultDir: c.vault().dir });
      const byPath = new Map((await c.listItems()).map((i) => [i.path, i.id]));
      let totalBytes = 0;
      const entries = planned.map((p) => {
        totalBytes += p.size;
        return { source: p.source, vaultPath: p.vaultPath, size: p.size, existingId: byPath.get(p.vaultPath) ?? null };
      });
      return { entries, totalBytes };
    },
    'items:add': async (req) => {
      const v = c.vault();
      const to = normalizeFolderPath(req.to);
      const sources = await Promise.all(req.sources.map((p) => s.grants.checkOnDisk(p, 'read')));
      const decisions = new Map<string, 'replace' | 'keep-both' | 'skip'>();
      for (const [k, d] of Object.entries(req.decisions ?? {})) decisions.set(normalizeVaultPath(k), d);
      const jobId = s.jobs.start('add', async (ctx) => {
        try {
          const r = await v.add(sources, {
            to,
            signal: ctx.signal,
            conflict: (path) => decisions.get(path) ?? req.onConflict,
            onProgress: (p) => ctx.progress(fromVaultProgress(p)),
          });
          for (const it of r.added) ctx.result({ ref: it.path, ok: true });
          for (const path of r.skipped) ctx.result({ ref: path, ok: true, skipped: true });
          for (const f of [...r.failed, ...r.ignored]) ctx.result({ ref: f.path ?? f.source ?? '', ok: false, error: toErrorPayload(f.error) });
        } finally {
          s.emit('vault:changed', {});
        }
      });
      return { jobId };
    },

    'item:preview': async (req) => {
      const v = c.vault();
      const it = await c.findItem(req.id);
      const named = previewKind(it.type, it.path);
      // A name that says nothing (no known type): read as much as text would be, and judge the content.
      const defaultCap = named === 'text' || named === undefined ? TEXT_PREVIEW_BYTES : named === 'binary' ? BINARY_PREVIEW_BYTES : OTHER_PREVIEW_BYTES;
      const cap = Math.min(req.maxBytes ?? defaultCap, HARD_PREVIEW_BYTES);
      const r = await v.preview(req.id, cap);
      const guess = named ?? (looksLikeText(r.data) ? 'text' : 'binary');
      const data = Uint8Array.from(r.data);
      r.data.fill(0);
      return {
        id: req.id,
        kind: guess,
        mediaType: it.type ?? mediaFromKind(guess),
        data,
        size: it.size,
        truncated: r.truncated,
      };
    },

    'item:rename': async (req) => {
      const v = c.vault();
      const path = normalizeVaultPath(req.path);
      await c.findItem(req.id);
      const r = await v.move(req.id, path);
      s.emit('vault:changed', {});
      return toItemT(r);
    },
    'items:move': async (req) => {
      const v = c.vault();
      const to = normalizeFolderPath(req.to);
      const items = await c.listItems();
      const byId = new Map(items.map((i) => [i.id, i]));
      const taken = new Set(items.map((i) => i.path));
      const plan = req.ids.map((id) => {
        const it = byId.get(id);
        if (!it) throw new CachetError('not-found', 'no such item in this vault', { id });
        return { it, dest: joinVaultPath(to, basename(it.path)) };
      });
      for (const p of plan) {
        if (p.dest !== p.it.path && taken.has(p.dest)) throw new CachetError('exists', 'an item of that name exists in the destination', { path: p.dest });
      }
      const out: ItemT[] = [];
      try {
        for (const p of plan) out.push(toItemT(p.dest === p.it.path ? p.it : await v.move(p.it.id, p.dest)));
      } finally {
        s.emit('vault:changed', {});
      }
      return { items: out };
    },
    'items:delete': async (req) => {
      const v = c.vault();
      const known = new Set((await c.listItems()).map((i) => i.id));
      let deleted = 0;
      try {
        for (const id of req.ids) {
          if (!known.has(id)) continue;
          await v.remove(id);
          deleted++;
        }
      } finally {
        s.session.noteItemCount(known.size - deleted);
        s.emit('vault:changed', {});
      }
      return { deleted };
    },
  } satisfies Partial<Handlers>;
}

/** How a preview shows an item, from its stored type or its name; undefined when neither says (the content decides). */
function previewKind(mediaType: string | undefined, path: string): 'text' | 'image' | 'pdf' | 'binary' | undefined {
  const mt = mediaType ?? guessMediaType(path);
  if (!mt) return undefined;
  if (mt === 'application/pdf') return 'pdf';
  if (mt.startsWith('image/')) return 'image';
  if (isTextMediaType(mt)) return 'text';
  return 'binary';
}

function mediaFromKind(k: string): string {
  return k === 'text' ? 'text/plain' : 'application/octet-stream';
}
