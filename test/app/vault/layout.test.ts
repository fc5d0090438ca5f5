import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isCachetError } from '../../../app/errors.js';
import { classifyItemName, decodeVaultConfig, encodeVaultConfig, itemContext, newId, type VaultConfig } from '../../../app/vault/layout.js';

describe('vault layout', () => {
  it('makes 32-hex ids that differ', () => {
    const a = newId();
    const b = newId();
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.notEqual(a, b);
  });

  it('tells items, temps and sync-conflict copies apart', () => {
    const id = 'ab'.repeat(16);
    assert.deepEqual(classifyItemName(`${id}.env`), { kind: 'item', id });
    assert.deepEqual(classifyItemName('.tmp-host-123-abcd'), { kind: 'temp' });
    for (const n of [`${id} (conflicted copy).env`, `${id}.sync-conflict-20260101-120000-ABCDEFG.env`, `${id} (Case Conflict).env`, `${id}-laptop.env`]) {
      assert.deepEqual(classifyItemName(n), { kind: 'conflict', id }, n);
    }
    for (const n of [`${id.toUpperCase()}.env`, 'index.env', `${id}.env.bak`, 'readme.txt', `${id.slice(1)}.env`]) {
      assert.notEqual(classifyItemName(n).kind, 'item', n);
    }
  });

  it('puts only opaque ids in an item context (SPEC §3)', () => {
    const v = newId();
    const i = newId();
    assert.deepEqual(itemContext(v, i), { 'cachet:item': i, 'cachet:purpose': 'item', 'cachet:vault': v });
  });

  it('round-trips vault.json and refuses bad ones', () => {
    const c: VaultConfig = { format: 'cachet-vault', version: 1, id: newId(), keys: [{ provider: 'local', keyId: 'local:' + '0'.repeat(32) }], created: new Date(0).toISOString() };
    assert.deepEqual(decodeVaultConfig(encodeVaultConfig(c)), c);
    const bad = (o: unknown, code: string): void => {
      assert.throws(() => decodeVaultConfig(Buffer.from(typeof o === 'string' ? o : JSON.stringify(o))), (e) => isCachetError(e) && e.code === code);
    };
    bad('{', 'vault-corrupt');
    bad([], 'vault-corrupt');
    bad({ ...c, format: 'other' }, 'vault-corrupt');
    bad({ ...c, version: 3 }, 'unsupported-version');
    bad({ ...c, version: 2 }, 'vault-corrupt'); // version 2 without its auth (SPEC §12)
    bad({ ...c, auth: { stanzas: [], mac: '' } }, 'vault-corrupt'); // version 1 never carries one
    bad({ ...c, id: 'x' }, 'vault-corrupt');
    bad({ ...c, keys: [] }, 'vault-corrupt');
    bad({ ...c, keys: [{ provider: 'gpg', keyId: 'x' }] }, 'vault-corrupt');
  });
});

describe('readVaultConfig', () => {
  it('refuses an oversized vault.json as vault-corrupt without reading it (a 3 GiB sparse file)', async () => {
    const { mkdtemp, open, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { readVaultConfig } = await import('../../../app/vault/layout.js');
    const { FolderStore } = await import('../../../app/vault/folder-store.js');
    const dir = await mkdtemp(join(tmpdir(), 'cachet-layout-'));
    try {
      const fh = await open(join(dir, 'vault.json'), 'w');
      await fh.truncate(3 * 2 ** 30);
      await fh.close();
      const started = Date.now();
      await assert.rejects(readVaultConfig(new FolderStore(dir)), (e) => isCachetError(e, 'vault-corrupt') && e.detail.reason === 'too-large');
      assert.ok(Date.now() - started < 5_000, 'the size is checked before any read');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
