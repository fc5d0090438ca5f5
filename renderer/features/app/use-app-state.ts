// The app's state from main (open vault, locked vault, recent vaults, local key, settings), kept
// fresh by the app:state-changed event, and why the vault was last locked (vault:locked), so
// the welcome screen can say "locked after being idle". Unsubscribes in the effect cleanup.

import { useCallback, useEffect, useState } from 'react';
import type { AppStateT, ErrorPayload, EventPayload } from '../../../contract/ipc.js';
import { call, subscribe, toErrorPayload } from '../../api.js';

export type LockReason = EventPayload<'vault:locked'>['reason'];

export function useAppState(): { state: AppStateT | null; error: ErrorPayload | null; lockReason: LockReason | null; refresh: () => void } {
  const [state, setState] = useState<AppStateT | null>(null);
  const [lockReason, setLockReason] = useState<LockReason | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);

  const refresh = useCallback(() => {
    call('app:state', {}).then(
      (s) => {
        setState(s);
        setError(null);
      },
      (e: unknown) => setError(toErrorPayload(e)),
    );
  }, []);

  useEffect(() => {
    const offState = subscribe('app:state-changed', (s) => {
      setState(s);
      if (s.vault) setLockReason(null);
    });
    const offLocked = subscribe('vault:locked', (e) => setLockReason(e.reason));
    refresh();
    return () => {
      offState();
      offLocked();
    };
  }, [refresh]);

  return { state, error, lockReason, refresh };
}
