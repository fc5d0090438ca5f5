// Vault paths: the names items carry inside a vault (SPEC §5 `path`, SPEC §9). A vault path is
// metadata only, never a file-system path: `/`-separated, relative, NFC-normalised, with no empty,
// `.` or `..` segment, no backslash, no control character and bounded lengths. Every path that
// enters the vault (from argv, IPC or a file name found while adding a folder) goes through
// `normalizeVaultPath`, and every path read back from an item header is checked the same way, so
// a hostile header cannot make `extract` write outside its destination.
// This module does not touch the disk; mapping a vault path onto a destination folder, with the
// containment check, is `toFsPath`.

import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { badRequest, CachetError, type BadRequestReason } from '../errors.js';

/** Bytes of UTF-8 in one segment: the common file-system limit for a name. */
export const MAX_SEGMENT_BYTES = 255;
/** Bytes of UTF-8 in a whole path. */
export const MAX_PATH_BYTES = 4096;
/** Segments in a path. */
export const MAX_DEPTH = 64;

// C0 controls, DEL and C1 controls: never part of a name a person typed, and some of them reorder or
// hide text in a terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

// A UTF-16 surrogate without its pair has no UTF-8 encoding: such a name could not be stored.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function bad(reason: BadRequestReason, detail: Record<string, string | number> = {}): CachetError {
  return badRequest(reason, `invalid vault path: ${reason}`, detail);
}

/**
 * The canonical form of an item path, or `bad-request`. Precondition: `input` names an item, so
 * it has at least one segment.
 */
export function normalizeVaultPath(input: unknown): string {
  if (typeof input !== 'string') throw bad('not-a-string');
  if (input.length === 0) throw bad('empty');
  if (LONE_SURROGATE.test(input)) throw bad('invalid-unicode');
  const path = input.normalize('NFC');
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) throw bad('too-long', { max: MAX_PATH_BYTES });
  if (CONTROL.test(path)) throw bad('control-character');
  if (path.includes('\\')) throw bad('backslash');
  if (path.startsWith('/')) throw bad('absolute');
  const segments = path.split('/');
  if (segments.length > MAX_DEPTH) throw bad('too-deep', { max: MAX_DEPTH });
  for (const s of segments) {
    if (s === '') throw bad('empty-segment');
    if (s === '.' || s === '..') throw bad('dot-segment');
    if (Buffer.byteLength(s, 'utf8') > MAX_SEGMENT_BYTES) throw bad('segment-too-long', { max: MAX_SEGMENT_BYTES });
  }
  return path;
}

/**
 * The canonical form of a folder path: like an item path, but `''` (and `'/'`) is the root and
 * one trailing `/` is allowed.
 */
export function normalizeFolderPath(input: unknown): string {
  if (input === undefined || input === '' || input === '/') return '';
  if (typeof input !== 'string') throw bad('not-a-string');
  return normalizeVaultPath(input.endsWith('/') ? input.slice(0, -1) : input);
}

/** True when `path` is a valid canonical vault path (already NFC, no repair needed). */
export function isVaultPath(path: unknown): path is string {
  try {
    return normalizeVaultPath(path) === path;
  } catch {
    return false;
  }
}

/** `folder/name` (or `name` at the root), checked. */
export function joinVaultPath(folder: string, ...names: string[]): string {
  return normalizeVaultPath([folder, ...names].filter((s) => s !== '').join('/'));
}

/** The last segment. */
export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** The folder part (`''` at the root). */
export function folderOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** True when `path` is `folder` itself or lies under it; every path is under the root `''`. */
export function isUnder(path: string, folder: string): boolean {
  return folder === '' || path === folder || path.startsWith(`${folder}/`);
}

/**
 * The `n`th "keep both" name: `report.pdf` -> `report (2).pdf`, `.bashrc` -> `.bashrc (2)`,
 * `notes` -> `notes (2)`. Only the last segment changes.
 */
export function keepBothName(path: string, n: number): string {
  const folder = folderOf(path);
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  return joinVaultPath(folder, `${stem} (${n})${ext}`);
}

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
    throw bad('escapes-destination');
  }
  return out;
}
