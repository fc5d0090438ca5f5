// A loose envelope (a sealed `.env` file outside a vault, SPEC §4): what it says about itself and
// the name its decrypted copy takes. One home for the CLI's `inspect`/`decrypt` and the app's
// envelope view (main/ipc/handlers/envelope.ts). Node only; no Electron.

import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { inspectFile, readMetadata, type HeaderInfo, type ItemMetadata } from './envelope.js';
import { fromSystemError, isCachetError, type CachetError } from './errors.js';
import type { Keyring } from './keys/provider.js';
import { ITEM_EXT } from './vault/layout.js';
import { baseName, normalizeVaultPath } from './vault/path-rules.js';

/** The envelope file extension (the vault's item files use the same, SPEC §9). */
export const ENVELOPE_EXT = ITEM_EXT;

/**
 * The file name a decrypted copy takes by itself: the last segment of the path stored (and
 * authenticated) in the envelope, when it is a plain name; not a hidden name (an envelope must
 * not place a dotfile such as .bashrc by itself), not `stdin` (what `encrypt -` stores). Else the
 * envelope's own name without `.env` (the person named that file). Undefined when neither gives a name.
 */
export function decryptedName(stored: string | undefined, envelopeName: string): string | undefined {
  if (stored !== undefined) {
    try {
      const name = baseName(normalizeVaultPath(stored));
      if (!name.startsWith('.') && name !== 'stdin') return name;
    } catch {
      // not a usable vault path: fall back to the envelope's name
    }
  }
  const own = basename(envelopeName);
  return own.endsWith(ENVELOPE_EXT) && own.length > ENVELOPE_EXT.length ? own.slice(0, -ENVELOPE_EXT.length) : undefined;
}

export interface EnvelopeDescription {
  readonly header: HeaderInfo;
  readonly fileSize: number;
  /** The envelope file's modification time (ms): when it was sealed, unless copied since. */
  readonly modifiedAt: number;
  /** The vault it was sealed for (SPEC §9 `cachet:vault`), or null for a loose file. */
  readonly vault: string | null;
  /** Read with the keys at hand; null when they do not open it (`error` says why). */
  readonly metadata: ItemMetadata | null;
  readonly error: CachetError | null;
}

/** The header, and the sealed file's name, size and time when a key at hand opens it (one unwrap; the payload is not read). */
export async function describeEnvelope(path: string, opts: { keyring: Keyring; signal?: AbortSignal }): Promise<EnvelopeDescription> {
  const header = await inspectFile(path);
  const st = await stat(path).catch((e: unknown) => {
    throw fromSystemError(e, 'read', path);
  });
  let metadata: ItemMetadata | null = null;
  let error: CachetError | null = null;
  try {
    metadata = (await readMetadata(path, { keyring: opts.keyring, ...(opts.signal ? { signal: opts.signal } : {}) })).metadata;
  } catch (e) {
    if (!isCachetError(e) || e.code === 'cancelled') throw e;
    error = e;
  }
  return { header, fileSize: st.size, modifiedAt: Math.round(st.mtimeMs), vault: header.context['cachet:vault'] ?? null, metadata, error };
}
