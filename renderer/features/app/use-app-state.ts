// The app's state from main (open vault, locked vault, recent vaults, local key, settings), kept
// fresh by the app:state-changed event. Unsubscribes in the effect cleanup.

import { useCallback, useEffect, useState } from 'react';
import type { AppStateT, ErrorPayload } from '../../../main/ipc/contract.js';
import { call, subscribe, toErrorPayload } from '../../api.js';

export function useAppState(): { state: AppStateT | null; error: ErrorPayload | null; refresh: () => void } {
  const [state, setState] = useState<AppStateT | null>(null);
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
    const off = subscribe('app:state-changed', (s) => setState(s));
    refresh();
    return off;
  }, [refresh]);

  return { state, error, refresh };
}
