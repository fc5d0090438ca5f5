// Creating and unlocking the local key. The status shown is the app state's (main pushes
// app:state-changed after create/unlock), or the call's own answer until that arrives.

import { useEffect, useState } from 'react';
import type { ErrorPayload, LocalKeyStatusT } from '../../../contract/ipc.js';
import { call } from '../../api.js';
import { useBusyCall } from '../app/use-busy-call.js';
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
  const { busy, error, run: runCall } = useBusyCall();

  // The call's answer bridges the moment until main's app:state-changed arrives; any newer app
  // state (a lock, say) wins from then on.
  useEffect(() => setAnswer(null), [fromState]);
  const status = answer ?? fromState;

  const run = (work: () => Promise<LocalKeyStatusT>): Promise<boolean> => runCall(async () => setAnswer(await work()));

  return {
    status,
    busy,
    error,
    create: (req) => run(() => call('local-key:create', req)),
    unlock: (passphrase) => run(() => call('local-key:unlock', passphrase === undefined ? {} : { passphrase })),
  };
}
