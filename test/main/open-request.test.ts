// main/open-request.ts: which paths the OS hands over are Cachet's, by content (the CACHET magic)
// or by vault.json, never by a `.env` name; which argv entries are paths.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { argvPaths, classifyOpenPath } from '../../main/open-request.js';

test('argvPaths: skips the executable, the dev app folder and switches; resolves against the launch folder', () => {
  assert.deepEqual(argvPaths(['/opt/Cachet/cachet-desktop', 'a.env', '--no-sandbox', '/x/vault.json'], { packaged: true, cwd: '/home/u' }), ['/home/u/a.env', '/x/vault.json']);
  assert.deepEqual(argvPaths(['/usr/bin/electron', '.', 'b.env', ''], { packaged: false, cwd: '/w' }), ['/w/b.env']);
  assert.deepEqual(argvPaths(['/opt/Cachet/cachet-desktop'], { packaged: true, cwd: '/' }), []);
});

test('classifyOpenPath: envelopes by magic, vaults by vault.json; dotenv files, folders, short and missing files are not ours', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cachet-open-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'v'));
  await writeFile(join(dir, 'v', 'vault.json'), '{}');
  await writeFile(join(dir, 'sealed.env'), Buffer.concat([Buffer.from('CACHET'), Buffer.of(1, 16)]));
  await writeFile(join(dir, 'sealed-no-ext'), Buffer.from('CACHET\x01'));
  await writeFile(join(dir, 'text'), 'CACHET\nnotes\n');
  await writeFile(join(dir, 'token.env'), 'CACHET_TOKEN=abc\n');
  await writeFile(join(dir, '.env'), 'CACHET=1\nAPI_KEY=x\n');
  await writeFile(join(dir, 'short.env'), 'CACHET');
  await writeFile(join(dir, 'empty.env'), '');
  assert.deepEqual(await classifyOpenPath(join(dir, 'v', 'vault.json')), { kind: 'vault', path: join(dir, 'v') });
  assert.deepEqual(await classifyOpenPath(join(dir, 'sealed.env')), { kind: 'envelope', path: join(dir, 'sealed.env') });
  assert.deepEqual(await classifyOpenPath(join(dir, 'sealed-no-ext')), { kind: 'envelope', path: join(dir, 'sealed-no-ext') });
  for (const notOurs of ['.env', 'token.env', 'text', 'short.env', 'empty.env', 'missing.env', 'v']) assert.equal(await classifyOpenPath(join(dir, notOurs)), undefined, notOurs);
  assert.equal(await classifyOpenPath('sealed.env'), undefined, 'relative paths are refused');
});
