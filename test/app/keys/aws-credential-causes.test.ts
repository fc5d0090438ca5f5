// The real cause, not "no credentials" (issue 12, issue 16 #17): with the real SDK providers and
// shared files on disk, each broken set-up is reported with its own code and the provider's own
// reason. Credentials are resolved before any request, so nothing here reaches the network (the
// STS endpoint is a closed loopback port, there only in case a set-up unexpectedly resolves).

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { whoAmI } from '../../../app/keys/aws-config.js';
import { describeError } from '../../../app/cli/messages.js';
import { rejectsWith, withEnv } from '../../helpers/aws-env.js';

let tmp: string;
let env: Record<string, string | undefined>;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cachet-aws-causes-'));
  await writeFile(join(tmp, 'fail.sh'), '#!/bin/sh\necho "token service said no: account locked" >&2\nexit 3\n', { mode: 0o755 });
  await writeFile(join(tmp, 'expired.sh'), '#!/bin/sh\necho \'{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2020-01-01T00:00:00Z"}\'\n', { mode: 0o755 });
  await writeFile(join(tmp, 'config'), [
    '[profile loopa]', 'role_arn = arn:aws:iam::111122223333:role/A', 'source_profile = loopb', 'region = us-east-1',
    '[profile loopb]', 'role_arn = arn:aws:iam::111122223333:role/B', 'source_profile = loopa', 'region = us-east-1',
    '[profile dangling]', 'role_arn = arn:aws:iam::111122223333:role/A', 'source_profile = nowhere', 'region = us-east-1',
    '[profile pfail]', `credential_process = ${join(tmp, 'fail.sh')}`, 'region = us-east-1',
    '[profile pexp]', `credential_process = ${join(tmp, 'expired.sh')}`, 'region = us-east-1',
    '[profile ssonew]', 'sso_session = corp', 'sso_account_id = 111122223333', 'sso_role_name = Dev', 'region = us-east-1',
    '[profile ssolegacy]', 'sso_start_url = https://example.awsapps.com/start', 'sso_region = us-east-1', 'sso_account_id = 111122223333', 'sso_role_name = Dev', 'region = us-east-1',
    '[sso-session corp]', 'sso_start_url = https://example.awsapps.com/start', 'sso_region = us-east-1',
    '',
  ].join('\n'));
  await writeFile(join(tmp, 'credentials'), '');
  env = {
    HOME: tmp, AWS_CONFIG_FILE: join(tmp, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'credentials'),
    AWS_PROFILE: undefined, AWS_DEFAULT_PROFILE: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined,
    AWS_EC2_METADATA_DISABLED: 'true', AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined, AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  };
});
after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const who = (profile: string) => whoAmI({ profile, stsEndpoint: 'http://127.0.0.1:9', maxAttempts: 1 });

test('a source_profile loop keeps the SDK\'s "Detected a cycle" reason', () => withEnv(env, async () => {
  const err = await rejectsWith(who('loopa'), 'aws-config-invalid');
  assert.equal(err.detail.reason, 'source-profile-cycle');
  assert.match(String(err.detail.providerMessage), /cycle.*visited: loopb, loopa/i);
}));

test('a dangling source_profile names the missing profile and who refers to it', () => withEnv(env, async () => {
  const err = await rejectsWith(who('dangling'), 'profile-not-found');
  assert.equal(err.detail.profile, 'nowhere');
  assert.equal(err.detail.referencedBy, 'dangling');
}));

test('a failing credential_process keeps its own message', () => withEnv(env, async () => {
  const err = await rejectsWith(who('pfail'), 'credentials-missing');
  assert.equal(err.detail.reason, 'provider-failed');
  assert.match(String(err.detail.providerMessage), /account locked/);
  assert.match(describeError(err).title, /credential_process of profile pfail failed.*account locked/);
}));

test('credentials with a past Expiration -> expired, not "no credentials" (issue 16 #17)', () => withEnv(env, async () => {
  const err = await rejectsWith(who('pexp'), 'credentials-expired');
  assert.match(describeError(err).title, /expired/);
}));

test('never signed in to SSO (sso-session and legacy) -> "not signed in", with the login hint', () => withEnv(env, async () => {
  for (const p of ['ssonew', 'ssolegacy']) {
    const err = await rejectsWith(who(p), 'sso-expired');
    assert.equal(err.detail.reason, 'not-signed-in', p);
    const m = describeError(err);
    assert.match(m.title, /not signed in/);
    assert.doesNotMatch(m.title, /expired/);
    assert.match(m.hint, new RegExp(`aws sso login --profile ${p}`));
  }
}));
