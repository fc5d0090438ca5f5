// The AWS channels through dispatch against moto (the real SDK): profiles from the config file,
// identity, usable keys, create key, a KMS-keyed vault, re-key to the local key, and a KMS error
// (a disabled key) arriving as its own code.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DisableKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { clearKeyArnCache } from '../../../app/keys/aws-kms.js';
import { createHeadlessPlatform } from '../../../main/platform.js';
import { createMainServices, type MainApp } from '../../../main/services/main-services.js';
import { MOTO_CREDENTIALS, MOTO_REGION, motoKmsClient, startMoto, type Moto } from '../../helpers/moto.js';
import { tempDir, invokeOk } from '../helpers.js';
import { startCloudTrailServer } from '../../helpers/cloudtrail-server.js';

let moto: Moto;
let app: MainApp;
let platform: ReturnType<typeof createHeadlessPlatform>;
let dir: string;
let cleanup: () => Promise<void>;

const ok = <T = any>(channel: string, req: unknown): Promise<T> => invokeOk<T>(app, channel, req);
async function fails(channel: string, req: unknown): Promise<string> {
  const r = await app.invoke(channel, req);
  assert.equal(r.ok, false, `${channel} should fail`);
  return r.ok ? '' : r.error.code;
}

before(async () => {
  moto = await startMoto();
  ({ dir, cleanup } = await tempDir());
  // This test file runs in its own process: point the SDK's shared files at test files only.
  const config = join(dir, 'aws-config');
  await writeFile(config, '[profile dev]\nregion = eu-west-1\naws_access_key_id = x\naws_secret_access_key = y\n\n[profile work]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = R\nregion = us-east-2\n\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n');
  process.env['AWS_CONFIG_FILE'] = config;
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = join(dir, 'aws-credentials');
  await writeFile(join(dir, 'aws-credentials'), '');
  platform = createHeadlessPlatform({ userDataDir: join(dir, 'ud') });
  app = await createMainServices(platform, { awsEndpoint: moto.endpoint, awsCredentials: { ...MOTO_CREDENTIALS }, validateResponses: true, localScryptN: 2 ** 14, log: () => {} });
  await app.start();
});
after(async () => {
  await app?.stop();
  await moto?.stop();
  await cleanup?.();
});

test('profiles, identity, keys, create key', async () => {
  const { profiles } = await ok('aws:profiles', {});
  const byName = Object.fromEntries(profiles.map((p: any) => [p.name, p]));
  assert.deepEqual(byName.dev, { name: 'dev', region: 'eu-west-1', kind: 'static' });
  assert.equal(byName.work.kind, 'sso');
  assert.deepEqual(await ok('aws:set-profile', { profile: null, region: MOTO_REGION }), { profile: null, region: MOTO_REGION });
  assert.equal((await ok('app:state', {})).aws.region, MOTO_REGION);
  const me = await ok('aws:identity', {});
  assert.match(me.account, /^\d{12}$/);
  const made = await ok('aws:create-key', { alias: 'cachet-main-test', description: 'test' });
  assert.match(made.arn, /^arn:aws:kms:us-east-1:\d{12}:key\//);
  assert.deepEqual(made.aliases, ['alias/cachet-main-test']);
  const { keys } = await ok('aws:keys', {});
  const k = keys.find((x: any) => x.arn === made.arn);
  assert.ok(k, 'the new key is listed');
  assert.ok(k.aliases.includes('alias/cachet-main-test'));
  assert.equal(await fails('aws:create-key', { alias: 'alias/cachet-main-test' }), 'exists');
});

test('a KMS vault: add, preview, re-key to the local key; a disabled key reports kms-key-disabled', async () => {
  const arn = (await ok('aws:create-key', { alias: 'cachet-vault-key' })).arn as string;
  const lk = await ok('local-key:create', { protection: 'passphrase', passphrase: 'a long passphrase' });
  const vaultDir = join(dir, 'kms-vault');
  platform.answerNext(vaultDir);
  await ok('dialog:pick-folder', { purpose: 'create-vault' });
  const v = await ok('vault:create', { path: vaultDir, keys: [{ provider: 'aws-kms', keyId: 'alias/cachet-vault-key' }] });
  assert.deepEqual(v.keys, [{ provider: 'aws-kms', keyId: arn }], 'the alias is resolved to the ARN');
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'k.txt'), 'sealed under kms');
  app.grantDrop(join(src, 'k.txt'));
  const add = await ok('items:add', { sources: [join(src, 'k.txt')], to: '' });
  assert.equal((await app.services.jobs.wait(add.jobId))!.status, 'ok');
  const [item] = (await ok('items:list', {})).items;
  assert.deepEqual(item.keyIds, [arn]);

  const rk = await ok('vault:rekey', { keys: [{ provider: 'local', keyId: lk.keyId }] });
  const done = (await app.services.jobs.wait(rk.jobId))!;
  assert.equal(done.status, 'ok', JSON.stringify(done));
  assert.deepEqual((await ok('app:state', {})).vault.keys, [{ provider: 'local', keyId: lk.keyId }]);
  assert.deepEqual((await ok('items:list', {})).items[0].keyIds, [lk.keyId]);
  assert.equal(Buffer.from((await ok('item:preview', { id: item.id })).data).toString(), 'sealed under kms');

  const kms = motoKmsClient(moto.endpoint);
  await kms.send(new DisableKeyCommand({ KeyId: arn.split('/').pop()! })); // moto's DisableKey wants the bare id
  kms.destroy();
  const other = join(dir, 'kms-vault-2');
  platform.answerNext(other);
  await ok('dialog:pick-folder', { purpose: 'create-vault' });
  // moto checks key state only when a key is resolved (DescribeKey), so name it by alias, uncached.
  clearKeyArnCache();
  assert.equal(await fails('vault:create', { path: other, keys: [{ provider: 'aws-kms', keyId: 'alias/cachet-vault-key' }] }), 'kms-key-disabled');
  assert.equal((await ok('app:state', {})).vault.path, vaultDir, 'the open vault stays open after the failure');
});

test('vault:health (issue 14): the state of each key, items per key, and the items at risk once the key is scheduled for deletion', async () => {
  const arn = (await ok('aws:create-key', { alias: 'cachet-health-key' })).arn as string;
  const vaultDir = join(dir, 'health-vault');
  platform.answerNext(vaultDir);
  await ok('dialog:pick-folder', { purpose: 'create-vault' });
  await ok('vault:create', { path: vaultDir, keys: [{ provider: 'aws-kms', keyId: arn }] });
  const src = join(dir, 'health-src');
  await mkdir(src);
  for (const n of ['a.txt', 'b.txt']) await writeFile(join(src, n), n);
  app.grantDrop(src);
  const add = await ok('items:add', { sources: [join(src, 'a.txt'), join(src, 'b.txt')], to: '' });
  assert.equal((await app.services.jobs.wait(add.jobId))!.status, 'ok');
  const healthy = await ok('vault:health', {});
  assert.deepEqual(healthy.keys.map((k: any) => [k.keyId, k.state, k.healthy, k.items, k.alone]), [[arn, 'enabled', true, 2, 2]]);
  assert.deepEqual(healthy.atRisk, []);

  const kms = motoKmsClient(moto.endpoint);
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: arn.split('/').pop()!, PendingWindowInDays: 7 })).finally(() => kms.destroy());
  const pending = await ok('vault:health', {});
  assert.equal(pending.keys[0].state, 'pending-deletion');
  assert.match(pending.keys[0].deletionDate, /^\d{4}-\d{2}-\d{2}T/);
  const ids = (await ok('items:list', {})).items.map((i: any) => i.id).sort();
  assert.deepEqual([...pending.atRisk].sort(), ids);
});

test('vault:status (issue 14): what `cachet status --json` reports, from the one core function: keys, items per key, at risk, local key file, index', async () => {
  // The vault of the test above: its one key is scheduled for deletion, so both items are at risk.
  const st = await ok('vault:status', {});
  const items = (await ok('items:list', {})).items;
  assert.equal(st.location, join(dir, 'health-vault'));
  assert.equal(st.items, 2);
  assert.equal(st.unreadable, 0);
  assert.deepEqual(st.keys.map((k: any) => [k.provider, k.state, k.healthy, k.items, k.alone]), [['aws-kms', 'pending-deletion', false, 2, 2]]);
  assert.deepEqual(st.atRisk.map((r: any) => r.path).sort(), ['a.txt', 'b.txt']);
  assert.deepEqual(st.atRisk.map((r: any) => r.id).sort(), items.map((i: any) => i.id).sort());
  assert.deepEqual(st.uncertain, []);
  assert.deepEqual(st.localKeyFile, { path: join(dir, 'ud', 'local-key.json'), present: true });
  assert.equal(st.indexFresh, true);
});

test('vault:history (issue 14): this vault\'s KMS calls from CloudTrail with the item paths, newest first; another vault\'s left out; a local-only vault refused (handlers.test.ts)', async () => {
  // moto has no LookupEvents: the loopback CloudTrail (test/helpers/cloudtrail-server.ts) with the real SDK client.
  const ct = await startCloudTrailServer({ pageSize: 2 });
  const p3 = createHeadlessPlatform({ userDataDir: join(dir, 'ud-history') });
  const app3 = await createMainServices(p3, { awsEnv: { ...moto.env, AWS_ENDPOINT_URL_CLOUDTRAIL: ct.endpoint }, validateResponses: true, log: () => {} });
  await app3.start();
  try {
    const call = (c: string, r: unknown) => invokeOk<any>(app3, c, r);
    const vaultDir = join(dir, 'health-vault');
    p3.answerNext(vaultDir);
    await call('dialog:pick-folder', { purpose: 'open-vault' });
    const v = await call('vault:open', { path: vaultDir });
    const items: { id: string; path: string }[] = (await call('items:list', {})).items;
    const a = items.find((i) => i.path === 'a.txt')!;
    const ctxOf = (item: string, vault = v.id) => ({ 'cachet:item': item, 'cachet:purpose': 'item', 'cachet:vault': vault });
    const ago = (h: number) => new Date(Date.now() - h * 3_600_000);
    const ALICE = 'arn:aws:iam::123456789012:user/alice';
    ct.addKmsEvents([
      { operation: 'Decrypt', time: ago(1), identity: ALICE, sourceIp: '192.0.2.7', context: ctxOf(a.id) },
      { operation: 'GenerateDataKey', time: ago(30), identity: ALICE, context: ctxOf(a.id) },
      { operation: 'Decrypt', time: ago(2), identity: ALICE, context: ctxOf('f'.repeat(32)) },
      { operation: 'Decrypt', time: ago(3), identity: ALICE, context: ctxOf(a.id, '0'.repeat(32)) },
      { operation: 'Decrypt', time: ago(24 * 10), identity: ALICE, context: ctxOf(a.id) },
    ]);
    const h = await call('vault:history', { days: 7 });
    assert.deepEqual(h.events.map((e: any) => [e.operation, e.path, e.identity]), [
      ['Decrypt', 'a.txt', ALICE], ['Decrypt', null, ALICE], ['GenerateDataKey', 'a.txt', ALICE],
    ], 'newest first; an item no longer in the vault has no path; the other vault and the 10-day-old call are left out');
    assert.equal(h.events[0].sourceIp, '192.0.2.7');
    assert.equal(h.truncated, false);
    assert.ok(h.pages >= 2, 'read across pages');
    const one = await call('vault:history', { days: 7, item: a.id });
    assert.deepEqual(one.events.map((e: any) => e.item), [a.id, a.id]);
  } finally {
    await app3.stop();
    await ct.stop();
  }
});

test('awsEnv (moto env) alone reaches KMS and STS (the browser harness path)', async () => {
  const p2 = createHeadlessPlatform({ userDataDir: join(dir, 'ud-env') });
  const app2 = await createMainServices(p2, { awsEnv: moto.env, validateResponses: true, log: () => {} });
  await app2.start();
  try {
    const id = await app2.invoke('aws:identity', {});
    assert.ok(id.ok, JSON.stringify(id));
    const keys = await app2.invoke('aws:keys', {});
    assert.ok(keys.ok && (keys.value as any).keys.length > 0, JSON.stringify(keys));
    assert.equal(process.env['AWS_CONFIG_FILE'], moto.env['AWS_CONFIG_FILE']);
  } finally {
    await app2.stop();
  }
});
