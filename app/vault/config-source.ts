// The vault.json this process works under (SPEC §9, §12): the config, the version of the file it
// came from, and whether it was checked. It re-reads vault.json when the file changed (another
// process re-keyed) and writes it through the store. It does not decide when to check or seal:
// the catalog does, under its lock and the index lock.

import { CachetError } from '../errors.js';
import type { Keyring } from '../keys/provider.js';
import { checkVaultConfig } from './config-auth.js';
import type { KnownVaults } from './known-vaults.js';
import { encodeVaultConfig, readVaultConfigVersion, VAULT_FILE, type VaultConfig } from './layout.js';
import type { VaultStore, WriteCondition } from './store.js';

export class ConfigSource {
  readonly #store: VaultStore;
  readonly #keyring: Keyring;
  /** The key sets this client accepted per vault (SPEC §12); none: only the MAC is checked. */
  readonly known: KnownVaults | undefined;
  config: VaultConfig;
  /** The version of the vault.json `config` was read from or written as. */
  stamp: string | undefined;
  /** Why vault.json could not be checked (SPEC §12): reading goes on, sealing is refused with it. */
  unchecked: CachetError | undefined;
  /** Whether `config` (the vault.json of `stamp`) passed checkVaultConfig or was written here. */
  checked = false;

  constructor(store: VaultStore, keyring: Keyring, known: KnownVaults | undefined, config: VaultConfig, version?: string) {
    this.#store = store;
    this.#keyring = keyring;
    this.known = known;
    this.config = config;
    this.stamp = version;
  }

  /**
   * Another process may have re-keyed the vault: pick up vault.json's keys when the file changed.
   * A vault.json this process did not write itself is checked (SPEC §12) before its keys are
   * used, including the one read at open (open makes no KMS call: the check waits until here).
   */
  async reload(): Promise<void> {
    const st = await this.#store.stat(VAULT_FILE);
    if (!st) throw new CachetError('vault-not-found', 'vault.json is gone', { path: this.#store.location });
    if (st.version === this.stamp && this.checked) return;
    let config = this.config;
    let version = this.stamp;
    if (st.version !== this.stamp) {
      ({ config, version } = await readVaultConfigVersion(this.#store));
      if (config.id !== this.config.id) throw new CachetError('vault-corrupt', 'vault.json now names another vault', { path: this.#store.location, reason: 'id-changed' });
    }
    this.unchecked = await checkVaultConfig(config, this.#keyring, { known: this.known });
    this.config = config;
    this.stamp = version;
    this.checked = true;
  }

  /** Write vault.json (SPEC §9, §12) when `when` allows; returns the version the store gave it. */
  async write(config: VaultConfig, when: WriteCondition): Promise<string> {
    const bytes = encodeVaultConfig(config);
    const { version } = await this.#store.write(VAULT_FILE, (sink) => sink.write([bytes]), when, { sizeHint: bytes.length });
    return version;
  }
}
