// The window's security policy as plain data and pure functions, so test/main/window-policy.test.ts
// asserts every setting without Electron: webPreferences, the Content-Security-Policy, the app
// origin, and the navigation / new-window / permission decisions. main/window.ts applies them.
// No electron import.

/** The renderer is served from this origin by a privileged custom protocol (main/window.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'cachet';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Content-Security-Policy of the renderer, sent as a response header by main and repeated as a
 * <meta> in renderer/index.html. `connect-src 'none'`: every network call lives in main.
 * `frame-src blob:` and `img-src blob:` let previews show decrypted bytes from memory (PDF through
 * Chromium's built-in viewer in an iframe of a blob: URL).
 */
export const CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' blob: data:",
  'connect-src': "'none'",
  'object-src': "'none'",
  'frame-src': "'self' blob:",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
};

export const CSP = Object.entries(CSP_DIRECTIVES)
  .map(([k, v]) => `${k} ${v}`)
  .join('; ');

/** The same policy for the <meta> tag of renderer/index.html (frame-ancestors is header-only). */
export const CSP_META = Object.entries(CSP_DIRECTIVES)
  .filter(([k]) => k !== 'frame-ancestors')
  .map(([k, v]) => `${k} ${v}`)
  .join('; ');

/** Extra headers on everything the app protocol serves. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

/**
 * BrowserWindow webPreferences (minus `preload`, which main adds). The same in tests: nothing here
 * is relaxed "for tests" (STYLE: secure by default).
 * `plugins: true` only enables Chromium's built-in PDF viewer (Electron 45 has no other plugin):
 * the PDF preview decision, documented in contract/ipc.ts.
 */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  enableBlinkFeatures: '',
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
  plugins: true,
  enableWebSQL: false,
  autoplayPolicy: 'user-gesture-required',
} as const;

/** Other BrowserWindow options that matter for security or first paint. */
export const WINDOW_OPTIONS = {
  width: 1200,
  height: 800,
  minWidth: 800,
  minHeight: 600,
  show: false,
  title: 'Cachet',
  backgroundColor: '#1e1e24',
} as const;

/** Every navigation of the window away from what it loaded is refused: the renderer is one page. */
export function allowNavigation(_url: string): boolean {
  return false;
}

/** window.open / target=_blank: always denied (no second window, no external browser). */
export function windowOpenDecision(_url: string): { action: 'deny' } {
  return { action: 'deny' };
}

/** Permission requests (camera, notifications, clipboard-read, ...) and checks: all refused. */
export function allowPermission(_permission: string): boolean {
  return false;
}

/**
 * Is this the URL of our own top frame? The sender check of every IPC request uses it together
 * with the window's webContents id.
 */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * The file under `root` an app:// URL asks for, or null when it is not ours or would escape root.
 * Pure path arithmetic on '/'-separated segments; the caller joins it with node:path.
 */
export function appUrlToRelative(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (path === '/' || path === '') path = '/index.html';
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => p === '.' || p === '..' || p.includes('\\') || p.includes('\0') || p.includes(':'))) return null;
  return parts.join('/');
}

/** Media types of what the renderer bundle holds. */
export const STATIC_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
  json: 'application/json',
};

/** Icon for webContents.startDrag (must be non-empty on macOS): a 16x16 square. */
export const DRAG_ICON_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAGUlEQVR4nGPQiFrwnxLMMGrAqAGjBgwXAwDnTyEfrCNhXQAAAABJRU5ErkJggg==';
