// A loose envelope the OS opened (issue 15), through main's handlers against a real local key:
// inspect says what the header says and, with a key at hand, the stored name and size; with no
// key at hand it says why and still shows the header. Decrypt writes only to the file confirmed
// in the save dialog; add puts the content into the open vault. A tampered envelope is refused by
// both and leaves no output and no item; paths not granted are refused.
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sealFile } from '../../../app/envelope.js';
import { LocalKeyProvider } from '../../../app/keys/local.js';
import { Keyring } from '../../../app/keys/provider.js';
import { newId } from '../../../app/vault/layout.js';
import { createHeadlessPlatform } from '../../../main/platform.js';
import { createMainServices, type MainApp } from '../../../main/services/main-services.js';
import { invokeOk, tempDir } from '../helpers.js';

let dir: string;
let app: MainApp;
let platform: ReturnType<typeof createHeadlessPlatform>;
let cleanup: () => Promise<void>;
let keyId: string;
const ok = <T = any>(channel: string, req: unknown): Promise<T> => invokeOk<T>(app, channel, req);
const fails = async (channel: string, req: unknown) => {
  const r = await app.invoke(channel, req);
  assert.equal(r.ok, false, `${channel} should fail`);
  return (r as { ok: false; error: { code: string; detail: Record<string, unknown> } }).error;
};
const TEXT = 'db_password=hunter2\n'.repeat(500);

/** Seal `text` as a loose envelope (what `cachet encrypt` writes: its own id, no vault). */
async function seal(name: string, text: string, keyring: Keyring, key: string): Promise<string> {
  const src = join(dir, name);
  await writeFile(src, text);
  const env = `${src}.env`;
  await sealFile(src, env, { keyring, keys: [{ provider: 'local', keyId: key }], context: { 'cachet:item': newId(), 'cachet:purpose': 'item' }, metadata: { path: name, size: Buffer.byteLength(text), mtime: 1_700_000_000_000 } });
  return env;
}

before(async () => {
  ({ dir, cleanup } = await tempDir());
  platform = createHeadlessPlatform({ userDataDir: join(dir, 'userData') });
  app = await createMainServices(platform, { localScryptN: 2 ** 14, validateResponses: true, log: () => {} });
  await app.start();
  keyId = (await ok('local-key:create', { protection: 'passphrase', passphrase: 'envelope test passphrase' })).keyId;
});
after(async () => {
  await app.stop();
  await cleanup();
});

test('inspect: the header and, with the key at hand, the stored name, size and time; decrypt to the saved file', async () => {
  const env = await seal('secrets.txt', TEXT, app.services.session.keyring, keyId);
  assert.equal((await fails('envelope:inspect', { path: env })).code, 'permission-denied', 'not granted: refused');
  app.grantDrop(env); // what main does for a path the OS opened
  const info = await ok('envelope:inspect', { path: env });
  assert.deepEqual(info.keys, [{ provider: 'local', keyId }]);
  assert.equal(info.vault, null);
  assert.equal(info.fileSize, (await stat(env)).size);
  assert.deepEqual(info.content, { path: 'secrets.txt', size: Buffer.byteLength(TEXT), mtime: 1_700_000_000_000 });
  assert.equal(info.error, null);
  assert.equal(info.suggestedName, 'secrets.txt');

  const out = join(dir, 'out.txt');
  assert.equal((await fails('envelope:decrypt', { path: env, to: out })).code, 'permission-denied', 'only the file confirmed in the save dialog');
  platform.answerNext(out);
  await ok('dialog:save', { suggestedName: info.suggestedName });
  await ok('envelope:decrypt', { path: env, to: out });
  assert.equal(await readFile(out, 'utf8'), TEXT);
});

test('inspect without the key: the header, and why it cannot be opened', async () => {
  const stranger = LocalKeyProvider.fromMasterKey(Buffer.alloc(32, 0x5a));
  const env = await seal('theirs.txt', 'not for us', new Keyring([stranger]), stranger.keyId);
  app.grantDrop(env);
  const info = await ok('envelope:inspect', { path: env });
  assert.deepEqual(info.keys, [{ provider: 'local', keyId: stranger.keyId }]);
  assert.equal(info.content, null);
  assert.equal(info.error.code, 'local-key-missing', 'this machine\'s local key is another one');
  assert.equal(info.suggestedName, 'theirs.txt', 'from the envelope\'s own name');
});

test('add into the open vault; a path in use is refused; a tampered envelope adds nothing and decrypts nothing', async () => {
  const env = await seal('api.txt', TEXT, app.services.session.keyring, keyId);
  app.grantDrop(env);
  const none = await fails('envelope:add', { path: env, to: 'api.txt' });
  assert.deepEqual([none.code, none.detail['reason']], ['bad-request', 'no-vault-open']);
  const vaultDir = join(dir, 'vault');
  platform.answerNext(vaultDir);
  await ok('dialog:pick-folder', { purpose: 'create-vault' });
  await ok('vault:create', { path: vaultDir, keys: [{ provider: 'local', keyId }] });
  const item = await ok('envelope:add', { path: env, to: 'keys/api.txt' });
  assert.equal(item.path, 'keys/api.txt');
  assert.equal(item.size, Buffer.byteLength(TEXT));
  assert.equal(item.mtime, 1_700_000_000_000);
  const pv = await ok('item:preview', { id: item.id });
  assert.equal(Buffer.from(pv.data).toString(), TEXT);
  assert.equal((await fails('envelope:add', { path: env, to: 'keys/api.txt' })).code, 'exists');

  // One bit flipped in the last of several chunks: the header, the metadata and the first chunks
  // open (and flow into the new item's seal), the last does not.
  const bad = await seal('bad.txt', TEXT.repeat(40), app.services.session.keyring, keyId);
  const bytes = await readFile(bad);
  bytes[bytes.length - 1]! ^= 1;
  await writeFile(bad, bytes);
  app.grantDrop(bad);
  assert.equal((await fails('envelope:add', { path: bad, to: 'bad.txt' })).code, 'tampered');
  assert.deepEqual((await ok('items:list', {})).items.map((i: { path: string }) => i.path), ['keys/api.txt'], 'no item for the tampered envelope');
  assert.equal((await readdir(join(vaultDir, 'items'))).length, 1, 'and no file');
  const out = join(dir, 'bad-out.txt');
  platform.answerNext(out);
  await ok('dialog:save', { suggestedName: 'bad.txt' });
  assert.equal((await fails('envelope:decrypt', { path: bad, to: out })).code, 'tampered');
  assert.ok(!(await readdir(dir)).includes('bad-out.txt'), 'no partial output');
});
