// The rename dialog's pre-check agrees with the contract's isVaultPath on every case below, so
// the UI never accepts what main refuses at the schema, nor refuses what it accepts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVaultPath } from '../../main/ipc/contract.js';
import { looksLikeVaultPath } from '../../renderer/features/browse/path-check.js';

const CASES = [
  'a.txt', 'docs/a.txt', 'a/b/c/d.md', 'name with spaces.txt', 'ünïcödé/файл.txt', '.hidden', 'a..b', '...',
  '', '/abs', 'a//b', 'a/./b', 'a/../b', '..', '.', 'a/', 'C:/x', 'c:x', 'a\\b', 'a\0b', 'x'.repeat(4097), 'x'.repeat(4096),
];

test('pre-check == contract isVaultPath', () => {
  for (const c of CASES) assert.equal(looksLikeVaultPath(c), isVaultPath(c), JSON.stringify(c.slice(0, 40)));
  assert.ok(CASES.some((c) => isVaultPath(c)) && CASES.some((c) => !isVaultPath(c)));
});
