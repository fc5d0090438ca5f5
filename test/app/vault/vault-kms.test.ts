// The vault over AWS KMS (the real SDK against moto): aliases resolved to ARNs in vault.json,
// KMS call counts for list (fresh and lost index), re-key kms -> kms by ReEncrypt with the content
// untouched, and a KMS key plus a local recovery key.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectFile } from '../../../app/envelope.js';
import { AwsKmsProvider } from '../../../app/keys/aws-kms.js';
import { LocalKeyProvider } from '../../../app/keys/local.js';
import { Keyring, type CallOptions, type EncryptionContext, type KeyProvider, type Stanza } from '../../../app/keys/provider.js';
import { Vault } from '../../../app/vault/vault.js';
import { createTestKey, MOTO_CREDENTIALS, MOTO_REGION, startMoto, type Moto } from '../../helpers/moto.js';

/** Counts the calls that reach KMS. Passes rewrapKey through so the keyring can use ReEncrypt. */
class CountingKms implements KeyProvider {
  readonly type = 'aws-kms' as const;
  counts = { generate: 0, wrap: 0, unwrap: 0, rewrap: 0 };
  constructor(private readonly inner: AwsKmsProvider) {}
  reset(): void {
    this.counts = { generate: 0, wrap: 0, unwrap: 0, rewrap: 0 };
  }
  generateDataKey(k: string, c: EncryptionContext, o?: CallOptions): Promise<{ plaintext: Buffer; stanza: Stanza }> {
    this.counts.generate++;
    return this.inner.generateDataKey(k, c, o);
  }
  wrapKey(k: string, p: Uint8Array, c: EncryptionContext, o?: CallOptions): Promise<Stanza> {
    this.counts.wrap++;
    return this.inner.wrapKey(k, p, c, o);
  }
  unwrapKey(s: Stanza, c: EncryptionContext, o?: CallOptions): Promise<Buffer> {
    this.counts.unwrap++;
    return this.inner.unwrapKey(s, c, o);
  }
  rewrapKey(s: Stanza, c: EncryptionContext, to: string, o?: CallOptions): Promise<Stanza> {
    this.counts.rewrap++;
    return this.inner.rewrapKey(s, c, to, o);
  }
}

let moto: Moto;
let work: string;
let arnA: string;
let arnB: string;

function kms(): CountingKms {
  return new CountingKms(new AwsKmsProvider({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS, maxAttempts: 2 }));
}

before(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'cachet-vault-kms-'));
  arnA = await createTestKey(moto.endpoint, 'alias/vault-a');
  arnB = await createTestKey(moto.endpoint, 'alias/vault-b');
});
after(async () => {
  await moto?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const N = 8;

async function filled(name: string, keys: { provider: 'aws-kms' | 'local'; keyId: string }[], keyring: Keyring): Promise<{ dir: string; files: Map<string, Buffer> }> {
  const dir = join(work, name);
  const src = join(work, `${name}-src`);
  await mkdir(src, { recursive: true });
  const files = new Map<string, Buffer>();
  for (let i = 0; i < N; i++) {
    const data = randomBytes(i === 0 ? 200_000 : 100 + i);
    files.set(`${name}-src/f${i}.bin`, data);
    await writeFile(join(src, `f${i}.bin`), data);
  }
  const v = await Vault.create(dir, { keys, keyring });
  const r = await v.add([src]);
  assert.equal(r.added.length, N);
  v.close();
  return { dir, files };
}

describe('vault on AWS KMS (moto)', () => {
  it('stores key ARNs, lists with one Decrypt when the index is fresh and N when it is lost', async () => {
    const counter = kms();
    const { dir } = await filled('v1', [{ provider: 'aws-kms', keyId: 'alias/vault-a' }], new Keyring([counter]));
    assert.equal(counter.counts.generate, 2 + N, 'one data key per item, one for the index, one vault config key (SPEC §12)');
    assert.equal(counter.counts.unwrap, 0);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'vault.json'), 'utf8')).keys, [{ provider: 'aws-kms', keyId: arnA }]);

    const c1 = kms();
    const v = await Vault.open(dir, { keyring: new Keyring([c1]) });
    assert.equal((await v.list()).length, N);
    assert.deepEqual(c1.counts, { generate: 0, wrap: 0, unwrap: 2, rewrap: 0 }, 'the vault config key and the index key');
    await v.list();
    assert.equal(c1.counts.unwrap, 2);
    for (const i of await v.list()) assert.deepEqual(i.keyIds, [arnA]);

    await rm(join(dir, 'index.env'));
    const c2 = kms();
    const v2 = await Vault.open(dir, { keyring: new Keyring([c2]) });
    assert.equal((await v2.list()).length, N);
    assert.equal(c2.counts.unwrap, 1 + N);
    assert.equal(c2.counts.generate, 1);
  });

  it('re-keys kms A -> kms B with ReEncrypt; the content is untouched', async () => {
    const { dir, files } = await filled('v2', [{ provider: 'aws-kms', keyId: arnA }], new Keyring([kms()]));
    const counter = kms();
    const v = await Vault.open(dir, { keyring: new Keyring([counter]) });
    const items = await v.list();
    const payloads = new Map<string, Buffer>();
    for (const i of items) {
      const f = join(dir, 'items', `${i.id}.env`);
      payloads.set(i.id, (await readFile(f)).subarray((await inspectFile(f)).headerLength));
    }
    counter.reset();
    const r = await v.rekey([{ provider: 'aws-kms', keyId: 'alias/vault-b' }]);
    assert.deepEqual(r, { done: N, failed: [] });
    assert.equal(counter.counts.rewrap, N, 'one ReEncrypt per item');
    assert.equal(counter.counts.wrap, 1, 'no data key was wrapped in this process: only the new vault config key, under the retired key (SPEC §12)');
    assert.equal(counter.counts.unwrap, N, 'each new stanza is checked once before the old one goes');
    assert.equal(counter.counts.generate, 2, 'a new index key and a new vault config key under the new vault key');
    assert.deepEqual(v.keys(), [{ provider: 'aws-kms', keyId: arnB }]);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'vault.json'), 'utf8')).keys, [{ provider: 'aws-kms', keyId: arnB }]);
    for (const i of items) {
      const f = join(dir, 'items', `${i.id}.env`);
      const h = await inspectFile(f);
      assert.deepEqual(h.stanzas.map((s) => s.keyId), [arnB]);
      assert.deepEqual((await readFile(f)).subarray(h.headerLength), payloads.get(i.id));
    }
    const c2 = kms();
    const fresh = await Vault.open(dir, { keyring: new Keyring([c2]) });
    assert.equal((await fresh.list()).length, N);
    assert.equal(c2.counts.unwrap, 2, 'the re-made index is fresh (one unwrap for it, one for the vault config key)');
    assert.deepEqual(await fresh.verify(), { ok: N, bad: [], unchecked: [] });
    const out = join(work, 'v2-out');
    const ex = await fresh.extract('', out);
    assert.deepEqual(ex.failed, []);
    for (const [p, data] of files) assert.deepEqual(await readFile(join(out, p)), data);
  });

  it('a KMS key plus a local recovery key: either one opens every item', async () => {
    const local = LocalKeyProvider.fromMasterKey(randomBytes(32));
    const { dir, files } = await filled('v3', [{ provider: 'aws-kms', keyId: 'alias/vault-a' }, { provider: 'local', keyId: local.keyId }], new Keyring([kms(), local]));
    const [p, data] = [...files][0]!;
    for (const keyring of [new Keyring([local]), new Keyring([kms()])]) {
      const v = await Vault.open(dir, { keyring });
      assert.equal((await v.list()).length, N);
      const out = join(work, `v3-${randomBytes(4).toString('hex')}`);
      await v.get(p, out);
      assert.deepEqual(await readFile(out), data);
    }
    // drop the KMS key: local -> items keep only the local stanza (unwrap + wrap, no KMS)
    const v = await Vault.open(dir, { keyring: new Keyring([local, kms()]) });
    assert.deepEqual(await v.rekey([{ provider: 'local', keyId: local.keyId }]), { done: N, failed: [] });
    const onlyLocal = await Vault.open(dir, { keyring: new Keyring([local]) });
    assert.deepEqual(await onlyLocal.verify(), { ok: N, bad: [], unchecked: [] });
  });
});
