// The browser harness for renderer tests: Debian Chromium driven by Playwright, the renderer
// bundle (dist/renderer, or a fresh build when that is stale) served from a small 127.0.0.1 HTTP
// server with the app's CSP header, and a stand-in for
// the preload bridge. With `launchApp` the bridge reaches the REAL main-process services
// (createMainServices + dispatch, main/services/main-services.ts) on a headless Platform whose
// dialogs answer from a script; with `openRendererPage` a test supplies its own bridge functions
// (component tests). The bridge has the preload's shape (CachetBridge: invoke / on /
// pathForFile); events from main are pushed into the page with page.evaluate.
// Bytes cross the Playwright binding as base64 and are turned back into Uint8Array, so the
// renderer sees what Electron's structured clone would give it.
// It does not start moto (test/helpers/moto.ts does) nor Electron (test/e2e/electron.test.ts).

import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { existsSync, rmSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { createHeadlessPlatform } from '../../main/platform.js';
import { assertNoAxeViolations } from './axe.js';
import { createMainServices, type MainApp } from '../../main/services/main-services.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');
export const CHROMIUM = '/usr/bin/chromium';

/** The CSP of renderer/index.html, also sent as a header (as main/window.ts does). */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'none'; object-src 'none'; frame-src 'self' blob:; base-uri 'none'; form-action 'none'";

const STEP_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Renderer bundle

let built: Promise<string> | undefined;

const DIST_RENDERER = join(ROOT, 'dist', 'renderer');
/** What the bundle is made from: if any is newer than dist/renderer/app.js, dist is stale. */
const RENDERER_INPUTS = ['renderer', 'contract', 'app/errors.ts', 'app/vault/path-rules.ts', 'app/format/limits.ts'];

async function newestInput(): Promise<number> {
  let newest = 0;
  for (const input of RENDERER_INPUTS) {
    const abs = join(ROOT, input);
    const st = await stat(abs);
    if (!st.isDirectory()) {
      newest = Math.max(newest, st.mtimeMs);
      continue;
    }
    for (const e of await readdir(abs, { withFileTypes: true, recursive: true })) {
      if (e.isFile()) newest = Math.max(newest, (await stat(join(e.parentPath, e.name))).mtimeMs);
    }
  }
  return newest;
}

/**
 * The folder of the renderer bundle to serve: dist/renderer (what `npm run build` made and the
 * app ships) when it is up to date with its sources; otherwise a fresh build in a temp folder with
 * the renderer options of scripts/build.mjs, so a test run after an edit never sees a stale bundle
 * (and never rewrites dist/, which other test files may be using).
 */
export function buildRenderer(): Promise<string> {
  built ??= (async () => {
    const distApp = join(DIST_RENDERER, 'app.js');
    if (existsSync(distApp) && existsSync(join(DIST_RENDERER, 'index.html')) && (await stat(distApp)).mtimeMs >= (await newestInput())) {
      return DIST_RENDERER;
    }
    const out = await mkdtemp(join(tmpdir(), 'cachet-renderer-'));
    await build({
      bundle: true,
      sourcemap: 'linked',
      logLevel: 'warning',
      legalComments: 'none',
      platform: 'browser',
      target: 'chrome140',
      entryPoints: { app: join(ROOT, 'renderer/index.tsx') },
      outdir: out,
      format: 'esm',
      jsx: 'automatic',
      minify: true,
      define: { 'process.env.NODE_ENV': '"production"' },
      absWorkingDir: ROOT,
    });
    await copyFile(join(ROOT, 'renderer/index.html'), join(out, 'index.html'));
    process.once('exit', () => {
      rmSync(out, { recursive: true, force: true });
    });
    return out;
  })();
  return built;
}

// ---------------------------------------------------------------------------------------------
// Static server

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1:<free port> with the CSP header; nothing outside `dir`. */
export async function serveDir(dir: string): Promise<StaticServer> {
  const root = resolve(dir);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end(); // Chromium asks; Electron does not
      return;
    }
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep) || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-security-policy': CSP,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        });
        res.end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Browser

export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install -y chromium)`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// ---------------------------------------------------------------------------------------------
// Bytes across the binding

type Encoded = unknown;

/** Uint8Array (and Buffer) -> { __bytes: base64 }, recursively; everything else as is. */
export function encodeBytes(v: unknown): Encoded {
  if (v instanceof Uint8Array) return { __bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map(encodeBytes);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = encodeBytes(x);
    return out;
  }
  return v;
}

/**
 * The page side of the bridge, installed before any page script runs. Mirrors main/preload.ts:
 * a frozen `window.cachet` with invoke / on / pathForFile. `pathForFile` answers from
 * `window.__cachetTestPaths` (a WeakMap File -> real path that tests fill before a synthetic
 * drop) and reports the path to main like the preload's private grant message.
 * A plain string, not a function: tsx would add helper calls the page does not have.
 */
const BRIDGE_INIT_SCRIPT = `(() => {
  const listeners = new Map();
  const decode = (v) => {
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === 'object') {
      if (typeof v.__bytes === 'string' && Object.keys(v).length === 1) {
        const bin = atob(v.__bytes);
        const u8 = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
        return u8;
      }
      const out = {};
      for (const [k, x] of Object.entries(v)) out[k] = decode(x);
      return out;
    }
    return v;
  };
  const testPaths = new WeakMap();
  window.__cachetTestPaths = testPaths;
  window.__cachetEmit = (event, payload) => {
    for (const l of [...(listeners.get(event) ?? [])]) l(decode(payload));
  };
  const invokeBinding = window.__cachetInvoke;
  const grantBinding = window.__cachetGrantDrop;
  const bridge = {
    invoke: async (channel, request) => decode(await invokeBinding(channel, request)),
    on: (event, listener) => {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => { set.delete(listener); };
    },
    pathForFile: (file) => {
      const path = testPaths.get(file) ?? '';
      if (path) void grantBinding(path);
      return path;
    },
  };
  Object.defineProperty(window, 'cachet', { value: Object.freeze(bridge), writable: false, configurable: false });
})();`;

export interface BridgeImpl {
  invoke(channel: string, request: unknown): Promise<unknown>;
  grantDrop(path: string): void;
}

/** Exposes the bridge bindings on a context and installs the page-side bridge. */
export async function installBridge(context: BrowserContext, impl: BridgeImpl): Promise<void> {
  await context.exposeBinding('__cachetInvoke', async (_src, channel: string, request: unknown) => encodeBytes(await impl.invoke(channel, request)));
  await context.exposeBinding('__cachetGrantDrop', async (_src, path: string) => impl.grantDrop(path));
  await context.addInitScript({ content: BRIDGE_INIT_SCRIPT });
}

/** Pushes a main -> renderer event into the page (ignored while the page is gone). */
export async function emitToPage(page: Page, event: string, payload: unknown): Promise<void> {
  await page.evaluate(([e, p]) => (window as unknown as { __cachetEmit?: (e: string, p: unknown) => void }).__cachetEmit?.(e, p), [event, encodeBytes(payload)] as const).catch(() => {});
}

/** Collects console errors and page errors, so a test can assert the UI raised none. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

// ---------------------------------------------------------------------------------------------
// The app with real main services

/** The other looks of every screenshot: `<name><suffix>.png` beside the 1280x800 light one. */
const SCREEN_VARIANTS: readonly { suffix: string; viewport?: { width: number; height: number }; dark: boolean }[] = [
  { suffix: '-dark', dark: true },
  { suffix: '-800x600', viewport: { width: 800, height: 600 }, dark: false },
  { suffix: '-800x600-dark', viewport: { width: 800, height: 600 }, dark: true },
];

/** The vault toolbar's buttons (when it is shown) sit on one row: a small window does not wrap it. */
async function assertToolbarOneRow(p: Page, what: string): Promise<void> {
  const tops = await p.evaluate(() => [...document.querySelectorAll('.toolbar-actions > *')]
    .filter((e) => (e as HTMLElement).offsetParent !== null)
    .map((e) => Math.round(e.getBoundingClientRect().top)));
  if (new Set(tops).size > 1) throw new Error(`the toolbar wraps into ${new Set(tops).size} rows on screen "${what}" (button tops ${tops.join(', ')})`);
}

export interface AppHarnessOptions {
  /** AWS endpoint (moto) for KMS and STS. */
  awsEndpoint?: string;
  /** Environment for AWS profile/credential resolution (config/credentials files). */
  awsEnv?: Record<string, string>;
  /** Pretend an OS keychain exists (main/platform.ts headless stand-in). */
  safeStorage?: boolean;
  viewport?: { width: number; height: number };
}

export interface AppHarness {
  readonly page: Page;
  readonly app: MainApp;
  readonly platform: ReturnType<typeof createHeadlessPlatform>;
  readonly userDataDir: string;
  /** Console and page errors seen so far. */
  readonly errors: string[];
  /** Every event main emitted, in order. */
  readonly events: { event: string; payload: unknown }[];
  /** Script the answer to the next main dialog (folder/files/save). */
  answerDialog(answer: string[] | string | null): void;
  /** Drop real files/folders onto `selector` with a synthetic DataTransfer. */
  drop(selector: string, paths: string[]): Promise<void>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface Browsers {
  readonly browser: Browser;
  readonly server: StaticServer;
  close(): Promise<void>;
}

/** One browser and one static server for a test file. */
export async function startBrowsers(): Promise<Browsers> {
  const dir = await buildRenderer();
  const server = await serveDir(dir);
  const browser = await launchBrowser();
  return {
    browser,
    server,
    async close() {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

export async function launchApp(b: Browsers, opts: AppHarnessOptions = {}): Promise<AppHarness> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'cachet-e2e-user-'));
  const platform = createHeadlessPlatform({ userDataDir, safeStorage: opts.safeStorage ?? false });
  const events: { event: string; payload: unknown }[] = [];
  let page: Page | undefined;
  const app = await createMainServices(platform, {
    emit: (event, payload) => {
      events.push({ event, payload });
      if (page) void emitToPage(page, event, payload);
    },
    log: () => {},
    validateResponses: true,
    ...(opts.awsEndpoint ? { awsEndpoint: opts.awsEndpoint } : {}),
    ...(opts.awsEnv ? { awsEnv: opts.awsEnv } : {}),
  });
  await app.start();
  const context = await b.browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, acceptDownloads: false, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await installBridge(context, { invoke: async (c, r) => app.invoke(c, r), grantDrop: (p) => app.grantDrop(p) });
  page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(b.server.url, { waitUntil: 'load', timeout: STEP_TIMEOUT_MS });
  const p = page;
  return {
    page: p,
    app,
    platform,
    userDataDir,
    errors,
    events,
    answerDialog: (a) => platform.answerNext(a),
    async drop(selector, paths) {
      await p.locator(selector).first().evaluate((el, list) => {
        const map = (window as unknown as { __cachetTestPaths: WeakMap<File, string> }).__cachetTestPaths;
        const dt = new DataTransfer();
        for (const path of list) {
          const name = path.split('/').filter(Boolean).pop() ?? 'file';
          const file = new File([], name);
          map.set(file, path);
          dt.items.add(file);
        }
        for (const type of ['dragenter', 'dragover', 'drop']) {
          el.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
        }
      }, paths);
    },
    async screenshot(name) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      const file = join(SCREENSHOT_DIR, `${name}.png`);
      await p.screenshot({ path: file, timeout: STEP_TIMEOUT_MS });
      // Every screen a test shows is also an accessibility check (issue 11): zero axe violations.
      await assertNoAxeViolations(p, `screen "${name}"`);
      if (opts.viewport) return file; // a test that chose its own size shoots only that
      // The same screen in a small window and in the dark theme (issue 11): each one saved, each
      // one axe-clean (the dark palette's text contrast included), and the toolbar on one row.
      const size = p.viewportSize() ?? { width: 1280, height: 800 };
      try {
        for (const v of SCREEN_VARIANTS) {
          await p.setViewportSize(v.viewport ?? size);
          await p.emulateMedia({ colorScheme: v.dark ? 'dark' : 'light' });
          await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          await p.screenshot({ path: join(SCREENSHOT_DIR, `${name}${v.suffix}.png`), timeout: STEP_TIMEOUT_MS });
          await assertNoAxeViolations(p, `screen "${name}${v.suffix}"`);
          await assertToolbarOneRow(p, `${name}${v.suffix}`);
        }
      } finally {
        await p.setViewportSize(size);
        await p.emulateMedia({ colorScheme: 'light' });
      }
      return file;
    },
    async close() {
      await context.close().catch(() => {});
      await app.stop().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Renderer pages with a test-made bridge (component and list tests)

/** A page of the real renderer bundle whose bridge calls `invoke` (a test double of main). */
export async function openRendererPage(
  b: Browsers,
  invoke: (channel: string, request: unknown) => Promise<unknown>,
  viewport = { width: 1280, height: 800 },
): Promise<{ page: Page; errors: string[]; emit(event: string, payload: unknown): Promise<void>; close(): Promise<void> }> {
  const context = await b.browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await installBridge(context, { invoke, grantDrop: () => {} });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(b.server.url, { waitUntil: 'load', timeout: STEP_TIMEOUT_MS });
  return { page, errors, emit: (e, p) => emitToPage(page, e, p), close: () => context.close() };
}
