// The Platform (main/platform.ts) on Electron: dialogs attached to the window, shell.openPath,
// webContents.startDrag, safeStorage, app.getPath('userData'). Electron-only.

import { app, dialog, nativeImage, safeStorage, shell, type BrowserWindow } from 'electron';
import { osName, systemClock, type Platform } from './platform.js';
import { quitPrompt } from './services/quit-guard.js';
import { DRAG_ICON_DATA_URL } from './window-policy.js';

export function electronPlatform(getWindow: () => BrowserWindow | undefined): Platform {
  const dragIcon = nativeImage.createFromDataURL(DRAG_ICON_DATA_URL);
  return {
    userDataDir: app.getPath('userData'),
    os: osName(),
    clock: systemClock,
    safeStorage: {
      // On Linux without a keyring, safeStorage "works" with a hard-coded password: not a keychain.
      isAvailable: () =>
        safeStorage.isEncryptionAvailable() && (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
      encryptString: (s) => safeStorage.encryptString(s),
      decryptString: (b) => safeStorage.decryptString(b),
    },
    async showOpenDialog(o) {
      const win = getWindow();
      const props: ('openDirectory' | 'openFile' | 'multiSelections' | 'createDirectory' | 'dontAddToRecent')[] =
        o.kind === 'folder' ? ['openDirectory', 'dontAddToRecent'] : ['openFile', 'multiSelections', 'dontAddToRecent'];
      if (o.createFolder) props.push('createDirectory');
      const opts = { title: o.title, properties: props };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? [] : r.filePaths;
    },
    async showSaveDialog(o) {
      const win = getWindow();
      const opts = { title: o.title, defaultPath: o.suggestedName, properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const] };
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    async askBeforeQuit(q) {
      const p = quitPrompt(q);
      const opts = { type: 'warning' as const, message: p.message, detail: p.detail, buttons: p.buttons.map((b) => b.label), defaultId: 0, cancelId: p.buttons.length - 1, noLink: true };
      const win = getWindow();
      const r = win && !win.isDestroyed() ? await dialog.showMessageBox(win, opts) : await dialog.showMessageBox(opts);
      return p.buttons[r.response]?.answer ?? 'cancel';
    },
    openPath: (p) => shell.openPath(p),
    showInFolder: (p) => shell.showItemInFolder(p),
    startDrag(files) {
      const win = getWindow();
      if (!win || files.length === 0) return;
      const [file, ...rest] = files;
      win.webContents.startDrag(rest.length > 0 ? { file: file!, files, icon: dragIcon } : { file: file!, icon: dragIcon });
    },
  };
}
