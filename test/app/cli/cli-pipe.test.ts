// The CLI writing to a pipe: a reader that is slow (the output must be flushed before exit, and
// the process must not end with Node's exit 13 for an unsettled wait) and a reader that goes away
// early (`| head -c 10`: quiet, exit 141 as for SIGPIPE, the vault untouched).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCli, collect, makeSandbox, runCli, spawnCli, type RunResult, type Sandbox } from './harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;

// Many full chunks, then a last write far below stdout's highWaterMark: it returns true while
// still queued behind a full pipe, so no 'drain' follows it.
const DATA = randomBytes(3 * 1024 * 1024 + 1000);

const run = (args: string[]): Promise<RunResult> => runCli(cli, args, { env: sb.env, cwd: sb.dir });

function ok(r: RunResult, what: string): void {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
}

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox({ AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_PROFILE: 'no-such-profile-for-pipe-tests' });
  await writeFile(join(sb.dir, 'big.bin'), DATA);
  ok(await run(['init', 'v', '--local']), 'init'); // makes the local key too
  ok(await run(['encrypt', 'big.bin', '--local', '-o', 'big.env']), 'encrypt');
  ok(await run(['add', 'v', 'big.bin']), 'add');
});

after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('cachet writing to a pipe', () => {
  test('a slow reader gets every byte and exit 0', async () => {
    // The reader pauses after every read, so the CLI's last small write often finds the pipe full
    // and stays queued. Before main.ts flushed with a write callback it awaited 'drain' there,
    // which never comes after a write() that returned true: exit 13 in about a third of the runs.
    for (let round = 0; round < 8; round++) {
      const child = spawnCli(cli, ['decrypt', 'big.env', '-o', '-'], { env: sb.env, cwd: sb.dir });
      child.stdin!.end();
      const out: Buffer[] = [];
      let err = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (s: string) => (err += s));
      child.stdout!.on('data', (b: Buffer) => {
        out.push(b);
        child.stdout!.pause();
        setTimeout(() => child.stdout!.resume(), 15);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await new Promise((r) => child.on('close', r));
      clearTimeout(timer);
      assert.equal(code, 0, `round ${round}: exit ${code}: ${err}`);
      assert.ok(Buffer.concat(out).equals(DATA), `round ${round}: the output differs`);
    }
  });

  test('a reader that closes early (| head -c 10) ends the command quietly with 141', async () => {
    const codeFile = join(sb.dir, 'code.txt');
    const errFile = join(sb.dir, 'err.txt');
    const sh = spawn('sh', ['-c', '{ "$NODE" "$CLI" get v big.bin -o - 2>"$ERR"; echo $? >"$CODE"; } | head -c 10'], {
      cwd: sb.dir,
      env: { ...sb.env, NODE: process.execPath, CLI: cli, ERR: errFile, CODE: codeFile },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const r = await collect(sh, 60_000);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.equals(DATA.subarray(0, 10)));
    assert.equal((await readFile(codeFile, 'utf8')).trim(), '141');
    assert.equal(await readFile(errFile, 'utf8'), '', 'a closed stdout is not an error to print');
    // The item is still there, whole, and no temp was left behind.
    const again = await run(['get', 'v', 'big.bin', '-o', '-']);
    ok(again, 'get after the pipe closed');
    assert.ok(again.stdout.equals(DATA));
    assert.deepEqual((await readdir(join(sb.dir, 'v'))).filter((n) => n.startsWith('.tmp-')), []);
  });
});
