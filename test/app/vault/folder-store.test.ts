// The folder store never blocks on, nor reads through, something that is not a regular file under
// a vault name (issue 16 item 2): a FIFO named like an item, like index.env or like vault.json.
// Run through the real CLI as child processes, each bounded by a timeout: an open that blocked on
// a FIFO would hang a libuv thread for good, so in-process it could not be stopped.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderStore } from '../../../app/vault/folder-store.js';
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

// list() stats names synchronously in slices, yielding between them, and hands the rest to the
// thread pool when a slice is slow (a network share): both paths must give the same answer, and
// a long list must not hold the event loop (the main process answers IPC meanwhile).
describe('FolderStore.list of many names', () => {
  const COUNT = 1300; // more than two sync slices
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cachet-list-'));
    await mkdir(join(dir, 'items'));
    for (let i = 0; i < COUNT; i++) await writeFile(join(dir, 'items', `f${i}.env`), Buffer.alloc(i % 7));
    await symlink(join(dir, 'items', 'f1.env'), join(dir, 'items', 'link.env'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function listWhileCounting(): Promise<{ entries: Awaited<ReturnType<FolderStore['list']>>; ticks: number }> {
    let ticks = 0;
    let done = false;
    const tick = (): void => {
      if (done) return;
      ticks++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const entries = await new FolderStore(dir).list('items');
    done = true;
    return { entries, ticks };
  }

  function check(entries: Awaited<ReturnType<FolderStore['list']>>): void {
    assert.equal(entries.length, COUNT + 1);
    const byName = new Map(entries.map((e) => [e.name, e]));
    for (let i = 0; i < COUNT; i++) {
      const e = byName.get(`f${i}.env`);
      assert.ok(e, `f${i}.env listed`);
      assert.equal(e.size, i % 7);
      assert.equal(e.regular, true);
    }
    assert.equal(byName.get('link.env')?.regular, false, 'a link is listed as not regular, never followed');
  }

  test('sync slices: every name with its stat, and the event loop runs between slices', async () => {
    const { entries, ticks } = await listWhileCounting();
    check(entries);
    assert.ok(ticks >= 2, `the event loop ran ${ticks} times during the list`);
  });

  test('a slow first slice hands the rest to the thread pool with the same answer', async () => {
    const saved = FolderStore.slowStatSliceMs;
    FolderStore.slowStatSliceMs = -1;
    try {
      check((await listWhileCounting()).entries);
    } finally {
      FolderStore.slowStatSliceMs = saved;
    }
  });
});
