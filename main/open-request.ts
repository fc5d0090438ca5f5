// Files the OS asks Cachet to open: a double-clicked sealed envelope or a vault folder's
// vault.json, from the command line (Windows, Linux, and a second launch handed over by the
// single-instance lock) or macOS `open-file`. Decides which paths are ours and what they are:
// a vault (vault.json, opened as its folder) or an envelope (the CACHET magic at offset 0 and the
// version byte, whatever the file's name: a dotenv `.env` is not ours). Reads at most the magic; node:fs only. Showing
// them is the renderer's (the `app:open-path` event); main grants read access to the path first.

import { open, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { MAGIC, VERSION, hasMagic } from '../app/format/header.js';
import { VAULT_FILE } from '../app/vault/layout.js';

export interface OpenRequest {
  kind: 'vault' | 'envelope';
  /** Absolute: the vault folder, or the envelope file. */
  path: string;
}

/** Command-line arguments that may name files: not the executable, not the app folder in a dev run, not switches. */
export function argvPaths(argv: readonly string[], opts: { packaged: boolean; cwd: string }): string[] {
  const args = argv.slice(opts.packaged ? 1 : 2);
  return args.filter((a) => a.length > 0 && !a.startsWith('-')).map((a) => (isAbsolute(a) ? a : resolve(opts.cwd, a)));
}

/**
 * The magic, then the version byte (SPEC §4) of the format this build reads: a binary byte, where
 * a dotenv or text file that starts `CACHET_TOKEN=` or `CACHET\n` goes on with text.
 * build/linux/cachet-envelope.xml sniffs the same bytes.
 */
export function looksSealed(start: Uint8Array): boolean {
  return hasMagic(start) && start[MAGIC.length] === VERSION;
}

/** What `path` is to Cachet, or undefined when it is not a regular file of ours (never throws). */
export async function classifyOpenPath(path: string): Promise<OpenRequest | undefined> {
  if (!isAbsolute(path)) return undefined;
  try {
    if (!(await stat(path)).isFile()) return undefined;
    if (basename(path) === VAULT_FILE) return { kind: 'vault', path: dirname(path) };
    const fh = await open(path, 'r');
    try {
      const start = Buffer.alloc(MAGIC.length + 1);
      const { bytesRead } = await fh.read(start, 0, start.length, 0);
      return looksSealed(start.subarray(0, bytesRead)) ? { kind: 'envelope', path } : undefined;
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}
