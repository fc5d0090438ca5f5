// The rename dialog's pre-check is the contract's own isVaultPath (from the zod-free
// main/ipc/vault-path.ts; test/main/ipc/vault-path.test.ts tests its cases), not a copy that
// could drift from what main accepts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVaultPath } from '../../main/ipc/contract.js';
import { looksLikeVaultPath } from '../../renderer/features/browse/path-check.js';

test('pre-check is the contract isVaultPath', () => {
  assert.equal(looksLikeVaultPath, isVaultPath);
  assert.equal(looksLikeVaultPath('docs/a.txt'), true);
  assert.equal(looksLikeVaultPath('docs/../a.txt'), false);
});
