// Key providers wrap and unwrap data keys (SPEC §7); the Keyring picks the provider for each
// stanza. A provider never sees content and never keeps a data key after a call returns: the
// caller owns every plaintext key buffer it is handed and must zero it (`wipe`) when done.
// Providers do not touch the envelope bytes; the format codec does.

import { badRequest, CachetError, TELLING_CODES } from '../errors.js';
import type { ProviderType } from '../format/limits.js';

/** Encryption context (SPEC §3): opaque ids only, never names. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** The provider types are listed once, in app/format/limits.ts PROVIDER_TYPES. */
export type { ProviderType };

/** A key a vault or a command names: which provider, which key. */
export interface KeyRef {
  readonly provider: ProviderType;
  /** aws-kms: key id, alias/NAME or ARN (resolved to the ARN by the provider); local: `local:<hex>`. */
  readonly keyId: string;
}

/** One wrapped copy of a data key, as stored in the header (SPEC §7). */
export interface Stanza {
  readonly type: string;
  readonly keyId: string;
  readonly blob: Uint8Array;
}

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface KeyProvider {
  readonly type: ProviderType;
  /** A fresh 32-byte data key and its stanza. The caller zeroes `plaintext`. */
  generateDataKey(keyId: string, context: EncryptionContext, opts?: CallOptions): Promise<{ plaintext: Buffer; stanza: Stanza }>;
  /** Wrap an existing data key under another key of this provider. */
  wrapKey(keyId: string, plaintext: Uint8Array, context: EncryptionContext, opts?: CallOptions): Promise<Stanza>;
  /** The data key in a stanza of this provider. The caller zeroes the result. */
  unwrapKey(stanza: Stanza, context: EncryptionContext, opts?: CallOptions): Promise<Buffer>;
  /**
   * Move a stanza of this provider to another of its keys without exposing the data key to this
   * process (KMS ReEncrypt). Optional: the keyring falls back to unwrap + wrap.
   */
  rewrapKey?(stanza: Stanza, context: EncryptionContext, toKeyId: string, opts?: CallOptions): Promise<Stanza>;
}

/** A data key is 32 bytes (SPEC §2); every provider and the sealer count it here. */
export const DATA_KEY_BYTES = 32;

/** Refuses a data key of any other length, the same way wherever one is handed in (SPEC §2). */
export function checkDataKey(dk: Uint8Array): void {
  if (dk.length !== DATA_KEY_BYTES) throw badRequest('invalid-argument', `a data key is ${DATA_KEY_BYTES} bytes`, { length: dk.length });
}

/** Overwrite a key buffer with zeros. Safe on undefined. */
export function wipe(buf: Uint8Array | undefined | null): void {
  buf?.fill(0);
}

/**
 * The set of providers a process can use, by type. Generates a data key under the first key of
 * a list and wraps copies under the others; unwraps from whichever stanza it can serve.
 */
export class Keyring {
  readonly #providers = new Map<string, KeyProvider>();

  constructor(providers: readonly KeyProvider[] = []) {
    for (const p of providers) this.#providers.set(p.type, p);
  }

  add(provider: KeyProvider): void {
    this.#providers.set(provider.type, provider);
  }

  get(type: string): KeyProvider | undefined {
    return this.#providers.get(type);
  }

  #require(type: string): KeyProvider {
    const p = this.#providers.get(type);
    if (!p) throw badRequest('no-provider', `no ${type} key provider is set up`, { provider: type });
    return p;
  }

  /**
   * A new data key wrapped under every key in `keys` (the first generates it). On any failure
   * the plaintext key is zeroed before the error propagates.
   */
  async generate(keys: readonly KeyRef[], context: EncryptionContext, opts?: CallOptions): Promise<{ plaintext: Buffer; stanzas: Stanza[] }> {
    const [first, ...rest] = keys;
    if (!first) throw badRequest('no-keys', 'no key to seal with');
    const { plaintext, stanza } = await this.#require(first.provider).generateDataKey(first.keyId, context, opts);
    try {
      const stanzas = [stanza];
      for (const k of rest) stanzas.push(await this.#require(k.provider).wrapKey(k.keyId, plaintext, context, opts));
      return { plaintext, stanzas };
    } catch (e) {
      wipe(plaintext);
      throw e;
    }
  }

  /**
   * The data key from the first stanza that unwraps. Stanzas of providers this keyring lacks are
   * skipped. If none unwraps, the most telling error is thrown (a KMS or passphrase error beats
   * "no provider"). `accept` lets the caller check the key (the commitment, SPEC §4) so a stanza
   * that unwraps to a wrong key falls through to the next one.
   */
  async unwrap(
    stanzas: readonly Stanza[],
    context: EncryptionContext,
    opts?: CallOptions & { accept?: (key: Buffer) => boolean; prefer?: string },
  ): Promise<{ plaintext: Buffer; stanza: Stanza }> {
    const ordered = [...stanzas].sort((a, b) => rank(a, opts?.prefer) - rank(b, opts?.prefer));
    const errors: CachetError[] = [];
    for (const s of ordered) {
      const p = this.#providers.get(s.type);
      if (!p) continue;
      let key: Buffer | undefined;
      try {
        key = await p.unwrapKey(s, context, opts);
      } catch (e) {
        if (e instanceof CachetError && e.code === 'cancelled') throw e;
        errors.push(e instanceof CachetError ? e : new CachetError('internal', String(e), {}, { cause: e }));
        continue;
      }
      let accepted = false;
      try {
        accepted = opts?.accept ? opts.accept(key) : true;
      } finally {
        if (!accepted) wipe(key); // also when accept throws: the key never leaves
      }
      if (!accepted) {
        errors.push(new CachetError('wrong-key', 'a wrapped key does not belong to this file', { keyId: s.keyId }));
        continue;
      }
      return { plaintext: key, stanza: s };
    }
    if (errors.length === 0) {
      const types = [...new Set(stanzas.map((s) => s.type))].join(', ');
      throw badRequest('no-provider', `no key provider here can open this file (it is wrapped with: ${types})`, { providers: types });
    }
    throw mostTelling(errors);
  }

  /** Move a stanza to another key: provider-native when both ends share a provider, else unwrap + wrap. */
  async rewrap(stanza: Stanza, context: EncryptionContext, to: KeyRef, opts?: CallOptions): Promise<Stanza> {
    const from = this.#require(stanza.type);
    return rewrapStanza(from, from.type === to.provider ? from : this.#require(to.provider), stanza, context, to.keyId, opts);
  }
}

/**
 * The one unwrap-then-wrap fallback: `stanza` (of `from`) re-wrapped under `toKeyId` of `to`,
 * natively (KMS ReEncrypt: the key never leaves KMS) when both are one provider that can, else
 * unwrapped and wrapped again, the plaintext key zeroed however that ends. Wrappers that forward
 * to another provider (a lazy or swappable one) call this rather than restating it.
 */
export async function rewrapStanza(from: KeyProvider, to: KeyProvider, stanza: Stanza, context: EncryptionContext, toKeyId: string, opts?: CallOptions): Promise<Stanza> {
  if (from === to && from.rewrapKey) return from.rewrapKey(stanza, context, toKeyId, opts);
  const key = await from.unwrapKey(stanza, context, opts);
  try {
    return await to.wrapKey(toKeyId, key, context, opts);
  } finally {
    wipe(key);
  }
}

function rank(s: Stanza, prefer: string | undefined): number {
  return prefer && s.type === prefer ? 0 : 1;
}

function mostTelling(errors: readonly CachetError[]): CachetError {
  for (const code of TELLING_CODES) {
    const hit = errors.find((e) => e.code === code);
    if (hit) return hit;
  }
  return errors[0]!;
}
