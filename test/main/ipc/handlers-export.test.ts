// items:export goes through the core's Vault.export: on Windows an item named `a:b.txt` (which
// the CLI or another system may have added) is refused as not portable instead of being written
// into the alternate data stream `b.txt` of a file `a`; the other items are exported.
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
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

before(async () => {
  ({ dir, cleanup } = await tempDir());
  // Main as it runs on Windows: its file-name rules, on this machine's file system.
  platform = { ...createHeadlessPlatform({ userDataDir: join(dir, 'userData') }), os: 'win32' };
  app = await createMainServices(platform, { localScryptN: 2 ** 14, validateResponses: true });
  await app.start();
});
after(async () => {
  await app.stop();
  await cleanup();
});

test('export on Windows: an item named a:b.txt fails as not portable, nothing is written for it, the rest is exported', async () => {
  const lk = await ok('local-key:create', { protection: 'passphrase', passphrase: 'correct horse battery' });
  const vaultDir = join(dir, 'vault');
  platform.answerNext(vaultDir);
  await ok('dialog:pick-folder', { purpose: 'create-vault' });
  await ok('vault:create', { path: vaultDir, keys: [{ provider: 'local', keyId: lk.keyId }] });
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'a:b.txt'), 'stream');
  await writeFile(join(src, 'plain.txt'), 'plain');
  app.grantDrop(src);
  const add = await ok('items:add', { sources: [join(src, 'a:b.txt'), join(src, 'plain.txt')], to: '' });
  assert.equal((await app.services.jobs.wait(add.jobId))?.status, 'ok');
  // The ids from the folder itself (items:list would have to carry the name a:b.txt).
  const ids = (await readdir(join(vaultDir, 'items'))).map((n) => n.slice(0, 32));
  assert.equal(ids.length, 2);

  const out = join(dir, 'out');
  await mkdir(out);
  platform.answerNext(out);
  await ok('dialog:pick-folder', { purpose: 'export' });
  const { jobId } = await ok('items:export', { ids, to: out });
  const done = await app.services.jobs.wait(jobId);
  const failed = done?.results.filter((r) => !r.ok) ?? [];
  assert.equal(failed.length, 1, JSON.stringify(done?.results));
  assert.equal(failed[0]!.error?.code, 'bad-request');
  assert.equal(failed[0]!.error?.detail['reason'], 'not-portable');
  assert.deepEqual(await readdir(out), ['plain.txt'], 'no file a (with a stream b.txt) or a:b.txt written');
});
