// The access-history view's data (vault:history): asked when it opens and whenever the time
// window changes or the person asks again; the last answer stays while the next is read.

import { useCallback, useEffect, useRef, useState } from 'react';
import { call } from '../../api.js';
import type { AccessHistoryView } from '../../components/AccessHistoryDialog.js';
import { useBusyCall } from '../app/use-busy-call.js';

export function useAccessHistory(initialDays = 7) {
  const [days, setDays] = useState(initialDays);
  const [history, setHistory] = useState<AccessHistoryView | null>(null);
  const [tick, setTick] = useState(0);
  const { busy, error, run } = useBusyCall();
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    void run(async () => {
      const h = await call('vault:history', { days });
      if (mine === seq.current) setHistory(h);
    });
  }, [days, tick, run]);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  return { history, days, setDays, loading: busy, error, refresh };
}
