// Runs every vector in test/vectors/manifest.json through every reader of the format: openFile to
// a path and to a Writable, openToBuffer, verifyFile, readMetadata and inspectFile. `expect` is
// the outcome; `stage` says which readers reach the failure (see scripts/make-vectors.ts). Then
// every vector is put in a vault as the item its context names, and Vault.list must list it (under
// `vaultPath`) or report it unreadable with the same code (SPEC §9: item paths and contexts).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { inspectFile, openFile, openToBuffer, readMetadata, verifyFile, type OpenOptions } from '../../app/envelope.js';
import { LocalKeyProvider } from '../../app/keys/local.js';
import { Keyring } from '../../app/keys/provider.js';
import { CachetError } from '../../app/errors.js';
import { Vault } from '../../app/vault/vault.js';

interface Vector {
  file: string; description: string; expect: string; stage?: 'header' | 'unlock' | 'payload' | 'vault';
  sha256?: string; size?: number; path?: string; vaultPath?: string; expectContext?: Record<string, string>;
}
const DIR = 'test/vectors';
const manifest = JSON.parse(await readFile(join(DIR, 'manifest.json'), 'utf8')) as {
  localMasterKeyHex: string; localKeyId: string; context: Record<string, string>; vectors: Vector[];
};
const local = LocalKeyProvider.fromMasterKey(Buffer.from(manifest.localMasterKeyHex, 'hex'));
const keyring = new Keyring([local]);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let out: string;
before(async () => {
  out = await mkdtemp(join(tmpdir(), 'cachet-vectors-'));
});
after(async () => {
  await rm(out, { recursive: true, force: true });
});

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'success';
  } catch (e) {
    if (e instanceof CachetError) return e.code;
    throw e;
  }
}

it('the manifest lists every vector file, and the key matches', async () => {
  assert.equal(local.keyId, manifest.localKeyId);
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.env')).sort();
  assert.deepEqual(manifest.vectors.map((v) => v.file).sort(), files);
  assert.ok(manifest.vectors.some((v) => v.expect === 'success') && manifest.vectors.some((v) => v.expect !== 'success'));
});

describe('vectors', () => {
  for (const v of manifest.vectors) {
    it(`${v.file}: ${v.expect} (${v.description})`, async () => {
      const src = join(DIR, v.file);
      const opts: OpenOptions = { keyring, ...(v.expectContext ? { expectContext: v.expectContext } : {}) };
      // A 'vault' vector is a valid envelope: only a vault refuses it (below).
      const expect = v.stage === 'vault' ? 'success' : v.expect;
      const keyed = expect === 'success' || v.stage === 'payload' ? 'success' : expect;
      const payload = expect;
      const header = v.stage === 'header' ? v.expect : 'success';

      assert.equal(await outcome(inspectFile(src)), header, 'inspectFile');
      assert.equal(await outcome(readMetadata(src, opts)), keyed, 'readMetadata');
      assert.equal(await outcome(verifyFile(src, opts)), payload, 'verifyFile');

      const dest = join(out, `${v.file}.out`);
      assert.equal(await outcome(openFile(src, dest, opts)), payload, 'openFile to a path');
      const left = (await readdir(out)).filter((f) => f.startsWith(v.file) || f.startsWith('.tmp-'));
      assert.deepEqual(left, payload === 'success' ? [`${v.file}.out`] : [], 'output only on success');

      const w = new PassThrough();
      const parts: Buffer[] = [];
      w.on('data', (b: Buffer) => parts.push(b));
      assert.equal(await outcome(openFile(src, w, opts)), payload, 'openFile to a Writable');

      let preview: Buffer | undefined;
      assert.equal(await outcome(openToBuffer(src, { ...opts, maxBytes: 1 << 20 }).then((r) => (preview = r.data))), payload, 'openToBuffer');

      if (expect === 'success') {
        const data = await readFile(dest);
        assert.equal(sha(data), v.sha256);
        assert.equal(data.length, v.size);
        assert.equal(sha(Buffer.concat(parts)), v.sha256);
        assert.equal(sha(preview!), v.sha256);
        const m = await readMetadata(src, opts);
        assert.equal(m.metadata.path, v.path);
        const small = await openToBuffer(src, { ...opts, maxBytes: 100 });
        assert.ok(small.data.equals(data.subarray(0, 100)));
        assert.equal(small.truncated, data.length > 100);
      }
    });
  }
});

describe('vectors as vault items (SPEC §9)', () => {
  const vaultId = manifest.context['cachet:vault']!;
  const itemId = manifest.context['cachet:item']!;
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cachet-vector-vaults-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  // The vault.json of SPEC §9, written from the spec (not by Vault.create, whose id is random).
  async function vaultWith(file: string): Promise<string> {
    const dir = join(root, file);
    await mkdir(join(dir, 'items'), { recursive: true });
    const config = { format: 'cachet-vault', version: 1, id: vaultId, keys: [{ provider: 'local', keyId: manifest.localKeyId }], created: new Date(0).toISOString() };
    await writeFile(join(dir, 'vault.json'), JSON.stringify(config));
    await copyFile(join(DIR, file), join(dir, 'items', `${itemId}.env`));
    return dir;
  }

  for (const v of manifest.vectors.filter((x) => x.expect === 'success' || x.stage === 'vault')) {
    it(`${v.file}: ${v.expect} as item ${itemId}`, async () => {
      const vault = await Vault.open(await vaultWith(v.file), { keyring });
      try {
        const items = await vault.list();
        const unreadable = vault.unreadable();
        if (v.expect === 'success') {
          assert.deepEqual(unreadable.map((f) => f.error.code), []);
          assert.deepEqual(items.map((i) => [i.id, i.path]), [[itemId, v.vaultPath ?? v.path]]);
          const w = new PassThrough();
          const parts: Buffer[] = [];
          w.on('data', (b: Buffer) => parts.push(b));
          await vault.get(itemId, w);
          assert.equal(sha(Buffer.concat(parts)), v.sha256);
        } else {
          assert.deepEqual(items, []);
          assert.deepEqual(unreadable.map((f) => [f.item, f.error.code]), [[itemId, v.expect]]);
        }
      } finally {
        vault.close();
      }
    });
  }
});
