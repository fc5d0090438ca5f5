// SPEC §9 [path-clash]: no item's path is a folder of another item's path (`a` beside `a/x`), on
// add (every --on-conflict policy), addStream and move; keep-both names step over clashing names.
// A vault that already holds such a pair (made before the rule) still lists and gets both, and
// extracting reports the file [path-clash] while writing what is inside the folder.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isCachetError, type ErrorCode } from '../../../app/errors.js';
import { LocalKeyProvider } from '../../../app/keys/local.js';
import { Keyring } from '../../../app/keys/provider.js';
import { Vault, type ConflictPolicy } from '../../../app/vault/vault.js';
import { forcePath } from '../../helpers/legacy-pair.js';

const local = LocalKeyProvider.fromMasterKey(randomBytes(32));
const keyring = new Keyring([local]);
let root: string;
let n = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cachet-clash-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function newVault(): Promise<{ vault: Vault; dir: string; work: string }> {
  const work = join(root, `t${++n}`);
  await mkdir(work, { recursive: true });
  const dir = join(work, 'vault');
  return { vault: await Vault.create(dir, { keys: [{ provider: 'local', keyId: local.keyId }], keyring }), dir, work };
}

const stream = (s: string): Readable => Readable.from([Buffer.from(s)]);

async function rejectsCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => isCachetError(e) && e.code === code);
}

describe('a file and a folder of one name', () => {
  it('add refuses a/x beside a, and a beside a/x, whatever --on-conflict says; the rest is added', async () => {
    const { vault, work } = await newVault();
    await vault.addStream(stream('file a'), 'a');
    await vault.addStream(stream('in b'), 'b/y');
    // a folder `a` (holding x) and a file `b`, added as one job with a file that does not clash
    await mkdir(join(work, 'src', 'a'), { recursive: true });
    await writeFile(join(work, 'src', 'a', 'x'), 'x');
    await writeFile(join(work, 'src', 'b'), 'b');
    await writeFile(join(work, 'src', 'c'), 'c');
    for (const policy of ['fail', 'replace', 'keep-both', 'skip'] as ConflictPolicy[]) {
      const r = await vault.add([join(work, 'src', 'a'), join(work, 'src', 'b'), join(work, 'src', 'c')], { conflict: policy === 'fail' ? 'fail' : policy });
      const failed = r.failed.map((f) => [f.path, f.error.code]).sort();
      assert.deepEqual(failed, [['a/x', 'path-clash'], ['b', 'path-clash']], `policy ${String(policy)}`);
      if (policy === 'fail') assert.deepEqual(r.added.map((i) => i.path), ['c']);
    }
    await rejectsCode(vault.addStream(stream('x'), 'a/x'), 'path-clash');
    await rejectsCode(vault.addStream(stream('x'), 'a/deep/x', { conflict: 'replace' }), 'path-clash');
    await rejectsCode(vault.addStream(stream('x'), 'b', { conflict: 'keep-both' }), 'path-clash');
    const paths = (await vault.list()).map((i) => i.path);
    assert.equal(new Set(paths).size, paths.length);
    assert.ok(!paths.some((p) => p.startsWith('a/') || p === 'b'));
  });

  it('one job adding a and a/x refuses the second', async () => {
    const { vault, work } = await newVault();
    await mkdir(join(work, 'one', 'a'), { recursive: true });
    await writeFile(join(work, 'one', 'a', 'x'), 'x');
    await mkdir(join(work, 'two'), { recursive: true });
    await writeFile(join(work, 'two', 'a'), 'a');
    const r = await vault.add([join(work, 'one', 'a'), join(work, 'two', 'a')]);
    assert.deepEqual(r.added.map((i) => i.path), ['a/x']);
    assert.deepEqual(r.failed.map((f) => [f.path, f.error.code]), [['a', 'path-clash']]);
  });

  it('keep-both steps over a name that would clash', async () => {
    const { vault } = await newVault();
    await vault.addStream(stream('1'), 'n.txt');
    await vault.addStream(stream('2'), 'n (2).txt/inside');
    const it2 = await vault.addStream(stream('3'), 'n.txt', { conflict: 'keep-both' });
    assert.equal(it2.path, 'n (3).txt');
  });

  it('move refuses a clashing target, and allows moving an item into a folder of its own old name', async () => {
    const { vault } = await newVault();
    await vault.addStream(stream('a'), 'a');
    await vault.addStream(stream('b'), 'b');
    await vault.addStream(stream('y'), 'f/y');
    await rejectsCode(vault.move('b', 'a/b'), 'path-clash');
    await rejectsCode(vault.move('b', 'f'), 'path-clash');
    await rejectsCode(vault.move('b', 'a'), 'exists');
    assert.equal((await vault.move('a', 'a/moved')).path, 'a/moved');
    assert.equal((await vault.move('f/y', 'f')).path, 'f');
  });

  it('a vault that already holds a and a/x: both list and get; extracting reports the file and writes the folder', async () => {
    const { vault, dir, work } = await newVault();
    await vault.addStream(stream('in x'), 'a/x');
    const other = await vault.addStream(stream('file a'), 'z');
    await forcePath(dir, vault.id, other.id, 'a', keyring);
    const again = await Vault.open(dir, { keyring });
    assert.deepEqual((await again.list()).map((i) => i.path), ['a', 'a/x']);
    await again.get('a', join(work, 'file-a'));
    assert.equal(await readFile(join(work, 'file-a'), 'utf8'), 'file a');
    const r = await again.extract('a', join(work, 'out'));
    assert.deepEqual(r.written, [join(work, 'out', 'a', 'x')]);
    assert.deepEqual(r.failed.map((f) => [f.path, f.error.code, f.error.detail.other]), [['a', 'path-clash', 'a/x']]);
    // what the message says to do: rename one of them, after which everything extracts
    await again.move('a', 'a.file');
    const r2 = await again.extract('', join(work, 'out2'));
    assert.equal(r2.failed.length, 0);
    assert.equal(r2.written.length, 2);
  });
});
