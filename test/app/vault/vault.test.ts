// The vault API with local keys (no KMS): layout, add/list/get/extract, move, remove, re-key,
// verify, conflicts, cancellation, the index cache and its unwrap counts, sync-service copies.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { tempHost } from '../../../app/fs/atomic.js';
import { inspectFile } from '../../../app/envelope.js';
import { CachetError, isCachetError, type ErrorCode } from '../../../app/errors.js';
import { LocalKeyProvider } from '../../../app/keys/local.js';
import { Keyring, type CallOptions, type EncryptionContext, type KeyProvider, type Stanza } from '../../../app/keys/provider.js';
import { Vault, type VaultProgress, type VaultKey } from '../../../app/vault/vault.js';

/** Counts every call a provider serves, to prove how many KMS round trips an operation costs. */
class CountingProvider implements KeyProvider {
  readonly type;
  counts = { generate: 0, wrap: 0, unwrap: 0, rewrap: 0 };
  constructor(private readonly inner: KeyProvider) {
    this.type = inner.type;
  }
  reset(): void {
    this.counts = { generate: 0, wrap: 0, unwrap: 0, rewrap: 0 };
  }
  generateDataKey(keyId: string, ctx: EncryptionContext, opts?: CallOptions): Promise<{ plaintext: Buffer; stanza: Stanza }> {
    this.counts.generate++;
    return this.inner.generateDataKey(keyId, ctx, opts);
  }
  wrapKey(keyId: string, pt: Uint8Array, ctx: EncryptionContext, opts?: CallOptions): Promise<Stanza> {
    this.counts.wrap++;
    return this.inner.wrapKey(keyId, pt, ctx, opts);
  }
  unwrapKey(s: Stanza, ctx: EncryptionContext, opts?: CallOptions): Promise<Buffer> {
    this.counts.unwrap++;
    return this.inner.unwrapKey(s, ctx, opts);
  }
}

/** A 'local' provider over several master keys (a keyring holds one provider per type). */
class MultiLocal implements KeyProvider {
  readonly type = 'local' as const;
  readonly #byId = new Map<string, LocalKeyProvider>();
  constructor(providers: LocalKeyProvider[]) {
    for (const p of providers) this.#byId.set(p.keyId, p);
  }
  #get(keyId: string): LocalKeyProvider {
    const p = this.#byId.get(keyId);
    if (!p) throw new CachetError('local-key-missing', 'no such local key', { keyId });
    return p;
  }
  generateDataKey(keyId: string, ctx: EncryptionContext, opts?: CallOptions): Promise<{ plaintext: Buffer; stanza: Stanza }> {
    return this.#get(keyId).generateDataKey(keyId, ctx, opts);
  }
  wrapKey(keyId: string, pt: Uint8Array, ctx: EncryptionContext, opts?: CallOptions): Promise<Stanza> {
    return this.#get(keyId).wrapKey(keyId, pt, ctx, opts);
  }
  unwrapKey(s: Stanza, ctx: EncryptionContext, opts?: CallOptions): Promise<Buffer> {
    return this.#get(s.keyId).unwrapKey(s, ctx, opts);
  }
}

const masterA = randomBytes(32);
const masterB = randomBytes(32);
const localA = LocalKeyProvider.fromMasterKey(masterA);
const localB = LocalKeyProvider.fromMasterKey(masterB);
const KEY_A: VaultKey = { provider: 'local', keyId: localA.keyId };
const KEY_B: VaultKey = { provider: 'local', keyId: localB.keyId };

let root: string;
let n = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cachet-vault-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fresh(): Promise<string> {
  const d = join(root, `t${++n}`);
  await mkdir(d, { recursive: true });
  return d;
}

function counting(): { keyring: Keyring; counter: CountingProvider } {
  const counter = new CountingProvider(LocalKeyProvider.fromMasterKey(masterA));
  return { keyring: new Keyring([counter]), counter };
}

async function newVault(): Promise<{ vault: Vault; dir: string; work: string; keyring: Keyring; counter: CountingProvider }> {
  const work = await fresh();
  const dir = join(work, 'vault');
  const { keyring, counter } = counting();
  const vault = await Vault.create(dir, { keys: [KEY_A], keyring });
  return { vault, dir, work, keyring, counter };
}

/** A source tree: top.txt, photos/a.jpg, photos/2024/b.bin (multi-chunk), docs/empty.txt. */
async function sourceTree(work: string): Promise<{ src: string; files: Record<string, Buffer> }> {
  const src = join(work, 'src');
  const files: Record<string, Buffer> = {
    'top.txt': Buffer.from('top level\n'),
    'photos/a.jpg': randomBytes(1000),
    'photos/2024/b.bin': randomBytes(3 * 65536 + 17),
    'docs/empty.txt': Buffer.alloc(0),
  };
  for (const [p, data] of Object.entries(files)) {
    await mkdir(join(src, p, '..'), { recursive: true });
    await writeFile(join(src, p), data);
  }
  return { src, files };
}

async function rejectsCode(p: Promise<unknown>, code: ErrorCode): Promise<CachetError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isCachetError(e), `expected a CachetError, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

async function payloadOf(file: string): Promise<Buffer> {
  const h = await inspectFile(file);
  return (await readFile(file)).subarray(h.headerLength);
}

async function itemNames(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'items'))).sort();
}

describe('create and open', () => {
  it('creates a vault folder with vault.json, items/ and an index; open finds it', async () => {
    const { vault, dir, keyring } = await newVault();
    const cfg = JSON.parse(await readFile(join(dir, 'vault.json'), 'utf8'));
    assert.equal(cfg.format, 'cachet-vault');
    assert.equal(cfg.version, 2);
    assert.equal(cfg.id, vault.id);
    assert.deepEqual(cfg.keys, [KEY_A]);
    assert.match(cfg.created, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual((await readdir(dir)).sort(), ['index.env', 'items', 'vault.json']);
    const again = await Vault.open(dir, { keyring });
    assert.equal(again.id, vault.id);
    assert.deepEqual(again.keys(), [KEY_A]);
    assert.deepEqual(await again.list(), []);
  });

  it('refuses a folder that is not empty, and a vault that exists; allows one with only .DS_Store', async () => {
    const work = await fresh();
    const { keyring } = counting();
    await writeFile(join(work, 'notes.txt'), 'mine');
    const e = await rejectsCode(Vault.create(work, { keys: [KEY_A], keyring }), 'bad-request');
    assert.equal(e.detail['reason'], 'not-empty');
    assert.deepEqual(await readdir(work), ['notes.txt']);
    const v = join(work, 'v');
    await Vault.create(v, { keys: [KEY_A], keyring });
    await rejectsCode(Vault.create(v, { keys: [KEY_A], keyring }), 'exists');
    const mac = join(work, 'mac');
    await mkdir(mac);
    await writeFile(join(mac, '.DS_Store'), '');
    await Vault.create(mac, { keys: [KEY_A], keyring });
  });

  it('leaves no half vault when the keys do not work', async () => {
    const work = await fresh();
    const dir = join(work, 'v');
    const { keyring } = counting();
    await rejectsCode(Vault.create(dir, { keys: [{ provider: 'local', keyId: localB.keyId }], keyring }), 'local-key-missing');
    await rejectsCode(Vault.open(dir, { keyring }), 'vault-not-found');
    // what the failed create left (if anything) does not block a retry
    await mkdir(join(dir, 'items'), { recursive: true });
    await writeFile(join(dir, 'index.env'), 'left over');
    await Vault.create(dir, { keys: [KEY_A], keyring });
    const file = join(work, 'a-file');
    await writeFile(file, 'x');
    await rejectsCode(Vault.create(file, { keys: [KEY_A], keyring }), 'bad-request');
    await rejectsCode(Vault.create(dir, { keys: [], keyring }), 'bad-request');
    await rejectsCode(Vault.create(dir, { keys: [KEY_A, KEY_A], keyring }), 'bad-request');
  });

  it('reports vault-not-found and vault-corrupt', async () => {
    const work = await fresh();
    const { keyring } = counting();
    await rejectsCode(Vault.open(join(work, 'nothing'), { keyring }), 'vault-not-found');
    await rejectsCode(Vault.open(work, { keyring }), 'vault-not-found');
    await writeFile(join(work, 'vault.json'), '{"format":"cachet-vault","version":1,');
    await rejectsCode(Vault.open(work, { keyring }), 'vault-corrupt');
  });

  it('removes the temps of dead writers at open and keeps a live one', async () => {
    const { vault, dir, keyring } = await newVault();
    vault.close();
    const host = tempHost();
    const dead = `.tmp-${host}-2147483646-abcdef`;
    const live = `.tmp-${host}-${process.pid}-abcdef`;
    await writeFile(join(dir, 'items', dead), 'partial');
    await writeFile(join(dir, 'items', live), 'partial');
    await writeFile(join(dir, dead), 'partial index');
    await Vault.open(dir, { keyring });
    assert.deepEqual(await itemNames(dir), [live]);
    assert.ok(!(await readdir(dir)).includes(dead));
  });

  it('zeroes every data key it was handed, the held index key included once closed', async () => {
    const handed: Buffer[] = [];
    const inner = LocalKeyProvider.fromMasterKey(masterA);
    const recording: KeyProvider = {
      type: 'local',
      generateDataKey: async (k, c, o) => {
        const r = await inner.generateDataKey(k, c, o);
        handed.push(r.plaintext);
        return r;
      },
      wrapKey: (k, p, c, o) => inner.wrapKey(k, p, c, o),
      unwrapKey: async (st, c, o) => {
        const key = await inner.unwrapKey(st, c, o);
        handed.push(key);
        return key;
      },
    };
    const work = await fresh();
    const dir = join(work, 'v');
    const keyring = new Keyring([recording]);
    const v = await Vault.create(dir, { keys: [KEY_A], keyring });
    const f = join(work, 'f.txt');
    await writeFile(f, 'secret');
    await v.add([f]);
    await v.preview('f.txt', 10);
    const v2 = await Vault.open(dir, { keyring });
    await v2.list();
    await v2.move('f.txt', 'g.txt');
    assert.ok(handed.length >= 5);
    const live = handed.filter((b) => b.some((x) => x !== 0));
    // v holds the index key it generated; v2 holds a copy of the one it unwrapped (not visible here)
    assert.equal(live.length, 1, 'only the held index key is live');
    v.close();
    v2.close();
    assert.deepEqual(handed.filter((b) => b.some((x) => x !== 0)), []);
  });

  it('close() zeroes state and refuses later calls', async () => {
    const { vault } = await newVault();
    vault.close();
    assert.equal(vault.closed, true);
    await rejectsCode(vault.list(), 'bad-request');
    await rejectsCode(vault.add([]), 'bad-request');
  });
});

describe('add, list, get, extract', () => {
  it('adds files and a nested folder, keeps relative paths, lists them, reads them back byte-identical', async () => {
    const { vault, dir, work } = await newVault();
    const { src, files } = await sourceTree(work);
    const single = join(work, 'single.md');
    await writeFile(single, '# hello');
    const events: VaultProgress[] = [];
    const r = await vault.add([src, single], { to: 'backup', onProgress: (p) => events.push(p) });
    assert.deepEqual(r.failed, []);
    assert.deepEqual(r.skipped, []);
    const want = [...Object.keys(files).map((p) => `backup/src/${p}`), 'backup/single.md'].sort();
    assert.deepEqual(r.added.map((i) => i.path), want);
    const list = await vault.list();
    assert.deepEqual(list.map((i) => i.path), want);
    assert.equal((await itemNames(dir)).length, want.length);
    for (const i of list) {
      assert.match(i.id, /^[0-9a-f]{32}$/);
      assert.deepEqual(i.keyIds, [KEY_A.keyId]);
    }
    const b = list.find((i) => i.path === 'backup/src/photos/2024/b.bin')!;
    assert.equal(b.size, files['photos/2024/b.bin']!.length);
    assert.equal(b.mtime, Math.floor((await stat(join(src, 'photos/2024/b.bin'))).mtimeMs));
    assert.equal(list.find((i) => i.path === 'backup/single.md')!.type, 'text/markdown');
    assert.equal(list.find((i) => i.path === 'backup/src/photos/a.jpg')!.type, 'image/jpeg');
    // No name, size or folder on disk: only ids.
    for (const name of await itemNames(dir)) assert.match(name, /^[0-9a-f]{32}\.env$/);
    const rawAll = Buffer.concat(await Promise.all((await itemNames(dir)).map((n) => readFile(join(dir, 'items', n)))));
    assert.ok(!rawAll.includes(Buffer.from('photos')) && !rawAll.includes(Buffer.from('single')));
    // Progress: bytes never go back, and the last event says all files are done.
    const seal = events.filter((e) => e.phase === 'seal');
    assert.ok(seal.length >= 5);
    for (let i = 1; i < seal.length; i++) assert.ok(seal[i]!.bytes >= seal[i - 1]!.bytes, 'bytes went back');
    const last = seal.at(-1)!;
    assert.equal(last.filesDone, 5);
    assert.equal(last.filesTotal, 5);
    assert.equal(last.bytes, last.total);

    // get by path and by id, to a file, a folder and a Writable
    const out = join(work, 'out.bin');
    await vault.get('backup/src/photos/2024/b.bin', out);
    assert.deepEqual(await readFile(out), files['photos/2024/b.bin']);
    await rejectsCode(vault.get(b.id, out), 'exists');
    await vault.get(b.id, out, { overwrite: true });
    const outDir = join(work, 'outdir');
    await mkdir(outDir);
    await vault.get('backup/single.md', outDir);
    assert.equal(await readFile(join(outDir, 'single.md'), 'utf8'), '# hello');
    const chunks: Buffer[] = [];
    const sink = new Writable({ write(c, _e, cb) { chunks.push(c); cb(); } });
    await vault.get('backup/src/top.txt', sink);
    assert.deepEqual(Buffer.concat(chunks), files['top.txt']);
    await rejectsCode(vault.get('backup/nope.txt', out), 'not-found');

    // extract all, a folder, one item
    const all = join(work, 'x-all');
    const ex = await vault.extract('', all);
    assert.deepEqual(ex.failed, []);
    assert.equal(ex.written.length, 5);
    for (const [p, data] of Object.entries(files)) assert.deepEqual(await readFile(join(all, 'backup/src', p)), data);
    const sub = join(work, 'x-photos');
    const ex2 = await vault.extract('backup/src/photos/', sub);
    assert.deepEqual(ex2.written.sort(), [join(sub, 'photos/2024/b.bin'), join(sub, 'photos/a.jpg')]);
    assert.deepEqual(await readFile(join(sub, 'photos/a.jpg')), files['photos/a.jpg']);
    const ex3 = await vault.extract('backup/single.md', sub);
    assert.deepEqual(ex3.written, [join(sub, 'single.md')]);
    await rejectsCode(vault.extract('nothing/here', sub), 'not-found');
    // extracting again without overwrite: each file reported, nothing clobbered
    const ex4 = await vault.extract('backup/src/photos', sub);
    assert.equal(ex4.written.length, 0);
    assert.deepEqual(ex4.failed.map((f) => f.error.code), ['exists', 'exists']);
  });

  it('refuses to extract through a symlink that leaves the destination', async () => {
    const { vault, work } = await newVault();
    const f = join(work, 'f.txt');
    await writeFile(f, 'x');
    await vault.add([f], { to: 'd' });
    const dest = join(work, 'dest');
    const outside = join(work, 'outside');
    await mkdir(dest);
    await mkdir(outside);
    await symlink(outside, join(dest, 'd'));
    const r = await vault.extract('d', dest);
    assert.deepEqual(r.written, []);
    assert.equal(r.failed[0]?.error.detail['reason'], 'escapes-destination');
    assert.deepEqual(await readdir(outside), []);
  });

  it('never follows symlinks and skips special files, with reasons; originals untouched', async () => {
    const { vault, work } = await newVault();
    const src = join(work, 'src');
    await mkdir(src);
    await writeFile(join(src, 'real.txt'), 'real');
    const secret = join(work, 'secret.txt');
    await writeFile(secret, 'outside');
    await symlink(secret, join(src, 'link.txt'));
    await symlink(work, join(src, 'linkdir'));
    const fifo = spawnSync('mkfifo', [join(src, 'pipe')]).status === 0;
    await writeFile(join(src, 'back\\slash.txt'), 'a name a vault path cannot hold');
    const before = await stat(join(src, 'real.txt'));
    const r = await vault.add([src, join(work, 'missing.txt'), join(work, 'vault'), join(work, 'vault', 'vault.json')]);
    assert.deepEqual(r.added.map((i) => i.path), ['src/real.txt']);
    const reasons = r.ignored.map((i) => `${i.path}:${String(i.error.detail['reason'])}`).sort();
    assert.deepEqual(reasons, ['src/link.txt:symlink', 'src/linkdir:symlink', ...(fifo ? ['src/pipe:special-file'] : []), 'vault.json:vault-folder', 'vault:vault-folder'].sort());
    assert.deepEqual(r.failed.map((f) => `${f.error.code}:${String(f.error.detail['reason'])}`).sort(), ['bad-request:backslash', 'not-found:undefined']);
    const afterSt = await stat(join(src, 'real.txt'));
    assert.equal(afterSt.mtimeMs, before.mtimeMs);
    assert.equal(await readFile(join(src, 'real.txt'), 'utf8'), 'real');
  });

  it('adds a stream, previews it with truncation', async () => {
    const { vault, work } = await newVault();
    const data = randomBytes(150_000);
    const item = await vault.addStream(Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), 'in/stream.bin');
    assert.equal(item.size, null);
    const p = await vault.preview('in/stream.bin', 1000);
    assert.equal(p.truncated, true);
    assert.ok(p.data.length >= 1000 && p.data.length <= data.length);
    assert.deepEqual(p.data, data.subarray(0, p.data.length));
    const whole = await vault.preview(item.id, 1 << 20);
    assert.equal(whole.truncated, false);
    assert.deepEqual(whole.data, data);
    await rejectsCode(vault.preview(item.id, -1), 'bad-request');
    await rejectsCode(vault.addStream(Readable.from([Buffer.from('x')]), '../escape'), 'bad-request');
    await rejectsCode(vault.addStream(Readable.from([Buffer.from('x')]), 'in/stream.bin'), 'exists');
    const out = join(work, 'o');
    await vault.get('in/stream.bin', out);
    assert.deepEqual(await readFile(out), data);
  });

  it('refuses invalid vault paths from every entry point', async () => {
    const { vault, work } = await newVault();
    const f = join(work, 'f.txt');
    await writeFile(f, 'x');
    for (const bad of ['/abs', 'a/../b', 'a\\b', 'a\u0000b', '']) {
      await rejectsCode(vault.add([f], { to: bad === '' ? '//' : bad }), 'bad-request');
    }
    const [item] = (await vault.add([f])).added;
    for (const bad of ['/abs', 'a/../b', '..', 'x/', 'a\nb']) await rejectsCode(vault.move(item!.id, bad), 'bad-request');
    await rejectsCode(vault.find('a/../f.txt'), 'bad-request');
    await rejectsCode(vault.extract('../', join(work, 'x')), 'bad-request');
    assert.equal((await vault.find('f.txt')).id, item!.id);
  });
});

describe('move, remove, re-key, verify', () => {
  it('move rewrites the name only: the payload bytes are identical', async () => {
    const { vault, dir, work } = await newVault();
    const { src, files } = await sourceTree(work);
    await vault.add([src]);
    const b = await vault.find('src/photos/2024/b.bin');
    const file = join(dir, 'items', `${b.id}.env`);
    const before = await payloadOf(file);
    const moved = await vault.move('src/photos/2024/b.bin', 'archive/renamed.bin');
    assert.equal(moved.id, b.id);
    assert.equal(moved.path, 'archive/renamed.bin');
    assert.equal(moved.size, b.size);
    assert.deepEqual(await payloadOf(file), before);
    await rejectsCode(vault.find('src/photos/2024/b.bin'), 'not-found');
    const out = join(work, 'o');
    await vault.get('archive/renamed.bin', out);
    assert.deepEqual(await readFile(out), files['photos/2024/b.bin']);
    await rejectsCode(vault.move('archive/renamed.bin', 'src/top.txt'), 'exists');
    // another process (a second instance) sees the new name through the stale-entry check
    const other = await Vault.open(dir, { keyring: new Keyring([LocalKeyProvider.fromMasterKey(masterA)]) });
    assert.ok((await other.list()).some((i) => i.path === 'archive/renamed.bin'));
    await other.move('archive/renamed.bin', 'archive/again.bin');
    assert.ok((await vault.list()).some((i) => i.path === 'archive/again.bin' && i.id === b.id));
  });

  it('remove deletes the item file and the entry', async () => {
    const { vault, dir, work } = await newVault();
    const { src } = await sourceTree(work);
    await vault.add([src]);
    const t = await vault.find('src/top.txt');
    await vault.remove('src/top.txt');
    await rejectsCode(vault.find('src/top.txt'), 'not-found');
    await rejectsCode(vault.find(t.id), 'not-found');
    assert.ok(!(await itemNames(dir)).includes(`${t.id}.env`));
    assert.equal((await vault.list()).length, 3);
    await rejectsCode(vault.remove('src/top.txt'), 'not-found');
  });

  it('re-keys local A -> local B: payload identical, vault.json updated, only B opens the items', async () => {
    const work = await fresh();
    const dir = join(work, 'v');
    const both = new Keyring([new MultiLocal([LocalKeyProvider.fromMasterKey(masterA), LocalKeyProvider.fromMasterKey(masterB)])]);
    const vault = await Vault.create(dir, { keys: [KEY_A], keyring: both });
    const { src, files } = await sourceTree(work);
    await vault.add([src]);
    const items = await vault.list();
    const payloads = await Promise.all(items.map((i) => payloadOf(join(dir, 'items', `${i.id}.env`))));
    const bystander = await Vault.open(dir, { keyring: both }); // opened before the re-key
    await bystander.list();
    const r = await vault.rekey([KEY_B]);
    assert.deepEqual(r, { done: 4, failed: [] });
    assert.deepEqual(vault.keys(), [KEY_B]);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'vault.json'), 'utf8')).keys, [KEY_B]);
    for (const [i, item] of items.entries()) {
      const file = join(dir, 'items', `${item.id}.env`);
      assert.deepEqual(await payloadOf(file), payloads[i]);
      assert.deepEqual((await inspectFile(file)).stanzas.map((s) => s.keyId), [KEY_B.keyId]);
    }
    const onlyB = await Vault.open(dir, { keyring: new Keyring([LocalKeyProvider.fromMasterKey(masterB)]) });
    assert.equal((await onlyB.list()).length, 4);
    assert.deepEqual(await onlyB.verify(), { ok: 4, bad: [], unchecked: [] });
    const out = join(work, 'o');
    await onlyB.get('src/photos/2024/b.bin', out);
    assert.deepEqual(await readFile(out), files['photos/2024/b.bin']);
    const onlyA = await Vault.open(dir, { keyring: new Keyring([LocalKeyProvider.fromMasterKey(masterA)]) });
    const topId = items.find((i) => i.path === 'src/top.txt')!.id;
    await rejectsCode(onlyA.get(topId, join(work, 'o2')), 'local-key-missing');
    assert.deepEqual(await onlyA.list(), []);
    assert.equal(onlyA.unreadable().length, 4);
    // an instance opened before the re-key picks up the new vault keys for what it adds
    const late = join(work, 'late.txt');
    await writeFile(late, 'late');
    const [lateItem] = (await bystander.add([late])).added;
    assert.deepEqual(lateItem!.keyIds, [KEY_B.keyId]);
    await vault.remove(lateItem!.id);
    // resumable: a second re-key to the same key rewrites nothing
    const mtimes = await Promise.all(items.map(async (i) => (await stat(join(dir, 'items', `${i.id}.env`))).mtimeMs));
    assert.deepEqual(await vault.rekey([KEY_B]), { done: 4, failed: [] });
    assert.deepEqual(await Promise.all(items.map(async (i) => (await stat(join(dir, 'items', `${i.id}.env`))).mtimeMs)), mtimes);
    // A + B on a subset: vault.json keeps its keys
    const top = items.find((i) => i.path === 'src/top.txt')!;
    assert.deepEqual(await vault.rekey([KEY_B, KEY_A], { refs: [top.id] }), { done: 1, failed: [] });
    assert.deepEqual(vault.keys(), [KEY_B]);
    assert.deepEqual((await inspectFile(join(dir, 'items', `${top.id}.env`))).stanzas.map((s) => s.keyId), [KEY_B.keyId, KEY_A.keyId]);
    await onlyA.get('src/top.txt', join(work, 'o3'));
  });

  it('re-key reports items it cannot re-key and keeps the vault keys', async () => {
    const work = await fresh();
    const dir = join(work, 'v');
    const onlyA = new Keyring([LocalKeyProvider.fromMasterKey(masterA)]);
    const vault = await Vault.create(dir, { keys: [KEY_A], keyring: onlyA });
    const f = join(work, 'f');
    await writeFile(f, 'data');
    const { added } = await vault.add([f]);
    const before = await readFile(join(dir, 'items', `${added[0]!.id}.env`));
    const r = await vault.rekey([KEY_B]);
    assert.equal(r.done, 0);
    assert.equal(r.failed[0]?.error.code, 'local-key-missing');
    assert.deepEqual(vault.keys(), [KEY_A]);
    assert.deepEqual(await readFile(join(dir, 'items', `${added[0]!.id}.env`)), before);
  });

  it('verify reports a tampered item and an item swapped over another', async () => {
    const { vault, dir, work } = await newVault();
    const { src } = await sourceTree(work);
    await vault.add([src]);
    assert.deepEqual(await vault.verify(), { ok: 4, bad: [], unchecked: [] });
    const b = await vault.find('src/photos/2024/b.bin');
    const a = await vault.find('src/photos/a.jpg');
    const t = await vault.find('src/top.txt');
    const bFile = join(dir, 'items', `${b.id}.env`);
    const raw = await readFile(bFile);
    raw[raw.length - 70_000] = raw[raw.length - 70_000]! ^ 1;
    await writeFile(bFile, raw);
    await copyFile(join(dir, 'items', `${t.id}.env`), join(dir, 'items', `${a.id}.env`));
    const events: VaultProgress[] = [];
    const r = await vault.verify({ onProgress: (p) => events.push(p) });
    assert.equal(r.ok, 2);
    const bad = new Map(r.bad.map((f) => [f.item, f.error.code]));
    assert.equal(bad.get(b.id), 'tampered');
    assert.equal(bad.get(a.id), 'context-mismatch');
    assert.equal(r.bad.find((f) => f.item === b.id)?.path, 'src/photos/2024/b.bin');
    assert.equal(events.at(-1)?.filesDone, 4);
    // opening the swapped item is refused too, and so is a get of the tampered one (no output)
    await rejectsCode(vault.get(a.id, join(work, 'sw')), 'context-mismatch');
    await rejectsCode(vault.get(b.id, join(work, 'tb')), 'tampered');
    assert.ok(!(await readdir(work)).includes('tb'));
    // list skips what it cannot read and says so
    const fresh2 = await Vault.open(dir, { keyring: new Keyring([LocalKeyProvider.fromMasterKey(masterA)]) });
    await rm(join(dir, 'index.env'));
    const paths = (await fresh2.list()).map((i) => i.path);
    assert.ok(!paths.includes('src/photos/a.jpg'));
    assert.equal(fresh2.unreadable().find((u) => u.item === a.id)?.error.code, 'context-mismatch');
  });
});

describe('conflicts', () => {
  async function withItem(): Promise<{ vault: Vault; dir: string; work: string; f: string; first: string }> {
    const { vault, dir, work } = await newVault();
    const f = join(work, 'doc.txt');
    await writeFile(f, 'version 1');
    const { added } = await vault.add([f], { to: 'd' });
    await writeFile(f, 'version 2');
    return { vault, dir, work, f, first: added[0]!.id };
  }

  async function contentOf(vault: Vault, ref: string, work: string): Promise<string> {
    const out = join(work, `read-${randomBytes(4).toString('hex')}`);
    await vault.get(ref, out);
    return readFile(out, 'utf8');
  }

  it("'fail' (the default) reports exists and changes nothing", async () => {
    const { vault, dir, work, f, first } = await withItem();
    const r = await vault.add([f], { to: 'd' });
    assert.deepEqual(r.added, []);
    assert.equal(r.failed[0]?.error.code, 'exists');
    assert.equal(r.failed[0]?.path, 'd/doc.txt');
    assert.deepEqual(await itemNames(dir), [`${first}.env`]);
    assert.equal(await contentOf(vault, 'd/doc.txt', work), 'version 1');
  });

  it("'replace' writes the new item, then removes the old one", async () => {
    const { vault, dir, work, f, first } = await withItem();
    const r = await vault.add([f], { to: 'd', conflict: 'replace' });
    assert.equal(r.added.length, 1);
    assert.notEqual(r.added[0]!.id, first);
    assert.deepEqual(await itemNames(dir), [`${r.added[0]!.id}.env`]);
    assert.equal(await contentOf(vault, 'd/doc.txt', work), 'version 2');
  });

  it("'replace' that fails to seal keeps the old item", async () => {
    const { vault, dir, work, first } = await withItem();
    // a stream that ends short of its declared size fails to seal
    const r = await vault.addStream(new PassThrough().end() as unknown as Readable, 'd/doc.txt', { conflict: 'replace', size: 5 }).catch((e: unknown) => e);
    assert.ok(isCachetError(r, 'changed-while-reading'));
    assert.deepEqual(await itemNames(dir), [`${first}.env`]);
    assert.equal(await contentOf(vault, 'd/doc.txt', work), 'version 1');
  });

  it("'keep-both' adds 'name (2).ext', then '(3)'", async () => {
    const { vault, work, f } = await withItem();
    const r = await vault.add([f], { to: 'd', conflict: 'keep-both' });
    assert.deepEqual(r.added.map((i) => i.path), ['d/doc (2).txt']);
    const r2 = await vault.add([f], { to: 'd', conflict: 'keep-both' });
    assert.deepEqual(r2.added.map((i) => i.path), ['d/doc (3).txt']);
    assert.equal(await contentOf(vault, 'd/doc (2).txt', work), 'version 2');
    assert.equal(await contentOf(vault, 'd/doc.txt', work), 'version 1');
  });

  it("'skip' leaves the item; a re-run after a partial failure adds only what is missing", async () => {
    const { vault, work } = await newVault();
    const src = join(work, 'many');
    await mkdir(src);
    for (let i = 0; i < 6; i++) await writeFile(join(src, `f${i}.txt`), `file ${i}`);
    // first run: every other file fails (a keyring that refuses some calls)
    let calls = 0;
    const flaky: KeyProvider = {
      type: 'local',
      generateDataKey: (k, c, o) => (++calls % 2 === 0 ? Promise.reject(new CachetError('kms-throttled', 'slow down')) : localA.generateDataKey(k, c, o)),
      wrapKey: (k, p, c, o) => localA.wrapKey(k, p, c, o),
      unwrapKey: (s, c, o) => localA.unwrapKey(s, c, o),
    };
    const flakyVault = await Vault.open(vault.dir, { keyring: new Keyring([flaky]) });
    const r1 = await flakyVault.add([src], { concurrency: 1 });
    assert.equal(r1.added.length, 3);
    assert.equal(r1.failed.length, 3);
    assert.ok(r1.failed.every((x) => x.error.code === 'kms-throttled'));
    assert.equal((await readdir(join(vault.dir, 'items'))).length, 3, 'a failed file leaves no item');
    const r2 = await vault.add([src], { conflict: 'skip' });
    assert.equal(r2.added.length, 3);
    assert.deepEqual(r2.skipped.sort(), r1.added.map((i) => i.path).sort());
    assert.deepEqual((await vault.list()).map((i) => i.path), [0, 1, 2, 3, 4, 5].map((i) => `many/f${i}.txt`));
  });

  it('asks a conflict callback once per taken path', async () => {
    const { vault, work, f } = await withItem();
    const g = join(work, 'other.txt');
    await writeFile(g, 'other');
    await vault.add([g], { to: 'd' });
    const asked: string[] = [];
    const r = await vault.add([f, g], {
      to: 'd',
      conflict: async (p) => {
        asked.push(p);
        return p.endsWith('doc.txt') ? 'keep-both' : 'skip';
      },
    });
    assert.deepEqual(asked, ['d/doc.txt', 'd/other.txt']);
    assert.deepEqual(r.added.map((i) => i.path), ['d/doc (2).txt']);
    assert.deepEqual(r.skipped, ['d/other.txt']);
  });
});

describe('cancel', () => {
  it('cancelling mid-add leaves no item and no temp file', async () => {
    const { vault, dir, work } = await newVault();
    const big = join(work, 'big.bin');
    await writeFile(big, randomBytes(24 * 1024 * 1024));
    const ac = new AbortController();
    let seen = 0;
    const p = vault.add([big], {
      signal: ac.signal,
      onProgress: (e) => {
        if (e.phase === 'seal' && e.fileBytes > 0 && ++seen === 2) ac.abort();
      },
    });
    const e = await rejectsCode(p, 'cancelled');
    assert.equal(e.detail['added'], 0);
    assert.ok(seen >= 2);
    assert.deepEqual(await itemNames(dir), []);
    assert.ok(!(await readdir(dir)).some((x) => x.startsWith('.tmp-')));
    assert.deepEqual(await vault.list(), []);
    await rejectsCode(vault.add([big], { signal: AbortSignal.abort() }), 'cancelled');
  });

  it('cancelling verify and extract throws cancelled; extract leaves no partial output', async () => {
    const { vault, work } = await newVault();
    const big = join(work, 'big.bin');
    await writeFile(big, randomBytes(16 * 1024 * 1024));
    await vault.add([big]);
    const ac = new AbortController();
    const dest = join(work, 'out');
    await rejectsCode(vault.extract('', dest, { signal: ac.signal, onProgress: (e) => e.fileBytes > 0 && ac.abort() }), 'cancelled');
    assert.deepEqual(await readdir(dest), []);
    const ac2 = new AbortController();
    await rejectsCode(vault.verify({ signal: ac2.signal, onProgress: (e) => e.fileBytes > 0 && ac2.abort() }), 'cancelled');
  });
});

describe('index cache', () => {
  const N = 12;

  async function vaultWithItems(): Promise<{ dir: string; work: string; paths: string[] }> {
    const { vault, dir, work } = await newVault();
    const src = join(work, 'src');
    await mkdir(src);
    for (let i = 0; i < N; i++) await writeFile(join(src, `f${String(i).padStart(2, '0')}.txt`), `item ${i}`);
    await vault.add([src]);
    vault.close();
    return { dir, work, paths: Array.from({ length: N }, (_, i) => `src/f${String(i).padStart(2, '0')}.txt`) };
  }

  it('list after open costs one unwrap with a fresh index, then none; an add costs one generate and no unwrap', async () => {
    const { dir, work, paths } = await vaultWithItems();
    const { keyring, counter } = counting();
    const v = await Vault.open(dir, { keyring });
    assert.deepEqual(counter.counts, { generate: 0, wrap: 0, unwrap: 0, rewrap: 0 }, 'open makes no key call');
    assert.deepEqual((await v.list()).map((i) => i.path), paths);
    assert.equal(counter.counts.unwrap, 2, 'the vault config key (SPEC §12) and the index key');
    const indexStat = await stat(join(dir, 'index.env'));
    await v.list();
    assert.equal(counter.counts.unwrap, 2, 'a second list costs nothing');
    assert.equal((await stat(join(dir, 'index.env'))).mtimeMs, indexStat.mtimeMs, 'a fresh index is not rewritten');
    counter.reset();
    const f = join(work, 'new.txt');
    await writeFile(f, 'new');
    await v.add([f]);
    assert.deepEqual(counter.counts, { generate: 1, wrap: 0, unwrap: 0, rewrap: 0 }, 'the index is re-sealed with its held key');
    assert.equal((await v.list()).length, N + 1);
    assert.equal(counter.counts.unwrap, 0);
    // another opener reads the updated index with one unwrap
    const { keyring: k2, counter: c2 } = counting();
    const v2 = await Vault.open(dir, { keyring: k2 });
    assert.equal((await v2.list()).length, N + 1);
    assert.equal(c2.counts.unwrap, 2);
  });

  it('a lost index is rebuilt from the item headers (N unwraps), then costs one again', async () => {
    const { dir, paths } = await vaultWithItems();
    await rm(join(dir, 'index.env'));
    const { keyring, counter } = counting();
    const v = await Vault.open(dir, { keyring });
    assert.deepEqual((await v.list()).map((i) => i.path), paths);
    assert.equal(counter.counts.unwrap, 1 + N, 'the vault config key and every item');
    assert.equal(counter.counts.generate, 1, 'a new index key');
    await stat(join(dir, 'index.env'));
    const { keyring: k2, counter: c2 } = counting();
    assert.deepEqual((await (await Vault.open(dir, { keyring: k2 })).list()).map((i) => i.path), paths);
    assert.equal(c2.counts.unwrap, 2);
  });

  it('a corrupt or foreign index is rebuilt; a stale entry is re-read from its item', async () => {
    const { dir, work, paths } = await vaultWithItems();
    const raw = await readFile(join(dir, 'index.env'));
    raw[raw.length - 5] = raw[raw.length - 5]! ^ 0xff;
    await writeFile(join(dir, 'index.env'), raw);
    const { keyring, counter } = counting();
    const v = await Vault.open(dir, { keyring });
    assert.deepEqual((await v.list()).map((i) => i.path), paths);
    assert.equal(counter.counts.unwrap, 2 + N);
    // an index of another vault copied in is not trusted
    const other = await newVault();
    await copyFile(join(other.dir, 'index.env'), join(dir, 'index.env'));
    const { keyring: k2 } = counting();
    assert.deepEqual((await (await Vault.open(dir, { keyring: k2 })).list()).map((i) => i.path), paths);
    // stale: one item rewritten behind the index's back (by a second instance that keeps no index)
    const { keyring: k3, counter: c3 } = counting();
    const v3 = await Vault.open(dir, { keyring: k3 });
    await v3.list();
    const target = await v3.find('src/f03.txt');
    const rogue = await Vault.open(dir, { keyring: new Keyring([LocalKeyProvider.fromMasterKey(masterA)]) });
    await rogue.move(target.id, 'moved.txt');
    await writeFile(join(dir, 'index.env'), await readFile(join(work, 'src/f00.txt'))); // and the index broken
    c3.reset();
    const after = await v3.list();
    assert.ok(after.some((i) => i.path === 'moved.txt' && i.id === target.id));
    assert.equal(c3.counts.unwrap, 1, 'only the changed item is read; the broken index is not trusted');
  });

  it('two writers adding at once lose no item and no index entry', async () => {
    const { dir, work } = await vaultWithItems();
    const a = await Vault.open(dir, { keyring: new Keyring([LocalKeyProvider.fromMasterKey(masterA)]) });
    const b = await Vault.open(dir, { keyring: new Keyring([LocalKeyProvider.fromMasterKey(masterA)]) });
    const sa = join(work, 'a');
    const sb = join(work, 'b');
    await mkdir(sa);
    await mkdir(sb);
    for (let i = 0; i < 10; i++) {
      await writeFile(join(sa, `${i}.txt`), `a${i}`);
      await writeFile(join(sb, `${i}.txt`), `b${i}`);
    }
    const [ra, rb] = await Promise.all([a.add([sa], { concurrency: 3 }), b.add([sb], { concurrency: 2 })]);
    assert.equal(ra.added.length + rb.added.length, 20);
    assert.equal((await a.list()).length, N + 20);
    assert.equal((await b.list()).length, N + 20);
    const { keyring, counter } = counting();
    const c = await Vault.open(dir, { keyring });
    assert.equal((await c.list()).length, N + 20);
    assert.equal(counter.counts.unwrap, 2, 'the config key, then the merged index holds every entry');
  });
});

describe('sync-service conflicted copies', () => {
  it('are not listed as items, are reported, and a lone copy is put back in place', async () => {
    const { vault, dir, work } = await newVault();
    const { src } = await sourceTree(work);
    await vault.add([src]);
    const t = await vault.find('src/top.txt');
    const copy = `${t.id} (conflicted copy 2026-11-28).env`;
    await copyFile(join(dir, 'items', `${t.id}.env`), join(dir, 'items', copy));
    assert.equal((await vault.list()).length, 4);
    assert.deepEqual(vault.conflicts(), [{ name: copy, item: t.id, canonical: true }]);
    assert.deepEqual(await vault.verify(), { ok: 4, bad: [], unchecked: [] });
    // the canonical file is gone (removed on one machine, renamed on another): the copy comes back
    await rm(join(dir, 'items', `${t.id}.env`));
    const list = await vault.list();
    assert.ok(list.some((i) => i.id === t.id && i.path === 'src/top.txt'));
    assert.deepEqual(vault.conflicts(), []);
    assert.ok((await itemNames(dir)).includes(`${t.id}.env`));
    // a copy that is not an envelope of that item stays where it is, unlisted
    const junk = `${'0'.repeat(32)}.sync-conflict-1.env`;
    await writeFile(join(dir, 'items', junk), 'junk');
    assert.equal((await vault.list()).length, 4);
    assert.deepEqual(vault.conflicts(), [{ name: junk, item: '0'.repeat(32), canonical: false }]);
    assert.ok((await itemNames(dir)).includes(junk));
  });
});
