// The vault stores the store contract suite (test/app/vault/store-contract.test.ts) runs against:
// each factory makes an empty vault store (its `items` folder ready) and a cleanup that removes
// everything it made. The S3 store runs against one moto_server per test process, started by
// the first make() and stopped when the last store is cleaned up; each store gets its own bucket
// (and a prefix, so keys are never at the bucket's root by accident).

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderStore } from '../../app/vault/folder-store.js';
import type { VaultStore } from '../../app/vault/store.js';
import { S3Store } from '../../app/vault/s3-store.js';
import { createTestBucket, motoS3Client, MOTO_REGION, startMoto, type Moto } from './moto.js';

let shared: { moto: Promise<Moto>; users: number } | undefined;

/** The process's moto_server, started on first use; `release` stops it after its last user. */
export async function sharedMoto(): Promise<{ moto: Moto; release(): Promise<void> }> {
  shared ??= { moto: startMoto(), users: 0 };
  const mine = shared;
  mine.users++;
  const moto = await mine.moto;
  let released = false;
  return {
    moto,
    async release() {
      if (released) return;
      released = true;
      if (--mine.users === 0) {
        if (shared === mine) shared = undefined;
        await moto.stop();
      }
    },
  };
}

/** An S3 store on a new bucket of `moto`, under the prefix `team/vault`. */
export async function makeS3Store(moto: Moto, opts: { versioning?: boolean; prefix?: string } = {}): Promise<S3Store> {
  const bucket = await createTestBucket(moto, opts);
  return new S3Store({ bucket, prefix: opts.prefix ?? 'team/vault' }, motoS3Client(moto, MOTO_REGION), { region: MOTO_REGION, endpoint: moto.endpoint });
}

export interface StoreFactory {
  name: string;
  make(): Promise<{ store: VaultStore; cleanup(): Promise<void> }>;
}

export const STORES: StoreFactory[] = [
  {
    name: 'folder',
    async make() {
      const dir = await mkdtemp(join(tmpdir(), 'cachet-store-'));
      await mkdir(join(dir, 'items'));
      return { store: new FolderStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3',
    async make() {
      const { moto, release } = await sharedMoto();
      return { store: await makeS3Store(moto), cleanup: release };
    },
  },
];
