// Copies opened with the default app that were edited (temp:edited): offers to save them back
// into the vault (temp:save-back) or discard them (temp:discard). One prompt per temp copy; a
// later edit of the same copy replaces its entry.

import { useEffect, useState } from 'react';
import type { ErrorPayload, EventPayload } from '../../../contract/ipc.js';
import { call, subscribe, toErrorPayload } from '../../api.js';

export type Edited = EventPayload<'temp:edited'>;

export interface SaveBack {
  readonly edited: readonly Edited[];
  readonly busy: boolean;
  readonly error: ErrorPayload | null;
  save(tempId: string): void;
  discard(tempId: string): void;
  later(tempId: string): void;
}

export function useSaveBack(): SaveBack {
  const [edited, setEdited] = useState<readonly Edited[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);

  useEffect(() => {
    const offEdited = subscribe('temp:edited', (e) => setEdited((list) => [...list.filter((x) => x.tempId !== e.tempId), e]));
    // Locking wipes every temp copy, so their prompts go too.
    const offLocked = subscribe('vault:locked', () => setEdited([]));
    return () => {
      offEdited();
      offLocked();
    };
  }, []);

  const finish = (tempId: string, work: Promise<unknown>) => {
    setBusy(true);
    setError(null);
    work
      .then(() => setEdited((list) => list.filter((x) => x.tempId !== tempId)))
      .catch((e: unknown) => setError(toErrorPayload(e)))
      .finally(() => setBusy(false));
  };

  return {
    edited,
    busy,
    error,
    save: (tempId) => finish(tempId, call('temp:save-back', { tempId })),
    discard: (tempId) => finish(tempId, call('temp:discard', { tempId })),
    later: (tempId) => setEdited((list) => list.filter((x) => x.tempId !== tempId)),
  };
}
