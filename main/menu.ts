// The application menu (issue 15), as a template: the standard roles and their shortcuts (Edit in
// text fields, View zoom and full screen, Window, the macOS app menu), and Cachet's own items,
// which the window carries out as its buttons would (the `menu:command` event). This module does
// not import electron: main.ts passes the template to Menu.buildFromTemplate, and rebuilds it when
// a vault opens or closes (the vault's items are disabled without one).
//
// Shortcuts: Add files Ctrl/Cmd+O, Add folder Ctrl/Cmd+Shift+O, Find Ctrl/Cmd+F, Status Ctrl/Cmd+I
// (Get Info), Verify Ctrl/Cmd+Shift+K, Lock Ctrl/Cmd+L, Settings Ctrl/Cmd+, , Show vault folder
// Ctrl/Cmd+Shift+R (the View menu has no force-reload), Close vault Ctrl/Cmd+Shift+W. None is a
// shortcut of a standard role here (Ctrl+Shift+V is paste-and-match-style, so Verify is not V).
// The page sees a key first: where it handles one itself (Ctrl+F in the item list), the menu's
// accelerator does not fire again.

import type { MenuCommand } from '../contract/names.js';

/** The subset of Electron's MenuItemConstructorOptions this menu uses. */
export interface MenuEntry {
  readonly label?: string;
  readonly role?: MenuRole;
  readonly type?: 'separator';
  readonly accelerator?: string;
  readonly enabled?: boolean;
  readonly id?: string;
  readonly submenu?: readonly MenuEntry[];
  readonly click?: () => void;
}

export type MenuRole =
  | 'appMenu' | 'about' | 'services' | 'hide' | 'hideOthers' | 'unhide' | 'quit' | 'close'
  | 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'pasteAndMatchStyle' | 'delete' | 'selectAll'
  | 'resetZoom' | 'zoomIn' | 'zoomOut' | 'togglefullscreen' | 'reload' | 'forceReload' | 'toggleDevTools'
  | 'windowMenu' | 'minimize' | 'zoom' | 'front' | 'help';

export interface MenuState {
  readonly os: 'linux' | 'darwin' | 'win32' | 'other';
  /** An installed build: no reload or developer tools. */
  readonly packaged: boolean;
  /** A vault is open: its items are enabled. */
  readonly vaultOpen: boolean;
}

/** Cachet's own items: label, command, shortcut, whether they need an open vault. */
export const APP_ITEMS: readonly { readonly command: MenuCommand; readonly label: string; readonly accelerator: string; readonly needsVault: boolean }[] = [
  { command: 'add-files', label: 'Add Files…', accelerator: 'CmdOrCtrl+O', needsVault: true },
  { command: 'add-folder', label: 'Add Folder…', accelerator: 'CmdOrCtrl+Shift+O', needsVault: true },
  { command: 'find', label: 'Find', accelerator: 'CmdOrCtrl+F', needsVault: true },
  { command: 'status', label: 'Vault Status', accelerator: 'CmdOrCtrl+I', needsVault: true },
  { command: 'verify', label: 'Verify Vault', accelerator: 'CmdOrCtrl+Shift+K', needsVault: true },
  { command: 'lock', label: 'Lock Now', accelerator: 'CmdOrCtrl+L', needsVault: true },
  { command: 'settings', label: 'Settings…', accelerator: 'CmdOrCtrl+,', needsVault: true },
  { command: 'reveal-vault', label: 'Show Vault Folder', accelerator: 'CmdOrCtrl+Shift+R', needsVault: true },
  { command: 'close-vault', label: 'Close Vault', accelerator: 'CmdOrCtrl+Shift+W', needsVault: true },
];

const SEP: MenuEntry = { type: 'separator' };

export function menuTemplate(st: MenuState, run: (command: MenuCommand) => void): MenuEntry[] {
  const mac = st.os === 'darwin';
  const item = (command: MenuCommand): MenuEntry => {
    const a = APP_ITEMS.find((i) => i.command === command)!;
    return { id: `cachet:${command}`, label: a.label, accelerator: a.accelerator, enabled: !a.needsVault || st.vaultOpen, click: () => run(command) };
  };
  const appMenu: MenuEntry = {
    label: 'Cachet',
    submenu: [{ role: 'about' }, SEP, item('settings'), SEP, { role: 'services' }, SEP, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, SEP, { role: 'quit' }],
  };
  const file: MenuEntry = {
    label: mac ? 'File' : '&File',
    submenu: [
      item('add-files'), item('add-folder'), SEP, item('status'), item('verify'), item('reveal-vault'), SEP, item('lock'), item('close-vault'),
      ...(mac ? [SEP, { role: 'close' } as const] : [SEP, item('settings'), SEP, { role: 'quit' } as const]),
    ],
  };
  const edit: MenuEntry = {
    label: mac ? 'Edit' : '&Edit',
    submenu: [
      { role: 'undo' }, { role: 'redo' }, SEP, { role: 'cut' }, { role: 'copy' }, { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' }, { role: 'selectAll' }, SEP, item('find'),
    ],
  };
  const view: MenuEntry = {
    label: mac ? 'View' : '&View',
    submenu: [
      { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, SEP, { role: 'togglefullscreen' },
      ...(st.packaged ? [] : [SEP, { role: 'reload' } as const, { role: 'toggleDevTools' } as const]),
    ],
  };
  const window: MenuEntry = { role: 'windowMenu' };
  const help: MenuEntry = { role: 'help', submenu: mac ? [] : [{ role: 'about' }] };
  return mac ? [appMenu, file, edit, view, window, help] : [file, edit, view, window, help];
}
