// Creating and unlocking the local key. The status shown is the freshest of the app state's and
// the last call's answer (main also pushes app:state-changed).

import { useState } from 'react';
import type { ErrorPayload, LocalKeyStatusT } from '../../../main/ipc/contract.js';
import { call, toErrorPayload } from '../../api.js';
import type { LocalKeyCreate } from '../../components/LocalKeyForm.js';

export interface LocalKey {
  readonly status: LocalKeyStatusT;
  readonly busy: boolean;
  readonly error: ErrorPayload | null;
  create(req: LocalKeyCreate): Promise<boolean>;
  unlock(passphrase: string | undefined): Promise<boolean>;
}

export function useLocalKey(fromState: LocalKeyStatusT): LocalKey {
  const [answer, setAnswer] = useState<LocalKeyStatusT | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);

  // Trust the call's answer only while it agrees with where the app state is headed.
  const status = answer && (answer.exists !== fromState.exists || answer.unlocked !== fromState.unlocked) && !fromState.unlocked ? answer : fromState;

  const run = async (work: () => Promise<LocalKeyStatusT>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      setAnswer(await work());
      return true;
    } catch (e) {
      setError(toErrorPayload(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  return {
    status,
    busy,
    error,
    create: (req) => run(() => call('local-key:create', req)),
    unlock: (passphrase) => run(() => call('local-key:unlock', passphrase === undefined ? {} : { passphrase })),
  };
}
