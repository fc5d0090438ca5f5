// What the OS asked Cachet to open (app:open-path: a double-click on a vault's vault.json or a
// sealed `.env` file, the command line, a second launch, macOS open-file; main already granted
// read access to the path). The latest request waits here until the screen showing it has
// handled it (the welcome screen opens a vault at once; an open vault asks first).

import { useCallback, useEffect, useState } from 'react';
import type { EventPayload } from '../../../contract/ipc.js';
import { subscribe } from '../../api.js';

export type OpenRequest = EventPayload<'app:open-path'>;

export function useOpenRequests(): { readonly request: OpenRequest | null; readonly done: () => void } {
  const [request, setRequest] = useState<OpenRequest | null>(null);
  useEffect(() => subscribe('app:open-path', (r) => setRequest({ ...r })), []);
  const done = useCallback(() => setRequest(null), []);
  return { request, done };
}
