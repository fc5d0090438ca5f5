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

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
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
