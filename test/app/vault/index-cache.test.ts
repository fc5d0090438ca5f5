import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCachetError } from '../../../app/errors.js';
import { tempHost } from '../../../app/fs/atomic.js';
import { decodeIndex, encodeIndex, type IndexEntry } from '../../../app/vault/index-cache.js';
import { cleanupIndexLock, INDEX_LOCK_FILE, withIndexLock } from '../../../app/vault/index-lock.js';

const ID = 'a'.repeat(32);
const entry: IndexEntry = { path: 'a/b.txt', size: 3, mtime: 1, keys: ['local:x'], fsize: 200, fmtime: 1234.5678 };

describe('index codec (SPEC §9)', () => {
  it('round-trips entries, keeping mtimeMs exactly', () => {
    const m = new Map([[ID, { ...entry, type: 'text/plain' }], ['b'.repeat(32), { ...entry, size: null, mtime: null }]]);
    assert.deepEqual(decodeIndex(encodeIndex(m)), m);
  });

  it('drops malformed entries and refuses a malformed document', () => {
    const doc = {
      items: {
        [ID]: entry,
        notanid: entry,
        ['c'.repeat(32)]: { ...entry, path: '../escape' },
        ['d'.repeat(32)]: { ...entry, fsize: 'big' },
        ['e'.repeat(32)]: { ...entry, keys: [1] },
        ['f'.repeat(32)]: { ...entry, size: -1 },
      },
    };
    assert.deepEqual([...decodeIndex(Buffer.from(JSON.stringify(doc))).keys()], [ID]);
    for (const bad of ['{', '[]', '{"items":[]}', 'null']) {
      assert.throws(() => decodeIndex(Buffer.from(bad)), (e) => isCachetError(e, 'vault-corrupt'), bad);
    }
  });
});

describe('index lock', () => {
  it('serialises holders and removes its file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cachet-lock-'));
    try {
      let inside = 0;
      let most = 0;
      await Promise.all(Array.from({ length: 5 }, () => withIndexLock(dir, async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 10));
        inside--;
      })));
      assert.equal(most, 1);
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes over the lock of a dead holder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cachet-lock-'));
    try {
      const { tempHost } = await import('../../../app/fs/atomic.js');
      await writeFile(join(dir, INDEX_LOCK_FILE), JSON.stringify({ host: tempHost(), pid: 2147483646, nonce: 'x' }));
      const t = Date.now();
      assert.equal(await withIndexLock(dir, async () => 'ran'), 'ran');
      assert.ok(Date.now() - t < 2000);
      await writeFile(join(dir, INDEX_LOCK_FILE), JSON.stringify({ host: tempHost(), pid: 2147483646, nonce: 'y' }));
      await cleanupIndexLock(dir);
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never shows an index.lock without its owner in it (the lock is made atomically)', async () => {
    // Another process reads index.lock as fast as it can while writers here take and release it.
    // Made by create-then-write, the lock was empty between the two steps: a writer killed there
    // left an ownerless lock behind.
    const dir = await mkdtemp(join(tmpdir(), 'cachet-lock-'));
    const watcher = spawn(process.execPath, ['-e', `
      const { readFileSync } = require('node:fs');
      const path = process.argv[1];
      let seen = 0, bad = 0;
      const until = Date.now() + 20000;
      process.stdin.on('data', () => { process.stdout.write(JSON.stringify({ seen, bad })); process.exit(0); });
      const tick = () => {
        for (let i = 0; i < 2000 && Date.now() < until; i++) {
          let t;
          try { t = readFileSync(path, 'utf8'); } catch { continue; }
          seen++;
          try { const o = JSON.parse(t); if (typeof o.pid !== 'number' || typeof o.host !== 'string') bad++; } catch { bad++; }
        }
        if (Date.now() < until) setImmediate(tick);
      };
      process.stdout.write('ready');
      tick();
    `, join(dir, INDEX_LOCK_FILE)], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      let out = '';
      watcher.stdout.setEncoding('utf8');
      watcher.stdout.on('data', (s: string) => (out += s));
      for (let i = 0; i < 200 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 20));
      const ROUNDS = 60;
      await Promise.all(Array.from({ length: 4 }, async () => {
        for (let i = 0; i < ROUNDS; i++) await withIndexLock(dir, async () => {});
      }));
      const done = watcher.exitCode !== null ? Promise.resolve() : new Promise((r) => watcher.on('close', r));
      watcher.stdin.write('x');
      await done;
      const { seen, bad } = JSON.parse(out.slice(out.indexOf('{'))) as { seen: number; bad: number };
      assert.ok(seen > 0, 'the watcher never saw the lock: the test proves nothing');
      assert.equal(bad, 0, `${bad} of ${seen} reads found index.lock without a complete owner`);
      assert.deepEqual(await readdir(dir), []);
    } finally {
      watcher.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets one writer at a time take over a stale lock', async () => {
    // Two writers that both judged one dead lock stale must not both end up holding: the one that
    // comes second must not remove the lock the first one has just made.
    const dir = await mkdtemp(join(tmpdir(), 'cachet-lock-'));
    try {
      let most = 0;
      for (let round = 0; round < 30; round++) {
        await writeFile(join(dir, INDEX_LOCK_FILE), JSON.stringify({ host: tempHost(), pid: 2147483646, nonce: `r${round}` }));
        let inside = 0;
        await Promise.all(Array.from({ length: 6 }, () => withIndexLock(dir, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 3));
          inside--;
        })));
      }
      assert.equal(most, 1);
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps a lock it did not make when releasing (its own was taken over meanwhile)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cachet-lock-'));
    try {
      const other = JSON.stringify({ host: tempHost(), pid: process.pid, nonce: 'someone-else' });
      await withIndexLock(dir, async () => {
        await rm(join(dir, INDEX_LOCK_FILE));
        await writeFile(join(dir, INDEX_LOCK_FILE), other);
      });
      assert.deepEqual(await readdir(dir), [INDEX_LOCK_FILE]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('index data key lifetime', () => {
  it('zeroes every copy of the index key it kept, including one replaced by a later read, on close', async () => {
    const { LocalKeyProvider } = await import('../../../app/keys/local.js');
    const { Keyring } = await import('../../../app/keys/provider.js');
    const { IndexStore } = await import('../../../app/vault/index-cache.js');
    const { FolderStore } = await import('../../../app/vault/folder-store.js');
    const dir = await mkdtemp(join(tmpdir(), 'cachet-index-'));
    const local = LocalKeyProvider.generate();
    const keyring = new Keyring([local]);
    const keys = [{ provider: 'local' as const, keyId: local.keyId }];
    const vaultId = 'b'.repeat(32);
    const writer = new IndexStore(new FolderStore(dir), vaultId, keyring);
    const reader = new IndexStore(new FolderStore(dir), vaultId, keyring);
    // Every Buffer the reader files away under a string key (its memo of unwrapped keys).
    const kept: Buffer[] = [];
    const set = Map.prototype.set;
    const recordSets = <T>(fn: () => Promise<T>): Promise<T> => {
      Map.prototype.set = function (this: Map<unknown, unknown>, k: unknown, v: unknown) {
        if (typeof k === 'string' && Buffer.isBuffer(v)) kept.push(v);
        return set.call(this, k, v);
      };
      return fn().finally(() => {
        Map.prototype.set = set;
      });
    };
    try {
      await writer.write(new Map([[ID, entry]]), keys, 'any');
      assert.equal((await recordSets(() => reader.read(keys))).state, 'read');
      // The writer re-seals under the same data key and stanzas (SPEC §9): the reader's memo hits.
      await writer.write(new Map([[ID, { ...entry, size: 4 }]]), keys, 'any');
      assert.equal((await recordSets(() => reader.read(keys))).state, 'read');
      assert.ok(kept.length >= 2, `the reader kept ${kept.length} key copies`);
      assert.ok(kept.some((b) => b.some((x) => x !== 0)), 'copies are live before close');
      reader.close();
      kept.forEach((b, i) => assert.ok(b.every((x) => x === 0), `kept key copy ${i} is zeroed after close`));
    } finally {
      Map.prototype.set = set;
      writer.close();
      reader.close();
      local.lock();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
