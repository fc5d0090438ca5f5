// Test helper: give an item another path by rewriting its header directly (no vault rule is
// checked), to make the vaults older Cachets could make, e.g. an item `a` beside `a/x`.
import { rewriteHeader } from '../../app/envelope.js';
import type { Keyring } from '../../app/keys/provider.js';
import { FolderStore } from '../../app/vault/folder-store.js';
import { itemContext } from '../../app/vault/layout.js';

export async function forcePath(vaultDir: string, vaultId: string, itemId: string, path: string, keyring: Keyring): Promise<void> {
  const store = new FolderStore(vaultDir);
  const f = await store.openRead(`items/${itemId}.env`);
  try {
    await rewriteHeader(f, { metadata: { path, size: f.size, mtime: 0 } }, { keyring, expectContext: { ...itemContext(vaultId, itemId) } }, async (head, keepFrom) => {
      await store.rewriteHead(f, head, keepFrom);
    });
  } finally {
    await f.close();
  }
}
