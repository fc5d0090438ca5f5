// Issue 16 #3: three `cachet add` of the same folder at once all succeeded whatever --on-conflict
// said, and the vault ended with three items per path. Now a new item becomes visible only under
// the index writer section, after its path is checked against the index as merged just then
// (SPEC §9), and the losers follow their policy: fail -> [exists], skip -> skipped, keep-both ->
// renamed, replace -> one item. After each race: exactly one item per path, each whole.
// The CLI runs as real child processes (the built bundle); every wait is bounded by the harness.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCli, makeSandbox, runCli, type RunResult, type Sandbox } from '../app/cli/harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let sb: Sandbox;
const FILES = 40;
const WRITERS = 3;

const run = (args: string[]): Promise<RunResult> => runCli(cli, args, { env: sb.env, cwd: sb.dir });
function ok(r: RunResult, what: string): void {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
}
interface LsItem { id: string; path: string }
interface AddJson { added: { path: string }[]; skipped: string[]; failed: { path: string; error: string }[] }

async function race(mode: string): Promise<{ items: LsItem[]; outs: AddJson[]; codes: (number | null)[]; vault: string }> {
  const vault = join(sb.dir, `v-${mode}`);
  ok(await run(['init', vault, '--local']), 'init');
  const rs = await Promise.all(Array.from({ length: WRITERS }, () => run(['add', vault, join(sb.dir, 'docs'), '--on-conflict', mode, '--json'])));
  const outs = rs.map((r) => JSON.parse(r.stdout.toString('utf8')) as AddJson);
  const l = await run(['ls', vault, '--json']);
  ok(l, 'ls');
  return { items: JSON.parse(l.stdout.toString('utf8')) as LsItem[], outs, codes: rs.map((r) => r.code), vault };
}

function onePerPath(items: LsItem[], expected: number): void {
  const paths = items.map((i) => i.path);
  assert.equal(new Set(paths).size, paths.length, `a path is held twice: ${paths.filter((p, i) => paths.indexOf(p) !== i).slice(0, 5).join(', ')}`);
  assert.equal(items.length, expected);
}

before(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildCli());
  sb = await makeSandbox({ AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_PROFILE: 'no-such-profile' });
  await mkdir(join(sb.dir, 'docs'));
  for (let i = 0; i < FILES; i++) await writeFile(join(sb.dir, 'docs', `d-${i}.txt`), `doc ${i}\n`.repeat(1 + i * 50));
});

after(async () => {
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe(`${WRITERS} CLIs adding one folder at once`, () => {
  it('fail: one item per path; every other attempt is reported exists', async () => {
    const { items, outs, codes } = await race('fail');
    onePerPath(items, FILES);
    const added = outs.flatMap((o) => o.added.map((a) => a.path));
    assert.equal(added.length, FILES, 'each path added once in all');
    const failed = outs.flatMap((o) => o.failed);
    assert.equal(failed.length, FILES * (WRITERS - 1));
    assert.ok(failed.every((f) => f.error === 'exists'), JSON.stringify(failed.slice(0, 3)));
    assert.ok(codes.some((c) => c === 1), 'a loser exits 1');
  });

  it('skip: one item per path; the others are skipped, all exit 0', async () => {
    const { items, outs, codes } = await race('skip');
    onePerPath(items, FILES);
    assert.deepEqual(codes, Array(WRITERS).fill(0));
    assert.equal(outs.reduce((n, o) => n + o.added.length, 0), FILES);
    assert.equal(outs.reduce((n, o) => n + o.skipped.length, 0), FILES * (WRITERS - 1));
  });

  it('keep-both: every copy kept under its own name', async () => {
    const { items, outs, codes } = await race('keep-both');
    assert.deepEqual(codes, Array(WRITERS).fill(0));
    onePerPath(items, FILES * WRITERS);
    assert.equal(outs.reduce((n, o) => n + o.added.length, 0), FILES * WRITERS);
    for (let i = 0; i < FILES; i++) {
      for (const p of [`docs/d-${i}.txt`, `docs/d-${i} (2).txt`, `docs/d-${i} (3).txt`]) assert.ok(items.some((x) => x.path === p), p);
    }
  });

  it('replace: one item per path, and it is whole', async () => {
    const { items, codes, vault } = await race('replace');
    assert.deepEqual(codes, Array(WRITERS).fill(0));
    onePerPath(items, FILES);
    ok(await run(['verify', vault]), 'verify');
    const got = await run(['get', vault, 'docs/d-7.txt', '-o', '-']);
    ok(got, 'get');
    assert.equal(got.stdout.toString('utf8'), 'doc 7\n'.repeat(351));
  });
});
