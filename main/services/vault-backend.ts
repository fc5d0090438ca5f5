// How main gets a vault: the core's Vault class (app/vault/vault.ts) is used as is, under its own
// name; this seam only lets createMainServices take another way to create/open one (tests of one
// error mapping).

import type { AwsClientOptions } from '../../app/keys/aws-config.js';
import type { KeyRef, Keyring } from '../../app/keys/provider.js';
import type { Vault } from '../../app/vault/vault.js';

export interface VaultBackend {
  /** `dir` is a folder or an S3 location; `aws` is how an S3 vault reaches AWS (the chosen profile). */
  create(dir: string, keys: readonly KeyRef[], keyring: Keyring, aws: AwsClientOptions): Promise<Vault>;
  open(dir: string, keyring: Keyring, aws: AwsClientOptions): Promise<Vault>;
}
