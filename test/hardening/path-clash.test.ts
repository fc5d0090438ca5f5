// Issue 16 #16: the vault accepted an item `a` beside an item `a/x` (no file system can hold both),
// and `get a` could then never extract the folder. Now add and mv refuse it [path-clash] whatever
// --on-conflict says, with a hint to rename one of them; a vault that already holds such a pair
// still lists, gets the file by name and the folder as `a/`, and tells what to do.
// The CLI runs as real child processes (the built bundle).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unlockLocalKeyFile } from '../../app/keys/local.js';
import { Keyring } from '../../app/keys/provider.js';
import { buildCli, makeSandbox, PASSPHRASE, runCli, type RunResult, type Sandbox } from '../app/cli/harness.js';
import { forcePath } from '../helpers/legacy-pair.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;

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

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox({ AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_PROFILE: 'no-such-profile' });
  await mkdir(join(sb.dir, 'files'));
  await writeFile(join(sb.dir, 'files', 'a'), 'file a');
  await mkdir(join(sb.dir, 'tree', 'a'), { recursive: true });
  await writeFile(join(sb.dir, 'tree', 'a', 'x'), 'in folder a');
});

after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('a file and a folder of one name', () => {
  it('add and mv refuse it with path-clash and a hint, for every --on-conflict', async () => {
    const vault = join(sb.dir, 'v1');
    ok(await run(['init', vault, '--local']), 'init');
    ok(await run(['add', vault, join(sb.dir, 'files', 'a')]), 'add a');
    for (const mode of ['fail', 'replace', 'keep-both', 'skip']) {
      const r = await run(['add', vault, join(sb.dir, 'tree', 'a'), '--on-conflict', mode, '--json']);
      assert.equal(r.code, 1, `${mode}: ${r.stderr}`);
      const out = JSON.parse(r.stdout.toString('utf8')) as { added: unknown[]; failed: { path: string; error: string }[] };
      assert.deepEqual(out.added, [], mode);
      assert.deepEqual(out.failed.map((f) => [f.path, f.error]), [['a/x', 'path-clash']], mode);
      assert.match(r.stderr, /a file and a folder of one name/);
      assert.match(r.stderr, /cachet mv <vault> <item> <new-path>/);
    }
    assert.deepEqual((await ls(vault)).map((i) => i.path), ['a']);
    // the hint's way out: rename the file, then the folder goes in
    ok(await run(['mv', vault, 'a', 'a.txt']), 'mv');
    ok(await run(['add', vault, join(sb.dir, 'tree', 'a')]), 'add the folder');
    const mv = await run(['mv', vault, 'a.txt', 'a']);
    assert.equal(mv.code, 1);
    assert.match(mv.stderr, /is also a folder in the vault/);
    const mv2 = await run(['mv', vault, 'a.txt', 'a/x/y']);
    assert.equal(mv2.code, 1);
    assert.match(mv2.stderr, /a\/x is an item in the vault/);
    assert.deepEqual((await ls(vault)).map((i) => i.path), ['a.txt', 'a/x']);
  });

  it('a vault that already holds a and a/x: ls, get a, get a/ work; the whole-vault get says what to do', async () => {
    const vault = join(sb.dir, 'v2');
    ok(await run(['init', vault, '--local']), 'init');
    ok(await run(['add', vault, join(sb.dir, 'tree', 'a')]), 'add a/x');
    ok(await run(['add', vault, join(sb.dir, 'files', 'a'), '--to', 'tmp']), 'add tmp/a');
    const items = await ls(vault);
    const file = items.find((i) => i.path === 'tmp/a')!;
    // Make the pair an older Cachet allowed: the file `a` beside `a/x`.
    const local = await unlockLocalKeyFile(join(sb.dir, 'cachet-home', 'local-key.json'), PASSPHRASE);
    const keyring = new Keyring([local]);
    const id = (JSON.parse(await readFile(join(vault, 'vault.json'), 'utf8')) as { id: string }).id;
    await forcePath(vault, id, file.id, 'a', keyring);
    local.lock();
    assert.deepEqual((await ls(vault)).map((i) => i.path), ['a', 'a/x']);
    const out = join(sb.dir, 'out');
    await mkdir(out);
    ok(await run(['get', vault, 'a', '-o', join(out, 'the-file')]), 'get a');
    assert.equal(await readFile(join(out, 'the-file'), 'utf8'), 'file a');
    ok(await run(['get', vault, 'a/', '-o', join(out, 'f')]), 'get a/');
    assert.equal(await readFile(join(out, 'f', 'a', 'x'), 'utf8'), 'in folder a');
    const all = await run(['get', vault, '/', '-o', join(out, 'all')]);
    assert.equal(all.code, 1);
    assert.match(all.stderr, /a is also a folder in the vault/);
    assert.match(all.stderr, /rename one of them \(`cachet mv <vault> <item> <new-path>`\)/);
    assert.equal(await readFile(join(out, 'all', 'a', 'x'), 'utf8'), 'in folder a');
  });
});
