// Opening and creating vaults from the welcome screen: folder dialogs (or an S3 location from the
// S3 dialog: `createFolder` is then an s3:// location), vault:open / vault:create,
// recent vaults. When opening needs the local key first (local-key-locked), it remembers the
// path in `pendingOpen` so the screen can show the unlock form and retry after unlocking.

import { useCallback, useState } from 'react';
import type { ErrorPayload, KeyRefT } from '../../../contract/ipc.js';
import { call, toErrorPayload } from '../../api.js';

export interface VaultSetup {
  readonly busy: boolean;
  readonly error: ErrorPayload | null;
  readonly createFolder: string | null;
  readonly pendingOpen: string | null;
  clearError(): void;
  pickCreateFolder(): Promise<void>;
  /** Create in this S3 location (chosen in the S3 dialog) instead of a folder. */
  chooseCreateLocation(location: string): void;
  openDialog(): Promise<void>;
  open(path: string): Promise<void>;
  forget(path: string): Promise<void>;
  create(keys: KeyRefT[]): Promise<void>;
}

export function useVaultSetup(): VaultSetup {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [createFolder, setCreateFolder] = useState<string | null>(null);
  const [pendingOpen, setPendingOpen] = useState<string | null>(null);

  const run = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(toErrorPayload(e));
    } finally {
      setBusy(false);
    }
  }, []);

  const open = useCallback(
    (path: string) =>
      run(async () => {
        try {
          await call('vault:open', { path });
          setPendingOpen(null);
        } catch (e) {
          if (toErrorPayload(e).code === 'local-key-locked') {
            setPendingOpen(path);
            return;
          }
          throw e;
        }
      }),
    [run],
  );

  return {
    busy,
    error,
    createFolder,
    pendingOpen,
    clearError: () => setError(null),
    pickCreateFolder: () =>
      run(async () => {
        const { path } = await call('dialog:pick-folder', { purpose: 'create-vault', title: 'Choose a folder for the new vault' });
        if (path) setCreateFolder(path);
      }),
    chooseCreateLocation: (location: string) => setCreateFolder(location),
    openDialog: () =>
      run(async () => {
        const { path } = await call('dialog:pick-folder', { purpose: 'open-vault', title: 'Open a vault folder' });
        if (path) await open(path);
      }),
    open,
    forget: (path: string) =>
      run(async () => {
        await call('vault:forget-recent', { path });
      }),
    create: (keys: KeyRefT[]) =>
      run(async () => {
        if (!createFolder) return;
        await call('vault:create', { path: createFolder, keys });
        setCreateFolder(null);
      }),
  };
}
