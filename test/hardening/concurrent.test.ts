// Concurrent use of one vault: two `cachet add` processes at once (and an add racing a mv and an
// rm) lose no item and no index entry; a fresh open then lists everything from the index with
// one unwrap. Sync-service conflicted copies beside items are tolerated (never listed twice,
// never deleted, verify still clean) and reconciled (a copy whose canonical file is gone is put
// back in place). The CLI runs as real child processes (the built bundle).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unlockLocalKeyFile } from '../../app/keys/local.js';
import { Keyring, type KeyProvider } from '../../app/keys/provider.js';
import { Vault } from '../../app/vault/vault.js';
import { buildCli, makeSandbox, PASSPHRASE, runCli, type RunResult, type Sandbox } from '../app/cli/harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;
const PER_WRITER = 60;

const run = (args: string[]): Promise<RunResult> => runCli(cli, args, { env: sb.env, cwd: sb.dir });
function ok(r: RunResult, what: string): void {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
}
interface LsItem { id: string; path: string }
async function ls(vault: string): Promise<LsItem[]> {
  const r = await run(['ls', vault, '--json']);
  ok(r, 'ls');
  return JSON.parse(r.stdout.toString('utf8')) as LsItem[];
}

/** An in-process keyring over the CLI's local key file, counting unwraps. */
async function countingKeyring(): Promise<{ keyring: Keyring; unwraps: () => number; lock: () => void }> {
  const local = await unlockLocalKeyFile(join(sb.dir, 'cachet-home', 'local-key.json'), PASSPHRASE);
  let n = 0;
  const p: KeyProvider = {
    type: 'local',
    generateDataKey: (k, c, o) => local.generateDataKey(k, c, o),
    wrapKey: (k, pl, c, o) => local.wrapKey(k, pl, c, o),
    unwrapKey: (s, c, o) => (n++, local.unwrapKey(s, c, o)),
  };
  return { keyring: new Keyring([p]), unwraps: () => n, lock: () => local.lock() };
}

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox({ AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_PROFILE: 'no-such-profile' });
  for (const w of ['a', 'b']) {
    await mkdir(join(sb.dir, w));
    for (let i = 0; i < PER_WRITER; i++) await writeFile(join(sb.dir, w, `${w}-${i}.txt`), `${w} ${i}\n`.repeat(1 + i));
  }
});

after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('two CLIs on one vault', () => {
  it('adding different folders at once loses no item and no index entry', async () => {
    const vault = join(sb.dir, 'v');
    ok(await run(['init', vault, '--local']), 'init');
    const [ra, rb] = await Promise.all([run(['add', vault, join(sb.dir, 'a')]), run(['add', vault, join(sb.dir, 'b')])]);
    ok(ra, 'add a');
    ok(rb, 'add b');
    const items = await ls(vault);
    assert.equal(items.length, 2 * PER_WRITER);
    assert.equal(new Set(items.map((i) => i.path)).size, 2 * PER_WRITER);
    // The index file alone names every item: a fresh open lists them with one unwrap for the index
    // (and one for the vault config key, SPEC §12).
    const k = await countingKeyring();
    const v = await Vault.open(vault, { keyring: k.keyring });
    assert.equal((await v.list()).length, 2 * PER_WRITER);
    assert.equal(k.unwraps(), 2, 'the index written last holds both writers\' entries');
    v.close();
    k.lock();
    ok(await run(['verify', vault]), 'verify');
  });

  it('an add racing a move and a remove: each change lands, nothing else changes', async () => {
    const vault = join(sb.dir, 'v');
    await mkdir(join(sb.dir, 'c'));
    for (let i = 0; i < 30; i++) await writeFile(join(sb.dir, 'c', `c-${i}.txt`), `c ${i}`);
    const [radd, rmv, rrm] = await Promise.all([
      run(['add', vault, join(sb.dir, 'c')]),
      run(['mv', vault, 'a/a-1.txt', 'renamed/a-1.txt']),
      run(['rm', vault, 'b/b-2.txt']),
    ]);
    ok(radd, 'add c');
    ok(rmv, 'mv');
    ok(rrm, 'rm');
    const paths = new Set((await ls(vault)).map((i) => i.path));
    assert.equal(paths.size, 2 * PER_WRITER + 30 - 1);
    assert.ok(paths.has('renamed/a-1.txt') && !paths.has('a/a-1.txt'));
    assert.ok(!paths.has('b/b-2.txt'));
    assert.ok(paths.has('c/c-29.txt'));
    const k = await countingKeyring();
    const v = await Vault.open(vault, { keyring: k.keyring });
    assert.equal((await v.list()).length, paths.size);
    assert.equal(k.unwraps(), 2, 'the index is complete after the race (and the config key)');
    v.close();
    k.lock();
  });
});

describe('sync-service conflicted copies', () => {
  it('are tolerated: listed once, never deleted, verify clean; a lone copy is put back in place', async () => {
    const vault = join(sb.dir, 'v');
    const items = await ls(vault);
    const [x, y] = [items[0]!, items[1]!];
    const itemsDir = join(vault, 'items');
    // Dropbox-style copy beside a live item, and Syncthing-style copy whose canonical file is gone.
    const dropbox = `${x.id} (conflicted copy 2026-11-28).env`;
    await copyFile(join(itemsDir, `${x.id}.env`), join(itemsDir, dropbox));
    const syncthing = `${y.id}.sync-conflict-20261128-120000-ABCDEFG.env`;
    await rename(join(itemsDir, `${y.id}.env`), join(itemsDir, syncthing));

    const r = await run(['ls', vault, '--json']);
    ok(r, 'ls with conflicted copies');
    const after = JSON.parse(r.stdout.toString('utf8')) as LsItem[];
    assert.equal(after.length, items.length, 'no item lost, none listed twice');
    assert.equal(after.filter((i) => i.id === x.id).length, 1);
    assert.match(r.stderr, /conflicted copy/, 'the copy beside a live item is reported');
    const names = await readdir(itemsDir);
    assert.ok(names.includes(dropbox), 'a conflicted copy is never deleted');
    assert.ok(names.includes(`${y.id}.env`) && !names.includes(syncthing), 'the lone copy was put back under its canonical name');
    ok(await run(['verify', vault]), 'verify');
    const got = await run(['get', vault, y.id, '-o', '-']);
    ok(got, 'get the reconciled item');
    assert.deepEqual(got.stdout, await readFile(join(sb.dir, y.path)));
  });

  it('rm of an item with conflicted copies removes them too, says so, and the item stays deleted (issue 16 #6)', async () => {
    const vault = join(sb.dir, 'v');
    const [x] = await ls(vault);
    const itemsDir = join(vault, 'items');
    const copies = [`${x!.id} (conflicted copy 2026-12-01).env`, `${x!.id}.sync-conflict-20261201-080000-XYZ.env`];
    for (const c of copies) await copyFile(join(itemsDir, `${x!.id}.env`), join(itemsDir, c));
    const other = (await ls(vault)).filter((i) => i.id !== x!.id).map((i) => i.id).sort();
    // With the copy the test above left: three in all.
    const before = (await readdir(itemsDir)).filter((n) => n.startsWith(x!.id) && n !== `${x!.id}.env`);
    assert.equal(before.length, 3);
    const r = await run(['rm', vault, x!.path, '--json']);
    ok(r, 'rm');
    assert.deepEqual(JSON.parse(r.stdout.toString('utf8')).removed, { id: x!.id, path: x!.path });
    assert.deepEqual([...JSON.parse(r.stdout.toString('utf8')).copies].sort(), before.sort());
    assert.match(r.stderr, /also removed 3 sync-conflicted copies of /);
    assert.deepEqual((await readdir(itemsDir)).filter((n) => n.startsWith(x!.id)), [], 'no copy left to come back');
    // The next opens do not bring it back, and the other items are untouched.
    assert.deepEqual((await ls(vault)).map((i) => i.id).sort(), other);
    assert.deepEqual((await ls(vault)).map((i) => i.id).sort(), other);
    ok(await run(['verify', vault]), 'verify');
  });
});
