// The open vault's status (vault:status, issue 14), asked when the Status panel opens and again on
// Refresh or when the vault changes behind it (vault:changed: an add, a re-key). A failure is kept
// for the panel to show; the last answer stays on screen with it.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { VaultStatusT } from '../../../contract/ipc.js';
import { call, subscribe, toErrorPayload } from '../../api.js';
import type { ErrorLike } from '../../errors/messages.js';

export interface VaultStatusState {
  readonly status: VaultStatusT | null;
  readonly checking: boolean;
  readonly error: ErrorLike | null;
  readonly refresh: () => void;
}

export function useVaultStatus(): VaultStatusState {
  const [status, setStatus] = useState<VaultStatusT | null>(null);
  const [checking, setChecking] = useState(true);
  const [error, setError] = useState<ErrorLike | null>(null);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => subscribe('vault:changed', refresh), [refresh]);
  useEffect(() => {
    const mine = ++seq.current;
    setChecking(true);
    call('vault:status', {}).then(
      (s) => {
        if (mine !== seq.current) return;
        setStatus(s);
        setError(null);
        setChecking(false);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(toErrorPayload(e));
        setChecking(false);
      },
    );
    return () => {
      seq.current++;
    };
  }, [tick]);
  return { status, checking, error, refresh };
}
