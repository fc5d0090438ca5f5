// @pure — no Node, Electron or DOM imports (test/layering.test.ts checks the tag).
// The IPC contract's names without its schemas: every channel and event name, and the three
// private ipc channel names. The preload imports only this (and types), so its sandboxed bundle
// stays a few KB and requires nothing but 'electron'; ipc.ts re-exports it and fails to
// compile if a channel or event is added to one list and not the other
// (test/contract/names.test.ts checks the same at run time). This module imports nothing.

export const CHANNEL_NAMES = [
  'app:state', 'app:activity', 'settings:get', 'settings:set',
  'vault:create', 'vault:open', 'vault:close', 'vault:lock', 'vault:forget-recent', 'vault:rekey', 'vault:verify', 'vault:health', 'vault:status', 'vault:history', 'vault:reveal',
  'dialog:pick-folder', 'dialog:pick-files', 'dialog:save',
  'items:list', 'items:plan-add', 'items:add', 'job:cancel', 'item:preview', 'item:open-external',
  'temp:save-back', 'temp:discard', 'items:export', 'item:export-as', 'envelope:inspect', 'envelope:decrypt', 'envelope:add', 'shell:show-in-folder', 'items:drag-out', 'item:rename', 'items:move', 'items:delete',
  'aws:profiles', 'aws:set-profile', 'aws:identity', 'aws:keys', 'aws:create-key', 's3:buckets', 's3:browse',
  'local-key:create', 'local-key:unlock',
] as const;

export const EVENT_NAMES = ['job:progress', 'job:done', 'vault:changed', 'vault:locked', 'app:state-changed', 'temp:edited', 'app:open-path', 'menu:command'] as const;

/** What the application menu's own items ask the window to do (main/menu.ts, the `menu:command` event). */
export const MENU_COMMANDS = ['add-files', 'add-folder', 'find', 'status', 'verify', 'lock', 'settings', 'close-vault', 'reveal-vault'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export type ChannelName = (typeof CHANNEL_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

// Sets, not `in` or hasOwn on an object: '__proto__', 'constructor' and friends are never names.
const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNEL_NAMES);
const EVENT_SET: ReadonlySet<string> = new Set(EVENT_NAMES);

export function isChannel(c: unknown): c is ChannelName {
  return typeof c === 'string' && CHANNEL_SET.has(c);
}
export function isEventName(e: unknown): e is EventName {
  return typeof e === 'string' && EVENT_SET.has(e);
}

/** The single ipcMain/ipcRenderer channel every invoke goes through: (channel, request). */
export const INVOKE_CHANNEL = 'cachet:invoke';
/** Private preload -> main message registering a dropped file's path (not on the bridge). */
export const GRANT_DROP_CHANNEL = 'cachet:grant-drop';
/** Prefix of the ipc channel each event is sent on: `cachet:event:<EventName>`. */
export const EVENT_PREFIX = 'cachet:event:';
