import assert from 'node:assert/strict';
import { link, mkdir, readdir, readFile, stat, symlink, writeFile, open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { TempFiles, wipeTree } from '../../../main/services/temp-files.js';
import { systemClock } from '../../../main/platform.js';
import { tempDir } from '../helpers.js';

const ID = 'a'.repeat(32);

test('copies live in a private folder and are reported when edited', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const edited: string[] = [];
  const temps = new TempFiles({ root: join(dir, 'temp'), clock: systemClock, settleMs: 20, onEdited: (e) => edited.push(e.tempId) });
  const e = await temps.create({ itemId: ID, vaultPath: 'docs/note.txt' }, (dest) => writeFile(dest, 'hello'), { watchEdits: true });
  assert.match(e.tempId, /^tmp-[0-9a-f]+$/);
  assert.equal(await readFile(e.path, 'utf8'), 'hello');
  assert.ok(e.path.endsWith('note.txt'));
  if (process.platform !== 'win32') {
    assert.equal((await stat(join(dir, 'temp'))).mode & 0o777, 0o700);
    assert.equal((await stat(e.path)).mode & 0o077, 0);
  }
  await writeFile(e.path, 'hello, edited');
  for (let i = 0; i < 100 && edited.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(edited, [e.tempId]);
  await temps.markSaved(e.tempId, 'b'.repeat(32));
  assert.equal(temps.get(e.tempId).itemId, 'b'.repeat(32));
  await temps.discard(e.tempId);
  assert.deepEqual(await readdir(join(dir, 'temp')), []);
  assert.throws(() => temps.get(e.tempId));
});

test('on Windows a copy gets a name Windows can create; elsewhere the item\'s own name', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const names = async (platform: NodeJS.Platform): Promise<string[]> => {
    const temps = new TempFiles({ root: join(dir, platform), clock: systemClock, onEdited: () => {}, platform });
    const out: string[] = [];
    for (const vaultPath of ['docs/CON.txt', 'a:b?.txt', 'notes. ', 'plain.txt']) {
      const e = await temps.create({ itemId: ID, vaultPath }, (dest) => writeFile(dest, 'x'), { watchEdits: false });
      out.push(basename(e.path));
    }
    return out;
  };
  assert.deepEqual(await names('win32'), ['_CON.txt', 'a_b_.txt', 'notes', 'plain.txt']);
  assert.deepEqual(await names('linux'), ['CON.txt', 'a:b?.txt', 'notes. ', 'plain.txt']);
});

test('a failed write leaves no copy behind', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const temps = new TempFiles({ root: join(dir, 'temp'), clock: systemClock, onEdited: () => {} });
  await assert.rejects(temps.create({ itemId: ID, vaultPath: 'x.txt' }, async (dest) => {
    await writeFile(dest, 'partial');
    throw new Error('boom');
  }, { watchEdits: false }));
  assert.deepEqual(await readdir(join(dir, 'temp')), []);
  assert.equal(temps.count, 0);
});

test('wipeAll zeroes then unlinks files, including leftovers of an earlier run, without following symlinks', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const root = join(dir, 'temp');
  // A crash leftover: a copy from a previous process, nested, plus a symlink pointing outside.
  await mkdir(join(root, 'tmp-0123456789abcdef', 'sub'), { recursive: true });
  await writeFile(join(root, 'tmp-0123456789abcdef', 'sub', 'old.txt'), 'old plaintext');
  const outside = join(dir, 'outside.txt');
  await writeFile(outside, 'must survive');
  if (process.platform !== 'win32') await symlink(outside, join(root, 'tmp-0123456789abcdef', 'link'));
  const temps = new TempFiles({ root, clock: systemClock, onEdited: () => {} });
  const live = await temps.create({ itemId: ID, vaultPath: 'a.bin' }, (dest) => writeFile(dest, Buffer.alloc(200_000, 7)), { watchEdits: true });

  // Watch the bytes being zeroed: keep a handle open on the live copy (its inode outlives unlink).
  const fh = await open(live.path, 'r');
  const n = await temps.wipeAll();
  assert.equal(n, 2);
  const after = Buffer.alloc(200_000);
  await fh.read(after, 0, after.length, 0);
  await fh.close();
  assert.ok(after.every((b) => b === 0), 'content was overwritten with zeros before unlink');
  assert.deepEqual(await readdir(root), []);
  assert.equal(await readFile(outside, 'utf8'), 'must survive');
  assert.equal(temps.count, 0);
});

test('a copy hard-linked from outside the temp folder is unlinked, not zeroed (the other name is not ours)', { skip: process.platform === 'win32' && 'link counts and O_NOFOLLOW are POSIX behaviour' }, async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const temps = new TempFiles({ root: join(dir, 'temp'), clock: systemClock, onEdited: () => {} });
  const e = await temps.create({ itemId: ID, vaultPath: 'report.txt' }, (dest) => writeFile(dest, 'the report'), { watchEdits: false });
  // E.g. the person's app or backup tool linked the copy to a name of its own.
  const kept = join(dir, 'kept-report.txt');
  await link(e.path, kept);
  assert.equal(await temps.wipeAll(), 1);
  assert.deepEqual(await readdir(join(dir, 'temp')), []);
  assert.equal(await readFile(kept, 'utf8'), 'the report');
});

test('wipeTree on a missing path is a no-op', async () => {
  assert.equal(await wipeTree('/nonexistent/cachet/path'), 0);
});
