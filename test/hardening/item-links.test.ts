// Issue 16 #12: an item file replaced by a symbolic link (to a copy of its own genuine bytes
// elsewhere) is one thing to every command. verify, ls and get (by path and by id) all refuse it
// with the same reason (Cachet does not follow links in a vault), exit 1, and follow nothing;
// get by path, which the rebuilt index no longer knows, says an item file cannot be read instead
// of a bare "not found". The rule lives in one place (the store's
// regular-file open and the catalog's unreadable list); this test holds the commands to it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCli, lines, makeSandbox, runCli, type RunResult, type Sandbox } from '../app/cli/harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;
const run = (args: string[]): Promise<RunResult> => runCli(cli, args, { env: sb.env, cwd: sb.dir });
const REASON = /this file is a symbolic link or not a regular file; Cachet does not follow it/;

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox({ AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_PROFILE: 'no-such-profile' });
});
after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

test('an item file that is a symlink to its own genuine bytes: verify, ls and get refuse it alike, by path and by id', async () => {
  const vault = join(sb.dir, 'v');
  assert.equal((await run(['init', vault, '--local'])).code, 0);
  await mkdir(join(sb.dir, 'src'));
  await writeFile(join(sb.dir, 'src', 'linked.txt'), 'the genuine bytes\n');
  await writeFile(join(sb.dir, 'src', 'plain.txt'), 'a neighbour\n');
  assert.equal((await run(['add', vault, join(sb.dir, 'src', 'linked.txt'), join(sb.dir, 'src', 'plain.txt')])).code, 0);
  const ls = JSON.parse((await run(['ls', vault, '--json'])).stdout.toString('utf8')) as { id: string; path: string }[];
  const id = ls.find((i) => i.path === 'linked.txt')!.id;
  const file = join(vault, 'items', `${id}.env`);
  const elsewhere = join(sb.dir, 'elsewhere.env');
  await copyFile(file, elsewhere);
  await rm(file);
  await symlink(elsewhere, file);

  const verify = await run(['verify', vault]);
  assert.equal(verify.code, 1, verify.stderr.toString());
  assert.match(verify.stderr.toString(), REASON);
  assert.match(verify.stderr.toString(), new RegExp(id));

  const list = await run(['ls', vault]);
  assert.equal(list.code, 1);
  assert.match(list.stderr.toString(), REASON);
  assert.match(list.stdout.toString(), /plain\.txt/, 'the neighbour is still listed');
  assert.doesNotMatch(list.stdout.toString(), /linked\.txt/);

  // By id: the reason. By path (the index, rebuilt from the files that can be read, no longer
  // names it): not a bare "not found", but that a file cannot be read and verify says which.
  for (const ref of ['linked.txt', id]) {
    const out = join(sb.dir, `out-${ref.length}`);
    const get = await run(['get', vault, ref, '-o', out]);
    assert.equal(get.code, 1, `get ${ref}`);
    const err = lines(get.stderr).filter((l) => l.startsWith('cachet: '));
    assert.equal(err.length, 1, get.stderr.toString());
    if (ref === id) assert.match(err[0]!, REASON, 'by id: why');
    else {
      assert.match(err[0]!, /not found among the items that can be read: linked\.txt; 1 item file of this vault cannot be read, and it may be one of them/);
      assert.match(get.stderr.toString(), /hint: `cachet verify <vault>` names each file that cannot be read and says why/);
    }
    assert.ok(!(await readdir(sb.dir)).includes(`out-${ref.length}`), 'nothing written');
  }
  // The neighbour is unaffected.
  assert.equal((await run(['get', vault, 'plain.txt', '-o', join(sb.dir, 'plain-out.txt')])).code, 0);
});
