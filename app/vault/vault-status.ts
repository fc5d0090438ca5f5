// A vault's status (issue 14): its keys' health, what depends on what, the items at risk, the
// local key file and whether the index is fresh, in the one shape `cachet status --json` prints
// and the app's Status panel shows (contract/ipc.ts VaultStatus). It does not call AWS itself:
// the caller passes the KMS check (the CLI's and main's clients differ), so a local-only vault
// never loads the AWS SDK. It does not word anything.

import { dependenciesOf, keyReport, localKeyHealth, type KeyHealth, type KeyReport } from '../keys/key-condition.js';
import type { KeyDependents } from '../keys/key-dependencies.js';
import { providerOfKeyId } from '../format/limits.js';
import type { VaultKey } from './layout.js';
import type { Vault, VaultItem } from './vault.js';

/** Describes the vault's KMS keys (app/keys/key-health.ts checkKeyHealth with the caller's client options). */
export type KmsHealthCheck = (keys: readonly VaultKey[], localKeyId: string | undefined) => Promise<KeyHealth[]>;

/** The keys' health: KMS keys through `checkKms` (only called when there is one), local keys against this machine's key id. */
export async function keysHealth(keys: readonly VaultKey[], localKeyId: string | undefined, checkKms: KmsHealthCheck): Promise<KeyHealth[]> {
  return keys.some((k) => k.provider === 'aws-kms') ? checkKms(keys, localKeyId) : keys.map((k) => localKeyHealth(k.keyId, localKeyId));
}

export interface KeysAndDependents {
  readonly keys: readonly KeyHealth[];
  readonly perKey: ReadonlyMap<string, KeyDependents> | null;
  readonly atRisk: readonly VaultItem[];
  readonly uncertain: readonly VaultItem[];
}

/**
 * The keys to describe: the vault's (vault.json), then every other key an item is sealed under, in
 * first-seen order. A re-key of some items to a key the vault does not list leaves items under it
 * alone: left out, that key would count as unknown and its items as "may be at risk".
 */
export function keysToDescribe(keys: readonly VaultKey[], items: readonly VaultItem[] | null): VaultKey[] {
  const out = [...keys];
  const seen = new Set(keys.map((k) => k.keyId));
  for (const item of items ?? []) {
    for (const keyId of item.keyIds) {
      if (seen.has(keyId)) continue;
      seen.add(keyId);
      out.push({ provider: providerOfKeyId(keyId), keyId });
    }
  }
  return out;
}

/** The health of `keys` and every other key the items use, and, with `items` (null: they could not be listed), what depends on what. */
export async function keysAndDependents(vaultKeys: readonly VaultKey[], items: readonly VaultItem[] | null, localKeyId: string | undefined, checkKms: KmsHealthCheck): Promise<KeysAndDependents> {
  const health = await keysHealth(keysToDescribe(vaultKeys, items), localKeyId, checkKms);
  if (!items) return { keys: health, perKey: null, atRisk: [], uncertain: [] };
  const deps = dependenciesOf(health, items);
  return { keys: health, perKey: deps.perKey, atRisk: deps.atRisk, uncertain: deps.uncertain };
}

export function keyReports(h: KeysAndDependents): KeyReport[] {
  return h.keys.map((k) => keyReport(k, h.perKey?.get(k.keyId)));
}

export interface ItemRef { readonly id: string; readonly path: string }

/** `cachet status --json` without its `kms` field (README, usage.ts); the app's vault:status. */
export interface VaultStatus {
  readonly vault: string;
  readonly location: string;
  /** null: the items could not be listed. */
  readonly items: number | null;
  readonly unreadable: number;
  readonly keys: KeyReport[];
  readonly atRisk: ItemRef[];
  readonly uncertain: ItemRef[];
  readonly localKeyFile: { readonly path: string; readonly present: boolean };
  /** Whether index.env matches the items (null: not known, the items could not be listed). */
  readonly indexFresh: boolean | null;
}

/** The status of an open vault, listed (`items`) and health-checked (`health`). */
export function vaultStatus(vault: Vault, items: readonly VaultItem[] | null, health: KeysAndDependents, localKeyFile: { path: string; present: boolean }): VaultStatus {
  const ref = (i: VaultItem): ItemRef => ({ id: i.id, path: i.path });
  return {
    vault: vault.id,
    location: vault.dir,
    items: items?.length ?? null,
    unreadable: vault.unreadable().length,
    keys: keyReports(health),
    atRisk: health.atRisk.map(ref),
    uncertain: health.uncertain.map(ref),
    localKeyFile: { path: localKeyFile.path, present: localKeyFile.present },
    indexFresh: items === null ? null : vault.indexFresh(),
  };
}
