// @pure — imports nothing, so the contract and the renderer bundle it (test/layering.test.ts checks the tag).
// The one error type of the core. Every expected failure is a CachetError with a code from the
// closed set below; the code says what went wrong, `detail` carries the facts a hint needs (which
// key, which item, which profile). The core never turns codes into sentences: only the CLI
// (app/cli/messages.ts) and the renderer (renderer/errors/messages.ts) do that.
// Detail values must never hold key material, credentials or plaintext content.

export const ERROR_CODES = [
  // requests and arguments
  'bad-request',
  'cancelled',
  'not-found',
  'exists',
  // a vault path that is a folder of another item's path, or the reverse (`a` beside `a/x`, SPEC §9)
  'path-clash',
  // a conditional write lost to another writer (a vault store's { ifVersion }): re-read and retry
  'conflict',
  // files and disks
  'io',
  'disk-full',
  'permission-denied',
  'changed-while-reading',
  // the envelope format (SPEC.md)
  'not-envelope',
  'unsupported-version',
  'header-corrupt',
  'tampered',
  'truncated',
  'trailing-data',
  'reordered',
  'wrong-key',
  'context-mismatch',
  // vaults
  'vault-not-found',
  'vault-corrupt',
  'vault-keys-changed',
  // key providers
  'local-key-missing',
  'local-key-locked',
  'bad-passphrase',
  'kms-access-denied',
  'kms-key-disabled',
  'kms-key-pending-deletion',
  'kms-key-not-found',
  'kms-invalid-ciphertext',
  'kms-throttled',
  'kms-unreachable',
  'kms-error',
  'credentials-missing',
  'credentials-expired',
  'sso-expired',
  'profile-not-found',
  'aws-config-invalid',
  // S3 vault stores (app/vault/s3-errors.ts): `bucket`, `key`, `operation` name what was refused
  's3-access-denied',
  's3-bucket-not-found',
  's3-error',
  // access history (app/keys/access-history.ts): the identity may not call cloudtrail:LookupEvents
  'cloudtrail-access-denied',
  // anything else is a bug
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Facts about a failure, for the message layer. Plain JSON-able values only, never secrets. */
export type ErrorDetail = Record<string, string | number | boolean | undefined>;

export class CachetError extends Error {
  override readonly name = 'CachetError';
  readonly code: ErrorCode;
  readonly detail: ErrorDetail;

  constructor(code: ErrorCode, message: string, detail: ErrorDetail = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.detail = detail;
  }

  toJSON(): { code: ErrorCode; message: string; detail: ErrorDetail } {
    return { code: this.code, message: this.message, detail: this.detail };
  }
}

export function isCachetError(e: unknown, code?: ErrorCode): e is CachetError {
  return e instanceof CachetError && (code === undefined || e.code === code);
}

/**
 * Why a request was refused (`bad-request`, in `detail.reason`): a closed set, so each refusal
 * a person can act on has its own words in the CLI (app/cli/messages.ts) and the app
 * (renderer/errors/messages.ts), both tables checked complete by the compiler.
 * Make the error with `badRequest`, never `new CachetError('bad-request', ...)`.
 */
export const BAD_REQUEST_REASONS = [
  // vault paths (SPEC §5, app/vault/paths.ts)
  'not-a-string',
  'empty',
  'invalid-unicode',
  'too-long',
  'control-character',
  'backslash',
  'absolute',
  'too-deep',
  'empty-segment',
  'dot-segment',
  'segment-too-long',
  'escapes-destination',
  'not-portable',
  // a vault's keys
  'no-keys',
  'too-many-keys',
  'bad-key',
  'duplicate-key',
  'unchecked',
  'no-provider',
  'other-local-key',
  // vault folders, items and sources
  'closed',
  'no-vault-open',
  'no-kms-keys',
  'not-local',
  'not-empty',
  'not-a-folder',
  'not-a-file',
  'not-absolute',
  'vault-folder',
  'bad-s3-location',
  'no-history',
  'symlink',
  'special-file',
  'name-not-utf8',
  'too-many-files',
  'whole-drive',
  'file-too-large',
  'empty-ref',
  'ambiguous',
  'runnable',
  // key sources
  'no-region',
  'key-usage',
  'bad-alias',
  'safe-storage-unavailable',
  'empty-passphrase',
  'weak-passphrase',
  'passphrase-mismatch',
  'key-file-invalid',
  // the CLI's own arguments
  'folder-to-stdout',
  'no-output-name',
  // IPC requests (main/ipc/dispatch.ts)
  'unknown-channel',
  'too-large',
  'invalid-request',
  // a caller broke an API's precondition: a bug in the caller, nothing a person can act on
  'conflict',
  'sources',
  'size',
  'max-bytes',
  'header-limit',
  'invalid-argument',
] as const;

export type BadRequestReason = (typeof BAD_REQUEST_REASONS)[number];

/** A `bad-request` refusal with its reason (the only way to make one). */
export function badRequest(reason: BadRequestReason, message: string, detail: ErrorDetail = {}, options?: { cause?: unknown }): CachetError {
  return new CachetError('bad-request', message, { ...detail, reason }, options);
}

/** The reason of a `bad-request` detail, if it is one of ours (a detail that crossed IPC is untrusted). */
export function badRequestReason(detail: ErrorDetail | undefined): BadRequestReason | undefined {
  const r = detail?.['reason'];
  return typeof r === 'string' && (BAD_REQUEST_REASONS as readonly string[]).includes(r) ? (r as BadRequestReason) : undefined;
}

// The lists that decide what a failure means for the rest of a job, one home each.

/** Per-item failures of reading a header: the item is skipped (and reported), the job goes on. */
export const ITEM_LEVEL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'not-envelope', 'unsupported-version', 'header-corrupt', 'tampered', 'truncated', 'trailing-data', 'reordered',
  'wrong-key', 'context-mismatch', 'kms-invalid-ciphertext', 'bad-request', 'local-key-missing',
]);

/**
 * Failures that mean "this index file is not a usable index of this vault": rebuild it from the
 * items. The item-level ones, plus a missing or malformed index; 'local-key-missing' and
 * 'bad-request' (no provider here) when it is wrapped only under keys this process lacks (the
 * vault was re-keyed elsewhere).
 */
export const UNUSABLE_INDEX_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([...ITEM_LEVEL_CODES, 'vault-corrupt', 'not-found']);

/**
 * When every wrapped key of a file fails, the failure reported is the first of these found
 * (most telling first: what the person must fix), else the first failure.
 */
export const TELLING_CODES: readonly ErrorCode[] = ['cancelled', 'wrong-key', 'kms-access-denied', 'sso-expired', 'credentials-expired', 'bad-passphrase', 'kms-key-disabled', 'kms-key-pending-deletion'];

/**
 * What a failed check of an item means (verify): 'damaged' when the item itself is proven bad
 * (its bytes do not authenticate, its format is broken, it is not an item, or its file is gone),
 * 'unchecked' when something outside it stopped the check (a key refused, disabled or out of
 * reach, no credentials, a read error, a newer format). Only proof of damage is 'damaged': a
 * code not listed here never is. The one home of this rule (CLI and app report from it).
 */
export type CheckVerdict = 'damaged' | 'unchecked';

const DAMAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'not-envelope', 'header-corrupt', 'tampered', 'truncated', 'trailing-data', 'reordered',
  'wrong-key', 'context-mismatch', 'kms-invalid-ciphertext', 'not-found',
]);
/** `bad-request` reasons that say the item file is not an item (a link or special file in items/). */
const DAMAGE_REASONS: ReadonlySet<BadRequestReason> = new Set<BadRequestReason>(['symlink', 'special-file']);

export function checkVerdict(e: { readonly code: ErrorCode; readonly detail?: ErrorDetail | undefined }): CheckVerdict {
  if (DAMAGE_CODES.has(e.code)) return 'damaged';
  if (e.code === 'bad-request') {
    const r = badRequestReason(e.detail);
    if (r && DAMAGE_REASONS.has(r)) return 'damaged';
  }
  return 'unchecked';
}

/** Map a node fs/system error to a CachetError; CachetErrors pass through unchanged. */
export function fromSystemError(e: unknown, what: string, path?: string): CachetError {
  if (e instanceof CachetError) return e;
  const errno = (e as { code?: string } | undefined)?.code; // not NodeJS.ErrnoException: the renderer typechecks this file without @types/node
  const detail: ErrorDetail = { what, path, errno };
  switch (errno) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return new CachetError('disk-full', `${what}: no space left`, detail, { cause: e });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new CachetError('permission-denied', `${what}: permission denied`, detail, { cause: e });
    case 'ENOENT':
    case 'ENOTDIR':
      return new CachetError('not-found', `${what}: no such file or folder`, detail, { cause: e });
    case 'EEXIST':
      return new CachetError('exists', `${what}: already exists`, detail, { cause: e });
    case 'ABORT_ERR':
      return new CachetError('cancelled', `${what}: cancelled`, detail, { cause: e });
    default:
      if ((e as Error | undefined)?.name === 'AbortError') {
        return new CachetError('cancelled', `${what}: cancelled`, detail, { cause: e });
      }
      return new CachetError('io', `${what}: ${(e as Error | undefined)?.message ?? String(e)}`, detail, { cause: e });
  }
}

/** Throw `cancelled` if the signal has fired. Call between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CachetError('cancelled', 'cancelled');
}

/** Waits `ms`; an abort of `signal` (before or during) rejects it as [cancelled] at once. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CachetError('cancelled', 'cancelled'));
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new CachetError('cancelled', 'cancelled'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
