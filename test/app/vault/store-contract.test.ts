// The VaultStore contract (app/vault/store.ts), one suite run against every store of
// test/helpers/stores.ts: write conditions ('absent', 'fresh', 'any', { ifVersion }) and the
// [exists]/[conflict] they refuse with, a failed or cancelled write leaving nothing, readers that
// read the version they opened, rewriteHead keeping the payload bytes and refusing a replaced
// source, list with stats, remove { ifVersion }, exclusive. Then what only the folder store does
// (links and FIFOs under vault names, its lock).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCachetError } from '../../../app/errors.js';
import type { ByteSink } from '../../../app/stream/stream.js';
import type { StoreReader, VaultStore } from '../../../app/vault/store.js';
import { FolderStore } from '../../../app/vault/folder-store.js';
import { STORES } from '../../helpers/stores.js';

const writeBytes = (bytes: Buffer) => async (sink: ByteSink): Promise<number> => {
  await sink.write([bytes]);
  return bytes.length;
};

async function readAll(r: StoreReader): Promise<Buffer> {
  const buf = Buffer.alloc(r.size);
  let n = 0;
  for (let i = 0; i < 10_000 && n < r.size; i++) {
    const { bytesRead } = await r.read(buf, n, r.size - n, n);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return buf.subarray(0, n);
}

async function contents(store: VaultStore, name: string): Promise<Buffer> {
  return (await store.readSmall(name, 64 * 1024 * 1024)).bytes;
}

const code = (c: string) => (e: unknown): boolean => isCachetError(e) && e.code === c;

for (const factory of STORES) {
  describe(`VaultStore contract: ${factory.name}`, () => {
    let store: VaultStore;
    let cleanup: () => Promise<void>;
    let n = 0;
    const fresh = (): string => `items/${(n++).toString(16).padStart(8, '0')}${randomBytes(12).toString('hex')}.env`;

    before(async () => {
      ({ store, cleanup } = await factory.make());
    });
    after(async () => {
      await cleanup?.();
    });

    it("'absent' creates, then refuses [exists] and keeps the first bytes", async () => {
      const name = fresh();
      const w = await store.write(name, writeBytes(Buffer.from('one')), 'absent');
      assert.equal(w.value, 3);
      assert.equal((await store.stat(name))?.version, w.version);
      await assert.rejects(store.write(name, writeBytes(Buffer.from('two')), 'absent'), code('exists'));
      assert.equal((await contents(store, name)).toString(), 'one');
    });

    it("'fresh' and 'any' write; 'any' replaces and the version changes", async () => {
      const name = fresh();
      const a = await store.write(name, writeBytes(Buffer.from('first')), 'fresh');
      const b = await store.write(name, writeBytes(Buffer.from('second!')), 'any');
      assert.notEqual(a.version, b.version);
      assert.equal((await contents(store, name)).toString(), 'second!');
      const st = await store.stat(name);
      assert.equal(st?.size, 7);
      assert.equal(st?.regular, true);
      assert.equal(st?.version, b.version);
    });

    it('{ ifVersion } replaces only that version, else [conflict] and nothing changes', async () => {
      const name = fresh();
      const a = await store.write(name, writeBytes(Buffer.from('v1')), 'absent');
      const b = await store.write(name, writeBytes(Buffer.from('v2')), { ifVersion: a.version });
      assert.equal((await contents(store, name)).toString(), 'v2');
      await assert.rejects(store.write(name, writeBytes(Buffer.from('v3')), { ifVersion: a.version }), code('conflict'));
      assert.equal((await contents(store, name)).toString(), 'v2');
      assert.equal((await store.stat(name))?.version, b.version);
      // A name that holds nothing does not hold that version either.
      const gone = fresh();
      await assert.rejects(store.write(gone, writeBytes(Buffer.from('x')), { ifVersion: a.version }), code('conflict'));
      assert.equal(await store.stat(gone), undefined);
    });

    it('a fill that throws leaves nothing: no new name, the old bytes kept, no leftover in the listing', async () => {
      const before = (await store.list('items')).map((e) => e.name).sort();
      const name = fresh();
      const boom = new Error('fill failed');
      const failing = async (sink: ByteSink): Promise<void> => {
        await sink.write([randomBytes(100_000)]);
        throw boom;
      };
      await assert.rejects(store.write(name, failing, 'fresh'), (e) => e === boom);
      assert.equal(await store.stat(name), undefined);
      const kept = fresh();
      await store.write(kept, writeBytes(Buffer.from('keep me')), 'absent');
      await assert.rejects(store.write(kept, failing, 'any'), (e) => e === boom);
      assert.equal((await contents(store, kept)).toString(), 'keep me');
      const after = (await store.list('items')).map((e) => e.name).sort();
      assert.deepEqual(after, [...before, kept.slice('items/'.length)].sort());
    });

    it('an abort while filling leaves nothing [cancelled]; so does a signal aborted before', async () => {
      const name = fresh();
      const ac = new AbortController();
      await assert.rejects(store.write(name, async (sink) => {
        await sink.write([randomBytes(50_000)]);
        ac.abort();
        await sink.write([randomBytes(50_000)]);
      }, 'fresh', { signal: ac.signal }), code('cancelled'));
      assert.equal(await store.stat(name), undefined);
      await assert.rejects(store.write(name, writeBytes(Buffer.from('x')), 'fresh', { signal: ac.signal }), code('cancelled'));
      assert.equal(await store.stat(name), undefined);
      assert.ok(!(await store.list('items')).some((e) => e.name === name.slice('items/'.length)));
    });

    it('a reader reads the version it opened, never the bytes that replaced it', async () => {
      const name = fresh();
      const old = randomBytes(300_000);
      const w = await store.write(name, writeBytes(old), 'absent');
      const r = await store.openRead(name);
      try {
        assert.equal(r.size, old.length);
        assert.equal(r.version, w.version);
        assert.equal(r.name, name);
        assert.ok(r.location.length > 0);
        const head = Buffer.alloc(10);
        await r.read(head, 0, 10, 1000);
        assert.deepEqual(head, old.subarray(1000, 1010));
        const replacement = randomBytes(old.length);
        await store.write(name, writeBytes(replacement), 'any');
        try {
          const got = await readAll(r);
          assert.deepEqual(got, old, 'the old version, whole');
        } catch (e) {
          assert.ok(isCachetError(e, 'changed-while-reading'), `an honest refusal, not ${String(e)}`);
        }
      } finally {
        await r.close();
      }
    });

    it('openRead of a missing name is [not-found]; stat is undefined; readSmall bounds the size [too-large]', async () => {
      const name = fresh();
      await assert.rejects(store.openRead(name), code('not-found'));
      assert.equal(await store.stat(name), undefined);
      await store.write(name, writeBytes(Buffer.alloc(2048)), 'absent');
      await assert.rejects(store.readSmall(name, 1024), (e) => isCachetError(e, 'bad-request') && e.detail['reason'] === 'too-large');
      const small = await store.readSmall(name, 4096);
      assert.equal(small.bytes.length, 2048);
      assert.equal(small.version, (await store.stat(name))?.version);
    });

    it('rewriteHead puts a new head before the kept bytes, unchanged, and gives the new version', async () => {
      const name = fresh();
      const oldHead = randomBytes(777);
      const payload = randomBytes(3 * 1024 * 1024 + 12_345);
      await store.write(name, writeBytes(Buffer.concat([oldHead, payload])), 'absent');
      const r = await store.openRead(name);
      let version: string;
      try {
        const head = Buffer.from('a new, longer header '.repeat(50));
        ({ version } = await store.rewriteHead(r, head, oldHead.length));
        const now = await contents(store, name);
        assert.equal(now.length, head.length + payload.length);
        assert.deepEqual(now.subarray(0, head.length), head);
        assert.ok(now.subarray(head.length).equals(payload), 'payload bytes identical');
      } finally {
        await r.close();
      }
      assert.equal((await store.stat(name))?.version, version);
    });

    it('rewriteHead refuses [conflict] when the name no longer holds the opened version, and keeps the new one', async () => {
      const name = fresh();
      await store.write(name, writeBytes(Buffer.from('HEAD:payload')), 'absent');
      const r = await store.openRead(name);
      try {
        await store.write(name, writeBytes(Buffer.from('someone else wrote this')), 'any');
        await assert.rejects(store.rewriteHead(r, Buffer.from('NEW:'), 5), code('conflict'));
      } finally {
        await r.close();
      }
      assert.equal((await contents(store, name)).toString(), 'someone else wrote this');
    });

    it('list gives every file of the folder with its stat', async () => {
      const names = [fresh(), fresh(), fresh()];
      const versions: string[] = [];
      for (const [i, name] of names.entries()) versions.push((await store.write(name, writeBytes(Buffer.alloc(10 + i)), 'absent')).version);
      const listed = await store.list('items');
      for (const [i, name] of names.entries()) {
        const e = listed.find((x) => x.name === name.slice('items/'.length));
        assert.ok(e, `${name} listed`);
        assert.equal(e.size, 10 + i);
        assert.equal(e.version, versions[i]);
        assert.equal(e.regular, true);
        const st = await store.stat(name);
        assert.equal(e.mtimeMs, st?.mtimeMs);
      }
    });

    it('remove: { ifVersion } of another version is [conflict] and keeps it; the right one removes; absent is fine', async () => {
      const name = fresh();
      const a = await store.write(name, writeBytes(Buffer.from('a')), 'absent');
      const b = await store.write(name, writeBytes(Buffer.from('bb')), 'any');
      await assert.rejects(store.remove(name, { ifVersion: a.version }), code('conflict'));
      assert.equal((await contents(store, name)).toString(), 'bb');
      await store.remove(name, { ifVersion: b.version });
      assert.equal(await store.stat(name), undefined);
      await store.remove(name);
      await store.remove(name, { ifVersion: b.version });
      await store.sync('items');
    });

    it('rename moves a file over another name', async () => {
      const from = fresh();
      const to = fresh();
      await store.write(from, writeBytes(Buffer.from('moved')), 'absent');
      await store.write(to, writeBytes(Buffer.from('old')), 'absent');
      await store.rename(from, to);
      assert.equal(await store.stat(from), undefined);
      assert.equal((await contents(store, to)).toString(), 'moved');
    });

    it('placeWithin: the name appears only inside place(); a section that throws first leaves nothing', async () => {
      for (const bytes of [Buffer.from('small'), randomBytes(9 * 1024 * 1024)]) {
        const name = fresh();
        let seenBefore: unknown = 'unset';
        await store.write(name, writeBytes(bytes), 'fresh', {
          placeWithin: async (place) => {
            seenBefore = await store.stat(name);
            await place();
          },
        });
        assert.equal(seenBefore, undefined, 'not visible before place');
        assert.ok((await contents(store, name)).equals(bytes));
        const refused = fresh();
        const taken = new Error('path taken');
        await assert.rejects(store.write(refused, writeBytes(bytes), 'fresh', { placeWithin: async () => { throw taken; } }), (e) => e === taken);
        assert.equal(await store.stat(refused), undefined);
      }
    });

    it('exclusive runs the section and gives back its value or its error', async () => {
      assert.equal(await store.exclusive('index.env', async () => 42), 42);
      const boom = new Error('inside');
      await assert.rejects(store.exclusive('index.env', async () => {
        throw boom;
      }), (e) => e === boom);
      await store.sweep();
    });
  });
}

describe('FolderStore only', () => {
  let made: Awaited<ReturnType<(typeof STORES)[number]['make']>>;
  let store: FolderStore;
  before(async () => {
    made = await STORES.find((s) => s.name === 'folder')!.make();
    store = made.store as FolderStore;
  });
  after(async () => {
    await made?.cleanup();
  });

  it('a link or a FIFO under a vault name is listed as not regular and never opened', async () => {
    const target = join(store.location, 'outside.txt');
    await writeFile(target, 'secret');
    await symlink(target, store.locationOf('items/link.env'));
    execFileSync('mkfifo', [store.locationOf('items/fifo.env')], { timeout: 5_000 });
    const listed = await store.list('items');
    assert.equal(listed.find((e) => e.name === 'link.env')?.regular, false);
    assert.equal(listed.find((e) => e.name === 'fifo.env')?.regular, false);
    await assert.rejects(store.openRead('items/link.env'), (e) => isCachetError(e, 'bad-request') && e.detail['reason'] === 'symlink');
    await assert.rejects(store.openRead('items/fifo.env'), (e) => isCachetError(e, 'bad-request') && e.detail['reason'] === 'symlink');
    await assert.rejects(store.readSmall('items/link.env', 100), (e) => isCachetError(e, 'bad-request'));
  });

  it('exclusive(index.env) holds the index lock: two sections never overlap', async () => {
    let inside = 0;
    let most = 0;
    const section = async (): Promise<void> => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 30));
      inside--;
    };
    await Promise.all([store.exclusive('index.env', section), store.exclusive('index.env', section), store.exclusive('index.env', section)]);
    assert.equal(most, 1);
    assert.ok(!(await readdir(store.location)).includes('index.lock'), 'the lock is released');
  });
});
