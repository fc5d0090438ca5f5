// checkKeyHealth (app/keys/key-health.ts) against moto with the real SDK: moto models key state in
// DescribeKey (Disabled; PendingDeletion with its DeletionDate) and GetKeyRotationStatus, so the
// states are set through the real KMS API (DisableKey, ScheduleKeyDeletion) and read back. States
// moto cannot reach (Unavailable, PendingImport, PendingReplicaDeletion) are checked on
// conditionOf with DescribeKey's metadata shape. A denied DescribeKey runs on moto's IAM checks.
// Then the usage counter (kms-usage.ts) on a provider through the fault proxy's throttles.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyRotationCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { AwsKmsProvider } from '../../../app/keys/aws-kms.js';
import { checkKeyHealth, conditionOf, standingOf } from '../../../app/keys/key-health.js';
import { KMS_USD_PER_REQUEST, KmsUsage } from '../../../app/keys/kms-usage.js';
import { createLimitedUser, createTestKey, MOTO_CREDENTIALS, MOTO_REGION, motoKmsClient, startMoto, type Moto } from '../../helpers/moto.js';
import { startFaultProxy } from '../../helpers/fault-proxy.js';

const CTX = { 'cachet:item': '0123456789abcdef0123456789abcdef', 'cachet:purpose': 'item', 'cachet:vault': 'fedcba9876543210fedcba9876543210' } as const;

let moto: Moto;
const aws = () => ({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS, maxAttempts: 2 });

before(async () => {
  moto = await startMoto();
});
after(async () => {
  await moto?.stop();
});

describe('key states from moto', () => {
  test('enabled (rotation on), disabled, pending deletion with its date, a signing key, a missing key, the local key', async () => {
    const kms = motoKmsClient(moto);
    try {
      // moto 5 takes the bare key id (not the ARN) in DisableKey, ScheduleKeyDeletion and the rotation calls.
      const [enabled, disabled, pending] = [await createTestKey(moto), await createTestKey(moto), await createTestKey(moto)];
      await kms.send(new DisableKeyCommand({ KeyId: disabled.split('/')[1] }));
      const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: pending.split('/')[1], PendingWindowInDays: 7 }));
      const signing = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.Arn!;
      const multi = (await kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', MultiRegion: true }))).KeyMetadata!.Arn!;
      const missing = enabled.replace(/key\/.*/, 'key/00000000-0000-0000-0000-000000000000');
      await kms.send(new EnableKeyRotationCommand({ KeyId: enabled.split('/')[1] }));
      const h = await checkKeyHealth([
        { provider: 'aws-kms', keyId: enabled }, { provider: 'aws-kms', keyId: disabled }, { provider: 'aws-kms', keyId: pending },
        { provider: 'aws-kms', keyId: signing }, { provider: 'aws-kms', keyId: missing },
        { provider: 'local', keyId: 'local:aa' }, { provider: 'local', keyId: 'local:bb' }, { provider: 'aws-kms', keyId: multi },
      ], { ...aws(), localKeyId: 'local:aa' });
      assert.deepEqual(h.map((k) => k.condition), ['enabled', 'disabled', 'pending-deletion', 'wrong-usage', 'not-found', 'local', 'local-elsewhere', 'enabled']);
      assert.deepEqual(h.map(standingOf), ['healthy', 'failing', 'failing', 'failing', 'failing', 'healthy', 'unknown', 'healthy']);
      assert.equal(h[7]!.multiRegion, true);
      assert.equal(h[0]!.rotation, true);
      assert.equal(h[1]!.rotation, null); // not asked of a disabled key
      assert.equal(h[0]!.multiRegion, false);
      assert.equal(h[2]!.deletionDate, scheduled.DeletionDate!.toISOString());
      assert.ok(Date.parse(h[2]!.deletionDate!) > Date.now() + 6 * 86_400_000);
      assert.equal(h[3]!.keyUsage, 'SIGN_VERIFY');
      assert.equal(h[4]!.error, 'kms-key-not-found');
    } finally {
      kms.destroy();
    }
  });

  test('DescribeKey denied: cannot-describe with kms-access-denied, standing unknown, not thrown', async () => {
    const iam = await startMoto({ iamAuth: true });
    try {
      const key = await createTestKey(iam);
      const user = await createLimitedUser(iam, { allow: ['kms:Decrypt'] });
      const [h] = await checkKeyHealth([{ provider: 'aws-kms', keyId: key }], { endpoint: iam.endpoint, region: MOTO_REGION, credentials: user, maxAttempts: 1 });
      assert.equal(h!.condition, 'cannot-describe');
      assert.equal(h!.error, 'kms-access-denied');
      assert.equal(standingOf(h!), 'unknown');
    } finally {
      await iam.stop();
    }
  });

  test('states moto cannot reach, from DescribeKey metadata', () => {
    assert.equal(conditionOf({ KeyId: 'k', KeyState: 'Unavailable', Enabled: false }), 'unavailable');
    assert.equal(conditionOf({ KeyId: 'k', KeyState: 'PendingImport', Enabled: false }), 'pending-import');
    assert.equal(conditionOf({ KeyId: 'k', KeyState: 'PendingReplicaDeletion', Enabled: false }), 'pending-replica-deletion');
    assert.equal(conditionOf({ KeyId: 'k', KeyState: 'Enabled', KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }), 'wrong-usage');
    assert.equal(conditionOf({ KeyId: 'k', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' }), 'enabled');
  });
});

describe('KMS usage', () => {
  test('requests per operation, throttles and retries, and the estimate, counted through the real retry strategy', async () => {
    const key = await createTestKey(moto);
    // The first attempt of every GenerateDataKey call is throttled; the retry passes.
    const proxy = await startFaultProxy({ target: moto.endpoint, seed: 1, decide: (r) => (r.operation === 'GenerateDataKey' && r.attempt === 1 ? 'throttle' : 'pass') });
    const usage = new KmsUsage();
    const p = new AwsKmsProvider({ ...aws(), endpoint: proxy.endpoint, kmsUsage: usage });
    try {
      for (let i = 0; i < 2; i++) {
        const { plaintext, stanza } = await p.generateDataKey(key, CTX);
        plaintext.fill(0);
        (await p.unwrapKey(stanza, CTX)).fill(0);
      }
      const r = usage.report();
      assert.deepEqual(r.byOperation, { Decrypt: 2, DescribeKey: 1, GenerateDataKey: 4 });
      assert.equal(r.requests, 7);
      assert.equal(r.requests, proxy.counts.requests);
      assert.equal(r.throttled, 2);
      assert.equal(r.retries, 2);
      assert.equal(r.estimatedCostUsd, 7 * KMS_USD_PER_REQUEST);
      // The SDK waits (with jitter) before retrying a throttled call: that wait is what KMS cost the job.
      assert.ok(r.throttledMs > 0, `throttledMs ${r.throttledMs}`);
      assert.ok(r.throttledMs < 60_000);
    } finally {
      p.destroy();
      await proxy.stop();
    }
  });
});
