// renderer/errors/messages.ts: every error code of app/errors.ts has a title and a hint, the
// words use the detail they are given, and nothing technical (raw messages, "undefined") leaks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BAD_REQUEST_REASONS, ERROR_CODES } from '../../app/errors.js';
import { Keyring } from '../../app/keys/provider.js';
import { MAX_VAULT_KEYS } from '../../app/vault/layout.js';
import { normalizeVaultPath } from '../../app/vault/paths.js';
import { Vault } from '../../app/vault/vault.js';
import { toErrorPayload } from '../../main/services/errors.js';
import { describeError, describedCodes, describedReasons } from '../../renderer/errors/messages.js';

test('every ErrorCode has a message, and no message is for a code that does not exist', () => {
  assert.deepEqual([...describedCodes()].sort(), [...ERROR_CODES].sort());
});

test('each message has a title and a hint, with and without detail', () => {
  const detail = { profile: 'dev', path: 'a/b.txt', keyId: 'arn:aws:kms:us-east-1:1:key/k', alias: 'alias/x', region: 'eu-west-1', version: 9, identity: 'arn:aws:iam::1:user/u', endpoint: 'http://127.0.0.1:1' };
  for (const code of ERROR_CODES) {
    for (const d of [{}, detail]) {
      const m = describeError({ code, detail: d });
      assert.ok(m.title.length > 3, `${code} title`);
      assert.ok(m.hint.length > 10, `${code} hint`);
      assert.doesNotMatch(`${m.title} ${m.hint}`, /undefined|null|\[object|NaN/, `${code}: ${m.title} / ${m.hint}`);
    }
  }
});

test('the hints name what to do with the facts at hand', () => {
  assert.equal(describeError({ code: 'sso-expired', detail: { profile: 'corp' } }).hint, 'Run aws sso login --profile corp in a terminal, then try again.');
  assert.match(describeError({ code: 'sso-expired', detail: {} }).hint, /^Run aws sso login in a terminal/);
  assert.match(describeError({ code: 'kms-access-denied', detail: { alias: 'alias/team', identity: 'arn:aws:iam::1:user/bob' } }).title, /alias\/team/);
  assert.match(describeError({ code: 'kms-access-denied', detail: { alias: 'alias/team', identity: 'arn:aws:iam::1:user/bob' } }).hint, /user\/bob/);
  assert.match(describeError({ code: 'tampered', detail: { path: 'docs/a.txt' } }).title, /^docs\/a\.txt has been tampered/);
  assert.match(describeError({ code: 'unsupported-version', detail: { version: 2 } }).hint, /version 2/);
  assert.match(describeError({ code: 'kms-key-not-found', detail: { region: 'eu-west-1' } }).hint, /eu-west-1/);
});

test('kms-access-denied names the denied operation, and keeps the full key ARN out of the title', () => {
  const arn = 'arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
  const m = describeError({ code: 'kms-access-denied', detail: { keyId: arn, operation: 'Decrypt', identity: 'arn:aws:iam::111122223333:user/bob' } });
  assert.match(m.title, /Decrypt/);
  assert.ok(!m.title.includes(arn), m.title);
  assert.match(m.hint, /kms:Decrypt/);
  assert.ok(m.hint.includes(arn), m.hint);
  assert.doesNotMatch(m.hint, /GenerateDataKey|kms:Encrypt/, 'only the missing permission is asked for');
  assert.match(describeError({ code: 'kms-access-denied', detail: { keyId: arn, operation: 'ReEncrypt' } }).hint, /kms:ReEncryptFrom and kms:ReEncryptTo/);
  // Without the operation, all three a vault needs.
  assert.match(describeError({ code: 'kms-access-denied', detail: { keyId: arn } }).hint, /kms:Encrypt, kms:Decrypt and kms:GenerateDataKey/);
});

test('an unknown code (a newer main) gets the generic message, never the raw text', () => {
  const m = describeError({ code: 'something-new', detail: { x: 1 } });
  assert.deepEqual(m, describeError({ code: 'internal', detail: {} }));
});

test('a bad request with a reason a person can act on says what to do', () => {
  const region = describeError({ code: 'bad-request', detail: { reason: 'no-region', profile: 'dev' } });
  assert.match(region.title, /region/i);
  assert.match(region.title, /dev/);
  assert.match(region.hint, /~\/\.aws\/config/);
  assert.match(describeError({ code: 'bad-request', detail: { reason: 'not-empty', path: '/x' } }).hint, /empty folder/);
  assert.match(describeError({ code: 'bad-request', detail: { reason: 'safe-storage-unavailable' } }).hint, /passphrase/);
  assert.match(describeError({ code: 'bad-request', detail: { reason: 'symlink', path: 'docs/link' } }).title, /^docs\/link was skipped/);
  const win = describeError({ code: 'bad-request', detail: { reason: 'not-portable', segment: 'CON.txt', path: 'docs/CON.txt' } });
  assert.match(win.title, /"CON\.txt" cannot be used as a file name on Windows/);
  assert.match(win.hint, /Rename the item/);
  const generic = describeError({ code: 'bad-request', detail: {} });
  // An unknown reason, or one that names an Object.prototype member, gets the generic words.
  for (const reason of ['something-else', 'constructor', 'toString', '__proto__']) {
    assert.deepEqual(describeError({ code: 'bad-request', detail: { reason } }), generic, reason);
  }
  assert.notDeepEqual(region, generic);
});

test('an item sealed under another machine\'s local key is not reported as a missing key file', () => {
  const m = describeError({ code: 'local-key-missing', detail: { keyId: 'local:aa11', available: 'local:bb22' } });
  assert.doesNotMatch(m.title, /file is missing/);
  assert.match(m.title, /another computer's local key/);
  assert.match(m.hint, /local:aa11/);
  assert.match(m.hint, /local:bb22/);
  assert.match(describeError({ code: 'local-key-missing', detail: { file: '/u/local-key.json' } }).title, /file is missing/);
});

test('an unreachable STS endpoint is not called KMS', () => {
  assert.equal(describeError({ code: 'kms-unreachable', detail: { service: 'STS' } }).title, 'AWS STS cannot be reached');
  assert.equal(describeError({ code: 'kms-unreachable', detail: {} }).title, 'AWS KMS cannot be reached');
});

test('every bad-request reason has words in the app, and no words are for a reason that does not exist', () => {
  assert.deepEqual([...describedReasons()].sort(), [...BAD_REQUEST_REASONS].sort());
  for (const reason of BAD_REQUEST_REASONS) {
    for (const d of [{}, { path: 'a/b', max: 7, profile: 'dev', keyId: 'k1', segment: 'CON' }]) {
      const m = describeError({ code: 'bad-request', detail: { ...d, reason } });
      assert.ok(m.title.length > 3 && m.hint.length > 10, reason);
      assert.doesNotMatch(`${m.title} ${m.hint}`, /undefined|null|\[object|NaN/, `${reason}: ${m.title} / ${m.hint}`);
    }
  }
});

test('refusals a person can act on get their own words in the app, from the real core error as it crosses IPC', async () => {
  const generic = describeError({ code: 'bad-request', detail: {} });
  const long = Array.from({ length: 30 }, () => 'x'.repeat(200)).join('/');
  const tooLong = await Promise.resolve().then(() => normalizeVaultPath(long)).catch((e: unknown) => e);
  const path = describeError(toErrorPayload(tooLong));
  assert.equal(path.title, 'The name or path is too long (at most 4096 bytes)');
  assert.match(path.hint, /shorter/);

  const keys = Array.from({ length: MAX_VAULT_KEYS + 1 }, (_, i) => ({ provider: 'aws-kms' as const, keyId: `alias/k${i}` }));
  const tooMany = await Vault.create(join(tmpdir(), 'cachet-never-made'), { keys, keyring: new Keyring() }).catch((e: unknown) => e);
  const many = describeError(toErrorPayload(tooMany));
  assert.equal(many.title, `Too many keys for one vault (at most ${MAX_VAULT_KEYS} keys)`);
  assert.match(many.hint, /Choose fewer keys/);

  for (const reason of ['other-local-key', 'too-many-files', 'whole-drive', 'no-vault-open', 'escapes-destination', 'segment-too-long', 'too-deep'] as const) {
    assert.notDeepEqual(describeError({ code: 'bad-request', detail: { reason } }), generic, reason);
  }
});
