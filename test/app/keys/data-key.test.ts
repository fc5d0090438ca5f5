// The data-key length rule (SPEC §2: 32 bytes) has one home, app/keys/provider.ts checkDataKey:
// the local provider and the header's key derivation refuse another length the same way
// (before, the local provider and the header said 'internal', the sealer and aws-kms 'bad-request').
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { badRequestReason, CachetError } from '../../../app/errors.js';
import { checkCommitment, deriveCommitment, deriveKeys } from '../../../app/format/header.js';
import { DATA_KEY_BYTES } from '../../../app/keys/provider.js';
import { LocalKeyProvider } from '../../../app/keys/local.js';

const CTX = { 'cachet:item': 'ab'.repeat(16), 'cachet:purpose': 'item' };

function refused(e: unknown): boolean {
  assert.ok(e instanceof CachetError, String(e));
  assert.equal(e.code, 'bad-request', e.message);
  assert.equal(badRequestReason(e.detail), 'invalid-argument');
  return true;
}

describe('a data key of another length than 32 bytes is refused alike (SPEC §2)', () => {
  const salt = randomBytes(32);
  for (const n of [0, DATA_KEY_BYTES - 1, DATA_KEY_BYTES + 1]) {
    it(`${n} bytes: local wrapKey, deriveKeys and deriveCommitment refuse it; checkCommitment is false`, async () => {
      const dk = randomBytes(n);
      const local = LocalKeyProvider.generate();
      await assert.rejects(local.wrapKey(local.keyId, dk, CTX), refused);
      assert.throws(() => deriveKeys(dk, salt), refused);
      assert.throws(() => deriveCommitment(dk, salt), refused);
      assert.equal(checkCommitment(dk, salt, randomBytes(32)), false);
    });
  }
  it('32 bytes: all of them accept it', async () => {
    const dk = randomBytes(DATA_KEY_BYTES);
    const local = LocalKeyProvider.generate();
    const st = await local.wrapKey(local.keyId, dk, CTX);
    assert.deepEqual(await local.unwrapKey(st, CTX), dk);
    assert.equal(checkCommitment(dk, salt, deriveCommitment(dk, salt)), true);
    deriveKeys(dk, salt);
  });
});
