// The preload, bundled as scripts/build.mjs does it, run against a fake of the sandbox's
// 'electron' (fixtures/fake-electron-renderer.cjs): exposes exactly the CachetBridge, forwards
// invoke on one channel, allows only the contract's events and hides the IPC event object,
// and registers dropped paths with main.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { EVENT_NAMES, GRANT_DROP_CHANNEL, INVOKE_CHANNEL } from '../../contract/ipc.js';

test('preload exposes the bridge built from the contract', async (t) => {
  await mkdir(join('node_modules', '.cache'), { recursive: true });
  const dir = await mkdtemp(join(process.cwd(), 'node_modules', '.cache', 'cachet-preload-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'preload.cjs');
  await build({ entryPoints: ['main/preload.ts'], bundle: true, platform: 'node', target: 'node24', format: 'cjs', external: ['electron'], outfile: out, logLevel: 'error' });
  const code = await readFile(out, 'utf8');
  const requires = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(requires)], ['electron'], 'the sandboxed preload may require only electron');
  // It bundles contract/names.ts, never the contract's zod schemas (which made it ~770 KB).
  assert.ok(code.length < 16 * 1024, `preload bundle is ${code.length} bytes`);
  assert.doesNotMatch(code, /zod|jitless/);

  const fake = join(import.meta.dirname, 'fixtures', 'fake-electron-renderer.cjs');
  const req = createRequire(out);
  const Module = req('node:module') as { _resolveFilename: (r: string, ...a: unknown[]) => string };
  const orig = Module._resolveFilename;
  Module._resolveFilename = function (this: unknown, r: string, ...a: unknown[]) {
    return r === 'electron' ? fake : orig.call(this, r, ...a);
  };
  try {
    req(out);
  } finally {
    Module._resolveFilename = orig;
  }
  const rec = (globalThis as any).__preload;
  const bridge = rec.exposed.cachet;
  assert.deepEqual(Object.keys(rec.exposed), ['cachet']);
  assert.deepEqual(Object.keys(bridge).sort(), ['invoke', 'on', 'pathForFile']);

  assert.deepEqual(await bridge.invoke('app:state', {}), { ok: true, value: 'from-main' });
  assert.deepEqual(rec.invoked, [[INVOKE_CHANNEL, 'app:state', {}]]);
  const unknown = await bridge.invoke('fs:read', {});
  assert.equal(unknown.ok, false);
  assert.equal(unknown.error.code, 'bad-request');
  assert.equal(rec.invoked.length, 1, 'unknown channels never reach ipc');

  const got: unknown[] = [];
  const off = bridge.on('job:done', (p: unknown) => got.push(p));
  const ch = `cachet:event:job:done`;
  for (const fn of rec.listeners.get(ch)) fn({ sender: 'the ipc event' }, { jobId: 'job-1' });
  assert.deepEqual(got, [{ jobId: 'job-1' }], 'the listener gets the payload only');
  off();
  assert.equal(rec.listeners.get(ch).size, 0);
  assert.throws(() => bridge.on('cachet:invoke', () => {}));
  assert.throws(() => bridge.on('__proto__', () => {}));
  for (const e of EVENT_NAMES) bridge.on(e, () => {})();

  assert.equal(bridge.pathForFile({ fakePath: '/home/u/dropped.txt' }), '/home/u/dropped.txt');
  assert.equal(bridge.pathForFile({}), '');
  assert.deepEqual(rec.sent, [[GRANT_DROP_CHANNEL, '/home/u/dropped.txt']], 'only real paths are registered');
});
