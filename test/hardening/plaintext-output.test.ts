// Plaintext outputs of the CLI (issue 16 #7, #8, #15, #18): closing the terminal (SIGHUP) during
// `get` or `decrypt` removes the verified-plaintext temp like Ctrl-C does; that temp is private
// (0600) from the moment it exists; a failed `get`/`decrypt -o new/dirs/out` removes the folders
// it made; `add` of a named path it does not add exits non-zero. Real CLI children (the built
// bundle); every wait has a deadline.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCli, collect, makeSandbox, runCli, sparseFile, spawnCli, type RunResult, type Sandbox } from '../app/cli/harness.js';

const BIG = 1024 ** 3; // sparse on disk; a second or more to open
const POLL_MS = 5;
const DEADLINE_MS = 60_000;

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;
let itemFile: string;

const run = (args: string[]): Promise<RunResult> => runCli(cli, args, { env: sb.env, cwd: sb.dir });

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox();
  await sparseFile(join(sb.dir, 'big.bin'), BIG);
  await writeFile(join(sb.dir, 'small.txt'), 'small\n');
  for (const args of [['init', 'v', '--local'], ['add', 'v', 'big.bin']]) {
    const r = await run(args);
    assert.equal(r.code, 0, r.stderr);
  }
  const names = (await readdir(join(sb.dir, 'v', 'items'))).filter((n) => n.endsWith('.env'));
  assert.equal(names.length, 1);
  itemFile = join(sb.dir, 'v', 'items', names[0]!);
});

after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

/** Start `args`, wait for its temp in `dir`, note the temp's mode at first sight, send `signal`. */
async function signalDuring(args: string[], dir: string, signal: NodeJS.Signals): Promise<{ r: RunResult; mode: number }> {
  const child = spawnCli(cli, args, { env: sb.env, cwd: sb.dir });
  const done = collect(child, 2 * DEADLINE_MS);
  const deadline = Date.now() + DEADLINE_MS;
  let mode: number | undefined;
  while (mode === undefined && Date.now() < deadline) {
    const tmp = (existsSync(dir) ? await readdir(dir) : []).find((n) => n.startsWith('.tmp-'));
    if (tmp) mode = await stat(join(dir, tmp)).then((s) => s.mode & 0o777, () => undefined);
    if (mode === undefined) await new Promise((res) => setTimeout(res, POLL_MS));
  }
  if (mode === undefined) {
    child.kill('SIGKILL');
    await done;
    assert.fail(`no temp appeared in ${dir}`);
  }
  process.kill(child.pid!, signal);
  return { r: await done, mode };
}

describe('plaintext temp outputs', () => {
  for (const [name, args, dir] of [
    ['get', ['get', 'v', 'big.bin', '-o', 'hup-get/sub/big.bin'], 'hup-get/sub'],
    ['decrypt', ['decrypt', '', '-o', 'hup-dec/sub/big.bin'], 'hup-dec/sub'],
  ] as const) {
    it(`SIGHUP during ${name}: the temp was 0600 from the start, and nothing is left (no temp, no output, no folder made)`, async () => {
      const a = args.map((x) => (x === '' ? itemFile : x));
      const { r, mode } = await signalDuring(a, join(sb.dir, dir), 'SIGHUP');
      assert.equal(mode, 0o600, `the plaintext temp was ${mode.toString(8)}`);
      assert.equal(r.code, 130, `exit ${r.code} ${r.signal ?? ''}: ${r.stderr}`);
      const top = dir.split('/')[0]!;
      assert.equal(existsSync(join(sb.dir, top)), false, 'the output folders made for it are removed');
    });
  }

  it('SIGKILL during get leaves its private temp, and the next command (any) removes it (#8)', async () => {
    const dir = join(sb.dir, 'kill-get');
    await mkdir(dir);
    const { r, mode } = await signalDuring(['get', 'v', 'big.bin', '-o', 'kill-get/big.bin'], dir, 'SIGKILL');
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(mode, 0o600);
    const left = (await readdir(dir)).filter((n) => n.startsWith('.tmp-'));
    assert.equal(left.length, 1, 'a hard kill cannot clean up: the temp is there');
    const records = join(sb.env['CACHET_HOME']!, 'in-flight');
    assert.equal((await readdir(records)).length, 1, 'and a record of it under the Cachet home');
    const next = await run(['ls', 'v']);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(await readdir(dir), [], 'the next command removed the plaintext temp');
    assert.deepEqual(await readdir(records), [], 'and its record');
  });

  it('a finished get is private too (it is plaintext)', async () => {
    await writeFile(join(sb.dir, 'small.txt'), 'small\n');
    assert.equal((await run(['add', 'v', 'small.txt'])).code, 0);
    const r = await run(['get', 'v', 'small.txt', '-o', 'done/small.txt']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await stat(join(sb.dir, 'done', 'small.txt'))).mode & 0o777, 0o600);
  });
});

describe('failed outputs leave no folders (#18)', () => {
  it('decrypt of a bad envelope -o new/dirs/out fails and removes new/ and new/dirs/', async () => {
    await writeFile(join(sb.dir, 'bad.env'), Buffer.from('CACHET not really an envelope'));
    const r = await run(['decrypt', 'bad.env', '-o', 'new1/dirs/out']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(existsSync(join(sb.dir, 'new1')), false);
  });

  it('get of a damaged item -o new/dirs/x fails and removes what it made, keeping a folder that was there', async () => {
    assert.equal((await run(['add', 'v', 'small.txt', '--to', 'dmg'])).code, 0);
    const ls = JSON.parse((await run(['ls', 'v', '--json'])).stdout.toString()) as { id: string; path: string }[];
    const file = join(sb.dir, 'v', 'items', `${ls.find((i) => i.path === 'dmg/small.txt')!.id}.env`);
    const good = await readFile(file);
    const bad = Buffer.from(good);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff; // the last chunk's tag: fails after the output is begun
    await writeFile(file, bad);
    try {
      await mkdir(join(sb.dir, 'existing'));
      const g = await run(['get', 'v', 'dmg/small.txt', '-o', 'existing/new3/dirs/x']);
      assert.equal(g.code, 1, g.stderr);
      assert.match(g.stderr, /tamper|damaged|changed/i);
      assert.deepEqual(await readdir(join(sb.dir, 'existing')), [], 'the folders made are gone, the one that was there stays');
      const d = await run(['decrypt', file, '-o', 'new4/dirs/out']);
      assert.equal(d.code, 1, d.stderr);
      assert.equal(existsSync(join(sb.dir, 'new4')), false);
    } finally {
      await writeFile(file, good);
    }
  });
});

describe('add of a named path it does not add (#15)', () => {
  it('a FIFO, a symlink and the vault itself named on the command line: exit 1, one line each', async () => {
    assert.equal(spawnSync('mkfifo', [join(sb.dir, 'fifo')]).status, 0);
    await symlink(join(sb.dir, 'small.txt'), join(sb.dir, 'link.txt'));
    for (const p of ['fifo', 'link.txt', 'v']) {
      const r = await run(['add', 'v', p]);
      assert.equal(r.code, 1, `${p}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(p.replace('.', '\\.')));
    }
  });

  it('the same inside a named folder stays a note (the folder was added)', async () => {
    const dir = join(sb.dir, 'folder');
    await mkdir(dir);
    await writeFile(join(dir, 'a.txt'), 'a');
    assert.equal(spawnSync('mkfifo', [join(dir, 'pipe')]).status, 0);
    const r = await run(['add', 'v', 'folder']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /note/);
  });
});
