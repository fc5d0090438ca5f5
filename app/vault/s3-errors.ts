// What the S3 client throws, in the vault's words (a CachetError of app/errors.ts): a missing
// bucket, access denied naming the bucket, the object and the IAM action it needed, a bucket in
// another region, throttling that outlasted the SDK's retries. Credentials, network and abort
// failures are the same for every AWS service and go through the KMS mapping (kms-errors.ts) with
// `service: 'S3'`, so they read as for KMS ("cannot reach S3 at …", "credentials expired").
// Preconditions (412), absent objects (404) and conditional-write conflicts (409) are not errors
// of their own here: the store decides what they mean for the call (exists, conflict, not found).
// Never copies an SDK message into a detail, except the identity ARN of an access denial.

import { CachetError, type ErrorDetail } from '../errors.js';
import { fromKmsError, identityFromMessage } from '../keys/kms-errors.js';

export interface S3ErrorContext {
  readonly bucket: string;
  /** The vault's prefix ('' at the bucket's root): an access denial names `<prefix>/*`, what a policy grants. */
  readonly prefix?: string | undefined;
  /** The object key, when the call was about one object. */
  readonly key?: string | undefined;
  /** The S3 operation (`PutObject`), for the IAM action a denial names. */
  readonly operation: string;
  readonly profile?: string | undefined;
  readonly region?: string | undefined;
  readonly endpoint?: string | undefined;
}

interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number } | undefined;
  $response?: { headers?: Record<string, string | undefined> } | undefined;
  Region?: unknown;
}

/**
 * The IAM action an S3 operation is authorised by (the S3 service authorization reference):
 * the multipart calls are s3:PutObject, ListObjectsV2 is s3:ListBucket, HeadObject s3:GetObject.
 */
export const S3_ACTIONS: Readonly<Record<string, string>> = {
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  UploadPartCopy: 's3:PutObject and s3:GetObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  CopyObject: 's3:PutObject and s3:GetObject',
  DeleteObject: 's3:DeleteObject',
  ListObjectsV2: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  GetBucketVersioning: 's3:GetBucketVersioning',
  HeadBucket: 's3:ListBucket',
  ListBuckets: 's3:ListAllMyBuckets',
};

const THROTTLE_NAMES: ReadonlySet<string> = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);
const REGION_NAMES: ReadonlySet<string> = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException']);
const CREDENTIAL_NAMES: ReadonlySet<string> = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'TokenRefreshRequired', 'InvalidToken']);

/** The HTTP status of an S3 failure, if the service answered. */
export function s3Status(err: unknown): number | undefined {
  return (err as SdkErrorLike | undefined)?.$metadata?.httpStatusCode;
}

/** The S3 error code (the SDK names the exception after it). */
export function s3Code(err: unknown): string | undefined {
  const n = (err as SdkErrorLike | undefined)?.name;
  return typeof n === 'string' ? n : undefined;
}

/** The CachetError for an S3 call that failed; CachetErrors pass through unchanged. */
export function fromS3Error(err: unknown, ctx: S3ErrorContext): CachetError {
  if (err instanceof CachetError) return err;
  const e: SdkErrorLike = err !== null && typeof err === 'object' ? (err as SdkErrorLike) : { message: String(err) };
  const name = typeof e.name === 'string' ? e.name : undefined;
  const status = e.$metadata?.httpStatusCode;
  // ListBuckets is about no bucket (ctx.bucket ''): its detail names none, its message the bucket list.
  const location = ctx.bucket === '' ? 'the list of buckets' : `s3://${ctx.bucket}${ctx.key !== undefined ? `/${ctx.key}` : ''}`;
  const detail: ErrorDetail = { bucket: ctx.bucket || undefined, key: ctx.key, location: ctx.bucket === '' ? undefined : location, operation: ctx.operation, profile: ctx.profile, region: ctx.region };
  const requestId = e.$metadata?.requestId;
  if (typeof requestId === 'string' && requestId !== '') detail.requestId = requestId;
  const make = (code: 's3-access-denied' | 's3-bucket-not-found' | 's3-error', text: string, extra: ErrorDetail = {}): CachetError =>
    new CachetError(code, text, { ...detail, awsCode: name, ...extra }, { cause: err });
  const isService = e.$fault === 'client' || e.$fault === 'server' || status !== undefined;
  if (isService && name !== undefined && CREDENTIAL_NAMES.has(name)) {
    const expired = name === 'ExpiredToken' || name === 'TokenRefreshRequired';
    return new CachetError(expired ? 'credentials-expired' : 'credentials-missing', expired ? 'the AWS credentials have expired' : 'AWS refused the credentials', {
      profile: ctx.profile, region: ctx.region, awsCode: name, ...(expired ? {} : { reason: 'rejected' }),
    }, { cause: err });
  }
  if (isService && name !== undefined && name !== 'AbortError') {
    if (name === 'NoSuchBucket') return make('s3-bucket-not-found', `no bucket ${ctx.bucket}`);
    if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403) {
      const message = typeof e.message === 'string' ? e.message : undefined;
      const identity = identityFromMessage(message);
      const resource = ctx.operation === 'ListBuckets' ? '*' : ctx.operation === 'ListObjectsV2' || ctx.operation === 'ListMultipartUploads' || ctx.operation === 'ListObjectVersions' || ctx.operation === 'HeadBucket'
        ? `arn:aws:s3:::${ctx.bucket}`
        : `arn:aws:s3:::${ctx.bucket}/${ctx.prefix ? `${ctx.prefix}/` : ''}*`;
      return make('s3-access-denied', `access to ${location} was denied (${ctx.operation})`, {
        action: S3_ACTIONS[ctx.operation] ?? `s3:${ctx.operation}`, resource, ...(identity ? { identity } : {}),
      });
    }
    if (THROTTLE_NAMES.has(name) || status === 503) {
      return make('s3-error', 'S3 is throttling requests; retries were exhausted', { reason: 'throttled', attempts: e.$metadata?.attempts });
    }
    if (REGION_NAMES.has(name) || status === 301) {
      const bucketRegion = e.$response?.headers?.['x-amz-bucket-region'] ?? (typeof e.Region === 'string' ? e.Region : undefined);
      return make('s3-error', `bucket ${ctx.bucket} is in another region`, { reason: 'wrong-region', bucketRegion });
    }
    if (status === 404 && (name === 'NotFound' || name === 'NoSuchKey')) {
      return new CachetError('not-found', `${location} is not there`, detail, { cause: err });
    }
    return make('s3-error', `S3 ${status !== undefined && status >= 500 ? 'failed' : 'refused the request'} (${name})`, { status });
  }
  return fromKmsError(err, { profile: ctx.profile, region: ctx.region, endpoint: ctx.endpoint, operation: ctx.operation, service: 'S3' });
}
