// Ctrl-C: a CLI child given SIGINT in the middle of sealing a large file stops, removes its temp
// output, prints one 'cancelled' line and exits 130; the vault gains no item. Bounded: the poll
// for the temp file and the wait for exit each have a deadline.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCli, collect, makeSandbox, runCli, sparseFile, spawnCli, type Sandbox } from './harness.js';

const BIG = 4 * 1024 ** 3; // sparse: costs no disk to make, takes seconds to seal
const POLL_MS = 20;
const APPEAR_DEADLINE_MS = 30_000;
const EXIT_DEADLINE_MS = 30_000;

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox();
  await sparseFile(join(sb.dir, 'big.bin'), BIG);
  const r = await runCli(cli, ['init', 'v', '--local'], { env: sb.env, cwd: sb.dir });
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

async function waitForTemp(dir: string): Promise<string> {
  const deadline = Date.now() + APPEAR_DEADLINE_MS;
  while (Date.now() < deadline) {
    const names = existsSync(dir) ? await readdir(dir) : [];
    const tmp = names.find((n) => n.startsWith('.tmp-'));
    if (tmp) return tmp;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`no temp file appeared in ${dir}`);
}

async function interruptDuring(args: string[], tempDir: string): Promise<{ code: number | null; stderr: string; stdout: Buffer }> {
  const child = spawnCli(cli, args, { env: sb.env, cwd: sb.dir });
  const done = collect(child, EXIT_DEADLINE_MS + APPEAR_DEADLINE_MS);
  try {
    await waitForTemp(tempDir);
  } catch (e) {
    child.kill('SIGKILL');
    await done;
    throw e;
  }
  assert.ok(child.pid !== undefined);
  process.kill(child.pid, 'SIGINT');
  const r = await done;
  return r;
}

test('SIGINT during a large add: exit 130, no item, no temp', async () => {
  const r = await interruptDuring(['add', 'v', 'big.bin'], join(sb.dir, 'v', 'items'));
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /^cachet: cancelled$/m);
  const left = await readdir(join(sb.dir, 'v', 'items'));
  assert.deepEqual(left.filter((n) => n.startsWith('.tmp-')), [], 'no temp left');
  assert.deepEqual(left.filter((n) => n.endsWith('.env')), [], 'no item added');
  const ls = await runCli(cli, ['ls', 'v', '--json'], { env: sb.env, cwd: sb.dir });
  assert.equal(ls.code, 0, ls.stderr);
  assert.deepEqual(JSON.parse(ls.stdout.toString()), []);
});

test('SIGINT during encrypt: exit 130, no output, no temp', async () => {
  const r = await interruptDuring(['encrypt', 'big.bin', '--local', '-o', 'out/big.env'], join(sb.dir, 'out'));
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /cancelled/);
  assert.equal(existsSync(join(sb.dir, 'out')), false, 'neither the output, a temp nor the folder made for it is left');
});
