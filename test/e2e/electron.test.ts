// Electron end-to-end: launches the built app (dist/main/main.cjs) with Playwright's Electron
// support and drives the main flow through the real preload bridge, IPC and main process:
// security of the page (no node, bridge shape, CSP, navigation/new windows refused), local key,
// create vault, add, list, preview, rename, export, delete, lock. Native dialogs are answered by
// replacing dialog.showOpenDialog in the main process (Playwright's electronApp.evaluate).
//
// Runs only where the Electron binary is present. It checks node_modules/electron/path.txt and the
// dist/ folder WITHOUT requiring 'electron' (whose index.js throws, and whose install script would
// download, when the binary is missing) and otherwise skips, saying exactly why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');
const ELECTRON_DIR = join(ROOT, 'node_modules', 'electron');

function electronBinary(): { path: string } | { skip: string } {
  const pathTxt = join(ELECTRON_DIR, 'path.txt');
  if (!existsSync(pathTxt)) {
    return { skip: `the Electron binary is not downloaded on this machine (${pathTxt} is missing: npm ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1); run \`node node_modules/electron/install.js\` to fetch it` };
  }
  const rel = readFileSync(pathTxt, 'utf8').trim();
  const bin = join(ELECTRON_DIR, 'dist', rel);
  if (!existsSync(bin)) return { skip: `the Electron binary is not downloaded on this machine (${bin} is missing although path.txt exists)` };
  return { path: bin };
}

const found = electronBinary();
const skip = 'skip' in found ? found.skip : false;
if (skip) console.log(`# electron e2e skipped: ${skip}`);

test('Electron main flow through the real preload and main process', { skip, timeout: 180_000 }, async () => {
  const bin = (found as { path: string }).path;
  if (!existsSync(join(ROOT, 'dist', 'main', 'main.cjs')) || !existsSync(join(ROOT, 'dist', 'main', 'preload.cjs'))) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(r.status, 0, 'npm run build');
  }
  const { _electron } = await import('playwright');
  const work = await mkdtemp(join(tmpdir(), 'cachet-electron-e2e-'));
  const src = join(work, 'src');
  await mkdir(src);
  await writeFile(join(src, 'hello.txt'), 'hello from electron');
  const args = ['.'];
  // Chromium refuses to start as root with its OS sandbox; the renderer's `sandbox: true` (limited
  // preload API, no node) is Electron's own and stays on.
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.unshift('--no-sandbox');
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) args.unshift('--ozone-platform=headless');
  const app = await _electron.launch({
    executablePath: bin,
    args,
    cwd: ROOT,
    env: { ...process.env, CACHET_USER_DATA: join(work, 'userData'), ELECTRON_ENABLE_LOGGING: '1' } as Record<string, string>,
    timeout: 60_000,
  });
  try {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    assert.match(page.url(), /^app:\/\/cachet\//);

    // The page has the bridge and nothing of node.
    const shape = await page.evaluate(() => ({
      keys: Object.keys((window as any).cachet ?? {}).sort(),
      require: typeof (globalThis as any).require,
      process: typeof (globalThis as any).process,
      buffer: typeof (globalThis as any).Buffer,
    }));
    assert.deepEqual(shape, { keys: ['invoke', 'on', 'pathForFile'], require: 'undefined', process: 'undefined', buffer: 'undefined' });

    // CSP: the renderer may not reach the network; new windows and navigation are refused.
    const blocked = await page.evaluate(async () => {
      try {
        await fetch('https://example.com/');
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(blocked, true, 'connect-src none');
    assert.equal(await page.evaluate(() => window.open('https://example.com/') === null), true);
    await page.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    assert.match(page.url(), /^app:\/\/cachet\//, 'navigation refused');

    // Answer native dialogs from the main process.
    const answer = async (paths: string[]): Promise<void> => {
      await app.evaluate(({ dialog }, p) => {
        (dialog as any).showOpenDialog = async () => ({ canceled: false, filePaths: p });
      }, paths);
    };
    const invoke = (channel: string, req: unknown): Promise<any> =>
      page.evaluate(([c, r]) => (window as any).cachet.invoke(c, r), [channel, req] as const);
    const ok = async (channel: string, req: unknown): Promise<any> => {
      const r = await invoke(channel, req);
      assert.equal(r.ok, true, `${channel}: ${JSON.stringify(r.error)}`);
      return r.value;
    };

    assert.equal((await invoke('nope:channel', {})).error.code, 'bad-request');
    assert.equal((await invoke('items:add', { sources: ['/etc'], to: '../x' })).error.code, 'bad-request');
    const lk = await ok('local-key:create', { protection: 'passphrase', passphrase: 'electron e2e passphrase' });
    const vaultDir = join(work, 'vault');
    await answer([vaultDir]);
    await ok('dialog:pick-folder', { purpose: 'create-vault' });
    await ok('vault:create', { path: vaultDir, keys: [{ provider: 'local', keyId: lk.keyId }] });
    await answer([join(src, 'hello.txt')]);
    await ok('dialog:pick-files', {});
    const done = page.evaluate(
      () => new Promise<any>((res) => {
        const off = (window as any).cachet.on('job:done', (d: any) => {
          off();
          res(d);
        });
      }),
    );
    await ok('items:add', { sources: [join(src, 'hello.txt')], to: 'docs' });
    assert.equal((await done).status, 'ok');
    const items = (await ok('items:list', {})).items;
    assert.deepEqual(items.map((i: any) => i.path), ['docs/hello.txt']);
    const text = await page.evaluate(async (id) => {
      const r = await (window as any).cachet.invoke('item:preview', { id });
      return r.ok && r.value.data instanceof Uint8Array ? new TextDecoder().decode(r.value.data) : JSON.stringify(r);
    }, items[0].id as string);
    assert.equal(text, 'hello from electron');
    await ok('item:rename', { id: items[0].id, path: 'docs/renamed.txt' });
    const out = join(work, 'out');
    await mkdir(out);
    await answer([out]);
    await ok('dialog:pick-folder', { purpose: 'export' });
    const exported = page.evaluate(
      () => new Promise<any>((res) => {
        const off = (window as any).cachet.on('job:done', (d: any) => {
          off();
          res(d);
        });
      }),
    );
    await ok('items:export', { ids: [items[0].id], to: out });
    assert.equal((await exported).status, 'ok');
    assert.equal(await readFile(join(out, 'renamed.txt'), 'utf8'), 'hello from electron');

    await mkdir(join(ROOT, 'test-results', 'screenshots'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'electron-main.png') });

    await ok('items:delete', { ids: [items[0].id] });
    await ok('vault:lock', {});
    const st = await ok('app:state', {});
    assert.equal(st.vault, null);
    assert.equal(st.localKey.unlocked, false);
  } finally {
    await app.close().catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
});
