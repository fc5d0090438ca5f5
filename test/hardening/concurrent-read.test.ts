// Issue 16 #5: `cachet get <id>` (also `mv`, `rm`, `ls`) said "not found" for an item that exists
// while another process rewrote that item's header (a `mv` renaming its temp over it). Readers
// now never take a transient absence for "not found": a listing that misses an item the index
// knows, or an open that finds no file, is tried again (bounded) before an item counts as gone.
// Bounded loops of concurrent CLI processes: one renames an item back and forth, the others read it;
// then a sync client that replaces the item file by delete-then-rename (a moment with no file).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCli, makeSandbox, runCli, type RunResult, type Sandbox } from '../app/cli/harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;
const ROUNDS = 25;
const CONTENT = 'the moving item\n'.repeat(2000);

const run = (args: string[]): Promise<RunResult> => runCli(cli, args, { env: sb.env, cwd: sb.dir });
function ok(r: RunResult, what: string): void {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
}
interface LsItem { id: string; path: string }

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox({ AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_PROFILE: 'no-such-profile' });
  await mkdir(join(sb.dir, 'src'));
  await writeFile(join(sb.dir, 'src', 'moving.txt'), CONTENT);
  for (let i = 0; i < 20; i++) await writeFile(join(sb.dir, 'src', `still-${i}.txt`), `still ${i}`);
});

after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('reading an item while another process renames it', () => {
  it('get, ls and mv of other items never say the moving item is not found', async () => {
    const vault = join(sb.dir, 'v');
    ok(await run(['init', vault, '--local']), 'init');
    ok(await run(['add', vault, join(sb.dir, 'src')]), 'add');
    const l = await run(['ls', vault, '--json']);
    ok(l, 'ls');
    const items = JSON.parse(l.stdout.toString('utf8')) as LsItem[];
    const moving = items.find((i) => i.path === 'src/moving.txt')!;
    let stop = false;
    const mover = (async () => {
      const paths = ['src/moving.txt', 'src/moved.txt'];
      for (let i = 0; i < 4 * ROUNDS && !stop; i++) ok(await run(['mv', vault, moving.id, paths[(i + 1) % 2]!]), `mv ${i}`);
    })();
    const problems: string[] = [];
    const getter = (async () => {
      for (let i = 0; i < ROUNDS; i++) {
        const r = await run(['get', vault, moving.id, '-o', '-']);
        if (r.code !== 0) problems.push(`get: ${r.stderr}`);
        else if (r.stdout.toString('utf8') !== CONTENT) problems.push('get: wrong content');
      }
    })();
    const lister = (async () => {
      for (let i = 0; i < ROUNDS; i++) {
        const r = await run(['ls', vault, '--json']);
        if (r.code !== 0) problems.push(`ls: ${r.stderr}`);
        else if (!(JSON.parse(r.stdout.toString('utf8')) as LsItem[]).some((x) => x.id === moving.id)) problems.push('ls: the moving item is missing');
      }
    })();
    const other = items.find((i) => i.path === 'src/still-0.txt')!;
    const otherMover = (async () => {
      for (let i = 0; i < ROUNDS; i++) {
        const r = await run(['mv', vault, other.id, i % 2 === 0 ? 'src/still-0b.txt' : 'src/still-0.txt']);
        if (r.code !== 0) problems.push(`mv other: ${r.stderr}`);
      }
    })();
    await Promise.all([getter, lister, otherMover]);
    stop = true;
    await mover;
    assert.deepEqual(problems, []);
  });

  it('get, ls and mv never say "not found" while a sync client replaces the item file non-atomically', async () => {
    const vault = join(sb.dir, 'v');
    const items = JSON.parse((await run(['ls', vault, '--json'])).stdout.toString('utf8')) as LsItem[];
    const moving = items.find((i) => i.id && i.path.startsWith('src/mov'))!;
    const file = join(vault, 'items', `${moving.id}.env`);
    const stage = join(sb.dir, 'stage');
    await mkdir(stage, { recursive: true });
    let stop = false;
    let replaced = 0;
    // What some sync clients and network file systems do: remove, then put the new copy in place.
    const syncClient = (async () => {
      for (let i = 0; i < 2000 && !stop; i++) {
        const bytes = await readFile(file);
        await writeFile(join(stage, 'copy'), bytes);
        await unlink(file);
        await new Promise((r) => setTimeout(r, 3));
        await rename(join(stage, 'copy'), file);
        replaced++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const problems: string[] = [];
    const reader = async (args: string[], check?: (r: RunResult) => string | undefined): Promise<void> => {
      for (let i = 0; i < ROUNDS; i++) {
        const r = await run(args);
        const p = r.code !== 0 ? r.stderr : check?.(r);
        if (p) problems.push(`${args[0]}: ${p}`);
      }
    };
    await Promise.all([
      reader(['get', vault, moving.id, '-o', '-'], (r) => (r.stdout.toString('utf8') === CONTENT ? undefined : 'wrong content')),
      reader(['ls', vault, '--json'], (r) => ((JSON.parse(r.stdout.toString('utf8')) as LsItem[]).some((x) => x.id === moving.id) ? undefined : 'the item is missing')),
      reader(['mv', vault, moving.id, moving.path]),
    ]);
    stop = true;
    await syncClient;
    assert.ok(replaced > 2 * ROUNDS, `the sync client replaced the file ${replaced} times`);
    assert.deepEqual(problems, []);
  });
});
