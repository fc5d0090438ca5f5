// Crashes: a real child process (test/hardening/fixtures/crash-worker.ts) runs add, re-key,
// rename (move), delete or an index rebuild, and is SIGKILLed at a seeded random moment, six
// times per operation. After each kill the vault must open (removing every .tmp-* leftover),
// verify clean, and hold each item wholly old or wholly new: its bytes equal the original's, its
// path one of the two a move gives, its keys all old or all new. The originals are hashed before
// and after and must not change. Bounded: 30 kills, each child killed within a second (and
// after 30 s whatever happens); about 60 s on 2 cores.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { LocalKeyProvider } from '../../app/keys/local.js';
import type { Keyring } from '../../app/keys/provider.js';
import { Vault, type VaultItem } from '../../app/vault/vault.js';
import { seededRandom } from '../helpers/fault-proxy.js';
import { twoKeyKeyring } from './fixtures/two-keys.js';

const REPO = resolve(import.meta.dirname, '../..');
const WORKER = join(REPO, 'test/hardening/fixtures/crash-worker.ts');
const KILLS_PER_OP = 6;
const SEED = 0xc4c4e7;
const masters = [randomBytes(32), randomBytes(32)];
const KEY_IDS = masters.map((m) => LocalKeyProvider.fromMasterKey(m).keyId);

function keyring(): Keyring {
  return twoKeyKeyring(masters);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const rand = seededRandom(SEED);

let work: string;
let src: string;
/** sha256 of each original by file name. */
const originals = new Map<string, string>();
let originalsBefore: string;

async function hashTree(dir: string): Promise<string> {
  const h = createHash('sha256');
  for (const n of (await readdir(dir)).sort()) h.update(n).update(sha(await readFile(join(dir, n))));
  return h.digest('hex');
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'cachet-hard-crash-'));
  src = join(work, 'src');
  await mkdir(src);
  // Sizes around the chunk size and a few MB, so a kill can land inside a file's payload.
  const sizes = [0, 1, 65535, 65536, 65537, 300_000, 1_500_000, 3_000_000, 4_200_000, 777, 12_345, 2_000_000];
  for (const [i, n] of sizes.entries()) {
    const data = randomBytes(n);
    const name = `file-${i}.bin`;
    await writeFile(join(src, name), data);
    originals.set(name, sha(data));
  }
  originalsBefore = await hashTree(src);
});

after(async () => {
  if (src) assert.equal(await hashTree(src), originalsBefore, 'the originals are untouched');
  if (work) await rm(work, { recursive: true, force: true });
});

interface Run {
  killed: boolean;
}

/**
 * Start the worker, wait for "ready", SIGKILL it after `delayMs` (or let it finish first). With
 * `atFraction`, the kill comes instead when the worker reports (lines "p <bytes> <total>") that
 * it has done that fraction of its bytes: a point in the work, whatever the machine's load.
 */
async function runAndKill(args: string[], delayMs: number, atFraction?: number): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CACHET_MASTERS: masters.map((m) => m.toString('hex')).join(',') },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  let reached: () => void = () => {};
  const progressed = new Promise<void>((res) => (reached = res));
  const ready = new Promise<void>((res, rej) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) res();
      const last = /p (\d+) (\d+)\n(?![\s\S]*\np )/.exec(out);
      if (atFraction !== undefined && last && Number(last[1]) >= atFraction * Number(last[2])) reached();
    });
    void exited.then(() => rej(new Error(`worker exited before it was ready: ${err}`)));
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    await ready;
    if (atFraction === undefined) await new Promise((r) => setTimeout(r, delayMs));
    else await Promise.race([progressed, exited]);
    child.kill('SIGKILL');
    const { code, signal } = await exited;
    assert.ok(signal === 'SIGKILL' || code === 0, `worker failed (code ${code}): ${err}`);
    return { killed: !out.includes('done') };
  } finally {
    clearTimeout(guard);
  }
}

/**
 * Temps left by the kill (counted), then: open removes them, verify is clean, no unreadable item.
 * `deleting`: a delete killed after it removed an item's file and before the index said so leaves
 * an entry whose file is gone; verify reports that item once as missing (not-found, the only
 * damage allowed then), and a verify after it is clean.
 */
let tempsSeen = 0;
async function reopen(dir: string, opts: { deleting?: boolean } = {}): Promise<{ v: Vault; items: VaultItem[] }> {
  for (const d of [dir, join(dir, 'items')]) tempsSeen += (await readdir(d)).filter((n) => n.startsWith('.tmp-')).length;
  const v = await Vault.open(dir, { keyring: keyring() });
  for (const d of [dir, join(dir, 'items')]) {
    assert.deepEqual((await readdir(d)).filter((n) => n.startsWith('.tmp-')), [], `a temp survived the open in ${d}`);
  }
  const r = await v.verify();
  const damage = r.bad.filter((b) => !(opts.deleting && b.error.code === 'not-found'));
  assert.deepEqual(damage.map((b) => `${b.item}: ${b.error.code} ${b.error.message}`), [], 'verify is clean');
  assert.deepEqual(r.unchecked.map((b) => `${b.item}: ${b.error.code}`), [], 'every item could be checked');
  if (r.bad.length > damage.length) {
    const again = await Vault.open(dir, { keyring: keyring() });
    try {
      assert.deepEqual((await again.verify()).bad.map((b) => `${b.item}: ${b.error.code}`), [], 'a missing item is reported once');
    } finally {
      again.close();
    }
  }
  const items = await v.list();
  assert.deepEqual(v.unreadable().map((u) => `${u.item}: ${u.error.code}`), []);
  assert.equal(r.ok, items.length, 'every item file is listed');
  return { v, items };
}

/** Each item's bytes equal the original it was sealed from (by base name). */
async function assertContent(v: Vault, items: VaultItem[]): Promise<void> {
  const out = join(work, 'check');
  await rm(out, { recursive: true, force: true });
  await mkdir(out);
  for (const item of items) {
    const name = basename(item.path).replace(/ \(\d+\)(?=\.bin$)/, ''); // keep-both names: "file-3 (2).bin"
    const want = originals.get(name);
    assert.ok(want, `item ${item.path} is not one of the originals`);
    const file = join(out, item.id);
    await v.get(item.id, file);
    assert.equal(sha(await readFile(file)), want, `item ${item.path} holds its original's bytes`);
    await rm(file);
  }
}

async function newVault(name: string, withItems: boolean): Promise<string> {
  const dir = join(work, name);
  const v = await Vault.create(dir, { keys: [{ provider: 'local', keyId: KEY_IDS[0]! }], keyring: keyring() });
  if (withItems) {
    const r = await v.add([src], { concurrency: 4 });
    assert.equal(r.failed.length, 0);
  }
  v.close();
  return dir;
}

/** A seeded delay in [0, maxMs). */
const delay = (maxMs: number): number => Math.floor(rand() * maxMs);

describe('SIGKILL at random points', () => {
  it('during add: each item is whole or absent', async () => {
    const dir = await newVault('v-add', false);
    let killed = 0;
    for (let i = 0; i < KILLS_PER_OP; i++) {
      if ((await runAndKill(['add', dir, src], 0, 0.05 + 0.9 * rand())).killed) killed++;
      const { v, items } = await reopen(dir);
      await assertContent(v, items);
      v.close();
    }
    assert.ok(killed >= KILLS_PER_OP / 2, `only ${killed} of ${KILLS_PER_OP} adds were killed before they finished`);
  });

  it('during re-key: each item under wholly the old or wholly the new key; vault.json names one of them', async () => {
    const dir = await newVault('v-rekey', true);
    let killed = 0;
    for (let i = 0; i < KILLS_PER_OP; i++) {
      if ((await runAndKill(['rekey', dir], delay(600))).killed) killed++;
      const { v, items } = await reopen(dir);
      assert.equal(items.length, originals.size);
      for (const item of items) {
        assert.equal(item.keyIds.length, 1, `item ${item.path} has ${item.keyIds.length} keys`);
        assert.ok(KEY_IDS.includes(item.keyIds[0]!), `item ${item.path} is under an unknown key`);
      }
      const vk = v.keys();
      assert.equal(vk.length, 1);
      assert.ok(KEY_IDS.includes(vk[0]!.keyId));
      await assertContent(v, items);
      v.close();
    }
    assert.equal(killed, KILLS_PER_OP, 'the re-key loop never finishes on its own');
  });

  it('during rename (move): the item has its old or its new path, and its bytes', async () => {
    const dir = await newVault('v-move', true);
    const v0 = await Vault.open(dir, { keyring: keyring() });
    const target = (await v0.list()).find((i) => i.path.endsWith('file-7.bin'))!;
    v0.close();
    const paths = new Set([target.path, `moved/${target.path}`]);
    for (let i = 0; i < KILLS_PER_OP; i++) {
      await runAndKill(['move', dir, target.id], delay(500));
      const { v, items } = await reopen(dir);
      assert.equal(items.length, originals.size);
      const now = items.find((x) => x.id === target.id);
      assert.ok(now && paths.has(now.path), `the moved item has path ${now?.path}`);
      await assertContent(v, items.filter((x) => x.id === target.id || rand() < 0.25));
      v.close();
    }
  });

  it('during delete: every item is whole or gone', async () => {
    for (let i = 0; i < KILLS_PER_OP; i++) {
      const dir = await newVault(`v-rm-${i}`, true);
      await runAndKill(['delete', dir], delay(250));
      const { v, items } = await reopen(dir, { deleting: true });
      assert.ok(items.length <= originals.size);
      await assertContent(v, items);
      v.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('during an index rebuild: every item is listed again, with its bytes', async () => {
    const dir = await newVault('v-rebuild', true);
    for (let i = 0; i < KILLS_PER_OP; i++) {
      await runAndKill(['rebuild', dir], delay(500));
      const { v, items } = await reopen(dir);
      assert.deepEqual(items.map((x) => basename(x.path)).sort(), [...originals.keys()].sort());
      if (i === KILLS_PER_OP - 1) await assertContent(v, items);
      v.close();
    }
  });

  it('an index lock left empty by a writer killed while making it stalls the next writer only briefly', async () => {
    // withIndexLock creates index.lock and then writes its owner into it: a kill in between leaves
    // an empty lock that no owner will ever remove. Before app/vault/index-cache.ts treated an
    // unreadable lock older than 2 s as stale, every index save waited LOCK_WAIT_MS (5 s) for
    // LOCK_STALE_MS (30 s) after such a crash.
    const dir = await newVault('v-lock', false);
    await writeFile(join(dir, 'index.lock'), '');
    const one = join(work, 'one.txt');
    await writeFile(one, 'one');
    const t0 = Date.now();
    const v = await Vault.open(dir, { keyring: keyring() });
    const r = await v.add([one]);
    v.close();
    assert.equal(r.added.length, 1);
    assert.ok(Date.now() - t0 < 4_000, `the add took ${Date.now() - t0} ms behind an empty leftover lock`);
  });

  it('some kills landed mid-write (temps were left and removed)', () => {
    assert.ok(tempsSeen >= 1, 'no kill left a temp file: the kill points never hit a write');
  });
});
