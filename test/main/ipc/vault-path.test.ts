// The zod-free vault path check (SPEC §5) that the contract's VaultPath/VaultDir schemas and the
// renderer's rename pre-check share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVaultPath, MAX_PATH } from '../../../main/ipc/vault-path.js';
import { VaultDir, VaultPath } from '../../../main/ipc/contract.js';

const GOOD = ['a.txt', 'docs/a.txt', 'a/b/c/d.md', 'name with spaces.txt', 'ünïcödé/файл.txt', '.hidden', 'a..b', '...', 'x'.repeat(MAX_PATH)];
const BAD = ['', '/abs', 'a//b', 'a/./b', 'a/../b', '..', '.', 'a/', 'C:/x', 'c:x', 'a\\b', 'a\0b', 'x'.repeat(MAX_PATH + 1)];

test('isVaultPath accepts relative, clean item paths and refuses the rest', () => {
  for (const p of GOOD) assert.equal(isVaultPath(p), true, JSON.stringify(p.slice(0, 40)));
  for (const p of BAD) assert.equal(isVaultPath(p), false, JSON.stringify(p.slice(0, 40)));
});

test('the contract schemas run the same check ("" is the root only for VaultDir)', () => {
  for (const p of [...GOOD, ...BAD]) {
    assert.equal(VaultPath.safeParse(p).success, isVaultPath(p), JSON.stringify(p.slice(0, 40)));
    assert.equal(VaultDir.safeParse(p).success, p === '' || isVaultPath(p), JSON.stringify(p.slice(0, 40)));
  }
});
