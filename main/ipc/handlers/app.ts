// Handlers of the app's own state: app:state, activity (auto-lock), settings, job cancel.

import { publicSettings } from '../../services/settings.js';
import type { Handlers } from '../handlers.js';
import type { HandlerContext } from './context.js';

export function appHandlers({ s, appState, stateChanged }: HandlerContext) {
  return {
    'app:state': async () => appState(),
    'app:activity': async () => {
      s.autoLock.touch();
      return null;
    },
    'settings:get': async () => publicSettings(s.settings.get()),
    'settings:set': async (req) => {
      const next = await s.settings.update((st) => {
        if (req.autoLockMinutes !== undefined) st.autoLockMinutes = req.autoLockMinutes;
        if (req.lockOnSystemLock !== undefined) st.lockOnSystemLock = req.lockOnSystemLock;
      });
      s.autoLock.setMinutes(next.autoLockMinutes);
      stateChanged();
      return publicSettings(next);
    },
    'job:cancel': async (req) => ({ cancelled: s.jobs.cancel(req.jobId) }),
  } satisfies Partial<Handlers>;
}
