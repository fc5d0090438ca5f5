// How main.ts wires Electron, without Electron: the built dist/main/main.cjs runs in a child node
// process whose 'electron' is a recording fake (fixtures/fake-electron.cjs). Checks the order
// (sandbox and scheme before ready), the window's webPreferences and preload, the IPC sender
// check on the real dispatch, permission and header policies. The real-Electron run is
// test/e2e/electron.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';

test('main.cjs: lifecycle order, window settings, IPC sender check', async (t) => {
  // Under node_modules/.cache so the bundle's external requires (zod, the AWS SDK) resolve.
  await mkdir(join('node_modules', '.cache'), { recursive: true });
  const dir = await mkdtemp(join(process.cwd(), 'node_modules', '.cache', 'cachet-wiring-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'main.cjs');
  // Last run's window, partly off the right edge of the fake's one 1920x1080 display.
  await mkdir(join(dir, 'userData'), { recursive: true });
  await writeFile(join(dir, 'userData', 'window-state.json'), JSON.stringify({ bounds: { x: 1500, y: 100, width: 800, height: 300 }, maximized: false }));
  await build({ entryPoints: ['main/main.ts'], bundle: true, platform: 'node', target: 'node24', format: 'cjs', packages: 'external', external: ['electron'], outfile: out, logLevel: 'error' });
  // Files to open: a vault's vault.json and an envelope on the command line, a dotenv file (not
  // ours, same name) too; a second launch with a relative path; macOS open-file.
  const files = join(dir, 'files');
  await mkdir(join(files, 'vault'), { recursive: true });
  await writeFile(join(files, 'vault', 'vault.json'), '{}');
  await writeFile(join(files, 'sealed.env'), Buffer.concat([Buffer.from('CACHET'), Buffer.of(1, 16), Buffer.alloc(64)]));
  await writeFile(join(files, '.env'), 'API_KEY=not-ours\n');
  await writeFile(join(files, 'second.env'), Buffer.from('CACHET\x01'));
  await writeFile(join(files, 'mac.env'), Buffer.from('CACHET\x01'));
  const openTest = {
    vault: join(files, 'vault'),
    expectFromArgv: 2,
    secondArgv: ['/opt/Cachet/cachet-desktop', '--enable-features=X', 'second.env', join(files, '.env')],
    secondCwd: files,
    openFile: join(files, 'mac.env'),
  };
  const argv = [join(files, 'vault', 'vault.json'), join(files, '.env'), join(files, 'sealed.env'), join(files, 'missing.env')];
  const r = spawnSync(process.execPath, [join(import.meta.dirname, 'fixtures', 'run-main.cjs'), out, ...argv], {
    env: { ...process.env, CACHET_USER_DATA: join(dir, 'userData'), CACHET_TEST_OPEN: JSON.stringify(openTest) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  const calls: string[] = seen.calls;
  const at = (name: string) => calls.findIndex((c) => c.startsWith(name));
  assert.ok(at('enableSandbox') >= 0 && at('enableSandbox') < at('whenReady'));
  assert.ok(at('registerSchemesAsPrivileged') < at('whenReady'));
  assert.ok(at('requestSingleInstanceLock') >= 0);
  assert.ok(at('setPath') >= 0, 'CACHET_USER_DATA honoured');
  for (const c of ['setPermissionRequestHandler', 'setPermissionCheckHandler', 'onHeadersReceived', 'protocol.handle:app', 'ipcMain.handle:cachet:invoke', 'ipcMain.on:cachet:grant-drop', 'loadURL:app://cachet/index.html']) {
    assert.ok(calls.includes(c) || at(c) >= 0, `called ${c}`);
  }
  assert.ok(at('ipcMain.handle') < at('new BrowserWindow'), 'IPC is ready before the window loads');
  assert.ok(calls.includes('app.on:before-quit'));
  // Sleep and screen lock lock the vault through services.systemLock (the setting, on by default).
  assert.ok(calls.includes('powerMonitor.on:suspend') && calls.includes('powerMonitor.on:lock-screen'));
  assert.deepEqual(seen.powerLock, [{ reason: 'system', kept: [] }]);
  // The application menu (main/menu.ts): set before the window, Cachet's items disabled with no vault open, a click reaches the window.
  assert.ok(at('Menu.setApplicationMenu') >= 0 && at('Menu.setApplicationMenu') < at('new BrowserWindow'));
  assert.deepEqual(seen.menu.labels, ['&File', '&Edit', '&View', 'windowMenu', 'help']);
  assert.equal(seen.menu.own.length, 9);
  assert.ok(seen.menu.own.every((i: { enabled: boolean }) => i.enabled === false), JSON.stringify(seen.menu.own));
  assert.deepEqual(seen.menu.sent, [{ command: 'status' }]);
  // Closing the window asks about edited copies first (services.confirmQuit); with none it quits.
  assert.ok(at('close.preventDefault') >= 0 && at('quit') > at('close.preventDefault'), calls.slice(-6).join(', '));
  assert.ok(calls.includes('app.on:web-contents-created'));

  const wp = seen.webPreferences;
  assert.equal(wp.contextIsolation, true);
  assert.equal(wp.sandbox, true);
  assert.equal(wp.nodeIntegration, false);
  assert.equal(wp.webSecurity, true);
  assert.match(wp.preload, /preload\.cjs$/);

  assert.equal(seen.results.ours.ok, true);
  for (const k of ['otherWebContents', 'otherOrigin', 'subFrame']) {
    assert.equal(seen.results[k].ok, false, k);
    assert.equal(seen.results[k].error.code, 'permission-denied', k);
  }
  assert.equal(seen.results.badRequest.error.code, 'bad-request');
  assert.equal(seen.perm, false);
  assert.deepEqual(Object.keys(seen.headers).filter((k) => k.toLowerCase() === 'content-security-policy'), ['Content-Security-Policy']);
  assert.match(seen.headers['Content-Security-Policy'][0], /^default-src 'none'/);
  assert.deepEqual(seen.windowOpen, { action: 'deny' });

  // Opening files from the OS (main/open-request.ts decides what is ours).
  const open = seen.open;
  assert.equal(open.beforeGrant.error.code, 'permission-denied', 'the vault folder is not granted before the OS opens it');
  assert.equal(open.beforeLoad, 0, 'held until the page has loaded');
  assert.deepEqual(open.fromArgv, [{ kind: 'vault', path: join(files, 'vault') }, { kind: 'envelope', path: join(files, 'sealed.env') }]);
  assert.notEqual(open.afterGrant.ok === false ? open.afterGrant.error.code : 'ok', 'permission-denied', 'granted as a vault');
  assert.deepEqual(open.all.slice(2), [{ kind: 'envelope', path: join(files, 'second.env') }, { kind: 'envelope', path: join(files, 'mac.env') }]);
  assert.ok(calls.includes('open-file.preventDefault'));

  // Window state: the saved bounds fitted onto the display and to the minimum size; saved on close.
  assert.deepEqual(seen.bounds, { x: 1120, y: 100, width: 800, height: 600, minWidth: 800, minHeight: 600 });
  assert.deepEqual(seen.savedState, { bounds: { x: 33, y: 44, width: 1111, height: 777 }, maximized: false });

  // An installed app ignores the CACHET_USER_DATA test hook.
  const packaged = spawnSync(process.execPath, [join(import.meta.dirname, 'fixtures', 'run-main.cjs'), out], {
    env: { ...process.env, CACHET_USER_DATA: join(dir, 'userData'), FAKE_ELECTRON_PACKAGED: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(packaged.status, 0, packaged.stderr);
  const packagedCalls: string[] = JSON.parse(packaged.stdout.trim().split('\n').at(-1)!).calls;
  assert.ok(packagedCalls.includes('whenReady'));
  assert.equal(packagedCalls.findIndex((c) => c.startsWith('setPath')), -1, 'CACHET_USER_DATA ignored when packaged');
});
