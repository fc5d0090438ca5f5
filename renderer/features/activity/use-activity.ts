// Tells main the person is active (keys, pointer, wheel) so auto-lock counts idle time from the
// last input; throttled to one app:activity call per THROTTLE_MS as the contract asks.

import { useEffect } from 'react';
import { call } from '../../api.js';

export const THROTTLE_MS = 10_000;

export function useActivity(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    let last = 0;
    const onInput = () => {
      const now = Date.now();
      if (now - last < THROTTLE_MS) return;
      last = now;
      call('app:activity', {}).catch(() => {
        // Activity is a hint; a failed ping must not disturb the person.
      });
    };
    const events = ['keydown', 'pointerdown', 'wheel'] as const;
    for (const ev of events) window.addEventListener(ev, onInput, { passive: true });
    return () => {
      for (const ev of events) window.removeEventListener(ev, onInput);
    };
  }, [enabled]);
}
