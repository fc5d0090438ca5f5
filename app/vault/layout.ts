// The vault folder on disk (SPEC §9): file names, ids, encryption contexts and the `vault.json`
// codec. Which names in `items/` are items, which are leftovers of a killed writer (`.tmp-*`) and
// which are copies a sync service made when two machines changed one item (`<id> (conflicted
// copy).env`, `<id>.sync-conflict-….env`, ...). It does not read or write envelopes.

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CachetError } from '../errors.js';
import { isItemId, isKeyIdLength, isProviderType, MAX_VAULT_KEYS } from '../format/limits.js';
import type { EncryptionContext, ProviderType, Stanza } from '../keys/provider.js';
import type { VaultStore } from './store.js';

export const VAULT_FILE = 'vault.json';
export const ITEMS_DIR = 'items';
export const INDEX_FILE = 'index.env';
export const ITEM_EXT = '.env';
export const VAULT_FORMAT = 'cachet-vault';
/** The version writers write (SPEC §12); version 1 (no `auth`) is still read. */
export const VAULT_VERSION = 2;

export { MAX_VAULT_KEYS };
/** Stanzas of the vault config key: one per vault key, plus the keys a re-key retired (SPEC §12). */
export const MAX_CONFIG_STANZAS = 2 * MAX_VAULT_KEYS;

/** A key of the vault, as in vault.json. For aws-kms, keyId is the key ARN once the vault exists. */
export interface VaultKey {
  provider: ProviderType;
  keyId: string;
}

/** SPEC §12: the vault config key, wrapped, and the MAC it makes over the canonical config. */
export interface VaultConfigAuth {
  stanzas: Stanza[];
  mac: Buffer;
}

export interface VaultConfig {
  format: typeof VAULT_FORMAT;
  version: 1 | 2;
  id: string;
  keys: VaultKey[];
  created: string;
  /** Present in version 2 (SPEC §12); config-auth.ts makes and checks it. */
  auth?: VaultConfigAuth;
}

const ITEM_NAME_RE = /^([0-9a-f]{32})\.env$/;
// A name that starts with an item id and ends in .env but is not canonical: what Dropbox, Syncthing,
// OneDrive, Nextcloud and Google Drive call a conflicted copy of `<id>.env`.
const CONFLICT_NAME_RE = /^([0-9a-f]{32})(?!\.env$).*\.env$/i;

/** 16 random bytes as 32 lowercase hex digits (SPEC §3). */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

export function itemsDir(vaultDir: string): string {
  return join(vaultDir, ITEMS_DIR);
}

export function itemFile(vaultDir: string, id: string): string {
  if (!isItemId(id)) throw new CachetError('internal', 'not an item id');
  return join(vaultDir, ITEMS_DIR, `${id}${ITEM_EXT}`);
}

export function indexFile(vaultDir: string): string {
  return join(vaultDir, INDEX_FILE);
}

export type ItemsEntryKind =
  | { kind: 'item'; id: string }
  | { kind: 'conflict'; id: string }
  | { kind: 'temp' }
  | { kind: 'other' };

/** What a name found in `items/` is. */
export function classifyItemName(name: string): ItemsEntryKind {
  const m = ITEM_NAME_RE.exec(name);
  if (m) return { kind: 'item', id: m[1]! };
  if (name.startsWith('.tmp-')) return { kind: 'temp' };
  const c = CONFLICT_NAME_RE.exec(name);
  if (c) return { kind: 'conflict', id: c[1]!.toLowerCase() };
  return { kind: 'other' };
}

/** SPEC §3/§9: the context of an item envelope. */
export function itemContext(vaultId: string, itemId: string): EncryptionContext {
  return { 'cachet:item': itemId, 'cachet:purpose': 'item', 'cachet:vault': vaultId };
}

/** SPEC §9: the context of the index envelope (its own random `cachet:item`). */
export function indexContext(vaultId: string, indexId: string): EncryptionContext {
  return { 'cachet:item': indexId, 'cachet:purpose': 'index', 'cachet:vault': vaultId };
}

function corrupt(why: string, cause?: unknown): CachetError {
  return new CachetError('vault-corrupt', `vault.json is not valid: ${why}`, { reason: why }, { cause });
}

/** Parse and check `vault.json` bytes. */
export function decodeVaultConfig(bytes: Buffer): VaultConfig {
  let j: unknown;
  try {
    j = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw corrupt('not-json', e);
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw corrupt('not-an-object');
  const o = j as Record<string, unknown>;
  if (o['format'] !== VAULT_FORMAT) throw corrupt('format');
  if (o['version'] !== 1 && o['version'] !== 2) {
    throw new CachetError('unsupported-version', `vault version ${String(o['version'])} is not supported`, { version: String(o['version']) });
  }
  if (!isItemId(o['id'])) throw corrupt('id');
  const keys = o['keys'];
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_VAULT_KEYS) throw corrupt('keys');
  const parsed: VaultKey[] = keys.map((k: unknown) => {
    const r = k as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null) throw corrupt('keys');
    const provider = r['provider'];
    const keyId = r['keyId'];
    if (!isProviderType(provider)) throw corrupt('key-provider');
    if (typeof keyId !== 'string' || !isKeyIdLength(keyId)) throw corrupt('key-id');
    return { provider, keyId };
  });
  const created = typeof o['created'] === 'string' ? o['created'] : '';
  if (created.length > 255) throw corrupt('created');
  if (o['version'] === 1) {
    // SPEC §12: an `auth` in a version-1 file is not trusted to mean anything.
    if (o['auth'] !== undefined) throw corrupt('auth');
    return { format: VAULT_FORMAT, version: 1, id: o['id'], keys: parsed, created };
  }
  return { format: VAULT_FORMAT, version: 2, id: o['id'], keys: parsed, created, auth: decodeAuth(o['auth']) };
}

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

function base64Field(v: unknown, max: number, why: string): Buffer {
  if (typeof v !== 'string' || v.length === 0 || v.length > Math.ceil(max / 3) * 4 || !B64_RE.test(v)) throw corrupt(why);
  return Buffer.from(v, 'base64');
}

/** SPEC §12 bounds, checked before anything is unwrapped. */
function decodeAuth(a: unknown): VaultConfigAuth {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) throw corrupt('auth');
  const r = a as Record<string, unknown>;
  const mac = base64Field(r['mac'], 32, 'auth-mac');
  if (mac.length !== 32) throw corrupt('auth-mac');
  const list = r['stanzas'];
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CONFIG_STANZAS) throw corrupt('auth-stanzas');
  const stanzas = list.map((x: unknown): Stanza => {
    const s = x as Record<string, unknown> | null;
    if (typeof s !== 'object' || s === null) throw corrupt('auth-stanzas');
    const type = s['type'];
    const keyId = s['keyId'];
    if (typeof type !== 'string' || type.length === 0 || type.length > 32) throw corrupt('auth-stanzas');
    if (typeof keyId !== 'string' || !isKeyIdLength(keyId)) throw corrupt('auth-stanzas');
    return { type, keyId, blob: base64Field(s['blob'], 8192, 'auth-stanzas') };
  });
  return { stanzas, mac };
}

/** Writers seal the config first (config-auth.ts sealVaultConfig): a version-2 config without `auth` is a bug. */
export function encodeVaultConfig(c: VaultConfig): Buffer {
  if (c.version === 2 && !c.auth) throw new CachetError('internal', 'vault.json must be sealed before it is written');
  const auth = c.auth && { stanzas: c.auth.stanzas.map((s) => ({ type: s.type, keyId: s.keyId, blob: Buffer.from(s.blob).toString('base64') })), mac: c.auth.mac.toString('base64') };
  const out = { format: c.format, version: c.version, id: c.id, keys: c.keys.map((k) => ({ provider: k.provider, keyId: k.keyId })), created: c.created, ...(auth ? { auth } : {}) };
  return Buffer.from(`${JSON.stringify(out, null, 2)}\n`, 'utf8');
}

/** A vault.json is a few hundred bytes; anything past this is not one (and is not read). */
const MAX_VAULT_FILE = 1 << 20;

/** Read `vault.json`: 'vault-not-found' when the vault or the file is missing. */
export async function readVaultConfig(store: VaultStore): Promise<VaultConfig> {
  return (await readVaultConfigVersion(store)).config;
}

/**
 * `vault.json` and the store's version of the very bytes read, so an opener that later stats the
 * file (VaultStore.stat) to notice a re-key need not read it again. The store opens only a regular
 * file and never follows a link (a FIFO never blocks, SPEC §9), and refuses it past MAX_VAULT_FILE
 * before reading.
 */
export async function readVaultConfigVersion(store: VaultStore): Promise<{ config: VaultConfig; version: string }> {
  let bytes: Buffer;
  let version: string;
  try {
    ({ bytes, version } = await store.readSmall(VAULT_FILE, MAX_VAULT_FILE));
  } catch (e) {
    const where = { path: store.location };
    if (!(e instanceof CachetError)) throw new CachetError('io', 'cannot read vault.json', where, { cause: e });
    if (e.code === 'bad-request' && e.detail['reason'] === 'symlink') throw corrupt('not-a-file', e);
    if (e.code === 'bad-request' && e.detail['reason'] === 'too-large') throw corrupt('too-large', e);
    const errno = e.detail['errno'];
    if (e.code === 'not-found' || e.code === 'vault-not-found') throw new CachetError('vault-not-found', 'no vault here', where, { cause: e });
    if (errno === undefined) throw e; // a store's own code (S3: access denied, unreachable, ...)
    if (errno === 'EISDIR') throw corrupt('not-a-file', e);
    throw new CachetError(errno === 'EACCES' || errno === 'EPERM' ? 'permission-denied' : 'io', 'cannot read vault.json', { ...where, errno }, { cause: e });
  }
  return { config: decodeVaultConfig(bytes), version };
}

/** Names a person's OS drops into any folder; a folder holding only these counts as empty. */
export const IGNORABLE_NAMES: ReadonlySet<string> = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini', '.localized']);
