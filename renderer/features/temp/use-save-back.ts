// Copies opened with the default app that were edited (temp:edited) and not yet saved back or
// discarded: the pending external edits (issue 11 defect 3). Each can be saved back into the
// vault (temp:save-back) or discarded (temp:discard); "Later" only hides its prompt, the edit stays
// in the list (`pending`) until one of those is chosen, so the vault view can show it and ask
// before anything wipes it (lock, re-open of the same item). A later edit of the same copy
// replaces its entry. Main wipes the copies when the vault locks, except edited ones an auto-lock
// or system lock keeps (vault:locked `kept`): those stay in the list.

import { useEffect, useState } from 'react';
import type { ErrorPayload, EventPayload } from '../../../contract/ipc.js';
import { call, subscribe } from '../../api.js';
import { useBusyCall } from '../app/use-busy-call.js';

export type Edited = EventPayload<'temp:edited'>;

export interface SaveBack {
  /** Every pending edit, oldest first. */
  readonly pending: readonly Edited[];
  /** The pending edit to prompt for now (not put off with "Later"), if any. */
  readonly prompt: Edited | undefined;
  readonly busy: boolean;
  readonly error: ErrorPayload | null;
  save(tempId: string): Promise<boolean>;
  discard(tempId: string): Promise<boolean>;
  later(tempId: string): void;
  /** The pending edit of item `itemId`, if any. */
  forItem(itemId: string): Edited | undefined;
}

export function useSaveBack(): SaveBack {
  const [pending, setPending] = useState<readonly Edited[]>([]);
  const [deferred, setDeferred] = useState<ReadonlySet<string>>(new Set());
  const { busy, error, run } = useBusyCall();

  useEffect(() => {
    const offEdited = subscribe('temp:edited', (e) => {
      setPending((list) => [...list.filter((x) => x.tempId !== e.tempId), e]);
      // A new edit of a copy put off earlier asks again.
      setDeferred((d) => {
        if (!d.has(e.tempId)) return d;
        const n = new Set(d);
        n.delete(e.tempId);
        return n;
      });
    });
    // A lock wipes the copies, except edited ones an auto-lock or system lock kept: those stay
    // pending, to be saved back or discarded after unlocking.
    const offLocked = subscribe('vault:locked', (e) => {
      const kept = new Set(e.kept);
      setPending((list) => list.filter((x) => kept.has(x.tempId)));
      setDeferred(new Set());
    });
    return () => {
      offEdited();
      offLocked();
    };
  }, []);

  const finish = (tempId: string, work: () => Promise<unknown>): Promise<boolean> =>
    run(async () => {
      await work();
      setPending((list) => list.filter((x) => x.tempId !== tempId));
    });

  return {
    pending,
    prompt: pending.find((e) => !deferred.has(e.tempId)),
    busy,
    error,
    save: (tempId) => finish(tempId, () => call('temp:save-back', { tempId })),
    discard: (tempId) => finish(tempId, () => call('temp:discard', { tempId })),
    later: (tempId) => setDeferred((d) => new Set(d).add(tempId)),
    forItem: (itemId) => pending.find((e) => e.itemId === itemId),
  };
}
