// The client's memory of the vaults it has opened (SPEC §12): for each vault id, the key set it
// last accepted and whether that set was authenticated (vault.json version 2). Kept in
// `$CACHET_HOME/known-vaults.json`, replaced atomically (app/fs/atomic.ts). It decides nothing
// itself: config-auth.ts compares a vault.json against it. It holds ids and key ids only, no
// secret and no name.
//
// Two processes remembering at once may lose one update (last writer wins): the loser's vault is
// then met again as new (trust on first use), never wrongly trusted with another key set.

import { mkdir, readFile } from 'node:fs/promises';
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
}

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

/** The store in `file` (default `$CACHET_HOME/known-vaults.json`). */
export function knownVaultsFile(file: string = join(cachetHome(), KNOWN_VAULTS_FILE)): KnownVaults {
  const load = async (): Promise<Map<string, KnownVault>> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new CachetError('io', 'cannot read known-vaults.json', { path: file, errno: (e as NodeJS.ErrnoException).code }, { cause: e });
    }
    if (text.length > MAX_FILE) throw new CachetError('io', 'known-vaults.json is too large', { path: file });
    const m = new Map<string, KnownVault>();
    let j: unknown;
    try {
      j = JSON.parse(text);
    } catch (e) {
      // A damaged memory must not be mistaken for "never seen": that would trust anything.
      throw new CachetError('io', 'known-vaults.json is not valid JSON', { path: file, reason: 'known-vaults' }, { cause: e });
    }
    const vaults = (j as { vaults?: unknown } | null)?.vaults;
    if ((j as { format?: unknown } | null)?.format !== FORMAT || typeof vaults !== 'object' || vaults === null) {
      throw new CachetError('io', 'known-vaults.json is not a known-vaults file', { path: file, reason: 'known-vaults' });
    }
    for (const [id, v] of Object.entries(vaults as Record<string, unknown>)) {
      const keys = parseKeys((v as { keys?: unknown } | null)?.keys);
      if (isItemId(id) && keys) m.set(id, { keys, authenticated: (v as { authenticated?: unknown }).authenticated === true });
    }
    return m;
  };
  return {
    async get(vaultId) {
      return (await load()).get(vaultId);
    },
    async remember(vaultId, known) {
      const m = await load();
      m.set(vaultId, { keys: known.keys.map((k) => ({ provider: k.provider, keyId: k.keyId })), authenticated: known.authenticated });
      const vaults = Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const bytes = Buffer.from(`${JSON.stringify({ format: FORMAT, version: 1, vaults }, null, 2)}\n`, 'utf8');
      await writeAtomic(file, (fh) => fh.writeFile(bytes), { overwrite: true, mode: 0o600 });
    },
  };
}
