// Creating a KMS key whose alias is taken (issue 11 defect 5), against moto with the real SDK: a
// taken alias is refused before CreateKey (through dispatch: no key is made), and a key made but
// left without its alias (the alias taken by another writer between the check and CreateAlias) is
// scheduled for deletion, the error naming it. A small fake backend covers the one case moto
// cannot be made to give: the clean-up itself failing, when the error must still name the key.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { CachetError } from '../../../app/errors.js';
import { AwsService, type AwsBackend } from '../../../main/aws/aws-service.js';
import { awsBackend } from '../../../main/services/core-adapters.js';
import { createHeadlessPlatform } from '../../../main/platform.js';
import { createMainServices, type MainApp } from '../../../main/services/main-services.js';
import { describeError } from '../../../renderer/errors/messages.js';
import { MOTO_CREDENTIALS, MOTO_REGION, motoKmsClient, startMoto, type Moto } from '../../helpers/moto.js';
import { tempDir } from '../helpers.js';

let moto: Moto;
let cleanup: () => Promise<void>;
let dir: string;
const apps: MainApp[] = [];

async function startApp(): Promise<MainApp> {
  const platform = createHeadlessPlatform({ userDataDir: join(dir, `ud-${apps.length}`) });
  const app = await createMainServices(platform, { awsEndpoint: moto.endpoint, awsCredentials: { ...MOTO_CREDENTIALS }, validateResponses: true, log: () => {} });
  await app.start();
  apps.push(app);
  const r = await app.invoke('aws:set-profile', { profile: null, region: MOTO_REGION });
  assert.equal(r.ok, true);
  return app;
}

async function keyCount(): Promise<number> {
  return (await motoKmsClient(moto).send(new ListKeysCommand({ Limit: 1000 }))).Keys?.length ?? 0;
}

before(async () => {
  moto = await startMoto();
  ({ dir, cleanup } = await tempDir());
  process.env['AWS_CONFIG_FILE'] = join(dir, 'aws-config');
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = join(dir, 'aws-credentials');
  await writeFile(join(dir, 'aws-config'), '');
  await writeFile(join(dir, 'aws-credentials'), '');
});
after(async () => {
  for (const a of apps) await a.stop();
  await moto?.stop();
  await cleanup?.();
});

test('a taken alias is refused before CreateKey: no key is left behind, and the message is about the alias', async () => {
  const app = await startApp();
  const first = await app.invoke('aws:create-key', { alias: 'cachet-taken' });
  assert.equal(first.ok, true);
  const before = await keyCount();
  const again = await app.invoke('aws:create-key', { alias: 'alias/cachet-taken' });
  assert.equal(again.ok, false);
  if (again.ok) return;
  assert.equal(again.error.code, 'exists');
  assert.equal(again.error.detail['keyCreated'], false);
  assert.equal(await keyCount(), before, 'no orphan key');
  const m = describeError(again.error);
  assert.equal(m.title, 'The KMS alias cachet-taken is already in use');
  assert.match(m.hint, /No key was created/);
});

test('the alias taken between the check and CreateAlias: the new key is scheduled for deletion and the error names it', async () => {
  const real = awsBackend({ endpoint: moto.endpoint, credentials: { ...MOTO_CREDENTIALS }, defaultRegion: MOTO_REGION });
  // Another writer creates the alias right after this check said it was free.
  const racing: AwsBackend = {
    ...real,
    aliasTarget: async (t, alias) => {
      const free = await real.aliasTarget(t, alias);
      const other = (await motoKmsClient(moto).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      await motoKmsClient(moto).send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: other }));
      return free;
    },
  };
  const aws = new AwsService(racing, { profile: null, region: MOTO_REGION });
  const err = await aws.createKey('cachet-raced').then(
    () => assert.fail('should fail'),
    (e: unknown) => e as CachetError,
  );
  assert.equal(err.code, 'exists');
  const orphan = err.detail['orphanKey'];
  assert.equal(typeof orphan, 'string', JSON.stringify(err.detail));
  assert.equal(err.detail['orphanDeletionDays'], 7, JSON.stringify(err.detail));
  const meta = (await motoKmsClient(moto).send(new DescribeKeyCommand({ KeyId: orphan as string }))).KeyMetadata;
  assert.equal(meta?.KeyState, 'PendingDeletion');
  assert.match(describeError({ code: err.code, detail: err.detail }).hint, /scheduled for deletion in 7 days/);
});

test('when scheduling the deletion fails too, the error names the key left without an alias', async () => {
  const scheduled: string[] = [];
  const backend: AwsBackend = {
    listProfiles: async () => [],
    whoAmI: async () => ({ account: '1', arn: 'arn:aws:iam::1:user/u', userId: 'u' }),
    listKeys: async () => [],
    aliasTarget: async () => null,
    createKey: async () => {
      throw new CachetError('kms-access-denied', 'denied', { operation: 'CreateAlias', keyId: 'arn:aws:kms:us-east-1:1:key/left' });
    },
    scheduleKeyDeletion: async (_t, keyId) => {
      scheduled.push(keyId);
      throw new CachetError('kms-access-denied', 'denied', { operation: 'ScheduleKeyDeletion' });
    },
    provider: () => {
      throw new Error('not used');
    },
    keyHealth: () => {
      throw new Error('not used');
    },
    accessHistory: () => {
      throw new Error('not used');
    },
    clientOptions: () => ({}),
    s3Buckets: () => {
      throw new Error('not used');
    },
    s3Browse: () => {
      throw new Error('not used');
    },
  };
  const aws = new AwsService(backend, { profile: null, region: null });
  const err = await aws.createKey('x').then(
    () => assert.fail('should fail'),
    (e: unknown) => e as CachetError,
  );
  assert.equal(err.code, 'kms-access-denied');
  assert.deepEqual(scheduled, ['arn:aws:kms:us-east-1:1:key/left']);
  assert.equal(err.detail['orphanKey'], 'arn:aws:kms:us-east-1:1:key/left');
  assert.equal(err.detail['orphanDeletionDays'], undefined);
});
