// The open vault of this window and the keyring it uses. The keyring holds two delegating
// providers that look up, at each call, the unlocked local key and the KMS provider of the
// currently selected AWS profile, so unlocking the local key or switching profile needs no
// re-open. lock() closes the vault (dropping its decrypted names), zeroes the local master key
// and forgets the KMS provider; the caller (handlers) also cancels jobs and wipes temp copies.

import { basename } from 'node:path';
import { badRequest, CachetError } from '../../app/errors.js';
import { Keyring, rewrapStanza, type CallOptions, type EncryptionContext, type KeyProvider, type KeyRef, type ProviderType, type Stanza } from '../../app/keys/provider.js';
import type { VaultSummaryT } from '../../contract/ipc.js';
import type { AwsService } from '../aws/aws-service.js';
import type { LocalKeyService } from './local-key.js';
import type { Vault } from '../../app/vault/vault.js';
import type { VaultBackend } from './vault-backend.js';

export class VaultSession {
  readonly #backend: VaultBackend;
  readonly #keyring: Keyring;
  readonly #aws: AwsService;
  #vault: Vault | undefined;
  #itemCount = 0;
  #locked: { path: string; name: string } | null = null;

  constructor(opts: { backend: VaultBackend; localKey: LocalKeyService; aws: AwsService }) {
    this.#backend = opts.backend;
    this.#aws = opts.aws;
    this.#keyring = new Keyring([
      delegate('local', () => {
        const p = opts.localKey.provider();
        if (p) return p;
        const s = opts.localKey.status();
        throw s.exists
          ? new CachetError('local-key-locked', 'the local key is locked', { keyId: s.keyId ?? undefined })
          : new CachetError('local-key-missing', 'there is no local key on this computer');
      }),
      delegate('aws-kms', () => opts.aws.provider()),
    ]);
  }

  get keyring(): Keyring {
    return this.#keyring;
  }

  get vault(): Vault | undefined {
    return this.#vault;
  }

  get lockedVault(): { path: string; name: string } | null {
    return this.#locked;
  }

  require(): Vault {
    if (!this.#vault) throw badRequest('no-vault-open', 'no vault is open');
    return this.#vault;
  }

  async create(dir: string, keys: readonly KeyRef[]): Promise<VaultSummaryT> {
    return this.#adopt(await this.#backend.create(dir, keys, this.#keyring, this.#aws.clientOptions()));
  }

  /**
   * Open and list (which reads the index, so a locked local key or a KMS error shows here, and the
   * renderer can unlock and retry). On failure the previous vault, if any, stays open.
   */
  async open(dir: string): Promise<VaultSummaryT> {
    return this.#adopt(await this.#backend.open(dir, this.#keyring, this.#aws.clientOptions()));
  }

  async #adopt(v: Vault): Promise<VaultSummaryT> {
    let count: number;
    try {
      count = (await v.list()).length;
    } catch (e) {
      v.close();
      throw e;
    }
    await this.close();
    this.#vault = v;
    this.#itemCount = count;
    this.#locked = null;
    return this.summaryNow()!;
  }

  /** The summary with the last known item count, without touching the disk. */
  summaryNow(): VaultSummaryT | null {
    const v = this.#vault;
    if (!v) return null;
    return { path: v.dir, name: basename(v.dir) || v.dir, id: v.id, keys: v.keys().map((k) => ({ provider: k.provider, keyId: k.keyId })), itemCount: this.#itemCount };
  }

  noteItemCount(n: number): void {
    this.#itemCount = n;
  }

  async close(): Promise<void> {
    const v = this.#vault;
    this.#vault = undefined;
    this.#itemCount = 0;
    await v?.close();
  }

  /** Close and remember which vault to offer for re-opening. */
  async lock(): Promise<void> {
    const v = this.#vault;
    if (v) this.#locked = { path: v.dir, name: basename(v.dir) || v.dir };
    await this.close();
  }

  forgetLocked(): void {
    this.#locked = null;
  }
}

/** A provider of `type` that forwards each call to whatever `current()` returns at that moment. */
function delegate(type: ProviderType, current: () => KeyProvider): KeyProvider {
  return {
    type,
    generateDataKey: (keyId: string, ctx: EncryptionContext, o?: CallOptions) => current().generateDataKey(keyId, ctx, o),
    wrapKey: (keyId: string, pt: Uint8Array, ctx: EncryptionContext, o?: CallOptions) => current().wrapKey(keyId, pt, ctx, o),
    unwrapKey: (s: Stanza, ctx: EncryptionContext, o?: CallOptions) => current().unwrapKey(s, ctx, o),
    rewrapKey: (s: Stanza, ctx: EncryptionContext, to: string, o?: CallOptions) => {
      const p = current();
      return rewrapStanza(p, p, s, ctx, to, o);
    },
  };
}
