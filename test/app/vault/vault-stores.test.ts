// The vault API on every vault store (test/helpers/stores.ts: a local folder and an S3 bucket on
// moto), one suite written once: create and open, add / list / get / extract, a multipart-sized
// item, move and re-key rewriting only the header, remove, verify catching a tampered item,
// the conflict policies, cancel, two writers adding at once, and what an open costs in unwraps.
// What only a folder has (links, FIFOs, sync-service copies, fs permissions) stays in vault.test.ts.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { isCachetError } from '../../../app/errors.js';
import { LocalKeyProvider } from '../../../app/keys/local.js';
import { Keyring, type CallOptions, type EncryptionContext, type KeyProvider, type Stanza } from '../../../app/keys/provider.js';
import type { VaultStore } from '../../../app/vault/store.js';
import { Vault, type VaultKey } from '../../../app/vault/vault.js';
import { STORES } from '../../helpers/stores.js';

/** Local keys by id, counting unwraps (how many key-provider round trips an open costs). */
class Locals implements KeyProvider {
  readonly type = 'local' as const;
  unwraps = 0;
  readonly #byId = new Map<string, LocalKeyProvider>();
  constructor(providers: LocalKeyProvider[]) {
    for (const p of providers) this.#byId.set(p.keyId, p);
  }
  #get(keyId: string): LocalKeyProvider {
    const p = this.#byId.get(keyId);
    if (!p) throw new Error(`no local key ${keyId}`);
    return p;
  }
  generateDataKey(keyId: string, ctx: EncryptionContext, opts?: CallOptions): Promise<{ plaintext: Buffer; stanza: Stanza }> {
    return this.#get(keyId).generateDataKey(keyId, ctx, opts);
  }
  wrapKey(keyId: string, pt: Uint8Array, ctx: EncryptionContext, opts?: CallOptions): Promise<Stanza> {
    return this.#get(keyId).wrapKey(keyId, pt, ctx, opts);
  }
  unwrapKey(s: Stanza, ctx: EncryptionContext, opts?: CallOptions): Promise<Buffer> {
    this.unwraps++;
    return this.#get(s.keyId).unwrapKey(s, ctx, opts);
  }
}

const localA = LocalKeyProvider.fromMasterKey(randomBytes(32));
const localB = LocalKeyProvider.fromMasterKey(randomBytes(32));
const KEY_A: VaultKey = { provider: 'local', keyId: localA.keyId };
const KEY_B: VaultKey = { provider: 'local', keyId: localB.keyId };
const keyringOf = (...p: LocalKeyProvider[]): { keyring: Keyring; locals: Locals } => {
  const locals = new Locals(p);
  return { keyring: new Keyring([locals]), locals };
};

let src: string;
before(async () => {
  src = await mkdtemp(join(tmpdir(), 'cachet-vs-src-'));
});
after(async () => {
  await rm(src, { recursive: true, force: true });
});

let nSrc = 0;
/** A folder of files to add: name -> bytes. */
async function sources(files: Record<string, Buffer>): Promise<string> {
  const dir = join(src, `s${nSrc++}`);
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), bytes);
  }
  return dir;
}

async function collect(vault: Vault, ref: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  await vault.get(ref, new Writable({ write(c: Buffer, _e, cb) { parts.push(c); cb(); } }));
  return Buffer.concat(parts);
}

const itemBytes = async (store: VaultStore, id: string): Promise<Buffer> => (await store.readSmall(`items/${id}.env`, 64 * 1024 * 1024)).bytes;
const itemNames = async (store: VaultStore): Promise<string[]> => (await store.list('items')).map((e) => e.name).sort();

for (const factory of STORES) {
  describe(`vault on ${factory.name}`, () => {
    const made: { cleanup(): Promise<void> }[] = [];
    const fresh = async (): Promise<VaultStore> => {
      const m = await factory.make();
      made.push(m);
      return m.store;
    };
    after(async () => {
      for (const m of made) await m.cleanup();
    });

    it('creates a vault, opens it, refuses a second create and a location that holds other things', async () => {
      const store = await fresh();
      const { keyring } = keyringOf(localA);
      const v = await Vault.create(store, { keys: [KEY_A], keyring });
      const id = v.id;
      v.close();
      const names = (await store.list('items')).length;
      assert.equal(names, 0);
      assert.ok(await store.stat('vault.json'));
      assert.ok(await store.stat('index.env'));
      const again = await Vault.open(store, { keyring });
      assert.equal(again.id, id);
      assert.deepEqual(await again.list(), []);
      again.close();
      await assert.rejects(Vault.create(store, { keys: [KEY_A], keyring }), (e) => isCachetError(e, 'exists'));
      const other = await fresh();
      await other.write('notes.txt', (s) => s.write([Buffer.from('not a vault')]), 'absent');
      await assert.rejects(Vault.create(other, { keys: [KEY_A], keyring }), (e) => isCachetError(e, 'bad-request') && e.detail['reason'] === 'not-empty');
      await assert.rejects(Vault.open(other, { keyring }), (e) => isCachetError(e, 'vault-not-found'));
    });

    it('adds files, a nested folder and an item larger than one upload part; lists; reads each back byte-identical', async () => {
      const store = await fresh();
      const { keyring } = keyringOf(localA);
      const files = { 'a.txt': Buffer.from('alpha\n'), 'docs/b.bin': randomBytes(200_000), 'docs/deep/c.bin': randomBytes(20 * 1024 * 1024 + 17) };
      const dir = await sources(files);
      const v = await Vault.create(store, { keys: [KEY_A], keyring });
      try {
        const r = await v.add([join(dir, 'a.txt'), join(dir, 'docs')]);
        assert.deepEqual(r.failed, []);
        assert.deepEqual(r.added.map((i) => i.path).sort(), ['a.txt', 'docs/b.bin', 'docs/deep/c.bin']);
        const listed = await v.list();
        assert.deepEqual(listed.map((i) => i.path), ['a.txt', 'docs/b.bin', 'docs/deep/c.bin']);
        for (const [name, bytes] of Object.entries(files)) assert.ok((await collect(v, name)).equals(bytes), `${name} reads back`);
        assert.equal((await itemNames(store)).length, 3);
        const out = await mkdtemp(join(tmpdir(), 'cachet-vs-out-'));
        try {
          const x = await v.extract('docs', out);
          assert.deepEqual(x.failed, []);
          assert.ok((await readFile(join(out, 'docs', 'deep', 'c.bin'))).equals(files['docs/deep/c.bin']));
        } finally {
          await rm(out, { recursive: true, force: true });
        }
      } finally {
        v.close();
      }
      // Another opener (no cache) sees the same.
      const w = await Vault.open(store, { keyring });
      try {
        assert.deepEqual((await w.list()).map((i) => i.path), ['a.txt', 'docs/b.bin', 'docs/deep/c.bin']);
        assert.ok((await collect(w, 'docs/b.bin')).equals(files['docs/b.bin']));
      } finally {
        w.close();
      }
    });

    it('move and re-key rewrite the header only: the payload bytes are identical, and only the new key opens', async () => {
      const store = await fresh();
      const { keyring } = keyringOf(localA, localB);
      const body = randomBytes(300_000);
      const dir = await sources({ 'm.bin': body });
      const v = await Vault.create(store, { keys: [KEY_A], keyring });
      try {
        const [item] = (await v.add([join(dir, 'm.bin')])).added;
        const before = await itemBytes(store, item!.id);
        const moved = await v.move('m.bin', 'archive/m2.bin');
        assert.equal(moved.id, item!.id);
        const after = await itemBytes(store, item!.id);
        const tail = 300_000; // at least the payload: header sizes differ, the chunks must not
        assert.ok(after.subarray(after.length - tail).equals(before.subarray(before.length - tail)), 'payload unchanged by move');
        assert.deepEqual((await v.list()).map((i) => i.path), ['archive/m2.bin']);
        const r = await v.rekey([KEY_B]);
        assert.deepEqual(r.failed, []);
        const rekeyed = await itemBytes(store, item!.id);
        assert.ok(rekeyed.subarray(rekeyed.length - tail).equals(before.subarray(before.length - tail)), 'payload unchanged by re-key');
        assert.deepEqual(v.keys(), [KEY_B]);
      } finally {
        v.close();
      }
      const onlyB = keyringOf(localB);
      const w = await Vault.open(store, { keyring: onlyB.keyring });
      try {
        assert.ok((await collect(w, 'archive/m2.bin')).equals(body));
      } finally {
        w.close();
      }
      const onlyA = keyringOf(localA);
      const old = await Vault.open(store, { keyring: onlyA.keyring });
      try {
        await assert.rejects(old.list().then(() => collect(old, 'archive/m2.bin')));
      } finally {
        old.close();
      }
    });

    it('remove deletes the item object and its entry; verify catches a tampered item and names it', async () => {
      const store = await fresh();
      const { keyring } = keyringOf(localA);
      const dir = await sources({ 'keep.txt': Buffer.from('keep'), 'gone.txt': Buffer.from('gone'), 'bad.bin': randomBytes(100_000) });
      const v = await Vault.create(store, { keys: [KEY_A], keyring });
      try {
        const added = (await v.add([join(dir, 'keep.txt'), join(dir, 'gone.txt'), join(dir, 'bad.bin')])).added;
        const gone = added.find((i) => i.path === 'gone.txt')!;
        await v.remove('gone.txt');
        assert.ok(!(await itemNames(store)).includes(`${gone.id}.env`));
        assert.deepEqual((await v.list()).map((i) => i.path), ['bad.bin', 'keep.txt']);
        const bad = added.find((i) => i.path === 'bad.bin')!;
        const bytes = Buffer.from(await itemBytes(store, bad.id));
        bytes[bytes.length - 5_000]! ^= 1;
        await store.write(`items/${bad.id}.env`, (s) => s.write([bytes]), 'any');
        const r = await v.verify();
        assert.equal(r.ok, 1);
        assert.deepEqual(r.bad.map((b) => [b.item, b.error.code]), [[bad.id, 'tampered']]);
      } finally {
        v.close();
      }
    });

    it('conflict policies: fail changes nothing, skip skips, keep-both renames, replace leaves one item', async () => {
      const store = await fresh();
      const { keyring } = keyringOf(localA);
      const one = await sources({ 'n.txt': Buffer.from('one') });
      const two = await sources({ 'n.txt': Buffer.from('two') });
      const v = await Vault.create(store, { keys: [KEY_A], keyring });
      try {
        await v.add([join(one, 'n.txt')]);
        const failed = await v.add([join(two, 'n.txt')]);
        assert.deepEqual(failed.failed.map((f) => f.error.code), ['exists']);
        assert.deepEqual((await v.add([join(two, 'n.txt')], { conflict: 'skip' })).skipped, ['n.txt']);
        assert.equal((await collect(v, 'n.txt')).toString(), 'one');
        assert.deepEqual((await v.add([join(two, 'n.txt')], { conflict: 'keep-both' })).added.map((i) => i.path), ['n (2).txt']);
        await v.add([join(two, 'n.txt')], { conflict: 'replace' });
        assert.equal((await collect(v, 'n.txt')).toString(), 'two');
        assert.deepEqual((await v.list()).map((i) => i.path), ['n (2).txt', 'n.txt']);
        assert.equal((await itemNames(store)).length, 2, 'the replaced item is gone from the store');
      } finally {
        v.close();
      }
    });

    it('cancelling mid-add leaves no item object behind', async () => {
      const store = await fresh();
      const { keyring } = keyringOf(localA);
      const dir = await sources({ 'big.bin': randomBytes(24 * 1024 * 1024) });
      const v = await Vault.create(store, { keys: [KEY_A], keyring });
      try {
        const ac = new AbortController();
        let seen = 0;
        const r = v.add([join(dir, 'big.bin')], {
          signal: ac.signal,
          onProgress: (p) => {
            seen = p.bytes;
            if (p.bytes > 10 * 1024 * 1024) ac.abort();
          },
        });
        await assert.rejects(r, (e) => isCachetError(e, 'cancelled'));
        assert.ok(seen > 10 * 1024 * 1024, 'it was cancelled mid-file');
        assert.deepEqual(await itemNames(store), []);
        assert.deepEqual(await v.list(), []);
      } finally {
        v.close();
      }
    });

    it('two writers adding at once lose no item and no index entry; a fresh open then reads no item header', async () => {
      const store = await fresh();
      const { keyring } = keyringOf(localA);
      const v = await Vault.create(store, { keys: [KEY_A], keyring });
      v.close();
      const names = Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, '0')}.txt`);
      const a = await sources(Object.fromEntries(names.slice(0, 6).map((n) => [n, Buffer.from(n)])));
      const b = await sources(Object.fromEntries(names.slice(6).map((n) => [n, Buffer.from(n)])));
      const w1 = await Vault.open(store, { keyring });
      const w2 = await Vault.open(store, { keyring });
      try {
        const [r1, r2] = await Promise.all([w1.add([a], { concurrency: 2 }), w2.add([b], { concurrency: 2 })]);
        assert.deepEqual([...r1.failed, ...r2.failed], []);
      } finally {
        w1.close();
        w2.close();
      }
      const counted = keyringOf(localA);
      const r = await Vault.open(store, { keyring: counted.keyring });
      try {
        const listed = (await r.list()).map((i) => i.path);
        const prefixA = a.split('/').pop()!;
        const prefixB = b.split('/').pop()!;
        assert.deepEqual(listed, [...names.slice(0, 6).map((n) => `${prefixA}/${n}`), ...names.slice(6).map((n) => `${prefixB}/${n}`)].sort());
        assert.equal(counted.locals.unwraps, 2, 'the vault config key (SPEC §12) and the index key: the merged index was complete, no item header was read');
      } finally {
        r.close();
      }
    });
  });
}
