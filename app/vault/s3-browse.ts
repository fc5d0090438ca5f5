// Finding an S3 vault (issue 13: the app's "Open an S3 vault" and "Create a vault in S3"): the
// buckets a profile may list, and at one location the prefixes one level down and which of them
// hold a vault. "Holds a vault" is the one test open and create use: a `vault.json` object right
// under the prefix (SPEC §9.4). Only names are read (ListObjectsV2 with a delimiter, HeadObject of
// each child's vault.json), never an object's bytes, and never an items/ listing.
// A prefix that is no valid vault location (parseS3Location: a "." segment, a control character)
// is left out, so whatever is offered can be opened; so is a vault's own items/ prefix.

import { isCachetError } from '../errors.js';
import type { AwsClientOptions } from '../keys/aws-config.js';
import { ITEMS_DIR, VAULT_FILE } from './layout.js';
import { mapPool } from './pool.js';
import { formatS3Location, parseS3Location } from './s3-location.js';
import { S3Store } from './s3-store.js';

/** Children listed per level (one ListObjectsV2 page holds up to 1,000; a picker shows fewer). */
export const MAX_BROWSE_CHILDREN = 200;
/** HeadObject calls in flight while the children are checked. */
const CHECK_CONCURRENCY = 8;

export interface S3Place {
  /** The last segment of the prefix. */
  readonly name: string;
  /** `s3://bucket/prefix`, canonical. */
  readonly location: string;
  /** Whether a vault is there; null when that could not be read (access denied). */
  readonly isVault: boolean | null;
}

export interface S3Level {
  readonly location: string;
  /** A vault is right here. */
  readonly isVault: boolean;
  /** Nothing is under this prefix (a new vault may be created here). */
  readonly empty: boolean;
  readonly children: readonly S3Place[];
  /** More prefixes were there than are listed. */
  readonly truncated: boolean;
}

/** The buckets of the profile (ListBuckets). */
export function listS3Buckets(aws: AwsClientOptions, opts: { signal?: AbortSignal } = {}): Promise<{ buckets: string[]; truncated: boolean }> {
  return S3Store.listBuckets(aws, opts);
}

/** What is at `location` and one level below it. Errors are the store's ([s3-bucket-not-found], [s3-access-denied], …). */
export async function browseS3(location: string, aws: AwsClientOptions, opts: { signal?: AbortSignal } = {}): Promise<S3Level> {
  const store = await S3Store.connect(location, aws);
  try {
    const here = await store.level({ ...opts, maxPages: 1 });
    const isVault = here.objects.includes(VAULT_FILE);
    // Inside a vault, its own items/ is no place to look for another.
    const valid = here.prefixes.filter((n) => {
      if (isVault && n === ITEMS_DIR) return false;
      try {
        parseS3Location(`${store.location}/${n}`);
        return true;
      } catch {
        return false;
      }
    });
    const shown = valid.slice(0, MAX_BROWSE_CHILDREN);
    const children = await mapPool(shown, CHECK_CONCURRENCY, async (name): Promise<S3Place> => {
      const child = store.below(name);
      const isVault = await child.stat(VAULT_FILE).then(
        (st) => st !== undefined,
        (e: unknown) => {
          if (isCachetError(e, 'cancelled')) throw e;
          return null;
        },
      );
      return { name, location: formatS3Location(child), isVault };
    });
    return {
      location: store.location,
      isVault,
      empty: here.objects.length === 0 && here.prefixes.length === 0,
      children,
      truncated: here.truncated || valid.length > shown.length,
    };
  } finally {
    store.destroy();
  }
}
