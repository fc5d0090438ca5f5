// A writer SIGKILLed mid-add, mid-move or mid-rekey leaves the vault consistent (SPEC §9): each
// item wholly old or wholly new, temps removed at the next open, verify clean, originals intact.
// The writer is a real child process (node --import tsx) running the vault API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalKeyProvider } from '../../../app/keys/local.js';
import { Keyring } from '../../../app/keys/provider.js';
import { Vault } from '../../../app/vault/vault.js';
import { twoKeyKeyring } from '../../hardening/fixtures/two-keys.js';

const REPO = resolve(import.meta.dirname, '../../..');
const master = randomBytes(32);
const master2 = randomBytes(32);
const KEY = { provider: 'local' as const, keyId: LocalKeyProvider.fromMasterKey(master).keyId };
/** Both local keys behind one 'local' provider (a keyring holds one provider per type). */
const keyring = (): Keyring => twoKeyKeyring([master, master2]);

// The child: opens the vault and runs one job, printing "start" just before it and "done" after.
const CHILD = `
const { Vault } = await import(process.env.CACHET_VAULT_MODULE);
const { LocalKeyProvider } = await import(process.env.CACHET_LOCAL_MODULE);
const { twoKeyKeyring } = await import(process.env.CACHET_TWO_KEYS_MODULE);
const masters = process.env.CACHET_MASTERS.split(',').map((h) => Buffer.from(h, 'hex'));
const keyIds = masters.map((m) => LocalKeyProvider.fromMasterKey(m).keyId);
const [mode, dir, arg] = process.argv.slice(2);
const v = await Vault.open(dir, { keyring: twoKeyKeyring(masters) });
await v.list();
process.stdout.write('start\\n');
if (mode === 'add') {
  await v.add([arg], { conflict: 'keep-both' });
} else if (mode === 'move') {
  for (let i = 0; i < 400; i++) await v.move(arg, i % 2 === 0 ? 'b/two.bin' : 'a/one.bin');
} else if (mode === 'add-many') {
  const r = await v.add([arg], { concurrency: 2 });
  if (r.failed.length) throw new Error(JSON.stringify(r.failed));
} else if (mode === 'rekey') {
  for (let i = 0; i < 400; i++) await v.rekey([{ provider: 'local', keyId: keyIds[i % 2 === 0 ? 1 : 0] }], { refs: [arg] });
}
process.stdout.write('done\\n');
`;

let work: string;
let childFile: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'cachet-crash-'));
  childFile = join(work, 'child.mts');
  await writeFile(childFile, CHILD);
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The child's environment: where the modules are, and the two master keys. */
function childEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CACHET_VAULT_MODULE: pathToFileURL(join(REPO, 'app/vault/vault.ts')).href,
    CACHET_LOCAL_MODULE: pathToFileURL(join(REPO, 'app/keys/local.ts')).href,
    CACHET_TWO_KEYS_MODULE: pathToFileURL(join(REPO, 'test/hardening/fixtures/two-keys.ts')).href,
    CACHET_MASTERS: `${master.toString('hex')},${master2.toString('hex')}`,
  };
}

/** Run the child until it prints "start", wait `delayMs`, SIGKILL it. True if it was killed before "done". */
async function runAndKill(args: string[], delayMs: number): Promise<boolean> {
  const child = spawn(process.execPath, ['--import', 'tsx', childFile, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(),
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  const started = new Promise<void>((res, rej) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('start')) res();
    });
    void exited.then(() => rej(new Error(`child exited before start: ${err}`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    await started;
    await new Promise((r) => setTimeout(r, delayMs));
    child.kill('SIGKILL');
    const { signal, code } = await exited;
    assert.ok(signal === 'SIGKILL' || code === 0, `child failed: ${err}`);
    return !out.includes('done');
  } finally {
    clearTimeout(timeout);
  }
}

let tempsSeen = 0;

async function assertConsistent(dir: string): Promise<Vault> {
  for (const d of [dir, join(dir, 'items')]) tempsSeen += (await readdir(d)).filter((n) => n.startsWith('.tmp-')).length;
  const v = await Vault.open(dir, { keyring: keyring() });
  for (const d of [dir, join(dir, 'items')]) {
    assert.deepEqual((await readdir(d)).filter((n) => n.startsWith('.tmp-')), [], `temps left in ${d}`);
  }
  const r = await v.verify();
  assert.deepEqual(r.bad.map((b) => `${b.item}: ${b.error.code}`), []);
  assert.equal(v.unreadable().length, 0);
  return v;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const DELAYS = [0, 15, 40, 90, 180];

/** Run the child to the end. */
async function runToEnd(args: string[]): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', childFile, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(),
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
  clearTimeout(timeout);
  assert.equal(code, 0, err);
}

describe('two processes at once', () => {
  it('adding to one vault lose no item and no index entry', async () => {
    const dir = join(work, 'v-two');
    await Vault.create(dir, { keys: [KEY], keyring: keyring() });
    const srcs = ['p1', 'p2'].map((p) => join(work, p));
    for (const s of srcs) {
      await mkdir(s);
      for (let i = 0; i < 25; i++) await writeFile(join(s, `${i}.txt`), `${s} ${i}`);
    }
    await Promise.all(srcs.map((s) => runToEnd(['add-many', dir, s])));
    let unwraps = 0;
    const base = keyring();
    const counted = new Keyring([{
      type: 'local',
      generateDataKey: (k, c, o) => base.get('local')!.generateDataKey(k, c, o),
      wrapKey: (k, p, c, o) => base.get('local')!.wrapKey(k, p, c, o),
      unwrapKey: (st, c, o) => (unwraps++, base.get('local')!.unwrapKey(st, c, o)),
    }]);
    const v = await Vault.open(dir, { keyring: counted });
    const paths = (await v.list()).map((i) => i.path);
    assert.equal(paths.length, 50);
    assert.equal(new Set(paths).size, 50);
    assert.equal(unwraps, 2, 'the vault config key (SPEC §12), then the index written last holds both writers\' entries');
  });
});

describe('SIGKILL mid-write', () => {
  it('mid-add: each item is whole or absent', async () => {
    const dir = join(work, 'v-add');
    await Vault.create(dir, { keys: [KEY], keyring: keyring() });
    const big = join(work, 'big.bin');
    const data = randomBytes(48 * 1024 * 1024);
    await writeFile(big, data);
    let killed = 0;
    for (const delay of DELAYS) {
      if (await runAndKill(['add', dir, big], delay)) killed++;
      const v = await assertConsistent(dir);
      for (const item of await v.list()) {
        assert.equal(item.size, data.length);
        const out = join(work, 'check.bin');
        await v.get(item.id, out, { overwrite: true });
        assert.equal(sha(await readFile(out)), sha(data));
        await v.remove(item.id);
      }
      v.close();
    }
    assert.ok(killed >= 2, `only ${killed} runs were killed before they finished`);
    assert.ok(tempsSeen >= 1, 'no kill landed mid-write (no temp was left to clean)');
    assert.equal(sha(await readFile(big)), sha(data), 'the original is untouched');
  });

  it('mid-move and mid-rekey: the item is wholly old or wholly new', async () => {
    const dir = join(work, 'v-move');
    const v0 = await Vault.create(dir, { keys: [KEY], keyring: keyring() });
    const data = randomBytes(24 * 1024 * 1024 + 5);
    const src = join(work, 'one.bin');
    await writeFile(src, data);
    const { added } = await v0.add([src], { to: 'a' });
    const id = added[0]!.id;
    v0.close();
    let killed = 0;
    for (const [i, delay] of DELAYS.entries()) {
      if (await runAndKill([i % 2 === 0 ? 'move' : 'rekey', dir, id], delay)) killed++;
      const v = await assertConsistent(dir);
      const items = await v.list();
      assert.equal(items.length, 1);
      assert.ok(['a/one.bin', 'b/two.bin'].includes(items[0]!.path), items[0]!.path);
      const out = join(work, 'check-move.bin');
      await v.get(id, out, { overwrite: true });
      assert.equal(sha(await readFile(out)), sha(data));
      v.close();
    }
    assert.ok(killed >= 2, `only ${killed} runs were killed before they finished`);
  });
});
