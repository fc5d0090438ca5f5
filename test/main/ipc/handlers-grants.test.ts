// What a path grant lets the untrusted renderer do (security review of main/ipc/handlers.ts):
// a path it names below a granted folder must not reach outside that folder through a symbolic
// link placed there (e.g. `chosen/keys -> ~/.ssh`): adding must not read through one, exporting
// must not write or create folders through one. And only a path confirmed in the save dialog may
// be overwritten (item:export-as), never any file inside a folder chosen for export.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createHeadlessPlatform } from '../../../main/platform.js';
import { createMainServices, type MainApp } from '../../../main/services/main-services.js';
import { tempDir, invokeOk } from '../helpers.js';

let dir: string;
let app: MainApp;
let platform: ReturnType<typeof createHeadlessPlatform>;
let cleanup: () => Promise<void>;

const ok = <T = any>(channel: string, req: unknown): Promise<T> => invokeOk<T>(app, channel, req);
async function code(channel: string, req: unknown): Promise<string> {
  const r = await app.invoke(channel, req);
  assert.equal(r.ok, false, `${channel} should fail`);
  return (r as { ok: false; error: { code: string } }).error.code;
}

before(async () => {
  ({ dir, cleanup } = await tempDir());
  platform = createHeadlessPlatform({ userDataDir: join(dir, 'userData') });
  app = await createMainServices(platform, { localScryptN: 2 ** 14, validateResponses: true });
  await app.start();
  const lk = await ok('local-key:create', { protection: 'passphrase', passphrase: 'correct horse battery' });
  platform.answerNext(join(dir, 'vault'));
  await ok('dialog:pick-folder', { purpose: 'create-vault' });
  await ok('vault:create', { path: join(dir, 'vault'), keys: [{ provider: 'local', keyId: lk.keyId }] });
});
after(async () => {
  await app.stop();
  await cleanup();
});

test('add: a path below a granted folder that goes through a symlink is refused', async () => {
  const secret = join(dir, 'ssh');
  await mkdir(secret);
  await writeFile(join(secret, 'id_ed25519'), 'PRIVATE KEY');
  const chosen = join(dir, 'chosen');
  await mkdir(chosen);
  await writeFile(join(chosen, 'fine.txt'), 'fine');
  await symlink(secret, join(chosen, 'keys'));
  platform.answerNext(chosen);
  await ok('dialog:pick-folder', { purpose: 'add' });

  const through = join(chosen, 'keys', 'id_ed25519');
  assert.equal(await code('items:plan-add', { sources: [through], to: '' }), 'permission-denied');
  assert.equal(await code('items:add', { sources: [through], to: '' }), 'permission-denied');
  // The folder itself still works, and its walk skips the link.
  const plan = await ok('items:plan-add', { sources: [chosen], to: '' });
  assert.deepEqual(plan.entries.map((e: any) => e.vaultPath), ['chosen/fine.txt']);
  const { jobId } = await ok('items:add', { sources: [join(chosen, 'fine.txt')], to: '' });
  assert.equal((await app.services.jobs.wait(jobId))?.status, 'ok');
  const items = (await ok('items:list', {})).items.map((i: any) => i.path);
  assert.deepEqual(items, ['fine.txt']);
});

test('export: never writes or makes folders through a symlink inside the chosen folder', async () => {
  const elsewhere = join(dir, 'elsewhere');
  await mkdir(elsewhere);
  const out = join(dir, 'out');
  await mkdir(out);
  await symlink(elsewhere, join(out, 'docs'));
  await symlink(elsewhere, join(out, 'fine.txt'));
  platform.answerNext(out);
  await ok('dialog:pick-folder', { purpose: 'export' });
  const id = (await ok('items:list', {})).items[0].id;
  await ok('item:rename', { id, path: 'docs/sub/fine.txt' });

  // `to` itself through the link.
  assert.equal(await code('items:export', { ids: [id], to: join(out, 'docs') }), 'permission-denied');
  assert.equal(await code('items:export', { ids: [id], to: join(out, 'docs', 'sub') }), 'permission-denied');
  // keepFolders recreates docs/sub under `out`, where docs is a link: that unit fails (the
  // core's destination check, Vault.export: the path would leave the chosen folder).
  const j1 = await ok('items:export', { ids: [id], to: out, keepFolders: true });
  const d1 = await app.services.jobs.wait(j1.jobId);
  assert.equal(d1?.status, 'failed');
  assert.equal(d1?.results[0]?.error?.code, 'bad-request');
  assert.equal(d1?.results[0]?.error?.detail['reason'], 'escapes-destination');
  assert.deepEqual(await readdir(elsewhere), [], 'nothing was created or written through the link');
  // A link where the file would go counts as taken: the copy goes beside it.
  const j2 = await ok('items:export', { ids: [id], to: out });
  assert.equal((await app.services.jobs.wait(j2.jobId))?.status, 'ok');
  assert.equal(await readFile(join(out, 'fine (2).txt'), 'utf8'), 'fine');
  assert.deepEqual(await readdir(elsewhere), []);
});

test('export-as overwrites only the path confirmed in the save dialog, not files in an export folder', async () => {
  const home = join(dir, 'home');
  await mkdir(home);
  const victim = join(home, '.bashrc');
  await writeFile(victim, 'export PATH=/usr/bin');
  platform.answerNext(home);
  await ok('dialog:pick-folder', { purpose: 'export' });
  const id = (await ok('items:list', {})).items[0].id;
  assert.equal(await code('item:export-as', { id, to: victim }), 'permission-denied');
  assert.equal(await code('item:export-as', { id, to: join(home, 'new.txt') }), 'permission-denied');
  assert.equal(await readFile(victim, 'utf8'), 'export PATH=/usr/bin');

  const chosen = join(home, 'report.txt');
  await writeFile(chosen, 'old');
  platform.answerNext(chosen);
  await ok('dialog:save', { suggestedName: 'report.txt' });
  await ok('item:export-as', { id, to: chosen });
  assert.equal(await readFile(chosen, 'utf8'), 'fine');
  // The save grant is for that file only, not for what lies beside or below it.
  assert.equal(await code('item:export-as', { id, to: join(chosen, 'x') }), 'permission-denied');
});
