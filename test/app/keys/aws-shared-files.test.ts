// app/keys/aws-shared-files.ts: what the SDK's INI parser reads differently from the AWS CLI is
// refused with the file and line; what both read alike passes. (The CLI side of these cases is
// test/app/keys/aws-parity.test.ts.)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCachetError } from '../../../app/errors.js';
import { checkSharedFileText } from '../../../app/keys/aws-shared-files.js';

function reason(text: string, kind: 'config' | 'credentials' = 'config'): string | undefined {
  try {
    checkSharedFileText(text, kind, '/f');
    return undefined;
  } catch (e) {
    assert.ok(isCachetError(e, 'aws-config-invalid'), String(e));
    assert.equal(e.detail.path, '/f');
    return `${String(e.detail.reason)}@${String(e.detail.line)}`;
  }
}

test('files both tools read alike pass: comments, blank lines, sub-sections, quoted simple names', () => {
  assert.equal(reason([
    '# a comment', '; another', '', '[default]', 'region = eu-west-1', '',
    '[profile "simple"]', 'region = us-east-1', 's3 =', '  max_concurrent_requests = 10',
    '[sso-session corp]', 'sso_start_url = https://example.awsapps.com/start',
    '[services local]', 'kms =', '  endpoint_url = http://127.0.0.1:4566',
    'credential_process = /bin/tool --a=b#c',
  ].join('\n')), undefined);
  assert.equal(reason('[ci]\naws_access_key_id = A\naws_secret_access_key = B\n', 'credentials'), undefined);
});

test('each disagreement is refused at its line', () => {
  assert.equal(reason('[profile prod]\nregion = eu-west-1\n[profile dev\nregion = ap-south-1\n'), 'unclosed-section@3');
  assert.equal(reason('[default]\nregion\n'), 'not-key-value@2');
  assert.equal(reason('region = x\n'), 'key-before-section@1');
  assert.equal(reason('[profile a]\n[profile "a"]\n'), 'duplicate-section@2');
  assert.equal(reason('[profile a]\nregion = x\nregion = y\n'), 'duplicate-key@3');
  assert.equal(reason('[profile a]\ncredential_process = tool # note\n'), 'inline-comment@2');
  assert.equal(reason('[profile a]\nRegion = x\n'), 'key-case@2');
  assert.equal(reason('[x]\nAWS_ACCESS_KEY_ID = A\n', 'credentials'), 'key-case@2');
  assert.equal(reason("[sso-session 'My Corp']\nsso_region = us-east-1\n"), 'section-name@1');
  assert.equal(reason('[profile  two]\n'), 'section-name@1');
  assert.equal(reason('[cred space]\n', 'credentials'), 'section-name@1');
  assert.equal(reason('[default]\nregion = a\n[profile default]\nregion = b\n'), 'default-twice@3');
});

test('no value is copied into the error: only the key name', () => {
  try {
    checkSharedFileText('[x]\naws_secret_access_key = SECRET-VALUE ; tail\n', 'credentials', '/f');
    assert.fail('refused');
  } catch (e) {
    assert.ok(isCachetError(e));
    assert.ok(!JSON.stringify({ m: e.message, d: e.detail }).includes('SECRET-VALUE'));
  }
});
