// app/errors.ts: bad-request reasons are a closed set, made only with `badRequest`, and a reason
// read back from a detail (which may have crossed IPC) is one of them or nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BAD_REQUEST_REASONS, badRequest, badRequestReason, isCachetError, ITEM_LEVEL_CODES, UNUSABLE_INDEX_CODES } from '../../app/errors.js';

test('badRequest makes a bad-request CachetError that carries its reason, detail and cause', () => {
  const cause = new Error('under');
  const e = badRequest('too-long', 'invalid vault path: too-long', { max: 4096 }, { cause });
  assert.ok(isCachetError(e, 'bad-request'));
  assert.deepEqual(e.detail, { max: 4096, reason: 'too-long' });
  assert.equal(e.cause, cause);
  // The reason argument wins over a reason smuggled in the detail.
  assert.equal(badRequest('symlink', 'x', { reason: 'something-else' }).detail['reason'], 'symlink');
});

test('badRequestReason accepts exactly the closed set', () => {
  for (const r of BAD_REQUEST_REASONS) assert.equal(badRequestReason({ reason: r }), r);
  for (const r of ['something-else', 'constructor', 'toString', '__proto__', '', 'TOO-LONG']) assert.equal(badRequestReason({ reason: r }), undefined, r);
  assert.equal(badRequestReason({}), undefined);
  assert.equal(badRequestReason(undefined), undefined);
  assert.equal(new Set(BAD_REQUEST_REASONS).size, BAD_REQUEST_REASONS.length, 'no reason listed twice');
});

test('an unusable index is every item-level failure plus a missing or malformed index', () => {
  for (const c of ITEM_LEVEL_CODES) assert.ok(UNUSABLE_INDEX_CODES.has(c), c);
  assert.deepEqual([...UNUSABLE_INDEX_CODES].filter((c) => !ITEM_LEVEL_CODES.has(c)).sort(), ['not-found', 'vault-corrupt']);
  assert.ok(!ITEM_LEVEL_CODES.has('cancelled') && !UNUSABLE_INDEX_CODES.has('cancelled'), 'cancel is never skipped past');
});
