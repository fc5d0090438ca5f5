// How main gets a vault: the core's Vault class (app/vault/vault.ts) is used as is, under its own
// name; this seam only lets createMainServices take another way to create/open one (tests of one
// error mapping).

import type { KeyRef, Keyring } from '../../app/keys/provider.js';
import type { Vault } from '../../app/vault/vault.js';

export interface VaultBackend {
  create(dir: string, keys: readonly KeyRef[], keyring: Keyring): Promise<Vault>;
  open(dir: string, keyring: Keyring): Promise<Vault>;
}
