// Which store a vault location names (SPEC §9): `s3://bucket/prefix` is an S3 vault (s3-store.ts),
// anything else a local folder (folder-store.ts), made absolute. The one place that decides it:
// the CLI, the app and the tests pass a location (or a store they made) to Vault.create / open.

import { resolve } from 'node:path';
import type { AwsClientOptions } from '../keys/aws-config.js';
import { FolderStore } from './folder-store.js';
import { isS3Location } from './s3-location.js';
import type { VaultStore } from './store.js';

/** The store of `where` (a store passes through). `aws` sets up the S3 client (default: the SDK's). */
export async function openStore(where: string | VaultStore, aws: AwsClientOptions = {}): Promise<VaultStore> {
  if (typeof where !== 'string') return where;
  // Loaded only for an S3 vault: the S3 client (with the AWS SDK) costs tens of ms and MB to load,
  // which folder vaults, help and --local never pay (test/app/cli/cli-local.test.ts checks).
  if (isS3Location(where)) return (await import('./s3-store.js')).S3Store.connect(where, aws);
  return new FolderStore(resolve(where));
}
