import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCachetError } from '../../../app/errors.js';
import { decodeIndex, encodeIndex, INDEX_LOCK_FILE, cleanupIndexLock, withIndexLock, type IndexEntry } from '../../../app/vault/index-cache.js';

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
});
