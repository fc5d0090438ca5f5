// A loose envelope the OS opened (issue 15): what main says about it (envelope:inspect), and its
// two actions, decrypt to a file chosen in the save dialog and add into the open vault. Each
// action's outcome is kept for the view to show.

import { useCallback, useEffect, useState } from 'react';
import type { EnvelopeInfoT } from '../../../contract/ipc.js';
import { call } from '../../api.js';
import type { ErrorLike } from '../../errors/messages.js';
import { useBusyCall } from '../app/use-busy-call.js';

export interface EnvelopeState {
  readonly info: EnvelopeInfoT | null;
  readonly busy: boolean;
  readonly error: ErrorLike | null;
  /** What the last action did, in words (shown in a status line). */
  readonly done: string | null;
  /** The file the last decrypt wrote. */
  readonly wrote: string | null;
  readonly decrypt: () => void;
  readonly showInFolder: (path: string) => void;
  readonly add: (vaultPath: string) => void;
}

export function useEnvelope(path: string): EnvelopeState {
  const [info, setInfo] = useState<EnvelopeInfoT | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [wrote, setWrote] = useState<string | null>(null);
  const { busy, error, run } = useBusyCall();
  useEffect(() => {
    let live = true;
    void run(async () => {
      const i = await call('envelope:inspect', { path });
      if (live) setInfo(i);
    });
    return () => {
      live = false;
    };
  }, [path, run]);
  const act = useCallback(
    (work: () => Promise<string | null>) => {
      setDone(null);
      void run(async () => setDone(await work()));
    },
    [run],
  );
  const decrypt = useCallback(
    () =>
      act(async () => {
        const { path: to } = await call('dialog:save', { suggestedName: info?.suggestedName ?? 'decrypted', title: 'Decrypt to' });
        if (to === null) return null;
        await call('envelope:decrypt', { path, to });
        setWrote(to);
        return `Decrypted to ${to}.`;
      }),
    [act, path, info],
  );
  const add = useCallback((vaultPath: string) => act(async () => `Added to the vault as ${(await call('envelope:add', { path, to: vaultPath })).path}.`), [act, path]);
  const showInFolder = useCallback((to: string) => void run(() => call('shell:show-in-folder', { path: to })), [run]);
  return { info, busy, error, done, wrote, decrypt, add, showInFolder };
}
