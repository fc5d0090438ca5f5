// Maps what the AWS SDK throws (KMS and STS service exceptions, credential and token provider
// errors, network and timeout errors, aborts) to a CachetError with a code from the closed set in
// app/errors.ts and a detail a hint can use: which key, which profile, which region, which
// identity, which endpoint. It never words a hint itself (the CLI and the renderer do), and it
// never copies anything secret into a detail: no credentials, no token, no plaintext, and no SDK
// message verbatim except the identity ARN parsed out of an access-denied message and a credential
// provider's own reason (`providerMessage`: a config problem or a credential_process's stderr,
// which the AWS CLI prints as well).

import { CachetError, type ErrorCode, type ErrorDetail } from '../errors.js';
import { calledEndpoint } from './called-endpoint.js';

/** What the caller knew when the call failed; every field lands in the error's detail. */
export interface KmsErrorContext {
  readonly keyId?: string | undefined;
  readonly profile?: string | undefined;
  readonly region?: string | undefined;
  /** The endpoint the client was sent to, for `kms-unreachable`. */
  readonly endpoint?: string | undefined;
  /** The KMS (or STS) operation, e.g. `Decrypt`. */
  readonly operation?: string | undefined;
  /** The service an unreachable endpoint belongs to, when it is not KMS or STS (S3: s3-errors.ts). */
  readonly service?: string | undefined;
}

/** The parts of an SDK error the mapping reads; everything is optional because anything is thrown. */
interface SdkErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number } | undefined;
  cause?: unknown;
}

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'EPIPE', 'ECONNABORTED', 'EHOSTDOWN', 'ENETDOWN', 'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED',
]);
/** TLS failures that mean "the certificate is not one we trust" (TLS inspection, a private CA). */
const UNTRUSTED_CERT_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED',
]);
const TIMEOUT_NAMES: ReadonlySet<string> = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** KMS / STS exception names with one fixed meaning. */
const SERVICE_CODES: Readonly<Record<string, ErrorCode>> = {
  AccessDeniedException: 'kms-access-denied',
  AccessDenied: 'kms-access-denied',
  DisabledException: 'kms-key-disabled',
  NotFoundException: 'kms-key-not-found',
  InvalidArnException: 'kms-key-not-found',
  InvalidCiphertextException: 'kms-invalid-ciphertext',
  IncorrectKeyException: 'kms-invalid-ciphertext',
  ThrottlingException: 'kms-throttled',
  Throttling: 'kms-throttled',
  TooManyRequestsException: 'kms-throttled',
  RequestLimitExceeded: 'kms-throttled',
  ExpiredTokenException: 'credentials-expired',
  ExpiredToken: 'credentials-expired',
  RequestExpired: 'credentials-expired',
  // The access key or session token is not one AWS knows: revoked, mistyped or from another
  // partition. There is no code for "rejected" credentials; `reason` tells the hint.
  UnrecognizedClientException: 'credentials-missing',
  InvalidClientTokenId: 'credentials-missing',
  InvalidSignatureException: 'credentials-missing',
  SignatureDoesNotMatch: 'credentials-missing',
  IncompleteSignature: 'credentials-missing',
  MissingAuthenticationToken: 'credentials-missing',
};

/** Whether an AWS error name means "slow down" (the one list: SERVICE_CODES). */
export function isThrottlingName(name: string): boolean {
  return SERVICE_CODES[name] === 'kms-throttled';
}

/** Operations that go to STS rather than KMS (aws-config.ts whoAmI). */
const STS_OPERATIONS: ReadonlySet<string> = new Set(['GetCallerIdentity']);

const KEY_STATE_RE = /pending ?deletion|pendingdeletion/i;
const SSO_RE = /\bsso\b|sso[_ ]session|sso token|aws sso login/i;
const IDENTITY_RE = /\b(?:User|Principal):\s*(arn:aws[\w-]*:(?:iam|sts)::\d{12}:[^\s,;]+)/;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A credential provider's message, for a detail: its first two non-empty lines, at most 300 characters. */
function providerMessage(message: string): string | undefined {
  const text = message.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '').slice(0, 2).join(': ');
  return text === '' ? undefined : text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** The ARN of the caller named in an access-denied message ("User: arn:… is not authorized …"). */
export function identityFromMessage(message: string | undefined): string | undefined {
  return message ? IDENTITY_RE.exec(message)?.[1] : undefined;
}

function baseDetail(ctx: KmsErrorContext, e: SdkErrorLike, awsCode: string | undefined): ErrorDetail {
  const detail: ErrorDetail = {};
  if (ctx.keyId !== undefined) detail.keyId = ctx.keyId;
  if (ctx.profile !== undefined) detail.profile = ctx.profile;
  if (ctx.region !== undefined) detail.region = ctx.region;
  if (ctx.operation !== undefined) detail.operation = ctx.operation;
  if (awsCode !== undefined) detail.awsCode = awsCode;
  const requestId = str(e.$metadata?.requestId);
  if (requestId) detail.requestId = requestId;
  return detail;
}

function isAbort(e: SdkErrorLike): boolean {
  return e.name === 'AbortError' || e.code === 'ABORT_ERR';
}

/** The errno-style code of a network failure, looking through `cause` a few levels deep. */
function networkCode(e: SdkErrorLike): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const c = (cur as SdkErrorLike).code;
    if (typeof c === 'string' && NETWORK_CODES.has(c)) return c;
    const name = (cur as SdkErrorLike).name;
    if (typeof name === 'string' && TIMEOUT_NAMES.has(name)) return 'ETIMEDOUT';
    cur = (cur as SdkErrorLike).cause;
  }
  return undefined;
}

/**
 * The CachetError for anything an AWS SDK call threw. CachetErrors pass through unchanged. The
 * original error is kept as `cause` (for logs at the boundary), never copied into `detail`.
 */
export function fromKmsError(err: unknown, given: KmsErrorContext = {}): CachetError {
  if (err instanceof CachetError) return err;
  // The endpoint the request really went to (FIPS, dual-stack, a profile's endpoint_url), when known.
  const called = calledEndpoint(err);
  const ctx: KmsErrorContext = called !== undefined ? { ...given, endpoint: called } : given;
  const e: SdkErrorLike = err !== null && typeof err === 'object' ? (err as SdkErrorLike) : { message: String(err) };
  const name = str(e.name);
  const message = str(e.message) ?? '';
  const make = (code: ErrorCode, text: string, extra: ErrorDetail = {}, awsCode?: string): CachetError =>
    new CachetError(code, text, { ...baseDetail(ctx, e, awsCode), ...extra }, { cause: err });
  const key = ctx.keyId ? ` ${ctx.keyId}` : '';
  // One code for both services: whoAmI's STS call goes to another endpoint, which `service` names.
  const unreachable = (errno: string): CachetError => {
    const service = ctx.service ?? (ctx.operation !== undefined && STS_OPERATIONS.has(ctx.operation) ? 'STS' : 'KMS');
    const untrusted = UNTRUSTED_CERT_CODES.has(errno);
    return make('kms-unreachable', `cannot reach ${service}${ctx.endpoint ? ` at ${ctx.endpoint}` : ''}${untrusted ? ': untrusted certificate' : ''}`, {
      endpoint: ctx.endpoint, errno, service, ...(untrusted ? { reason: 'untrusted-certificate' } : {}),
    });
  };

  if (isAbort(e)) return make('cancelled', 'cancelled');

  // Credential and token providers: what the SDK throws before any request leaves. The provider's
  // own words are kept (providerMessage: what the AWS CLI would print too) so the real cause shows.
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    const said = { providerMessage: providerMessage(message) };
    const profile = ctx.profile ?? 'default';
    if (SSO_RE.test(message)) {
      // A token file that is missing or unreadable: never signed in (or signed out), not "expired".
      const notSignedIn = /not found or is invalid|is invalid|could not be found|missing required/i.test(message) && !/expired/i.test(message);
      return notSignedIn
        ? make('sso-expired', `not signed in to AWS SSO for profile ${profile}`, { ...said, reason: 'not-signed-in' })
        : make('sso-expired', `the AWS SSO session for profile ${profile} has expired`, { ...said, reason: 'expired' });
    }
    if (/detected a cycle/i.test(message)) {
      return make('aws-config-invalid', `the source_profile chain of profile ${profile} loops`, { ...said, reason: 'source-profile-cycle' });
    }
    const dangling = /could not resolve credentials using profile: \[([^\]]*)\]/i.exec(message);
    if (dangling && dangling[1] !== profile) {
      return make('profile-not-found', `profile ${profile} refers to profile ${dangling[1]}, which is not defined`, { ...said, profile: dangling[1], referencedBy: profile });
    }
    if (/could not resolve credentials using profile|profile .* (?:was not found|could not be found)/i.test(message)) {
      return make('profile-not-found', `AWS profile ${profile} was not found or has no credentials`, said);
    }
    if (/expired/i.test(message)) return make('credentials-expired', 'the AWS credentials have expired', said);
    if (/credential_process|command failed/i.test(message)) {
      return make('credentials-missing', `the credential_process of profile ${profile} failed`, { ...said, reason: 'provider-failed' });
    }
    return make('credentials-missing', 'no AWS credentials were found', { ...said, reason: 'missing' });
  }

  // A connection cut while the response body is read: the SDK attaches $metadata (with the
  // status line it had already got) to the socket error, but no $fault. Not a service answer.
  if (e.$fault === undefined) {
    const cut = networkCode(e);
    if (cut !== undefined) return unreachable(cut);
  }

  // A service exception: the SDK names it after the AWS error code.
  const isService = e.$fault === 'client' || e.$fault === 'server' || e.$metadata?.httpStatusCode !== undefined;
  if (name && isService) {
    if (name === 'KMSInvalidStateException') {
      if (KEY_STATE_RE.test(message)) return make('kms-key-pending-deletion', `KMS key${key} is pending deletion`, {}, name);
      // Other states (PendingImport, Unavailable, Creating, Updating) have no code of their own.
      return make('kms-error', `KMS key${key} is not in a usable state`, { reason: 'key-state' }, name);
    }
    // The SSO portal refuses an expired or revoked access token with UnauthorizedException.
    if (name === 'UnauthorizedException' && (ctx.operation === 'GetRoleCredentials' || SSO_RE.test(message))) {
      return make('sso-expired', `the AWS SSO session for profile ${ctx.profile ?? 'default'} has expired`, {}, name);
    }
    const code = SERVICE_CODES[name];
    switch (code) {
      case 'kms-access-denied': {
        const identity = identityFromMessage(message);
        return make(code, `access to KMS key${key} was denied${identity ? ` to ${identity}` : ''}`, identity ? { identity } : {}, name);
      }
      case 'kms-key-disabled':
        return make(code, `KMS key${key} is disabled`, {}, name);
      case 'kms-key-not-found':
        return make(code, `KMS key${key} was not found${ctx.region ? ` in ${ctx.region}` : ''}`, {}, name);
      case 'kms-invalid-ciphertext':
        return make(code, `KMS could not decrypt the wrapped key with key${key}: wrong key, wrong context or a damaged item`, {}, name);
      case 'kms-throttled':
        return make(code, 'KMS is throttling requests; retries were exhausted', { attempts: e.$metadata?.attempts }, name);
      case 'credentials-expired':
        return make(code, 'the AWS credentials have expired', {}, name);
      case 'credentials-missing':
        return make(code, 'AWS refused the credentials', { reason: 'rejected' }, name);
      case undefined:
        break;
      default:
        return make(code, `KMS error ${name}`, {}, name);
    }
    if (e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500) {
      return make('kms-error', `KMS failed (${name})`, { status: e.$metadata?.httpStatusCode }, name);
    }
    return make('kms-error', `KMS refused the request (${name})`, { status: e.$metadata?.httpStatusCode }, name);
  }

  const net = networkCode(e);
  if (net !== undefined) return unreachable(net);

  // The SDK's own deserialization errors carry a status but no fault (an endpoint that is not KMS).
  if (e.$metadata?.httpStatusCode !== undefined) {
    return make('kms-error', 'KMS sent a response that could not be read', { status: e.$metadata.httpStatusCode, endpoint: ctx.endpoint });
  }
  return make('internal', `unexpected error from the AWS SDK: ${name ?? 'Error'}`);
}
