// The one app window and its session, locked down with the data of main/window-policy.ts: the
// app:// protocol serving dist/renderer with the CSP header, CSP on every other response too,
// navigation, new windows, <webview> and permission requests refused. Electron-only: tests check
// the policy data in window-policy.ts, and the Electron e2e test checks the running window.

import { BrowserWindow, protocol, session, type Session, type WebContents } from 'electron';
import { readFile } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  SECURITY_HEADERS,
  STATIC_TYPES,
  WEB_PREFERENCES,
  WINDOW_OPTIONS,
  allowNavigation,
  allowPermission,
  appUrlToRelative,
  windowOpenDecision,
} from './window-policy.js';
import type { WindowState } from './window-state.js';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: false } },
  ]);
}

/** Serve `rendererDir` at app://cachet/ with the security headers; anything else is a 404. */
export function serveRenderer(ses: Session, rendererDir: string): void {
  ses.protocol.handle(APP_SCHEME, async (req) => {
    const rel = appUrlToRelative(req.url);
    if (!rel || req.method !== 'GET') return new Response('not found', { status: 404 });
    const file = join(rendererDir, ...rel.split('/'));
    const r = relative(rendererDir, file);
    if (r.startsWith('..') || isAbsolute(r)) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      const ext = rel.slice(rel.lastIndexOf('.') + 1).toLowerCase();
      return new Response(body, { status: 200, headers: { 'Content-Type': STATIC_TYPES[ext] ?? 'application/octet-stream', ...SECURITY_HEADERS } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}

/** Session-wide policy: CSP header on every response, permissions refused. */
export function hardenSession(ses: Session): void {
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-security-policy') delete headers[k];
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) headers[k] = [v];
    callback({ responseHeaders: headers });
  });
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(allowPermission(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => allowPermission(permission));
  ses.setDevicePermissionHandler(() => false);
  // No downloads: exports go through main's own file writing.
  ses.on('will-download', (e) => e.preventDefault());
}

/** Applied to every webContents the app creates (the window, the PDF viewer's, anything). */
export function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => windowOpenDecision(url));
  contents.on('will-navigate', (e, url) => {
    if (!allowNavigation(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!allowNavigation(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

/** `state`: the size and position of the last run, already fitted (main/window-state.ts). */
export function createMainWindow(opts: { preloadPath: string; state?: WindowState | undefined }): BrowserWindow {
  const win = new BrowserWindow({
    ...WINDOW_OPTIONS,
    ...opts.state?.bounds,
    webPreferences: { ...WEB_PREFERENCES, preload: opts.preloadPath, session: session.defaultSession },
  });
  hardenWebContents(win.webContents);
  win.once('ready-to-show', () => {
    if (opts.state?.maximized) win.maximize();
    win.show();
  });
  void win.loadURL(APP_ENTRY_URL);
  return win;
}

