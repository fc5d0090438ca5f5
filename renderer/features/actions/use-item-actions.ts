// What can be done to items and the vault from the vault view: rename/move, move many, delete, export (one
// item through a save dialog, or many into a folder as a job), open with the default app, drag
// out, re-key, verify, lock. One error slot for the latest failure; `busy` while a call runs.
// Long work (export many, re-key, verify) is handed to the jobs tracker.

import { useMemo, useState } from 'react';
import type { ErrorPayload, KeyRefT } from '../../../contract/ipc.js';
import { call, toErrorPayload } from '../../api.js';
import { useBusyCall } from '../app/use-busy-call.js';
import type { Jobs } from '../jobs/use-jobs.js';

export interface ItemActions {
  readonly busy: boolean;
  /** The file the last single export wrote (shown with "Show in folder" until dismissed). */
  readonly exported: string | null;
  clearExported(): void;
  showInFolder(path: string): void;
  readonly error: ErrorPayload | null;
  clearError(): void;
  rename(id: string, path: string): Promise<boolean>;
  move(ids: string[], to: string): Promise<boolean>;
  remove(ids: string[]): Promise<boolean>;
  exportOne(id: string, name: string): Promise<void>;
  exportMany(ids: string[], keepFolders: boolean): Promise<void>;
  openExternal(id: string): Promise<void>;
  dragOut(ids: string[]): void;
  /** Re-key `ids` (undefined: the whole vault, whose keys then change too). */
  rekey(keys: KeyRefT[], ids?: readonly string[]): Promise<boolean>;
  verify(): Promise<void>;
  lock(): Promise<void>;
}

export function useItemActions(jobs: Pick<Jobs, 'started'>): ItemActions {
  const { busy, error, setError, run } = useBusyCall();
  const [exported, setExported] = useState<string | null>(null);

  return useMemo(
    () => ({
      busy,
      exported,
      clearExported: () => setExported(null),
      showInFolder: (path) => {
        call('shell:show-in-folder', { path }).catch((e: unknown) => setError(toErrorPayload(e)));
      },
      error,
      clearError: () => setError(null),
      rename: (id, path) => run(async () => void (await call('item:rename', { id, path }))),
      move: (ids, to) => run(async () => void (await call('items:move', { ids, to }))),
      remove: (ids) => run(async () => void (await call('items:delete', { ids }))),
      exportOne: async (id, name) => {
        await run(async () => {
          const { path } = await call('dialog:save', { suggestedName: name, title: 'Export a decrypted copy' });
          if (!path) return;
          await call('item:export-as', { id, to: path });
          setExported(path);
        });
      },
      exportMany: async (ids, keepFolders) => {
        await run(async () => {
          const { path } = await call('dialog:pick-folder', { purpose: 'export', title: 'Export decrypted copies to' });
          if (!path) return;
          const { jobId } = await call('items:export', { ids, to: path, keepFolders });
          jobs.started(jobId, 'export', `Exporting ${ids.length} ${ids.length === 1 ? 'item' : 'items'}`, path);
        });
      },
      openExternal: async (id) => {
        await run(async () => void (await call('item:open-external', { id })));
      },
      dragOut: (ids) => {
        call('items:drag-out', { ids }).catch((e: unknown) => setError(toErrorPayload(e)));
      },
      rekey: (keys, ids) =>
        run(async () => {
          const { jobId } = await call('vault:rekey', ids ? { keys, ids: [...ids] } : { keys });
          jobs.started(jobId, 'rekey', ids ? `Re-keying ${ids.length} ${ids.length === 1 ? 'item' : 'items'}` : 'Re-keying the vault');
        }),
      verify: async () => {
        await run(async () => {
          const { jobId } = await call('vault:verify', {});
          jobs.started(jobId, 'verify', 'Verifying every item');
        });
      },
      lock: async () => {
        await run(async () => void (await call('vault:lock', {})));
      },
    }),
    [busy, error, run, jobs],
  );
}
