// Electron main process: app lifecycle and wiring only. Single instance (a second launch's files
// come to this window); files the OS opens with Cachet routed to the renderer; sandbox for every
// renderer; the one window; every renderer request through `cachet:invoke` into the contract's
// dispatch with a sender check (our window's webContents id, our app:// origin, main frame);
// events sent to that window; the vault locked and temp copies wiped on quit, on screen lock and
// suspend, and temp leftovers of a crash wiped at start; the window's size and position kept
// across runs (main/window-state.ts). All logic lives in Electron-free modules
// (main/services/, main/ipc/dispatch.ts, main/ipc/handlers/) that the tests run in node.

import { app, BrowserWindow, ipcMain, Menu, powerMonitor, screen, session, type IpcMainEvent, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import { EVENT_PREFIX, GRANT_DROP_CHANNEL, INVOKE_CHANNEL } from '../contract/ipc.js';
import type { SenderInfo } from './ipc/dispatch.js';
import { electronPlatform } from './electron-platform.js';
import { createMainServices, type MainApp } from './services/main-services.js';
import { isAppUrl } from './window-policy.js';
import { createMainWindow, hardenSession, hardenWebContents, registerAppScheme, serveRenderer } from './window.js';
import { fitWindowState, readWindowState, writeWindowState } from './window-state.js';
import { argvPaths, classifyOpenPath } from './open-request.js';
import { menuTemplate } from './menu.js';
import { osName } from './platform.js';

app.enableSandbox();
registerAppScheme();

// CACHET_USER_DATA lets the e2e test run against a throw-away profile folder. A test hook only:
// an installed app ignores it, so nothing in a user's environment can point Cachet's settings,
// key files and recent vaults at another folder.
const userDataOverride = app.isPackaged ? undefined : process.env['CACHET_USER_DATA'];
if (userDataOverride) app.setPath('userData', userDataOverride);

let win: BrowserWindow | undefined;
let mainApp: MainApp | undefined;
let quitting = false;
/** The person said quitting may go on (no edited copies, or they chose save or discard). */
let quitConfirmed = false;
let askingToQuit = false;

/** Ask about edited copies (services confirmQuit), then quit; a "Don't quit" leaves everything open. */
function confirmThenQuit(): void {
  if (askingToQuit || !mainApp) return;
  askingToQuit = true;
  void mainApp
    .confirmQuit()
    .catch((e: unknown) => {
      log(`quit check failed: ${(e as Error)?.message}`);
      return true;
    })
    .then((go) => {
      askingToQuit = false;
      if (!go) return;
      quitConfirmed = true;
      app.quit();
    });
}

const log = (msg: string): void => console.error(`[cachet main] ${msg}`);

function senderInfo(event: IpcMainInvokeEvent | IpcMainEvent): SenderInfo {
  const frame = event.senderFrame;
  return { webContentsId: event.sender.id, frameUrl: frame?.url ?? '', isMainFrame: !!frame && frame.parent === null };
}

function isTrustedSender(s: SenderInfo): boolean {
  return !!win && !win.isDestroyed() && s.webContentsId === win.webContents.id && s.isMainFrame && isAppUrl(s.frameUrl);
}

// Paths the OS asked us to open (argv, a second launch, macOS open-file), held until the window's
// page has loaded and can hear `app:open-path`. Only our files pass (main/open-request.ts); each
// is granted (a vault folder as a vault, an envelope for reading) before the renderer hears of it.
const osOpens: string[] = [];
let pageLoaded = false;
function openFromOs(paths: readonly string[]): void {
  osOpens.push(...paths);
  void flushOsOpens().catch((e: unknown) => log(`open from the OS failed: ${(e as Error)?.message}`));
}
async function flushOsOpens(): Promise<void> {
  while (mainApp && pageLoaded && osOpens.length > 0) {
    const req = await classifyOpenPath(osOpens.shift()!);
    if (!req) continue;
    mainApp.services.grants.grant(req.path, [req.kind === 'vault' ? 'vault' : 'read']);
    mainApp.services.emit('app:open-path', req);
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_e, argv, workingDirectory) => {
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    openFromOs(argvPaths(argv, { packaged: app.isPackaged, cwd: workingDirectory }));
  });
  // macOS: a double-click (also the one that launches the app, before 'ready').
  app.on('open-file', (e, path) => {
    e.preventDefault();
    openFromOs([path]);
  });

  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));

  app.whenReady().then(async () => {
    hardenSession(session.defaultSession);
    serveRenderer(session.defaultSession, join(app.getAppPath(), 'dist', 'renderer'));

    const send = (event: string, payload: unknown) => {
      if (win && !win.isDestroyed()) win.webContents.send(EVENT_PREFIX + event, payload);
    };
    // The application menu (main/menu.ts), rebuilt when a vault opens or closes.
    let menuVaultOpen: boolean | undefined;
    const setMenu = (vaultOpen: boolean) => {
      if (vaultOpen === menuVaultOpen) return;
      menuVaultOpen = vaultOpen;
      const template = menuTemplate({ os: osName(), packaged: app.isPackaged, vaultOpen }, (command) => send('menu:command', { command }));
      Menu.setApplicationMenu(Menu.buildFromTemplate(template as MenuItemConstructorOptions[]));
    };
    setMenu(false);
    mainApp = await createMainServices(electronPlatform(() => win), {
      log,
      isTrustedSender,
      emit: (event, payload) => {
        if (event === 'app:state-changed') setMenu((payload as { vault: unknown }).vault !== null);
        send(event, payload);
      },
    });
    await mainApp.start();

    ipcMain.handle(INVOKE_CHANNEL, (event, channel: unknown, request: unknown) => mainApp!.dispatch(channel, request, senderInfo(event)));
    ipcMain.on(GRANT_DROP_CHANNEL, (event, path: unknown) => {
      if (isTrustedSender(senderInfo(event)) && typeof path === 'string') mainApp!.grantDrop(path);
    });

    for (const ev of ['lock-screen', 'suspend'] as const) {
      powerMonitor.on(ev as 'lock-screen', () => void mainApp?.services.systemLock().catch((e: unknown) => log(`lock failed: ${(e as Error)?.message}`)));
    }

    const userDataDir = app.getPath('userData');
    const state = fitWindowState(readWindowState(userDataDir), screen.getAllDisplays().map((d) => d.workArea));
    win = createMainWindow({ preloadPath: join(__dirname, 'preload.cjs'), state });
    win.on('close', (e) => {
      if (!win || win.isDestroyed()) return;
      const saved = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
      void writeWindowState(userDataDir, saved).catch((err: unknown) => log(`window state not saved: ${(err as Error)?.message}`));
      // Closing the window quits (window-all-closed): ask about edited copies while it is still there.
      if (!quitConfirmed && mainApp) {
        e.preventDefault();
        confirmThenQuit();
      }
    });
    win.on('closed', () => {
      win = undefined;
      pageLoaded = false;
    });
    win.webContents.on('did-finish-load', () => {
      pageLoaded = true;
      openFromOs([]);
    });
    openFromOs(argvPaths(process.argv, { packaged: app.isPackaged, cwd: process.cwd() }));
  }).catch((e: unknown) => {
    log(`startup failed: ${(e as Error)?.stack ?? String(e)}`);
    app.exit(1);
  });

  app.on('window-all-closed', () => app.quit());

  // Ask about edited copies first (confirmThenQuit), then lock and wipe; the quit resumes when that
  // is done (bounded by a timeout so a stuck disk cannot keep the app alive).
  app.on('before-quit', (e) => {
    if (quitting || !mainApp) return;
    e.preventDefault();
    if (!quitConfirmed) {
      confirmThenQuit();
      return;
    }
    quitting = true;
    const done = mainApp.stop().catch((err: unknown) => log(`shutdown: ${(err as Error)?.message}`));
    const timeout = new Promise((r) => setTimeout(r, 10_000));
    void Promise.race([done, timeout]).finally(() => app.quit());
  });
}
