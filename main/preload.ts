// The sandboxed preload: exposes `window.cachet` (CachetBridge from the IPC contract) and nothing
// else. invoke goes through one ipc channel with (channel, request) and is re-validated in main;
// `on` subscribes only to the contract's event names and never hands the IPC event object to page
// code; pathForFile resolves a dropped File's path and tells main it was dropped (a private
// message page scripts cannot send, see main/services/grants.ts).
// Bundled to dist/main/preload.cjs; in the sandbox it may require only 'electron'.

import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
// Values come from names.ts only: the contract proper (zod) must not be bundled in here.
import { EVENT_PREFIX, GRANT_DROP_CHANNEL, INVOKE_CHANNEL, isChannel, isEventName } from '../contract/names.js';
import type { CachetBridge, Channel, EventName, EventPayload, Req, Res, Result } from '../contract/ipc.js';

const bridge: CachetBridge = {
  invoke<C extends Channel>(channel: C, request: Req<C>): Promise<Result<Res<C>>> {
    if (!isChannel(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'bad-request', message: 'unknown request', detail: { reason: 'unknown-channel' } } });
    }
    return ipcRenderer.invoke(INVOKE_CHANNEL, channel, request) as Promise<Result<Res<C>>>;
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!isEventName(event)) throw new TypeError(`unknown event ${String(event)}`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const wrapped = (_e: IpcRendererEvent, payload: EventPayload<E>): void => listener(payload);
    ipcRenderer.on(EVENT_PREFIX + event, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT_PREFIX + event, wrapped);
    };
  },
  pathForFile(file: File): string {
    const path = webUtils.getPathForFile(file);
    if (path) ipcRenderer.send(GRANT_DROP_CHANNEL, path);
    return path;
  },
};

contextBridge.exposeInMainWorld('cachet', bridge);
