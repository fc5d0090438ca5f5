// S3 vaults in the app (issue 13) through main's dispatch against moto (the real SDK, IAM checks on):
// the buckets a profile may list, browsing prefixes and seeing which hold a vault, creating a vault
// in S3 and working in it, finding it among recent vaults and re-opening it with no folder grant,
// and the refusals in the vault's words: a malformed location, a missing bucket, a prefix that is
// not empty, a vault already there, "show in folder" of a vault that is not on this computer, and
// a profile allowed into one bucket but not to list buckets.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHeadlessPlatform } from '../../../main/platform.js';
import { createMainServices, type MainApp } from '../../../main/services/main-services.js';
import { createLimitedUser, createTestBucket, motoS3Client, startMoto, type Moto } from '../../helpers/moto.js';
import { tempDir, invokeOk } from '../helpers.js';

let moto: Moto;
let app: MainApp;
let dir: string;
let cleanup: () => Promise<void>;
let bucket: string;

const ok = <T = any>(channel: string, req: unknown, a: MainApp = app): Promise<T> => invokeOk<T>(a, channel, req);
async function fails(channel: string, req: unknown, a: MainApp = app): Promise<{ code: string; detail: any }> {
  const r = await a.invoke(channel, req);
  assert.equal(r.ok, false, `${channel} should fail`);
  return r.ok ? { code: '', detail: {} } : { code: r.error.code, detail: r.error.detail };
}

async function startApp(name: string, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<MainApp> {
  const p = createHeadlessPlatform({ userDataDir: join(dir, name) });
  const a = await createMainServices(p, { awsEnv: { ...moto.env, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey }, validateResponses: true, localScryptN: 2 ** 14, log: () => {} });
  await a.start();
  return a;
}

before(async () => {
  moto = await startMoto({ iamAuth: true });
  ({ dir, cleanup } = await tempDir());
  bucket = await createTestBucket(moto);
  app = await startApp('ud', moto.credentials);
});
after(async () => {
  await app?.stop();
  await moto?.stop();
  await cleanup?.();
});

test('create a vault in S3, add to it, find it by browsing, and re-open it from recent vaults', async () => {
  const { buckets } = await ok('s3:buckets', {});
  assert.ok(buckets.includes(bucket), `${bucket} is listed`);
  const root = await ok('s3:browse', { location: `s3://${bucket}` });
  assert.deepEqual(root, { location: `s3://${bucket}`, isVault: false, empty: true, children: [], truncated: false });

  await ok('local-key:create', { protection: 'passphrase', passphrase: 'a long passphrase' });
  const lk = (await ok('app:state', {})).localKey.keyId as string;
  const where = `s3://${bucket}/team/finance/`;
  const v = await ok('vault:create', { path: where, keys: [{ provider: 'local', keyId: lk }] });
  assert.equal(v.path, `s3://${bucket}/team/finance`, 'the canonical location (no trailing slash)');
  assert.equal(v.name, 'finance');

  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'q3.txt'), 'quarterly numbers\n');
  app.grantDrop(src);
  const add = await ok('items:add', { sources: [join(src, 'q3.txt')], to: 'reports' });
  assert.equal((await app.services.jobs.wait(add.jobId))!.status, 'ok');
  const { items } = await ok('items:list', {});
  assert.deepEqual(items.map((i: any) => i.path), ['reports/q3.txt']);
  const preview = await ok('item:preview', { id: items[0].id });
  assert.equal(Buffer.from(preview.data).toString(), 'quarterly numbers\n');

  const top = await ok('s3:browse', { location: `s3://${bucket}` });
  assert.deepEqual(top.children, [{ name: 'team', location: `s3://${bucket}/team`, isVault: false }]);
  assert.equal(top.empty, false);
  const team = await ok('s3:browse', { location: `s3://${bucket}/team` });
  assert.deepEqual(team.children, [{ name: 'finance', location: `s3://${bucket}/team/finance`, isVault: true }]);
  const inside = await ok('s3:browse', { location: `s3://${bucket}/team/finance` });
  assert.equal(inside.isVault, true);
  assert.deepEqual(inside.children, [], "a vault's own items/ is not offered as a place");

  assert.equal((await fails('vault:reveal', {})).detail.reason, 'not-local');
  await ok('vault:close', {});
  const recent = (await ok('app:state', {})).recentVaults;
  assert.equal(recent[0].path, `s3://${bucket}/team/finance`);
  assert.equal(recent[0].name, 'finance');
  // Re-opened by its location: no folder grant is involved.
  const again = await ok('vault:open', { path: `s3://${bucket}/team/finance` });
  assert.equal(again.itemCount, 1);
  assert.equal(again.id, v.id);
});

test('refusals in the vault\'s words: bad location, missing bucket, a vault already there, a prefix that is not empty', async () => {
  const lk = (await ok('app:state', {})).localKey.keyId as string;
  const keys = [{ provider: 'local', keyId: lk }];
  assert.equal((await fails('vault:open', { path: 's3://No_Such/x' })).code, 'bad-request');
  assert.equal((await fails('s3:browse', { location: 's3://a' })).code, 'bad-request');
  assert.equal((await fails('s3:browse', { location: 's3://cachet-no-such-bucket-here' })).code, 's3-bucket-not-found');
  assert.equal((await fails('vault:create', { path: `s3://${bucket}/team/finance`, keys })).code, 'exists');
  const s3 = motoS3Client(moto);
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'photos/cat.jpg', Body: 'not a vault' }));
  } finally {
    s3.destroy();
  }
  const photos = await fails('vault:create', { path: `s3://${bucket}/photos`, keys });
  assert.equal(photos.code, 'bad-request');
  assert.equal(photos.detail.reason, 'not-empty');
  assert.equal((await fails('vault:open', { path: `s3://${bucket}/photos` })).code, 'vault-not-found');
  const level = await ok('s3:browse', { location: `s3://${bucket}/photos` });
  assert.deepEqual([level.isVault, level.empty], [false, false]);
});

test('a profile that may use one bucket but not list buckets: s3:buckets is denied by name, browsing that bucket works', async () => {
  const user = await createLimitedUser(moto, { allow: ['s3:ListBucket', 's3:GetObject'] });
  const reader = await startApp('reader', user);
  try {
    const denied = await fails('s3:buckets', {}, reader);
    assert.equal(denied.code, 's3-access-denied');
    assert.equal(denied.detail.action, 's3:ListAllMyBuckets');
    assert.equal(denied.detail.resource, '*', 'ListBuckets is authorised on no bucket');
    assert.equal(denied.detail.location, undefined);
    const team = await ok('s3:browse', { location: `s3://${bucket}/team` }, reader);
    assert.deepEqual(team.children.map((c: any) => [c.name, c.isVault]), [['finance', true]]);
  } finally {
    await reader.stop();
  }
});
