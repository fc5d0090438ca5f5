// Authentication of vault.json (SPEC §12). A storage writer must not be able to change how new
// items are sealed (add its own key, drop the owner's, reorder them, change the vault id), so
// every field that decides it is covered by an HMAC under a random vault config key, wrapped by
// the vault's own keys like an item's data key. Forging the MAC takes unwrapping a config key, so
// the client also remembers (known-vaults.ts) the key set it accepted for each vault id, and takes
// a new set only from a config key unwrapped by a key it already trusted.
//
// It also judges a vault.json that every item disagrees with (SPEC §12: the items are the truth).
// It does not read or write vault.json (layout.ts and config-source.ts do) and keeps no key after a call.

import { isItemId } from '../format/limits.js';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { CachetError } from '../errors.js';
import { wipe, type EncryptionContext, type Keyring, type Stanza } from '../keys/provider.js';
import type { KnownVault, KnownVaults } from './known-vaults.js';
import type { VaultConfig, VaultKey } from './layout.js';

const MAC_INFO = 'cachet/v2/vault-config';

/** SPEC §12: the context the config key is wrapped under (passed to every KMS call). */
export function configContext(vaultId: string): EncryptionContext {
  return { 'cachet:purpose': 'config', 'cachet:vault': vaultId };
}

function u8(n: number): Buffer {
  return Buffer.from([n]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function str8(s: string): Buffer[] {
  const b = Buffer.from(s, 'utf8');
  return [u8(b.length), b];
}

function str16(s: string): Buffer[] {
  const b = Buffer.from(s, 'utf8');
  return [u16(b.length), b];
}

/** SPEC §12: the canonical bytes the MAC covers (layout.ts bounds every length first). */
export function canonicalConfig(c: Pick<VaultConfig, 'format' | 'version' | 'id' | 'keys' | 'created'>): Buffer {
  const parts: Buffer[] = [...str8(c.format), u8(c.version), ...str8(c.id), u8(c.keys.length)];
  for (const k of c.keys) parts.push(...str8(k.provider), ...str16(k.keyId));
  parts.push(...str16(c.created));
  return Buffer.concat(parts);
}

function configMac(configKey: Uint8Array, c: VaultConfig): Buffer {
  const macKey = Buffer.from(hkdfSync('sha256', configKey, Buffer.alloc(0), MAC_INFO, 32));
  try {
    return createHmac('sha256', macKey).update(canonicalConfig(c)).digest();
  } finally {
    wipe(macKey);
  }
}

export function sameKeys(a: readonly VaultKey[], b: readonly VaultKey[]): boolean {
  return a.length === b.length && a.every((k, i) => k.provider === b[i]!.provider && k.keyId === b[i]!.keyId);
}

function holds(keys: readonly VaultKey[], s: Stanza): boolean {
  return keys.some((k) => k.provider === s.type && k.keyId === s.keyId);
}

/**
 * Version 2 of `c`, with a fresh config key wrapped under each of its keys and under `retired`
 * (keys a re-key is leaving: clients that trusted only those can accept the new set, SPEC §12).
 * The config key is zeroed before this returns.
 */
export async function sealVaultConfig(c: VaultConfig, keyring: Keyring, opts: { retired?: readonly VaultKey[]; signal?: AbortSignal } = {}): Promise<VaultConfig> {
  const extra = (opts.retired ?? []).filter((k) => !c.keys.some((o) => o.provider === k.provider && o.keyId === k.keyId));
  const sealed: VaultConfig = { format: c.format, version: 2, id: c.id, keys: c.keys.map((k) => ({ ...k })), created: c.created };
  const context = configContext(c.id);
  const { plaintext, stanzas } = await keyring.generate(sealed.keys, context, { signal: opts.signal });
  try {
    // A retired key is a courtesy to other clients: one this process cannot wrap under (a provider
    // it lacks, a key already disabled) is left out rather than failing the re-key that retires it.
    for (const k of extra) {
      const p = keyring.get(k.provider);
      if (!p) continue;
      try {
        stanzas.push(await p.wrapKey(k.keyId, plaintext, context, { signal: opts.signal }));
      } catch (e) {
        if (e instanceof CachetError && e.code === 'cancelled') throw e;
      }
    }
    sealed.auth = { stanzas, mac: configMac(plaintext, sealed) };
  } finally {
    wipe(plaintext);
  }
  return sealed;
}

function keysChanged(c: VaultConfig, reason: 'keys-changed' | 'downgrade', known: KnownVault): CachetError {
  return new CachetError('vault-keys-changed', reason === 'downgrade'
    ? 'vault.json lost its authentication since this computer last opened the vault'
    : 'the keys in vault.json are not the ones this computer last saw for this vault', {
    reason, vault: c.id, known: known.keys.map((k) => k.keyId).join(', '), found: c.keys.map((k) => k.keyId).join(', '),
  });
}

function notAuthentic(c: VaultConfig, cause?: unknown): CachetError {
  return new CachetError('vault-corrupt', 'vault.json was changed outside Cachet (its authentication fails)', { reason: 'config-mac', vault: c.id }, { cause });
}

/**
 * Accept `c` or refuse it (SPEC §12): 'vault-corrupt' (reason config-mac) when its MAC fails,
 * 'vault-keys-changed' when its key set is not the one `known` holds and no trusted key vouches
 * for the change, or when a vault known to be authenticated is met as version 1. One unwrap.
 */
export async function verifyVaultConfig(c: VaultConfig, keyring: Keyring, opts: { known?: KnownVaults | undefined; signal?: AbortSignal | undefined } = {}): Promise<void> {
  const known = await opts.known?.get(c.id);
  const same = !known || sameKeys(known.keys, c.keys);
  if (c.version === 1 || !c.auth) {
    if (known?.authenticated) throw keysChanged(c, 'downgrade', known);
    if (known && !same) throw keysChanged(c, 'keys-changed', known);
    if (!known) await opts.known?.remember(c.id, { keys: c.keys, authenticated: false });
    return;
  }
  const auth = c.auth;
  // Only stanzas of keys already trusted: the vault's own keys when the set is the known one (or
  // new to this client), else the keys this client knew. A stanza of a key the writer added
  // itself never vouches for the set that added it.
  const trusted = same ? c.keys : known!.keys;
  const stanzas = auth.stanzas.filter((s) => holds(trusted, s));
  if (stanzas.length === 0) throw same ? notAuthentic(c) : keysChanged(c, 'keys-changed', known!);
  const expected = (k: Buffer): boolean => {
    const mac = configMac(k, c);
    return timingSafeEqual(mac, auth.mac);
  };
  try {
    const { plaintext } = await keyring.unwrap(stanzas, configContext(c.id), { signal: opts.signal, accept: expected });
    wipe(plaintext);
  } catch (e) {
    const code = (e as CachetError).code;
    // A stanza that unwraps to a key that does not make this MAC, or that its key refuses under
    // this context (a changed id), is a vault.json changed outside Cachet. Other failures (access
    // denied, unreachable, cancelled) are not a verdict on the file.
    if (code === 'wrong-key' || code === 'kms-invalid-ciphertext') throw notAuthentic(c, e);
    throw e;
  }
  if (!known || !same || !known.authenticated) await opts.known?.remember(c.id, { keys: c.keys, authenticated: true });
}

/**
 * verifyVaultConfig for a reader: a verdict on the file (vault-corrupt, vault-keys-changed) and
 * 'cancelled' are thrown; a failure to check it at all (no key here to unwrap the config key with,
 * KMS unreachable) is returned. Reading needs no trusted vault.json (each item authenticates under
 * its own context); sealing does, and the caller refuses to seal with the returned error.
 */
export async function checkVaultConfig(c: VaultConfig, keyring: Keyring, opts: { known?: KnownVaults | undefined; signal?: AbortSignal | undefined } = {}): Promise<CachetError | undefined> {
  try {
    await verifyVaultConfig(c, keyring, opts);
    return undefined;
  } catch (e) {
    if (!(e instanceof CachetError) || e.code === 'vault-corrupt' || e.code === 'vault-keys-changed' || e.code === 'cancelled') throw e;
    return e;
  }
}

/** SPEC §12: remember the key set this client wrote itself (create, re-key, upgrade). */
export async function rememberOwnConfig(c: VaultConfig, known: KnownVaults | undefined): Promise<void> {
  await known?.remember(c.id, { keys: c.keys, authenticated: c.version === 2 });
}

/**
 * SPEC §12: when no item file is readable and every one is refused because its context names one
 * and the same other vault, vault.json is the odd one out (its id was changed, or it is another
 * vault's): one vault-level error instead of a per-item one that would invite deleting them.
 */
export function vaultIdVerdict(configId: string, failures: ReadonlyMap<string, CachetError>, readable: number): CachetError | undefined {
  if (readable > 0 || failures.size === 0) return undefined;
  let other: string | undefined;
  for (const e of failures.values()) {
    if (e.code !== 'context-mismatch' || e.detail['key'] !== 'cachet:vault') return undefined;
    const found = e.detail['found'];
    // An item that names no vault (or not an id) says nothing about which file is the odd one out.
    if (!isItemId(found) || found === configId || (other !== undefined && found !== other)) return undefined;
    other = found;
  }
  return new CachetError('vault-corrupt', 'vault.json names another vault than every item in it', {
    reason: 'vault-id-changed', vault: configId, items: other, count: failures.size,
  });
}
