// The client's memory of the vaults it has opened (SPEC §12): for each vault id, the key set it
// last accepted and whether that set was authenticated (vault.json version 2). One file per vault,
// `$CACHET_HOME/known-vaults/<vault id>.json`, replaced atomically (app/fs/atomic.ts), so two
// processes remembering different vaults at once never lose each other's update (one shared file
// did: last writer won). `known-vaults.json`, the single file of earlier versions, is still read
// for vaults that have no file of their own, and is only rewritten by `forget`. It decides nothing
// itself: config-auth.ts compares a vault.json against it. It holds ids and key ids only, no
// secret and no name.

import { mkdir, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CachetError } from '../errors.js';
import { writeAtomic } from '../fs/atomic.js';
import { cachetHome } from '../fs/home.js';
import { isItemId, MAX_VAULT_KEYS } from '../format/limits.js';
import type { VaultKey } from './layout.js';

export const KNOWN_VAULTS_FILE = 'known-vaults.json';
const FORMAT = 'cachet-known-vaults';
const MAX_FILE = 4 << 20;

export interface KnownVault {
  keys: VaultKey[];
  /** The key set was checked by a vault config MAC (version 2), not merely read (version 1). */
  authenticated: boolean;
}

export interface KnownVaults {
  get(vaultId: string): Promise<KnownVault | undefined>;
  remember(vaultId: string, known: KnownVault): Promise<void>;
  /** Drop what is remembered of `vaultId`: its next open trusts its vault.json as on first use. Returns whether anything was known. */
  forget(vaultId: string): Promise<boolean>;
}

/** The per-vault folder beside the legacy file: `<dir of file>/known-vaults/`. */
export const KNOWN_VAULTS_DIR = 'known-vaults';
const MAX_ENTRY = 64 << 10;

function parseKeys(v: unknown): VaultKey[] | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_VAULT_KEYS) return undefined;
  const out: VaultKey[] = [];
  for (const k of v as unknown[]) {
    const r = k as Record<string, unknown> | null;
    if (!r || (r['provider'] !== 'aws-kms' && r['provider'] !== 'local') || typeof r['keyId'] !== 'string') return undefined;
    out.push({ provider: r['provider'], keyId: r['keyId'] });
  }
  return out;
}

/** The store beside `file` (default `$CACHET_HOME/known-vaults.json`; per-vault files in `known-vaults/`). */
export function knownVaultsFile(file: string = join(cachetHome(), KNOWN_VAULTS_FILE)): KnownVaults {
  const folder = join(dirname(file), KNOWN_VAULTS_DIR);
  const entryFile = (vaultId: string): string => {
    if (!isItemId(vaultId)) throw new CachetError('internal', 'a vault id is 32 lowercase hex digits');
    return join(folder, `${vaultId}.json`);
  };
  const readText = async (path: string, max: number, what: string): Promise<string | undefined> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CachetError('io', `cannot read ${what}`, { path, errno: (e as NodeJS.ErrnoException).code }, { cause: e });
    }
    if (text.length > max) throw new CachetError('io', `${what} is too large`, { path });
    return text;
  };
  /** Parse JSON, refusing a damaged memory: it must not be mistaken for "never seen" (that would trust anything). */
  const parse = (text: string, path: string, what: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new CachetError('io', `${what} is not valid JSON`, { path, reason: 'known-vaults' }, { cause: e });
    }
  };
  const toKnown = (v: unknown): KnownVault | undefined => {
    const keys = parseKeys((v as { keys?: unknown } | null)?.keys);
    return keys ? { keys, authenticated: (v as { authenticated?: unknown }).authenticated === true } : undefined;
  };
  const loadLegacy = async (): Promise<{ map: Map<string, KnownVault>; raw: Record<string, unknown> } | undefined> => {
    const text = await readText(file, MAX_FILE, 'known-vaults.json');
    if (text === undefined) return undefined;
    const j = parse(text, file, 'known-vaults.json');
    const vaults = (j as { vaults?: unknown } | null)?.vaults;
    if ((j as { format?: unknown } | null)?.format !== FORMAT || typeof vaults !== 'object' || vaults === null) {
      throw new CachetError('io', 'known-vaults.json is not a known-vaults file', { path: file, reason: 'known-vaults' });
    }
    const map = new Map<string, KnownVault>();
    for (const [id, v] of Object.entries(vaults as Record<string, unknown>)) {
      const k = toKnown(v);
      if (isItemId(id) && k) map.set(id, k);
    }
    return { map, raw: vaults as Record<string, unknown> };
  };
  const writeJson = async (path: string, value: unknown): Promise<void> => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const bytes = Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
    await writeAtomic(path, (fh) => fh.writeFile(bytes), { overwrite: true, mode: 0o600 });
  };
  return {
    async get(vaultId) {
      const path = entryFile(vaultId);
      const text = await readText(path, MAX_ENTRY, `the known-vaults entry of ${vaultId}`);
      if (text === undefined) return (await loadLegacy())?.map.get(vaultId);
      const j = parse(text, path, `the known-vaults entry of ${vaultId}`) as { format?: unknown; vault?: unknown } | null;
      const k = j?.format === FORMAT && j.vault === vaultId ? toKnown(j) : undefined;
      if (!k) throw new CachetError('io', `the known-vaults entry of ${vaultId} is damaged`, { path, reason: 'known-vaults' });
      return k;
    },
    async remember(vaultId, known) {
      await writeJson(entryFile(vaultId), {
        format: FORMAT, version: 1, vault: vaultId,
        keys: known.keys.map((k) => ({ provider: k.provider, keyId: k.keyId })), authenticated: known.authenticated,
      });
    },
    async forget(vaultId) {
      let found = false;
      try {
        await unlink(entryFile(vaultId));
        found = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new CachetError('io', 'cannot remove the known-vaults entry', { path: entryFile(vaultId), errno: (e as NodeJS.ErrnoException).code }, { cause: e });
      }
      const legacy = await loadLegacy();
      if (legacy && vaultId in legacy.raw) {
        const { [vaultId]: _dropped, ...rest } = legacy.raw;
        await writeJson(file, { format: FORMAT, version: 1, vaults: rest });
        found = true;
      }
      return found;
    },
  };
}
