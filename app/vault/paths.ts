// Vault paths on this computer: where a vault path (SPEC §5) lands under a destination folder,
// with the containment check (`toFsPath`), and what Windows cannot create as a name. Every rule
// of a vault path itself lives in the pure ./path-rules.ts (re-exported here, so the core keeps
// one import); what a destination cannot hold (Windows: `a:b`, `CON`, a trailing dot) is a
// destination concern and stays here, beside the mapping. This module does not touch the disk.

import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { badRequest } from '../errors.js';
import { normalizeVaultPath } from './path-rules.js';

export {
  baseName, folderOf, folderPathProblem, isUnder, isValidFolderPath, isValidVaultPath, isVaultPath, joinVaultPath, keepBothName,
  MAX_DEPTH, MAX_PATH_BYTES, MAX_SEGMENT_BYTES, normalizeFolderPath, normalizeVaultPath, VAULT_PATH_PROBLEMS, vaultPathProblem,
  type VaultPathProblem,
} from './path-rules.js';

// What Windows cannot create as a file or folder name (Microsoft's "Naming Files, Paths, and
// Namespaces"): device names, also with an extension (`CON`, `nul.txt`, `COM1.log`); the characters
// < > : " | ? * (`a:b` would write an NTFS alternate data stream of a file `a`); a name that ends
// in a dot or a space (Windows drops them, so it would write another name). Vault paths allow all
// of these, since Linux and macOS do and vaults are shared between systems; they are refused
// only where a name is written on Windows.
const WINDOWS_DEVICE = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\.|$)/i;
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;

/** Why Windows cannot have a file or folder named `segment`, or undefined when it can. */
export function windowsNameProblem(segment: string): string | undefined {
  if (WINDOWS_FORBIDDEN.test(segment)) return 'it holds a character Windows does not allow in names (< > : " | ? *)';
  if (WINDOWS_DEVICE.test(segment)) return 'Windows reserves the name for a device';
  if (/[. ]$/.test(segment)) return 'it ends in a dot or a space, which Windows drops';
  return undefined;
}

/**
 * `name` (one segment) as a name this platform can create: unchanged except on Windows, where
 * forbidden characters become `_`, trailing dots and spaces go, and a device name gets a `_`
 * prefix. For names of Cachet's own choosing (temporary copies), never for extraction, which
 * refuses instead (`toFsPath`).
 */
export function portableFileName(name: string, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'win32') return name;
  let n = name.replace(new RegExp(WINDOWS_FORBIDDEN.source, 'g'), '_').replace(/[. ]+$/, '');
  if (WINDOWS_DEVICE.test(n)) n = `_${n}`;
  return n === '' ? '_' : n;
}

/**
 * Where the vault path `path` lands under the folder `destDir`. Precondition: `path` is a
 * canonical vault path (so it has no `..`); the containment check below is the second line of
 * defence (for instance against a Windows drive-relative name like `C:x`). On Windows a segment
 * Windows cannot create is refused (`not-portable`), so an item is never written under another
 * name, to a device, or into an alternate data stream.
 */
export function toFsPath(destDir: string, path: string, platform: NodeJS.Platform = process.platform): string {
  const segments = normalizeVaultPath(path).split('/');
  if (platform === 'win32') {
    for (const segment of segments) {
      const problem = windowsNameProblem(segment);
      if (problem) throw badRequest('not-portable', `"${segment}" cannot be written on Windows: ${problem}`, { segment, path });
    }
  }
  const root = resolve(destDir);
  const out = resolve(join(root, ...segments));
  const rel = relative(root, out);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw badRequest('escapes-destination', 'invalid vault path: escapes-destination');
  }
  return out;
}
