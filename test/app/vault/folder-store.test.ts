// The folder store never blocks on, nor reads through, something that is not a regular file under
// a vault name (issue 16 item 2): a FIFO named like an item, like index.env or like vault.json.
// Run through the real CLI as child processes, each bounded by a timeout: an open that blocked on
// a FIFO would hang a libuv thread for good, so in-process it could not be stopped.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCli, makeSandbox, runCli, type RunResult, type Sandbox } from '../cli/harness.js';

const BOUND_MS = 30_000;
let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;

const run = (args: string[]): Promise<RunResult> => runCli(cli, args, { env: sb.env, cwd: sb.dir, timeoutMs: BOUND_MS });

function finished(r: RunResult, what: string): void {
  assert.equal(r.signal, null, `${what} did not finish within ${BOUND_MS} ms (killed); stderr: ${r.stderr}`);
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path], { timeout: 5_000 });
}

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox({ AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_PROFILE: 'no-such-profile-for-local-tests' });
  await writeFile(join(sb.dir, 'a.txt'), 'hello\n');
});
after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('FIFOs named like vault files', () => {
  test('a FIFO items/<id>.env: ls, get and verify finish, and say the file is not a regular file', async () => {
    const vault = join(sb.dir, 'v1');
    assert.equal((await run(['init', vault, '--local'])).code, 0);
    assert.equal((await run(['add', vault, join(sb.dir, 'a.txt')])).code, 0);
    const id = randomBytes(16).toString('hex');
    mkfifo(join(vault, 'items', `${id}.env`));

    const ls = await run(['ls', vault]);
    finished(ls, 'ls');
    assert.match(ls.stdout.toString('utf8'), /a\.txt/);

    const get = await run(['get', vault, id, '-o', '-']);
    finished(get, 'get');
    assert.notEqual(get.code, 0, get.stderr);

    const verify = await run(['verify', vault]);
    finished(verify, 'verify');
    assert.equal(verify.code, 1, verify.stderr);
    assert.match(verify.stderr, new RegExp(id.slice(0, 8)));
  });

  test('a FIFO index.env: ls and get finish and still find the items (the index is rebuilt)', async () => {
    const vault = join(sb.dir, 'v2');
    assert.equal((await run(['init', vault, '--local'])).code, 0);
    assert.equal((await run(['add', vault, join(sb.dir, 'a.txt')])).code, 0);
    await rm(join(vault, 'index.env'));
    mkfifo(join(vault, 'index.env'));

    const ls = await run(['ls', vault]);
    finished(ls, 'ls');
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout.toString('utf8'), /a\.txt/);

    const get = await run(['get', vault, 'a.txt', '-o', '-']);
    finished(get, 'get');
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout.toString('utf8'), 'hello\n');

    const verify = await run(['verify', vault]);
    finished(verify, 'verify');
    assert.equal(verify.code, 0, verify.stderr);
  });

  test('a FIFO vault.json: ls, get and verify finish with a clear vault error', async () => {
    const vault = join(sb.dir, 'v3');
    assert.equal((await run(['init', vault, '--local'])).code, 0);
    await rename(join(vault, 'vault.json'), join(sb.dir, 'v3-vault.json'));
    mkfifo(join(vault, 'vault.json'));
    for (const args of [['ls', vault], ['get', vault, 'a.txt', '-o', '-'], ['verify', vault]]) {
      const r = await run(args);
      finished(r, args[0]!);
      assert.notEqual(r.code, 0, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, /vault\.json/i, `${args[0]}: ${r.stderr}`);
    }
  });
});
