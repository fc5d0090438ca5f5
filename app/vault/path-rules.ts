// @pure — imports nothing Node-only, so the IPC contract and the renderer bundle it too
// (test/layering.test.ts checks the tag).
// Every rule of a vault path (SPEC §5 `path`), in one place: the core (app/vault/paths.ts
// re-exports this), the IPC contract's VaultPath/VaultDir schemas and the renderer's pre-check all
// call it, so no side accepts what another refuses. A vault path is metadata only, never a
// file-system path: `/`-separated, relative, NFC, with no empty, `.` or `..` segment, no
// backslash, no control character, no lone surrogate, and bounded in bytes and segments.
// What a destination's file system cannot create (Windows: `a:b`, `CON`, a trailing dot) is not a
// vault-path rule: it is checked where a vault path is mapped onto a folder (paths.ts toFsPath).
// This module does not touch the disk.

import { badRequest, type BadRequestReason, type CachetError } from '../errors.js';
import { utf8Length } from '../format/limits.js';

/** Bytes of UTF-8 in one segment: the common file-system limit for a name. */
export const MAX_SEGMENT_BYTES = 255;
/** Bytes of UTF-8 in a whole path. */
export const MAX_PATH_BYTES = 4096;
/** Segments in a path. */
export const MAX_DEPTH = 64;

/** Why a string is not a vault path: the `reason` of the `bad-request` the core throws. */
export const VAULT_PATH_PROBLEMS = [
  'not-a-string', 'empty', 'invalid-unicode', 'too-long', 'control-character', 'backslash', 'absolute',
  'too-deep', 'empty-segment', 'dot-segment', 'segment-too-long',
] as const satisfies readonly BadRequestReason[];
export type VaultPathProblem = (typeof VAULT_PATH_PROBLEMS)[number];

// C0 controls, DEL and C1 controls: never part of a name a person typed, and some of them reorder or
// hide text in a terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

// A UTF-16 surrogate without its pair has no UTF-8 encoding: such a name could not be stored.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The NFC form of an item path and undefined, or undefined and why it is no vault path.
 * Precondition: `input` names an item, so it has at least one segment.
 */
function check(input: unknown): { path: string; problem?: undefined } | { path?: undefined; problem: VaultPathProblem } {
  if (typeof input !== 'string') return { problem: 'not-a-string' };
  if (input.length === 0) return { problem: 'empty' };
  if (LONE_SURROGATE.test(input)) return { problem: 'invalid-unicode' };
  // SPEC §5: stored paths are NFC; a path given in another form (macOS file names are NFD) is
  // normalised first, and every limit below is measured on the NFC form.
  const path = input.normalize('NFC');
  if (utf8Length(path) > MAX_PATH_BYTES) return { problem: 'too-long' };
  if (CONTROL.test(path)) return { problem: 'control-character' };
  if (path.includes('\\')) return { problem: 'backslash' };
  if (path.startsWith('/')) return { problem: 'absolute' };
  const segments = path.split('/');
  if (segments.length > MAX_DEPTH) return { problem: 'too-deep' };
  for (const s of segments) {
    if (s === '') return { problem: 'empty-segment' };
    if (s === '.' || s === '..') return { problem: 'dot-segment' };
    if (utf8Length(s) > MAX_SEGMENT_BYTES) return { problem: 'segment-too-long' };
  }
  return { path };
}

const LIMITS: Partial<Record<VaultPathProblem, number>> = { 'too-long': MAX_PATH_BYTES, 'too-deep': MAX_DEPTH, 'segment-too-long': MAX_SEGMENT_BYTES };

/** Why `input` is not an item path (before NFC normalisation), or undefined when it is one. */
export function vaultPathProblem(input: unknown): VaultPathProblem | undefined {
  return check(input).problem;
}

/** `''`, `'/'` and one trailing `/` name a folder; the rest is an item path. */
function folderAsItemPath(input: unknown): unknown {
  return typeof input === 'string' && input.endsWith('/') ? input.slice(0, -1) : input;
}
function isRoot(input: unknown): boolean {
  return input === undefined || input === '' || input === '/';
}

/** Why `input` is not a folder path, or undefined when it is one (the root is `''`). */
export function folderPathProblem(input: unknown): VaultPathProblem | undefined {
  return isRoot(input) ? undefined : vaultPathProblem(folderAsItemPath(input));
}

/** True when `input` is an item path once normalised: the verdict every layer gives. */
export function isValidVaultPath(input: unknown): input is string {
  return vaultPathProblem(input) === undefined;
}

/** True when `input` is a folder path (or the root `''`) once normalised. */
export function isValidFolderPath(input: unknown): input is string {
  return typeof input === 'string' && folderPathProblem(input) === undefined;
}

function bad(problem: VaultPathProblem): CachetError {
  const max = LIMITS[problem];
  return badRequest(problem, `invalid vault path: ${problem}`, max === undefined ? {} : { max });
}

/** The canonical (NFC) form of an item path, or `bad-request` with the problem as `reason`. */
export function normalizeVaultPath(input: unknown): string {
  const r = check(input);
  if (r.problem !== undefined) throw bad(r.problem);
  return r.path;
}

/** The canonical form of a folder path: like an item path, but `''` (and `'/'`) is the root and one trailing `/` is allowed. */
export function normalizeFolderPath(input: unknown): string {
  return isRoot(input) ? '' : normalizeVaultPath(folderAsItemPath(input));
}

/** True when `path` is a valid canonical vault path (already NFC, no repair needed). */
export function isVaultPath(path: unknown): path is string {
  const r = check(path);
  return r.problem === undefined && r.path === path;
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
