// The CLI's keys: a Keyring whose providers are made lazily, per command. The AWS provider is
// built only when a stanza or a named key needs it, and its module (with the AWS SDK, ~40 ms and
// ~27 MB) is imported only then, so `--local` users never load or touch AWS; the
// local key file is unlocked (passphrase from CACHET_PASSPHRASE or the terminal) only when a local
// stanza or key is used. It also turns the command line's key names into KeyRefs.
// It does not word errors (messages.ts) and never holds a passphrase longer than one unlock.

import { CachetError } from '../errors.js';
import { providerOfKeyId } from '../format/limits.js';
import type { AwsKmsProvider } from '../keys/aws-kms.js';
import type { AwsClientOptions } from '../keys/aws-config.js';
import { createLocalKeyFile, defaultLocalKeyPath, readLocalKeyFileInfo, unlockLocalKeyFile, type LocalKeyProvider } from '../keys/local.js';
import { Keyring, rewrapStanza, type CallOptions, type EncryptionContext, type KeyProvider, type KeyRef, type ProviderType, type Stanza } from '../keys/provider.js';
import { readNewPassphrase, readPassphrase, type PassphraseSource } from './passphrase.js';

/**
 * Only the tests set this: the scrypt N of a new local key file (SPEC §8 allows 2^14..2^22), so
 * that end-to-end tests do not spend 128 MiB and a second per key file. Real use never sets it.
 */
export const TEST_SCRYPT_N_ENV = 'CACHET_TEST_SCRYPT_N';

/** The word that names the local key where a command takes a key (`rekey --to local`). */
export const LOCAL_KEY_NAME = 'local';

/** A provider that builds the real one on first use. */
class LazyProvider implements KeyProvider {
  readonly type: ProviderType;
  readonly #make: () => Promise<KeyProvider>;
  #real: Promise<KeyProvider> | undefined;

  constructor(type: ProviderType, make: () => Promise<KeyProvider>) {
    this.type = type;
    this.#make = make;
  }

  real(): Promise<KeyProvider> {
    this.#real ??= this.#make();
    this.#real.catch(() => (this.#real = undefined)); // a failed unlock may be retried
    return this.#real;
  }

  async generateDataKey(keyId: string, context: EncryptionContext, opts?: CallOptions): Promise<{ plaintext: Buffer; stanza: Stanza }> {
    return (await this.real()).generateDataKey(keyId, context, opts);
  }

  async wrapKey(keyId: string, plaintext: Uint8Array, context: EncryptionContext, opts?: CallOptions): Promise<Stanza> {
    return (await this.real()).wrapKey(keyId, plaintext, context, opts);
  }

  async unwrapKey(stanza: Stanza, context: EncryptionContext, opts?: CallOptions): Promise<Buffer> {
    return (await this.real()).unwrapKey(stanza, context, opts);
  }

  async rewrapKey(stanza: Stanza, context: EncryptionContext, toKeyId: string, opts?: CallOptions): Promise<Stanza> {
    const p = await this.real();
    return rewrapStanza(p, p, stanza, context, toKeyId, opts);
  }
}

export interface CliKeysOptions {
  readonly aws: AwsClientOptions;
  readonly passphrase: PassphraseSource;
  readonly env: NodeJS.ProcessEnv;
  /** Default: defaultLocalKeyPath() (CACHET_HOME honoured). */
  readonly localKeyPath?: string;
}

export class CliKeys {
  readonly keyring: Keyring;
  readonly localKeyPath: string;
  readonly #opts: CliKeysOptions;
  #aws: Promise<AwsKmsProvider> | undefined;
  #local: LocalKeyProvider | undefined;
  readonly #lazyLocal: LazyProvider;

  constructor(opts: CliKeysOptions) {
    this.#opts = opts;
    this.localKeyPath = opts.localKeyPath ?? defaultLocalKeyPath();
    this.#lazyLocal = new LazyProvider('local', () => this.unlockLocal());
    this.keyring = new Keyring([new LazyProvider('aws-kms', () => this.aws()), this.#lazyLocal]);
  }

  /** Whether AWS was touched by this command (for tests and diagnostics). */
  get awsUsed(): boolean {
    return this.#aws !== undefined;
  }

  /** The AWS KMS provider, its module imported on first use (a split chunk of the bundle). */
  aws(): Promise<AwsKmsProvider> {
    this.#aws ??= import('../keys/aws-kms.js').then(({ AwsKmsProvider }) => new AwsKmsProvider(this.#opts.aws));
    return this.#aws;
  }

  /** The unlocked local provider: asks for the passphrase once per command. */
  async unlockLocal(): Promise<LocalKeyProvider> {
    if (this.#local && !this.#local.locked) return this.#local;
    // Fail on a missing key file before asking for a passphrase.
    await readLocalKeyFileInfo(this.localKeyPath);
    const pass = await readPassphrase(this.#opts.passphrase);
    this.#local = await unlockLocalKeyFile(this.localKeyPath, pass);
    return this.#local;
  }

  /**
   * The local key, creating the key file first if it is missing (a new passphrase: typed twice,
   * or CACHET_PASSPHRASE). Returns whether it was created.
   */
  async ensureLocalKey(): Promise<{ keyId: string; created: boolean }> {
    try {
      const info = await readLocalKeyFileInfo(this.localKeyPath);
      await this.unlockLocal();
      return { keyId: info.keyId, created: false };
    } catch (e) {
      if (!(e instanceof CachetError && e.code === 'local-key-missing' && e.detail.path !== undefined)) throw e;
    }
    const pass = await readNewPassphrase(this.#opts.passphrase);
    const n = this.#opts.env[TEST_SCRYPT_N_ENV];
    const scryptN = n !== undefined && n !== '' ? Number(n) : undefined;
    try {
      this.#local = await createLocalKeyFile(this.localKeyPath, pass, scryptN === undefined ? {} : { scryptN });
    } catch (e) {
      if (!(e instanceof CachetError && e.code === 'exists')) throw e;
      // Another Cachet process created it between our look and our create (two `init --local` at
      // once): use that key, which this passphrase opens when both were given the same one. The
      // create itself never replaces a key file (it links, no clobber).
      this.#local = await unlockLocalKeyFile(this.localKeyPath, pass);
      return { keyId: this.#local.keyId, created: false };
    }
    return { keyId: this.#local.keyId, created: true };
  }

  /** The local key's id, read from the key file (no passphrase needed). */
  async localKeyId(): Promise<string> {
    return (await readLocalKeyFileInfo(this.localKeyPath)).keyId;
  }

  /**
   * KeyRefs for `--kms-key` names (resolved to key ARNs, which checks that each exists and is
   * usable) and, with `local`, the local key.
   */
  async refs(kmsKeys: readonly string[], local: boolean, opts?: CallOptions): Promise<KeyRef[]> {
    const refs: KeyRef[] = [];
    for (const k of kmsKeys) refs.push({ provider: 'aws-kms', keyId: await (await this.aws()).resolveKeyArn(k, opts) });
    if (local) refs.push({ provider: 'local', keyId: await this.localKeyId() });
    return refs;
  }

  /** A KeyRef for one key name: `local`, `local:<hex>`, or a KMS key id/alias/ARN. */
  async ref(name: string, opts?: CallOptions): Promise<KeyRef> {
    if (name === LOCAL_KEY_NAME) return { provider: 'local', keyId: await this.localKeyId() };
    if (providerOfKeyId(name) === 'local') return { provider: 'local', keyId: name };
    return { provider: 'aws-kms', keyId: await (await this.aws()).resolveKeyArn(name, opts) };
  }

  /** Zero the local master key. */
  dispose(): void {
    this.#local?.lock();
    this.#local = undefined;
  }
}
