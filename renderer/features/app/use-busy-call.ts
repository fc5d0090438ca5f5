// One request at a time from a feature, with its busy flag and its last error: the wrapper every
// action hook used to write for itself (set busy, clear the error, await, keep the error, clear
// busy). `run` answers whether the work succeeded; it never throws, the error is state to show.

import { useCallback, useState } from 'react';
import type { ErrorPayload } from '../../../contract/ipc.js';
import { toErrorPayload } from '../../api.js';

export interface BusyCall {
  readonly busy: boolean;
  readonly error: ErrorPayload | null;
  setError(error: ErrorPayload | null): void;
  run(work: () => Promise<unknown>): Promise<boolean>;
}

export function useBusyCall(): BusyCall {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const run = useCallback(async (work: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (e) {
      setError(toErrorPayload(e));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
