import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BAD_REQUEST_REASONS, badRequest, CachetError, ERROR_CODES } from '../../../app/errors.js';
import { BAD_REQUEST_MESSAGES, describeError, formatFailure, MESSAGES, missingMessages } from '../../../app/cli/messages.js';
import { Keyring } from '../../../app/keys/provider.js';
import { MAX_VAULT_KEYS } from '../../../app/vault/layout.js';
import { normalizeVaultPath, toFsPath } from '../../../app/vault/paths.js';
import { Vault } from '../../../app/vault/vault.js';

test('every error code has a title and a hint', () => {
  assert.deepEqual(missingMessages(), []);
  for (const code of ERROR_CODES) {
    const m = describeError(new CachetError(code, '', {}));
    assert.ok(m.title.length > 0, `${code} has a title`);
    assert.ok(m.hint.length > 0, `${code} has a hint`);
    assert.ok(!m.title.includes('undefined') && !m.hint.includes('undefined'), `${code}: no "undefined" in the words`);
  }
  assert.deepEqual(Object.keys(MESSAGES).sort(), [...ERROR_CODES].sort());
});

test('an expired SSO session names the login command for the profile', () => {
  const m = describeError(new CachetError('sso-expired', 'x', { profile: 'work' }));
  assert.match(m.hint, /aws sso login --profile work/);
  assert.match(m.title, /work/);
});

test('access denied names the key, the identity and the operation', () => {
  const key = 'arn:aws:kms:us-east-1:111122223333:key/1234';
  const who = 'arn:aws:iam::111122223333:user/alice';
  const m = describeError(new CachetError('kms-access-denied', 'x', { keyId: key, identity: who, operation: 'Decrypt' }));
  assert.match(m.title, /1234/);
  assert.match(m.title, /alice/);
  assert.match(m.hint, /kms:Decrypt/);
  assert.match(m.hint, /alice/);
});

test('access denied asks for the permission the operation needs, not a made-up one', () => {
  const key = 'arn:aws:kms:us-east-1:111122223333:key/1234';
  assert.match(describeError(new CachetError('kms-access-denied', 'x', { keyId: key, operation: 'ReEncrypt' })).hint, /kms:ReEncryptFrom and kms:ReEncryptTo/);
  assert.match(describeError(new CachetError('kms-access-denied', 'x', { operation: 'GetCallerIdentity' })).hint, /sts:GetCallerIdentity/);
  // Unknown operation: both real permissions, not a "kms:Decrypt/GenerateDataKey" pseudo-permission.
  assert.match(describeError(new CachetError('kms-access-denied', 'x', { keyId: key })).hint, /kms:Decrypt and kms:GenerateDataKey on arn:/);
});

test('every KMS failure says what to do', () => {
  const d = { keyId: 'arn:aws:kms:us-east-1:111122223333:key/1234', region: 'us-east-1', operation: 'Decrypt' };
  for (const code of ['kms-access-denied', 'kms-key-disabled', 'kms-key-pending-deletion', 'kms-key-not-found', 'kms-invalid-ciphertext', 'kms-throttled', 'kms-unreachable', 'kms-error'] as const) {
    const m = describeError(new CachetError(code, 'x', d));
    assert.match(m.hint, /\b(grant|enable|cancel|check|restore|wait|run|lists)\b/, `${code}: ${m.hint}`);
  }
});

test('disabled and pending-deletion keys give the aws command that fixes them', () => {
  assert.match(describeError(new CachetError('kms-key-disabled', 'x', { keyId: 'k1' })).hint, /aws kms enable-key --key-id k1/);
  assert.match(describeError(new CachetError('kms-key-pending-deletion', 'x', { keyId: 'k2' })).hint, /cancel-key-deletion --key-id k2/);
});

test('a wrong passphrase and a missing terminal each point at CACHET_PASSPHRASE', () => {
  assert.match(describeError(new CachetError('bad-passphrase', 'x')).hint, /CACHET_PASSPHRASE/);
  const noTty = describeError(new CachetError('local-key-locked', 'x', { reason: 'no-tty' }));
  assert.match(noTty.title, /no terminal/);
  assert.match(noTty.hint, /CACHET_PASSPHRASE/);
});

test('formatFailure prints one cachet: line and one hint line', () => {
  const s = formatFailure('add photos/a.jpg', new CachetError('exists', 'x', { path: 'photos/a.jpg' }));
  const lines = s.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^cachet: add photos\/a\.jpg: already exists: photos\/a\.jpg$/);
  assert.match(lines[1]!, /^ {2}hint: .*--on-conflict/);
});

test('an unexpected error is internal, one line, stack only in debug', () => {
  const e = new TypeError('boom\nsecond line');
  const plain = formatFailure(undefined, e);
  assert.equal(plain.trimEnd().split('\n').length, 2);
  assert.match(plain, /^cachet: internal error: boom\n/);
  assert.doesNotMatch(plain, /at /);
  const debug = formatFailure(undefined, e, { debug: true });
  assert.match(debug, /\| TypeError: boom/);
  assert.ok(debug.split('\n').length > 3);
});

test('with CACHET_DEBUG a KMS error shows the SDK error it came from, as its hint promises', () => {
  const sdk = Object.assign(new Error('KMS said: the request body had no KeySpec field'), { name: 'ValidationException' });
  const e = new CachetError('kms-error', 'KMS refused the request (ValidationException)', {}, { cause: sdk });
  const plain = formatFailure('add v', e);
  assert.match(plain, /hint: .*CACHET_DEBUG=1/);
  assert.doesNotMatch(plain, /no KeySpec field/);
  const debug = formatFailure('add v', e, { debug: true });
  assert.match(debug, /\| ValidationException: KMS said: the request body had no KeySpec field/);
});

test('the words use only the detail fields, never an unknown secret-looking one', () => {
  const secret = 'AKIAIOSFODNN7EXAMPLE-wJalrXUtnFEMI';
  for (const code of ERROR_CODES) {
    const s = formatFailure('op', new CachetError(code, '', { secretAccessKey: secret, plaintext: secret, dataKey: secret }));
    assert.ok(!s.includes(secret), `${code} leaks an unknown detail field`);
  }
});

test('a local stanza of another machine names both key ids', () => {
  const m = describeError(new CachetError('local-key-missing', 'x', { keyId: 'local:aa', available: 'local:bb' }));
  assert.match(m.title, /local:aa/);
  assert.match(m.title, /local:bb/);
  assert.match(m.hint, /CACHET_HOME/);
});

test('unreachable KMS names the endpoint and the variable to check', () => {
  const m = describeError(new CachetError('kms-unreachable', 'x', { endpoint: 'http://127.0.0.1:9', region: 'us-east-1' }));
  assert.match(m.title, /127\.0\.0\.1:9/);
  assert.match(m.hint, /AWS_ENDPOINT_URL_KMS/);
});

test('an unreachable STS endpoint is named as STS, with its own endpoint variable', () => {
  const m = describeError(new CachetError('kms-unreachable', 'x', { service: 'STS', endpoint: 'http://127.0.0.1:9' }));
  assert.match(m.title, /^cannot reach STS at http:\/\/127\.0\.0\.1:9/);
  assert.match(m.hint, /AWS_ENDPOINT_URL_STS/);
  assert.match(describeError(new CachetError('kms-unreachable', 'x', {})).hint, /AWS_ENDPOINT_URL_KMS/);
});

test('a name Windows cannot create says which name and how to get the item out', () => {
  let err: unknown;
  try {
    toFsPath('/out', 'docs/a:b.txt', 'win32');
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof CachetError);
  const m = describeError(err);
  assert.match(m.title, /"a:b\.txt" cannot be written on Windows/);
  assert.match(m.hint, /cachet mv/);
  assert.doesNotMatch(describeError(new CachetError('bad-request', 'x', {})).hint, /cachet mv/);
});

test('every bad-request reason has CLI words, and no words are for a reason that does not exist', () => {
  assert.deepEqual(Object.keys(BAD_REQUEST_MESSAGES).sort(), [...BAD_REQUEST_REASONS].sort());
  for (const reason of BAD_REQUEST_REASONS) {
    for (const [message, detail] of [['', {}], ['refused', { path: 'a/b', max: 7, profile: 'dev', keyId: 'k1' }]] as const) {
      const m = describeError(badRequest(reason, message, detail));
      assert.ok(m.title.length > 3 && m.hint.length > 10, reason);
      assert.doesNotMatch(`${m.title} ${m.hint}`, /undefined|null|\[object|NaN/, `${reason}: ${m.title} / ${m.hint}`);
    }
  }
});

test('refusals a person can act on get their own CLI words, from the real core error', async () => {
  const generic = describeError(new CachetError('bad-request', 'x', {})).hint;
  const long = Array.from({ length: 30 }, () => 'x'.repeat(200)).join('/');
  const tooLong = await Promise.resolve().then(() => normalizeVaultPath(long)).catch((e: unknown) => e);
  assert.equal((tooLong as CachetError).detail['reason'], 'too-long');
  const out = formatFailure('mv', tooLong);
  assert.match(out, /^cachet: mv: the vault path is too long \(over 4096 bytes\)\n/);
  assert.match(out, /hint: choose a shorter path/);
  assert.ok(!out.includes(generic));

  const keys = Array.from({ length: MAX_VAULT_KEYS + 1 }, (_, i) => ({ provider: 'aws-kms' as const, keyId: `alias/k${i}` }));
  const tooMany = await Vault.create(join(tmpdir(), 'cachet-never-made'), { keys, keyring: new Keyring() }).catch((e: unknown) => e);
  assert.equal((tooMany as CachetError).detail['reason'], 'too-many-keys');
  const m = describeError(tooMany);
  assert.equal(m.title, `too many keys for one vault (at most ${MAX_VAULT_KEYS})`);
  assert.match(m.hint, /name fewer keys/);

  for (const reason of ['not-portable', 'no-region', 'symlink', 'not-empty', 'ambiguous', 'key-usage', 'too-deep'] as const) {
    assert.notEqual(describeError(badRequest(reason, 'x')).hint, generic, reason);
  }
});

test('"check the command line" is the hint of usage errors only: no failure (exit 1) says it', () => {
  // Usage errors (exit 2) are printed by main.ts with their own `cachet help` hint; every
  // CachetError reaching formatFailure is a failure, whatever its code or bad-request reason.
  for (const reason of BAD_REQUEST_REASONS) {
    const out = formatFailure('cmd x', badRequest(reason, 'refused'));
    assert.ok(!/check the command line/i.test(out), `${reason}: ${out}`);
  }
  for (const code of ERROR_CODES) {
    const out = formatFailure('cmd x', new CachetError(code, 'failed', {}));
    assert.ok(!/check the command line/i.test(out), `${code}: ${out}`);
  }
});
