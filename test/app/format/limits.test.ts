// The ids and limits of app/format/limits.ts, and that every layer that checks them agrees: the
// header codec (SPEC §7) and the IPC contract count a key id in UTF-8 bytes (the contract used to
// count UTF-16 units, so it let through a key id the header then refused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeStanzas } from '../../../app/format/header.js';
import { isItemId, isProviderType, MAX_KEY_ID_BYTES, MAX_STANZAS, MAX_VAULT_KEYS, PROVIDER_TYPES } from '../../../app/format/limits.js';
import { CHANNELS, ItemId, KeyRef } from '../../../contract/ipc.js';

function headerTakes(keyId: string): boolean {
  try {
    encodeStanzas([{ type: 'local', keyId, blob: new Uint8Array(1) }]);
    return true;
  } catch {
    return false;
  }
}

test('a key id is 1..2048 bytes of UTF-8 for the header and the contract alike, non-ASCII too', () => {
  const cases: [string, boolean][] = [
    ['', false], ['k', true],
    ['k'.repeat(MAX_KEY_ID_BYTES), true], ['k'.repeat(MAX_KEY_ID_BYTES + 1), false],
    ['é'.repeat(MAX_KEY_ID_BYTES / 2), true], ['é'.repeat(MAX_KEY_ID_BYTES / 2 + 1), false], // 1025 UTF-16 units, 2050 bytes
    ['😀'.repeat(MAX_KEY_ID_BYTES / 4), true], [`${'😀'.repeat(MAX_KEY_ID_BYTES / 4)}k`, false],
  ];
  for (const [keyId, expected] of cases) {
    const name = `${keyId.length} units, ${Buffer.byteLength(keyId)} bytes`;
    assert.equal(headerTakes(keyId), expected, `header: ${name}`);
    assert.equal(KeyRef.safeParse({ provider: 'local', keyId }).success, expected, `contract: ${name}`);
  }
});

test('the contract takes exactly the provider types of limits.ts', () => {
  for (const provider of PROVIDER_TYPES) assert.ok(KeyRef.safeParse({ provider, keyId: 'k' }).success, provider);
  for (const provider of ['aws', 'LOCAL', '', 'constructor']) {
    assert.equal(KeyRef.safeParse({ provider, keyId: 'k' }).success, false, provider);
    assert.equal(isProviderType(provider), false, provider);
  }
});

test('item ids: 32 lowercase hex digits, the same for the contract', () => {
  const cases: [string, boolean][] = [
    ['0123456789abcdef0123456789abcdef', true], ['0123456789ABCDEF0123456789abcdef', false],
    ['0123456789abcdef0123456789abcde', false], ['0123456789abcdef0123456789abcdef0', false], ['', false],
    ['0123456789abcdef0123456789abcdeg', false], ['0123456789abcdef0123456789abcdef\n', false],
  ];
  for (const [id, expected] of cases) {
    assert.equal(isItemId(id), expected, id);
    assert.equal(ItemId.safeParse(id).success, expected, id);
  }
});

test('a vault has at most as many keys as a header holds stanzas, for the contract too', () => {
  assert.equal(MAX_VAULT_KEYS, MAX_STANZAS);
  const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ provider: 'local' as const, keyId: `local:${i}` }));
  for (const channel of ['vault:create', 'vault:rekey'] as const) {
    const req = (n: number) => (channel === 'vault:create' ? { path: '/v', keys: keys(n) } : { keys: keys(n) });
    assert.ok(CHANNELS[channel].request.safeParse(req(MAX_VAULT_KEYS)).success, channel);
    assert.equal(CHANNELS[channel].request.safeParse(req(MAX_VAULT_KEYS + 1)).success, false, channel);
  }
  const stanzas = (n: number) => Array.from({ length: n }, () => ({ type: 'local', keyId: 'k', blob: new Uint8Array(1) }));
  assert.doesNotThrow(() => encodeStanzas(stanzas(MAX_STANZAS)));
  assert.throws(() => encodeStanzas(stanzas(MAX_STANZAS + 1)));
});
