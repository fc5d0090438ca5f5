// The vault folder on disk (SPEC §9): file names, ids, encryption contexts and the `vault.json`
// codec. Which names in `items/` are items, which are leftovers of a killed writer (`.tmp-*`) and
// which are copies a sync service made when two machines changed one item (`<id> (conflicted
// copy).env`, `<id>.sync-conflict-….env`, ...). It does not read or write envelopes.

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CachetError } from '../errors.js';
import { openRegular, type RegularFile } from '../fs/regular-file.js';
import { versionOf } from './folder-store.js';
import type { EncryptionContext, ProviderType } from '../keys/provider.js';

export const VAULT_FILE = 'vault.json';
export const ITEMS_DIR = 'items';
export const INDEX_FILE = 'index.env';
export const ITEM_EXT = '.env';
export const VAULT_FORMAT = 'cachet-vault';
export const VAULT_VERSION = 1;
/** A vault names at most this many keys (the header holds at most 16 stanzas, SPEC §4). */
export const MAX_VAULT_KEYS = 16;

/** A key of the vault, as in vault.json. For aws-kms, keyId is the key ARN once the vault exists. */
export interface VaultKey {
  provider: ProviderType;
  keyId: string;
}

export interface VaultConfig {
  format: typeof VAULT_FORMAT;
  version: typeof VAULT_VERSION;
  id: string;
  keys: VaultKey[];
  created: string;
}

const ID_RE = /^[0-9a-f]{32}$/;
const ITEM_NAME_RE = /^([0-9a-f]{32})\.env$/;
// A name that starts with an item id and ends in .env but is not canonical: what Dropbox, Syncthing,
// OneDrive, Nextcloud and Google Drive call a conflicted copy of `<id>.env`.
const CONFLICT_NAME_RE = /^([0-9a-f]{32})(?!\.env$).*\.env$/i;

/** 16 random bytes as 32 lowercase hex digits (SPEC §3). */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

export function isId(s: unknown): s is string {
  return typeof s === 'string' && ID_RE.test(s);
}

export function itemsDir(vaultDir: string): string {
  return join(vaultDir, ITEMS_DIR);
}

export function itemFile(vaultDir: string, id: string): string {
  if (!isId(id)) throw new CachetError('internal', 'not an item id');
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
  if (o['version'] !== VAULT_VERSION) {
    throw new CachetError('unsupported-version', `vault version ${String(o['version'])} is not supported`, { version: String(o['version']) });
  }
  if (!isId(o['id'])) throw corrupt('id');
  const keys = o['keys'];
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_VAULT_KEYS) throw corrupt('keys');
  const parsed: VaultKey[] = keys.map((k: unknown) => {
    const r = k as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null) throw corrupt('keys');
    const provider = r['provider'];
    const keyId = r['keyId'];
    if (provider !== 'aws-kms' && provider !== 'local') throw corrupt('key-provider');
    if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 2048) throw corrupt('key-id');
    return { provider, keyId };
  });
  const created = typeof o['created'] === 'string' ? o['created'] : '';
  return { format: VAULT_FORMAT, version: VAULT_VERSION, id: o['id'], keys: parsed, created };
}

export function encodeVaultConfig(c: VaultConfig): Buffer {
  const out = { format: c.format, version: c.version, id: c.id, keys: c.keys.map((k) => ({ provider: k.provider, keyId: k.keyId })), created: c.created };
  return Buffer.from(`${JSON.stringify(out, null, 2)}\n`, 'utf8');
}

/** A vault.json is a few hundred bytes; anything past this is not one (and is not read). */
const MAX_VAULT_FILE = 1 << 20;

/** Read `vault.json`: 'vault-not-found' when the folder or the file is missing. */
export async function readVaultConfig(vaultDir: string): Promise<VaultConfig> {
  return (await readVaultConfigVersion(vaultDir)).config;
}

/**
 * `vault.json` and the version (size:mtime:inode, folder-store.ts) of the very bytes read, so an
 * opener that later stats the file (FolderStore.stat) to notice a re-key need not read it again. Opened
 * without following a link and refused unless a regular file: a FIFO never blocks (SPEC §9).
 */
export async function readVaultConfigVersion(vaultDir: string): Promise<{ config: VaultConfig; version: string }> {
  let bytes: Buffer;
  let version: string;
  let f: RegularFile | undefined;
  try {
    f = await openRegular(join(vaultDir, VAULT_FILE), { follow: false, what: 'read vault.json' });
    // Bound before reading: one descriptor, so the size checked is the size of the file read.
    if (f.size > MAX_VAULT_FILE) throw corrupt('too-large');
    bytes = await f.fh.readFile();
    version = versionOf(f);
  } catch (e) {
    if (!(e instanceof CachetError)) throw new CachetError('io', 'cannot read vault.json', { path: vaultDir }, { cause: e });
    if (e.code === 'bad-request' && e.detail['reason'] === 'symlink') throw corrupt('not-a-file', e);
    const errno = e.detail['errno'];
    if (errno === undefined) throw e; // one of ours (too-large)
    if (errno === 'ENOENT' || errno === 'ENOTDIR') {
      throw new CachetError('vault-not-found', 'no vault in this folder', { path: vaultDir }, { cause: e });
    }
    if (errno === 'EISDIR') throw corrupt('not-a-file', e);
    throw new CachetError(errno === 'EACCES' || errno === 'EPERM' ? 'permission-denied' : 'io', 'cannot read vault.json', { path: vaultDir, errno }, { cause: e });
  } finally {
    await f?.fh.close().catch(() => {});
  }
  if (bytes.length > MAX_VAULT_FILE) throw corrupt('too-large'); // grew between stat and read
  return { config: decodeVaultConfig(bytes), version };
}

/** Names a person's OS drops into any folder; a folder holding only these counts as empty. */
export const IGNORABLE_NAMES: ReadonlySet<string> = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini', '.localized']);
