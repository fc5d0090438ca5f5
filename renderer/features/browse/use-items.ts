// The open vault's items (items:list), re-fetched on vault:changed, and indexed once per fetch
// for fast filtering (browse-logic.ts). A fetch that finishes after a newer one started is
// dropped, and nothing is set after unmount.

import { useEffect, useMemo, useRef, useState } from 'react';
import type { ErrorPayload, ItemT } from '../../../contract/ipc.js';
import { call, subscribe, toErrorPayload } from '../../api.js';
import { indexItems, type IndexedItem } from './browse-logic.js';

export interface Items {
  readonly items: readonly ItemT[] | null;
  readonly entries: readonly IndexedItem[];
  readonly byId: ReadonlyMap<string, ItemT>;
  readonly error: ErrorPayload | null;
  reload(): void;
}

export function useItems(vaultId: string, labelOf?: (keyId: string) => string | undefined): Items {
  const [items, setItems] = useState<readonly ItemT[] | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);

  useEffect(() => subscribe('vault:changed', () => setTick((t) => t + 1)), []);

  useEffect(() => {
    const mine = ++seq.current;
    call('items:list', {}).then(
      (r) => {
        if (mine !== seq.current) return;
        setItems(r.items);
        setError(null);
      },
      (e: unknown) => mine === seq.current && setError(toErrorPayload(e)),
    );
    return () => {
      seq.current++;
    };
  }, [vaultId, tick]);

  const entries = useMemo(() => indexItems(items ?? [], labelOf), [items, labelOf]);
  const byId = useMemo(() => new Map((items ?? []).map((i) => [i.id, i])), [items]);
  return { items, entries, byId, error, reload: () => setTick((t) => t + 1) };
}
