// The vault stores the store contract suite (test/app/vault/store-contract.test.ts) runs against:
// each factory makes an empty vault store (its `items` folder ready) and a cleanup that removes
// everything it made. The S3 store's factory (moto) joins this list in its own change.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderStore } from '../../app/vault/folder-store.js';
import type { VaultStore } from '../../app/vault/store.js';

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
];
