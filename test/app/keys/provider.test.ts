import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isCachetError } from '../../../app/errors.js';
import { LocalKeyProvider } from '../../../app/keys/local.js';
import { Keyring } from '../../../app/keys/provider.js';
import { spyProvider } from '../../helpers/key-spy.js';

const CTX = { 'cachet:item': 'a'.repeat(32), 'cachet:purpose': 'item' };

describe('Keyring.unwrap', () => {
  it('zeroes the unwrapped key when the accept check throws, and passes the error on', async () => {
    const local = LocalKeyProvider.generate();
    const { plaintext, stanza } = await local.generateDataKey(local.keyId, CTX);
    const { provider, handed: handedOut } = spyProvider(local);
    const boom = new Error('accept failed');
    let seen: Buffer | undefined;
    await assert.rejects(
      new Keyring([provider]).unwrap([stanza], CTX, { accept: (k) => { seen = Buffer.from(k); throw boom; } }),
      (e) => e === boom,
    );
    assert.equal(handedOut.length, 1);
    assert.ok(seen?.equals(plaintext), 'accept was handed the data key');
    assert.ok(handedOut[0]!.every((b) => b === 0), 'the key handed to accept is zeroed after it threw');
    local.lock();
  });

  it('zeroes a key that accept refuses and falls through to the next stanza', async () => {
    const local = LocalKeyProvider.generate();
    const a = await local.generateDataKey(local.keyId, CTX);
    const b = await local.generateDataKey(local.keyId, CTX);
    const { provider, handed: handedOut } = spyProvider(local);
    const out = await new Keyring([provider]).unwrap([a.stanza, b.stanza], CTX, { accept: (k) => k.equals(b.plaintext) });
    assert.ok(out.plaintext.equals(b.plaintext));
    assert.equal(out.stanza, b.stanza);
    assert.ok(handedOut[0]!.every((x) => x === 0), 'the refused key is zeroed');
    local.lock();
  });

  it('with no stanza accepted, throws wrong-key', async () => {
    const local = LocalKeyProvider.generate();
    const a = await local.generateDataKey(local.keyId, CTX);
    await assert.rejects(new Keyring([local]).unwrap([a.stanza], CTX, { accept: () => false }), (e) => isCachetError(e, 'wrong-key'));
    local.lock();
  });
});
