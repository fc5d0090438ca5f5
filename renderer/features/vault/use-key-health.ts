// The open vault's key health (vault:health), asked when the vault opens and again whenever its
// items or keys change (vault:changed: after an add, a re-key). A failure leaves the last answer
// (the banner is advice; the item list shows errors of its own).

import { useEffect, useRef, useState } from 'react';
import type { VaultHealthT } from '../../../contract/ipc.js';
import { call, subscribe } from '../../api.js';

export function useKeyHealth(vaultId: string): VaultHealthT | null {
  const [health, setHealth] = useState<VaultHealthT | null>(null);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => subscribe('vault:changed', () => setTick((t) => t + 1)), []);
  useEffect(() => {
    const mine = ++seq.current;
    call('vault:health', {}).then(
      (h) => mine === seq.current && setHealth(h),
      () => {},
    );
    return () => {
      seq.current++;
    };
  }, [vaultId, tick]);
  return health;
}
