// app/keys/aws-config.ts: profiles from temp shared files (never ~/.aws), keys and identity from
// moto_server with the real SDK, region and endpoint precedence.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import {
  configuredEndpoint,
  createKey,
  isValidAlias,
  listKeys,
  listProfiles,
  resolveAwsClient,
  whoAmI,
} from '../../../app/keys/aws-config.js';
import { createTestKey, motoKmsClient, startMoto, type Moto } from '../../helpers/moto.js';
import { rejectsWith, withEnv } from '../../helpers/aws-env.js';

let moto: Moto;
let tmp: string;
const savedEnv = { ...process.env };
let fileCount = 0;

/** A shared file at a fresh path: the SDK caches shared files by path for the whole process. */
async function sharedFile(kind: string, text: string): Promise<string> {
  const p = join(tmp, `${kind}-${++fileCount}`);
  await writeFile(p, text);
  return p;
}

before(async () => {
  moto = await startMoto();
  tmp = await mkdtemp(join(tmpdir(), 'cachet-aws-config-'));
  Object.assign(process.env, moto.env);
  delete process.env.AWS_PROFILE;
});

after(async () => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  await moto?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('listProfiles', () => {
  const SECRETS = ['wJalrXUtnFEMI-static-secret', 'FwoGZXIvYXdzEXAMPLE-session-token', 'both-secret-value', 'AKIASTATICEXAMPLE'];

  test('names, regions, kinds and sources of every profile; no secret value in the result', async () => {
    const config = await sharedFile('config', [
      '[default]', 'region = eu-west-1',
      '[profile sso-new]', 'sso_session = corp', 'sso_account_id = 111122223333', 'sso_role_name = Dev', 'region = eu-central-1',
      '[profile sso-legacy]', 'sso_start_url = https://example.awsapps.com/start', 'sso_region = us-east-1', 'sso_account_id = 111122223333', 'sso_role_name = Dev',
      '[profile admin]', 'role_arn = arn:aws:iam::111122223333:role/Admin', 'source_profile = default', 'region = us-west-2',
      '[profile proc]', 'credential_process = /usr/local/bin/get-creds --profile proc',
      '[profile both]', 'region = ap-south-1',
      '[profile from-env]', 'role_arn = arn:aws:iam::111122223333:role/X', 'credential_source = Environment',
      '[sso-session corp]', 'sso_start_url = https://example.awsapps.com/start', 'sso_region = us-east-1',
      '[services emu]', 'kms =', '  endpoint_url = http://127.0.0.1:1', '',
    ].join('\n'));
    const credentials = await sharedFile('credentials', [
      '[static]', `aws_access_key_id = ${SECRETS[3]}`, `aws_secret_access_key = ${SECRETS[0]}`, `aws_session_token = ${SECRETS[1]}`,
      '[both]', 'aws_access_key_id = AKIABOTH', `aws_secret_access_key = ${SECRETS[2]}`, '',
    ].join('\n'));
    const profiles = await withEnv({ AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials }, () => listProfiles());
    const byName = Object.fromEntries(profiles.map((p) => [p.name, p]));
    assert.deepEqual(Object.keys(byName).sort(), ['admin', 'both', 'default', 'from-env', 'proc', 'sso-legacy', 'sso-new', 'static']);
    assert.deepEqual(byName['sso-new'], { name: 'sso-new', region: 'eu-central-1', type: 'sso', source: 'config' });
    assert.equal(byName['sso-legacy']!.type, 'sso');
    assert.deepEqual(byName.admin, { name: 'admin', region: 'us-west-2', type: 'assume-role', source: 'config' });
    assert.deepEqual(byName.proc, { name: 'proc', type: 'credential-process', source: 'config' });
    assert.deepEqual(byName.static, { name: 'static', type: 'static', source: 'credentials' });
    assert.deepEqual(byName.both, { name: 'both', region: 'ap-south-1', type: 'static', source: 'both' });
    assert.equal(byName.default!.type, 'other');
    assert.equal(byName['from-env']!.type, 'assume-role');
    const shown = JSON.stringify(profiles);
    for (const s of [...SECRETS, 'get-creds', 'AKIABOTH']) assert.ok(!shown.includes(s), `${s} leaked`);
    for (const p of profiles) assert.deepEqual(Object.keys(p).filter((k) => !['name', 'region', 'type', 'source'].includes(k)), []);
  });

  test('re-reads the files: a profile added since the last call shows up', async () => {
    const config = await sharedFile('config', '[profile one]\nregion = eu-west-1\n');
    const empty = await sharedFile('credentials', '');
    await withEnv({ AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: empty }, async () => {
      assert.deepEqual((await listProfiles()).map((p) => p.name), ['one']);
      await writeFile(config, '[profile one]\nregion = eu-west-1\n[profile two]\nregion = us-east-2\n');
      assert.deepEqual((await listProfiles()).map((p) => p.name), ['one', 'two']);
    });
  });

  test('missing files give an empty list, not an error', async () => {
    const profiles = await withEnv({ AWS_CONFIG_FILE: join(tmp, 'none-1'), AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'none-2') }, () => listProfiles());
    assert.deepEqual(profiles, []);
  });
});

describe('listKeys', () => {
  test('only enabled symmetric encryption keys, with their aliases; disabled, pending, asymmetric hidden', async () => {
    const kms = motoKmsClient(moto.endpoint);
    const usable = await createTestKey(moto.endpoint, 'alias/list-usable');
    const { CreateAliasCommand } = await import('@aws-sdk/client-kms');
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/list-usable-2', TargetKeyId: usable }));
    const bare = await createTestKey(moto.endpoint);
    const disabled = await createTestKey(moto.endpoint, 'alias/list-disabled');
    await kms.send(new DisableKeyCommand({ KeyId: disabled.split('/')[1] }));
    const pending = await createTestKey(moto.endpoint, 'alias/list-pending');
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: pending.split('/')[1], PendingWindowInDays: 7 }));
    const rsa = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!.Arn!;
    const hmac = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!.Arn!;

    const keys = await listKeys({ endpoint: moto.endpoint });
    const arns = keys.map((k) => k.arn);
    assert.ok(arns.includes(usable) && arns.includes(bare));
    for (const hidden of [disabled, pending, rsa, hmac]) assert.ok(!arns.includes(hidden), `${hidden} should be hidden`);
    const u = keys.find((k) => k.arn === usable)!;
    assert.deepEqual(u.aliases, ['alias/list-usable', 'alias/list-usable-2']);
    assert.equal(u.keyId, usable.split('/')[1]);
    assert.equal(u.enabled, true);
    assert.equal(u.region, 'us-east-1');
    assert.equal(u.description, 'cachet test key');
    assert.deepEqual(keys.find((k) => k.arn === bare)!.aliases, []);
    for (const k of keys) assert.ok(!k.aliases.some((a) => a.startsWith('alias/aws/')));
    // Keys with an alias sort first, by alias.
    assert.ok(keys.findIndex((k) => k.arn === usable) < keys.findIndex((k) => k.arn === bare));
  });

  test('the region option lists that region\'s keys', async () => {
    const eu = await createTestKey(moto.endpoint, 'alias/eu-only', 'eu-west-1');
    const keys = await listKeys({ endpoint: moto.endpoint, region: 'eu-west-1' });
    assert.deepEqual(keys.map((k) => k.arn), [eu]);
    assert.equal(keys[0]!.region, 'eu-west-1');
  });
});

describe('createKey', () => {
  test('creates a symmetric key with the alias; it resolves and lists', async () => {
    const { arn, alias } = await createKey({ endpoint: moto.endpoint, alias: 'alias/cachet/new-vault', description: 'a vault key' });
    assert.equal(alias, 'alias/cachet/new-vault');
    const meta = (await motoKmsClient(moto.endpoint).send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata!;
    assert.equal(meta.Arn, arn);
    assert.equal(meta.KeyUsage, 'ENCRYPT_DECRYPT');
    assert.equal(meta.Description, 'a vault key');
    const listed = (await listKeys({ endpoint: moto.endpoint })).find((k) => k.arn === arn);
    assert.deepEqual(listed?.aliases, ['alias/cachet/new-vault']);
  });

  test('an alias already in use -> exists, naming the new key', async () => {
    await createKey({ endpoint: moto.endpoint, alias: 'alias/taken' });
    const err = await rejectsWith(createKey({ endpoint: moto.endpoint, alias: 'alias/taken' }), 'exists');
    assert.match(String(err.detail.keyId), /^arn:aws:kms:us-east-1:\d{12}:key\//);
  });

  for (const bad of ['no-prefix', 'alias/', 'alias/has space', 'alias/aws/reserved', 'alias/ünï', 'alias/a.b']) {
    test(`alias ${JSON.stringify(bad)} is refused before any call`, async () => {
      assert.equal(isValidAlias(bad), false);
      // An unreachable endpoint proves no request was needed to refuse it.
      await rejectsWith(createKey({ endpoint: 'http://127.0.0.1:1', alias: bad }), 'bad-request');
    });
  }

  test('valid aliases', () => {
    for (const ok of ['alias/a', 'alias/Team_1/vault-2', 'alias/awsome']) assert.equal(isValidAlias(ok), true, ok);
  });
});

describe('whoAmI', () => {
  test('GetCallerIdentity through AWS_ENDPOINT_URL_STS', async () => {
    const me = await whoAmI();
    assert.equal(me.account, '123456789012');
    assert.match(me.arn, /^arn:aws:(iam|sts)::123456789012:/);
    assert.ok(me.userId.length > 0);
  });

  test('an assume-role profile is resolved through STS (moto) and used', async () => {
    const config = await sharedFile('config', [
      '[profile base]', 'aws_access_key_id = AKIABASEEXAMPLE', 'aws_secret_access_key = base-secret', 'region = us-east-1',
      '[profile admin]', 'role_arn = arn:aws:iam::123456789012:role/CachetAdmin', 'source_profile = base', 'role_session_name = cachet-test', 'region = us-east-1', '',
    ].join('\n'));
    const me = await withEnv({ AWS_CONFIG_FILE: config, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }, () => whoAmI({ profile: 'admin' }));
    assert.match(me.arn, /assumed-role\/CachetAdmin\/cachet-test$/);
  });

  test('an unknown profile -> profile-not-found', async () => {
    await rejectsWith(whoAmI({ profile: 'ghost' }), 'profile-not-found');
  });
});

describe('resolveAwsClient', () => {
  test('region as the AWS CLI: explicit > AWS_REGION > AWS_DEFAULT_REGION > the profile\'s (explicit or ambient)', async () => {
    const config = await sharedFile('config', '[default]\nregion = ap-east-1\n[profile p]\nregion = eu-north-1\n[profile noreg]\noutput = json\n');
    await withEnv({ AWS_CONFIG_FILE: config, AWS_REGION: 'sa-east-1', AWS_DEFAULT_REGION: 'eu-south-1' }, async () => {
      assert.equal((await resolveAwsClient({ profile: 'p', region: 'us-west-1' })).region, 'us-west-1');
      assert.equal((await resolveAwsClient({ profile: 'p' })).region, 'sa-east-1', 'the variable outranks a profile, as for the CLI');
      assert.equal((await resolveAwsClient({})).region, 'sa-east-1');
    });
    await withEnv({ AWS_CONFIG_FILE: config, AWS_REGION: undefined, AWS_DEFAULT_REGION: 'eu-south-1' }, async () => {
      assert.equal((await resolveAwsClient({ profile: 'p' })).region, 'eu-south-1');
    });
    await withEnv({ AWS_CONFIG_FILE: config, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }, async () => {
      assert.equal((await resolveAwsClient({ profile: 'p' })).region, 'eu-north-1');
      assert.equal((await resolveAwsClient({})).region, 'ap-east-1');
      const err = await rejectsWith(resolveAwsClient({ profile: 'noreg' }), 'bad-request');
      assert.equal(err.detail.reason, 'no-region');
    });
  });

  test('retries: explicit > AWS_MAX_ATTEMPTS / AWS_RETRY_MODE > the profile\'s max_attempts / retry_mode > 8, standard', async () => {
    const config = await sharedFile('config', '[profile r]\nregion = us-east-1\nmax_attempts = 2\nretry_mode = adaptive\n[profile plain]\nregion = us-east-1\n');
    await withEnv({ AWS_CONFIG_FILE: config, AWS_MAX_ATTEMPTS: undefined, AWS_RETRY_MODE: undefined }, async () => {
      const r = await resolveAwsClient({ profile: 'r' });
      assert.equal(r.config.maxAttempts, 2);
      assert.equal(r.config.retryMode, 'adaptive');
      const plain = await resolveAwsClient({ profile: 'plain' });
      assert.equal(plain.config.maxAttempts, 8);
      assert.equal(plain.config.retryMode, 'standard');
      assert.equal((await resolveAwsClient({ profile: 'r', maxAttempts: 5 })).config.maxAttempts, 5);
    });
    await withEnv({ AWS_CONFIG_FILE: config, AWS_MAX_ATTEMPTS: '3', AWS_RETRY_MODE: 'standard' }, async () => {
      const r = await resolveAwsClient({ profile: 'r' });
      assert.equal(r.config.maxAttempts, 3);
      assert.equal(r.config.retryMode, 'standard');
    });
    await withEnv({ AWS_CONFIG_FILE: config, AWS_MAX_ATTEMPTS: 'lots' }, async () => {
      await rejectsWith(resolveAwsClient({ profile: 'r' }), 'aws-config-invalid');
    });
  });

  test('a profile given by AWS_DEFAULT_PROFILE is passed to the SDK by name, with its endpoint', async () => {
    const config = await sharedFile('config', '[profile d]\nregion = eu-west-3\nendpoint_url = http://profile-d.example\n');
    await withEnv({ AWS_CONFIG_FILE: config, AWS_PROFILE: undefined, AWS_DEFAULT_PROFILE: 'd', AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_ENDPOINT_URL_KMS: undefined, AWS_ENDPOINT_URL: undefined }, async () => {
      const r = await resolveAwsClient({});
      assert.equal(r.profile, 'd');
      assert.equal(r.config.profile, 'd');
      assert.equal(r.region, 'eu-west-3');
      assert.equal(r.config.endpoint, 'http://profile-d.example');
    });
  });

  test('the endpoint shown in errors follows the configured-endpoint rules', async () => {
    const config = await sharedFile('config', '[profile e]\nregion = us-east-1\nendpoint_url = http://profile.example\n');
    await withEnv({ AWS_CONFIG_FILE: config, AWS_ENDPOINT_URL_KMS: undefined, AWS_ENDPOINT_URL: undefined }, async () => {
      assert.equal((await resolveAwsClient({ profile: 'e' })).endpoint, 'http://profile.example');
      assert.equal((await resolveAwsClient({ profile: 'e' })).config.endpoint, 'http://profile.example');
      assert.equal((await resolveAwsClient({ profile: 'e', endpoint: 'http://explicit.example' })).endpoint, 'http://explicit.example');
      assert.equal((await resolveAwsClient({ region: 'eu-west-3' })).endpoint, 'https://kms.eu-west-3.amazonaws.com');
      assert.equal((await resolveAwsClient({ region: 'eu-west-3' })).config.endpoint, undefined, 'no configured endpoint: the SDK\'s regional one');
    });
  });

  test('configuredEndpoint precedence: service env > generic env > services section > endpoint_url; ignore switch', () => {
    const files = {
      configFile: {
        a: { endpoint_url: 'http://profile', services: 's' },
        b: { endpoint_url: 'http://profile-b', ignore_configured_endpoint_urls: 'true' },
        's.x': {},
        'services.s': { 'kms.endpoint_url': 'http://section-kms' },
      },
      credentialsFile: {},
    };
    return withEnv({ AWS_ENDPOINT_URL_KMS: undefined, AWS_ENDPOINT_URL_STS: undefined, AWS_ENDPOINT_URL: undefined, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined }, async () => {
      assert.equal(configuredEndpoint('KMS', 'a', files), 'http://section-kms');
      assert.equal(configuredEndpoint('STS', 'a', files), 'http://profile');
      assert.equal(configuredEndpoint('KMS', 'b', files), undefined);
      assert.equal(configuredEndpoint('KMS', 'missing', files), undefined);
      process.env.AWS_ENDPOINT_URL = 'http://generic';
      assert.equal(configuredEndpoint('KMS', 'a', files), 'http://generic');
      process.env.AWS_ENDPOINT_URL_KMS = 'http://kms-env';
      assert.equal(configuredEndpoint('KMS', 'a', files), 'http://kms-env');
      assert.equal(configuredEndpoint('STS', 'a', files), 'http://generic');
      process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = 'true';
      assert.equal(configuredEndpoint('KMS', 'a', files), undefined);
    });
  });
});
