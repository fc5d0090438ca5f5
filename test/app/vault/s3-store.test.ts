// What only the S3 store does, on moto through the real SDK client: multipart uploads that leave
// nothing behind when they fail, a rename of a large item that moves a few MiB (bytes counted on
// the wire by a TCP proxy), listing in ListObjectsV2 pages, the sweep of killed writers' uploads,
// and the s3:// location rule. The behaviour every store shares is in store-contract.test.ts.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { isCachetError } from '../../../app/errors.js';
import { LocalKeyProvider } from '../../../app/keys/local.js';
import { Keyring } from '../../../app/keys/provider.js';
import { parseS3Location, formatS3Location } from '../../../app/vault/s3-location.js';
import { isStaleUpload, PART_SIZE, S3Store } from '../../../app/vault/s3-store.js';
import { Vault } from '../../../app/vault/vault.js';
import { MOTO_REGION, motoS3Client, type Moto } from '../../helpers/moto.js';
import { makeS3Store, sharedMoto } from '../../helpers/stores.js';
import { startCountingProxy, type CountingProxy } from '../../helpers/counting-proxy.js';

const MiB = 1024 * 1024;
let moto: Moto;
let release: () => Promise<void>;
let proxy: CountingProxy;
let s3: S3Client;

before(async () => {
  ({ moto, release } = await sharedMoto());
  proxy = await startCountingProxy(moto.endpoint);
  s3 = motoS3Client(moto);
});
after(async () => {
  s3?.destroy();
  await proxy?.stop();
  await release?.();
});

/** The same bucket and prefix as `store`, through the counting proxy, counting calls by operation. */
function viaProxy(store: S3Store): { store: S3Store; calls: Record<string, number> } {
  const client = new S3Client({ endpoint: proxy.endpoint, region: MOTO_REGION, credentials: moto.credentials, forcePathStyle: true, maxAttempts: 1 });
  const calls: Record<string, number> = {};
  client.middlewareStack.add((next, context) => async (args) => {
    const op = (context.commandName ?? '?').replace(/Command$/, '');
    calls[op] = (calls[op] ?? 0) + 1;
    return next(args);
  }, { step: 'initialize', name: 'countCalls' });
  return { store: new S3Store({ bucket: store.bucket, prefix: store.prefix }, client, { region: MOTO_REGION }), calls };
}

async function uploads(bucket: string): Promise<string[]> {
  const r = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (r.Uploads ?? []).map((u) => u.Key!).sort();
}

describe('S3Store', () => {
  it('a multipart write reads back whole; one that fails or is cancelled after several parts leaves no object and no upload', async () => {
    const store = await makeS3Store(moto);
    const body = randomBytes(3 * PART_SIZE + 12_345);
    const w = await store.write('items/big.env', async (sink) => {
      for (let at = 0; at < body.length; at += 1_000_000) await sink.write([body.subarray(at, at + 1_000_000)]);
    }, 'fresh');
    assert.match(w.version, /-4"$/, 'four parts');
    assert.ok((await store.readSmall('items/big.env', body.length)).bytes.equals(body));
    const boom = new Error('disk gone');
    await assert.rejects(store.write('items/failed.env', async (sink) => {
      await sink.write([randomBytes(2 * PART_SIZE + 1)]);
      throw boom;
    }, 'fresh'), (e) => e === boom);
    const ac = new AbortController();
    await assert.rejects(store.write('items/cancelled.env', async (sink) => {
      await sink.write([randomBytes(2 * PART_SIZE + 1)]);
      ac.abort();
      await sink.write([randomBytes(10)]);
    }, 'fresh', { signal: ac.signal }), (e) => isCachetError(e, 'cancelled'));
    assert.equal(await store.stat('items/failed.env'), undefined);
    assert.equal(await store.stat('items/cancelled.env'), undefined);
    assert.deepEqual(await uploads(store.bucket), []);
  });

  it('renaming a 40 MiB item in a vault moves less than 16 MiB over the network, and the item still opens', async () => {
    const plain = await makeS3Store(moto);
    const local = LocalKeyProvider.fromMasterKey(randomBytes(32));
    const keyring = new Keyring([local]);
    const key = { provider: 'local' as const, keyId: local.keyId };
    const body = randomBytes(40 * MiB);
    const v = await Vault.create(plain, { keys: [key], keyring });
    await v.addStream((await import('node:stream')).Readable.from([body]), 'video/big.bin', { size: body.length });
    v.close();
    const { store, calls } = viaProxy(plain);
    const w = await Vault.open(store, { keyring });
    try {
      await w.list();
      proxy.reset();
      for (const k of Object.keys(calls)) delete calls[k];
      await w.move('video/big.bin', 'archive/renamed.bin');
      const moved = proxy.counts.up + proxy.counts.down;
      assert.ok(moved < 16 * MiB, `a rename moved ${(moved / MiB).toFixed(1)} MiB`);
      assert.ok((calls['UploadPartCopy'] ?? 0) >= 1, 'the payload was copied server-side');
    } finally {
      w.close();
    }
    const check = await Vault.open(plain, { keyring });
    try {
      assert.deepEqual((await check.list()).map((i) => i.path), ['archive/renamed.bin']);
      const parts: Buffer[] = [];
      const { Writable } = await import('node:stream');
      await check.get('archive/renamed.bin', new Writable({ write(c: Buffer, _e, cb) { parts.push(c); cb(); } }));
      assert.ok(Buffer.concat(parts).equals(body));
    } finally {
      check.close();
    }
  });

  it('lists 1,100 items in two ListObjectsV2 pages and nothing but the items folder', async () => {
    const plain = await makeS3Store(moto);
    const names = Array.from({ length: 1_100 }, (_, i) => `${String(i).padStart(32, '0')}.env`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(names.slice(i, i + 50).map((n) => s3.send(new PutObjectCommand({ Bucket: plain.bucket, Key: `team/vault/items/${n}`, Body: 'x' }))));
    }
    await s3.send(new PutObjectCommand({ Bucket: plain.bucket, Key: 'team/vault/items/deeper/not-an-item.env', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: plain.bucket, Key: 'team/vault-other/items/0.env', Body: 'x' }));
    const { store, calls } = viaProxy(plain);
    const listed = await store.list('items');
    assert.deepEqual(listed.map((e) => e.name).sort(), names);
    assert.equal(calls['ListObjectsV2'], 2);
  });

  it('the sweep aborts stale uploads of vault names only, and leaves a live writer\'s', async () => {
    const store = await makeS3Store(moto);
    for (const k of ['team/vault/items/killed.env', 'team/vault/index.env', 'team/vault/not-ours.bin']) {
      await s3.send(new CreateMultipartUploadCommand({ Bucket: store.bucket, Key: k }));
    }
    // moto dates every upload 2010-11-10 in ListMultipartUploads, so here all of them are stale
    // by age; the age rule itself is checked on isStaleUpload below.
    await store.sweep();
    assert.deepEqual(await uploads(store.bucket), ['team/vault/not-ours.bin']);
    const now = Date.parse('2026-12-04T12:00:00Z');
    assert.equal(isStaleUpload(new Date(now - 60_000), now), false, 'a minute old: a live writer');
    assert.equal(isStaleUpload(new Date(now - 23 * 3600_000), now), false);
    assert.equal(isStaleUpload(new Date(now - 25 * 3600_000), now), true);
    assert.equal(isStaleUpload(undefined, now), false, 'no date: keep it');
  });
});

describe('s3:// locations', () => {
  it('parses bucket and prefix, drops a trailing slash, refuses what S3 or a vault cannot use', () => {
    assert.deepEqual(parseS3Location('s3://team-vaults'), { bucket: 'team-vaults', prefix: '' });
    assert.deepEqual(parseS3Location('s3://team-vaults/finance/2026/'), { bucket: 'team-vaults', prefix: 'finance/2026' });
    assert.equal(formatS3Location(parseS3Location('S3://team.vaults/a')), 's3://team.vaults/a');
    for (const bad of ['s3://', 's3://ab', 's3://Upper', 's3://under_score', 's3://192.168.1.1', 's3://a..b', 's3://b/a//c', 's3://b/../x', 's3://b/./x', 's3://b/a\u0007', `s3://b/${'x'.repeat(901)}`, '/local/path']) {
      assert.throws(() => parseS3Location(bad), (e) => isCachetError(e, 'bad-request') && e.detail['reason'] === 'bad-s3-location', bad);
    }
  });
});
