// Identity parity (issue 12): under one shell's AWS set-up, Cachet and the real AWS CLI v1 act as the
// same principal. Each fixture (config, credentials, environment, --profile or not) is resolved by
// `aws sts get-caller-identity` and by Cachet's whoAmI (app/keys/aws-config.ts), both against one
// moto (STS answers with the IAM user an access key belongs to, or the assumed role and session),
// and the two ARNs must be equal. This is where the JS SDK and botocore differ on their own: with
// AWS_PROFILE set, the SDK skips AWS_ACCESS_KEY_ID while the CLI uses it. Children have timeouts;
// the CLI runs one fixture at a time (~0.5 s each).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resetAwsCredentialCache, whoAmI } from '../../../app/keys/aws-config.js';
import { withEnv } from '../../helpers/aws-env.js';
import { createTestUser, startMoto, type LimitedUser, type Moto } from '../../helpers/moto.js';

let moto: Moto;
let tmp: string;
let alice: LimitedUser;
let bob: LimitedUser;
let carol: LimitedUser;

before(async () => {
  moto = await startMoto();
  tmp = await mkdtemp(join(tmpdir(), 'cachet-identity-'));
  [alice, bob, carol] = await Promise.all([createTestUser(moto, 'alice'), createTestUser(moto, 'bob'), createTestUser(moto, 'carol')]);
});
after(async () => {
  await moto?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface Fixture {
  readonly name: string;
  readonly config: () => string;
  readonly credentials: () => string;
  readonly env?: () => Record<string, string>;
  /** Passed as --profile to both. */
  readonly profile?: string;
  /** The principal both must be (a user, or the assumed role's ARN). */
  readonly expect: () => string;
}

const keys = (u: LimitedUser) => `aws_access_key_id = ${u.accessKeyId}\naws_secret_access_key = ${u.secretAccessKey}\n`;
const envKeys = (u: LimitedUser) => ({ AWS_ACCESS_KEY_ID: u.accessKeyId, AWS_SECRET_ACCESS_KEY: u.secretAccessKey });
const role = 'arn:aws:sts::123456789012:assumed-role/Dev/parity';
const config = () => '[default]\nregion = us-east-1\n[profile alice]\nregion = us-east-1\n'
  + '[profile dev]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = alice\nrole_session_name = parity\n'
  + `[profile proc]\nregion = us-east-1\ncredential_process = ${join(tmp, 'bob.sh')}\n`;
const credentials = () => `[default]\n${keys(bob)}[alice]\n${keys(alice)}`;

const FIXTURES: readonly Fixture[] = [
  { name: '--profile with static keys', config, credentials, profile: 'alice', expect: () => alice.arn },
  { name: 'no profile: [default]', config, credentials, expect: () => bob.arn },
  { name: 'environment keys, no profile', config, credentials, env: () => envKeys(carol), expect: () => carol.arn },
  { name: 'environment keys beside AWS_PROFILE: the keys win (the JS SDK alone would take the profile)', config, credentials, env: () => ({ ...envKeys(carol), AWS_PROFILE: 'alice' }), expect: () => carol.arn },
  { name: 'environment keys beside AWS_DEFAULT_PROFILE: the keys win', config, credentials, env: () => ({ ...envKeys(carol), AWS_DEFAULT_PROFILE: 'alice' }), expect: () => carol.arn },
  { name: 'environment keys and --profile: the profile wins', config, credentials, env: () => envKeys(carol), profile: 'alice', expect: () => alice.arn },
  { name: 'role_arn with source_profile (AssumeRole)', config, credentials, profile: 'dev', expect: () => role },
  { name: 'AWS_PROFILE naming the role profile', config, credentials, env: () => ({ AWS_PROFILE: 'dev' }), expect: () => role },
  { name: 'credential_process', config, credentials, profile: 'proc', expect: () => bob.arn },
];

let n = 0;
async function setUp(f: Fixture): Promise<Record<string, string>> {
  const i = ++n; // fresh paths: the SDK caches shared files by path for the whole process
  const cfg = join(tmp, `config-${i}`);
  const cred = join(tmp, `credentials-${i}`);
  await writeFile(join(tmp, 'bob.sh'), `#!/bin/sh\necho '{"Version": 1, "AccessKeyId": "${bob.accessKeyId}", "SecretAccessKey": "${bob.secretAccessKey}"}'\n`, { mode: 0o755 });
  await writeFile(cfg, f.config());
  await writeFile(cred, f.credentials());
  return { AWS_CONFIG_FILE: cfg, AWS_SHARED_CREDENTIALS_FILE: cred, HOME: tmp, AWS_ENDPOINT_URL_STS: moto.endpoint, ...(f.env?.() ?? {}) };
}

function cliIdentity(f: Fixture, env: Record<string, string>): Promise<string> {
  const args = ['sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text', ...(f.profile ? ['--profile', f.profile] : [])];
  return new Promise((resolve, reject) => {
    execFile('aws', args, { env: { PATH: process.env.PATH, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`aws ${args.join(' ')}: ${stderr || String(err)}`));
      resolve(stdout.trim());
    });
  });
}

const CLEAR = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_KMS', 'AWS_ENDPOINT_URL_STS'];

async function cachetIdentity(f: Fixture, env: Record<string, string>): Promise<string> {
  const patch: Record<string, string | undefined> = Object.fromEntries(CLEAR.map((k) => [k, undefined]));
  return withEnv({ ...patch, ...env }, async () => {
    resetAwsCredentialCache();
    return (await whoAmI(f.profile ? { profile: f.profile } : {})).arn;
  });
}

test('Cachet and the AWS CLI v1 act as the same principal under each set-up', { timeout: 240_000 }, async () => {
  const wrong: string[] = [];
  for (const f of FIXTURES) {
    const env = await setUp(f);
    const cli = await cliIdentity(f, env);
    assert.equal(cli, f.expect(), `${f.name}: the AWS CLI itself`);
    const mine = await cachetIdentity(f, env);
    if (mine !== cli) wrong.push(`${f.name}: Cachet is ${mine}, the AWS CLI ${cli}`);
  }
  assert.deepEqual(wrong, []);
});
