// @pure — imports nothing Node-only, so the IPC contract and the renderer bundle the same rule
// Where an S3 vault lives (SPEC §9.4): `s3://<bucket>` or `s3://<bucket>/<prefix>`. The one
// parser of that form, used by the CLI (every vault argument), the vault store and the app.
// The bucket follows S3's general-purpose naming rules (3-63 characters of a-z, 0-9, '.', '-',
// starting and ending with a letter or digit, not an IP address). The prefix is a '/'-separated
// path of non-empty segments, none '.' or '..', with no control characters; a trailing '/' is
// dropped, so `s3://b/team/` and `s3://b/team` are one vault. Object keys are `<prefix>/<name>`.

import { badRequest } from '../errors.js';

export const S3_SCHEME = 's3://';

export interface S3Location {
  readonly bucket: string;
  /** '' for the bucket's root; else segments joined by '/', no leading or trailing '/'. */
  readonly prefix: string;
}

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_RE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
/** Keys are at most 1024 bytes; the longest vault name is `items/<32 hex>.env` plus temps. */
const MAX_PREFIX_BYTES = 900;

/** Whether `text` is meant as an S3 location (it may still be malformed: parseS3Location says). */
export function isS3Location(text: string): boolean {
  return text.slice(0, S3_SCHEME.length).toLowerCase() === S3_SCHEME;
}

/** The bucket and prefix of `s3://bucket/prefix`; [bad-request] `bad-s3-location` naming what is wrong. */
export function parseS3Location(text: string): S3Location {
  const bad = (why: string) => badRequest('bad-s3-location', `${text} is not an S3 vault location: ${why}`, { location: text });
  if (!isS3Location(text)) throw bad('it must start with s3://');
  const rest = text.slice(S3_SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (!BUCKET_RE.test(bucket) || bucket.includes('..') || IP_RE.test(bucket)) {
    throw bad('a bucket name is 3-63 lowercase letters, digits, dots and hyphens');
  }
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (prefix !== '') {
    if (CONTROL_RE.test(prefix)) throw bad('the prefix holds a control character');
    for (const seg of prefix.split('/')) {
      if (seg === '' || seg === '.' || seg === '..') throw bad('the prefix has an empty, "." or ".." segment');
    }
    if (new TextEncoder().encode(prefix).length > MAX_PREFIX_BYTES) throw bad(`the prefix is longer than ${MAX_PREFIX_BYTES} bytes`);
  }
  return { bucket, prefix };
}

/** Whether `text` is a well-formed S3 vault location (parseS3Location accepts it). */
export function isValidS3Location(text: string): boolean {
  try {
    parseS3Location(text);
    return true;
  } catch {
    return false;
  }
}

/** The canonical text of a location: `s3://bucket` or `s3://bucket/prefix`. */
export function formatS3Location(loc: S3Location): string {
  return `${S3_SCHEME}${loc.bucket}${loc.prefix === '' ? '' : `/${loc.prefix}`}`;
}

/** The object key of a vault name (`items/<id>.env`) under the location's prefix. */
export function s3Key(loc: S3Location, name: string): string {
  return loc.prefix === '' ? name : `${loc.prefix}/${name}`;
}
