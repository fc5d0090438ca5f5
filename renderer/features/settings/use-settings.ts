// Saving settings (auto-lock minutes, lock on sleep or screen lock). The current values come from the app state.

import { useState } from 'react';
import type { ErrorPayload, SettingsT } from '../../../contract/ipc.js';
import { call, toErrorPayload } from '../../api.js';

export function useSettings(): { error: ErrorPayload | null; save(s: Partial<SettingsT>): Promise<boolean>; clearError(): void } {
  const [error, setError] = useState<ErrorPayload | null>(null);
  return {
    error,
    clearError: () => setError(null),
    save: async (s) => {
      try {
        await call('settings:set', s);
        setError(null);
        return true;
      } catch (e) {
        setError(toErrorPayload(e));
        return false;
      }
    },
  };
}
