// Issue 16 #4: items added while a whole-vault `cachet rekey --to K2` ran stayed under the old key
// only, yet the re-key exited 0 and vault.json named K2 alone (retiring K1 then loses them). Now a
// re-key takes what was added meanwhile in further passes over a fresh listing, and names any
// item still under the old key (exit 1, `conflict` reason rekey-missed): after it, every item is
// under K2, or is in its failure list. KMS is moto (test/helpers/moto.ts) with the real SDK; the
// CLI runs as real child processes; the adds are a bounded loop.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestKey, startMoto, type Moto } from '../helpers/moto.js';
import { buildCli, makeSandbox, runCli, type RunResult, type Sandbox } from '../app/cli/harness.js';

let cli: string;
let cleanupBuild: () => Promise<void>;
let moto: Moto;
let sb: Sandbox;
let env: Record<string, string>;
let keyA: string;
let keyB: string;
const ITEMS = 150;
const MAX_ADDS = 30;

const run = (args: string[]): Promise<RunResult> => runCli(cli, args, { env, cwd: sb.dir });
function ok(r: RunResult, what: string): void {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
}
interface LsItem { id: string; path: string; keys: string[] }

before(async () => {
  [{ cli, cleanup: cleanupBuild }, moto] = await Promise.all([buildCli(), startMoto()]);
  sb = await makeSandbox();
  env = { ...sb.env, ...moto.env };
  keyA = await createTestKey(moto.endpoint);
  keyB = await createTestKey(moto.endpoint);
  await mkdir(join(sb.dir, 'bulk'));
  for (let i = 0; i < ITEMS; i++) await writeFile(join(sb.dir, 'bulk', `f-${i}.txt`), `item ${i}\n`);
  await mkdir(join(sb.dir, 'late'));
  for (let i = 0; i < MAX_ADDS; i++) await writeFile(join(sb.dir, 'late', `late-${i}.txt`), `late ${i}\n`);
});

after(async () => {
  await moto?.stop();
  await sb?.cleanup();
  await cleanupBuild?.();
});

describe('an add while a whole-vault re-key runs', () => {
  it('every item ends under the new key, or the re-key names it and exits 1', async () => {
    const vault = join(sb.dir, 'v');
    ok(await run(['init', vault, '--kms-key', keyA]), 'init');
    ok(await run(['add', vault, join(sb.dir, 'bulk')]), 'add bulk');
    let rekeyDone = false;
    const rekey = run(['rekey', vault, '--to', keyB, '--json']).finally(() => {
      rekeyDone = true;
    });
    // One file at a time while the re-key runs (bounded): each add reads vault.json when it starts.
    let during = 0;
    for (let i = 0; i < MAX_ADDS && !rekeyDone; i++) {
      ok(await run(['add', vault, join(sb.dir, 'late', `late-${i}.txt`)]), `add late-${i}`);
      if (!rekeyDone) during++;
    }
    const r = await rekey;
    assert.ok(during > 0, 'no add finished while the re-key ran: the test proves nothing');
    const out = JSON.parse(r.stdout.toString('utf8')) as { done: number; failed: { item: string; error: string }[] };
    const cfg = JSON.parse(await readFile(join(vault, 'vault.json'), 'utf8')) as { keys: { keyId: string }[] };
    assert.deepEqual(cfg.keys.map((k) => k.keyId), [keyB]);
    const l = await run(['ls', vault, '--json']);
    ok(l, 'ls');
    const items = JSON.parse(l.stdout.toString('utf8')) as LsItem[];
    assert.ok(items.length >= ITEMS + during);
    const missed = new Set(out.failed.map((f) => f.item));
    for (const f of out.failed) assert.equal(f.error, 'conflict');
    const underOld = items.filter((i) => !(i.keys.length === 1 && i.keys[0] === keyB));
    assert.deepEqual(underOld.map((i) => i.id).sort(), [...missed].sort(), 'an item under the old key that the re-key did not name');
    assert.equal(r.code, missed.size === 0 ? 0 : 1, r.stderr);
    if (missed.size > 0) {
      assert.match(r.stderr, /added under the old keys while the re-key ran/);
      // What the message says: the same re-key again covers them.
      ok(await run(['rekey', vault, '--to', keyB]), 'rekey again');
      const again = JSON.parse((await run(['ls', vault, '--json'])).stdout.toString('utf8')) as LsItem[];
      assert.ok(again.every((i) => i.keys.length === 1 && i.keys[0] === keyB));
    }
  });
});
