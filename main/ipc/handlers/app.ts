// Handlers of the app's own state: app:state, activity (auto-lock), settings, job cancel.

import type { SettingsT } from '../../../contract/ipc.js';
import type { Handlers } from '../handlers.js';
import type { HandlerContext } from './context.js';

export function appHandlers({ s, appState, stateChanged }: HandlerContext) {
  return {
    'app:state': async () => appState(),
    'app:activity': async () => {
      s.autoLock.touch();
      return null;
    },
    'settings:get': async () => ({ autoLockMinutes: s.settings.get().autoLockMinutes }),
    'settings:set': async (req) => {
      const next = await s.settings.update((st) => {
        if (req.autoLockMinutes !== undefined) st.autoLockMinutes = req.autoLockMinutes;
      });
      s.autoLock.setMinutes(next.autoLockMinutes);
      stateChanged();
      return { autoLockMinutes: next.autoLockMinutes } satisfies SettingsT;
    },
    'job:cancel': async (req) => ({ cancelled: s.jobs.cancel(req.jobId) }),
  } satisfies Partial<Handlers>;
}
