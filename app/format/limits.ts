// @pure — imports nothing Node-only, so main, the preload and the renderer can bundle it
// (test/layering.test.ts checks the tag).
// The ids and limits the format fixes, each in one place: the item id (SPEC §3), the provider
// types and key-id length of a stanza (SPEC §7), how many wrapped keys a header holds and so how
// many keys a vault can have (SPEC §7, §9), and the UTF-8 length every byte limit is counted in.
// The core, the IPC contract and the CLI check against these; this module only states and
// tests them, it does not throw or word anything.

/** An item id: 32 lowercase hex digits, 16 random bytes (SPEC §3). */
export const ITEM_ID_PATTERN = /^[0-9a-f]{32}$/;
export const ITEM_ID_LENGTH = 32;

export function isItemId(s: unknown): s is string {
  return typeof s === 'string' && ITEM_ID_PATTERN.test(s);
}

/** Every key provider type (SPEC §7 stanza `type`). A new type is added here and nowhere else. */
export const PROVIDER_TYPES = ['aws-kms', 'local'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export function isProviderType(s: unknown): s is ProviderType {
  return typeof s === 'string' && (PROVIDER_TYPES as readonly string[]).includes(s);
}

/** A local key's id starts with this (SPEC §7: `local:` and 32 hex digits); a KMS key's is its ARN. */
export const LOCAL_KEY_ID_PREFIX = 'local:';

/** The provider a key id belongs to, from the id alone (an item's index entry names only its key ids). */
export function providerOfKeyId(keyId: string): ProviderType {
  return keyId.startsWith(LOCAL_KEY_ID_PREFIX) ? 'local' : 'aws-kms';
}

/** A stanza's key id is 1..2048 bytes of UTF-8 (SPEC §7 `key_id_len`), not UTF-16 units. */
export const MAX_KEY_ID_BYTES = 2048;

export function isKeyIdLength(keyId: string): boolean {
  const n = utf8Length(keyId);
  return n >= 1 && n <= MAX_KEY_ID_BYTES;
}

/** Wrapped keys in one header (SPEC §7 `n_stanzas`). */
export const MAX_STANZAS = 16;
/** Keys of a vault (SPEC §9): every item holds one stanza per vault key, so no more than a header holds. */
export const MAX_VAULT_KEYS = MAX_STANZAS;

/**
 * Bytes of UTF-8 in `s`, counted the way Buffer.byteLength and TextEncoder count (a lone surrogate
 * encodes as U+FFFD, 3 bytes), without either: Buffer is Node-only and TextEncoder allocates.
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
