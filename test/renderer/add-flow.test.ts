// renderer/features/add/add-flow.ts: conflicts of an add plan and the answers to them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PlannedAddT } from '../../contract/ipc.js';
import { conflictsOf, currentConflict, decide, filesToSeal, isSettled, startQueue } from '../../renderer/features/add/add-flow.js';

const ID = 'a'.repeat(32);
const plan = (vaultPath: string, existing: boolean): PlannedAddT => ({ source: `/src/${vaultPath}`, vaultPath, size: 1, existingId: existing ? ID : null });
const PLAN = [plan('new.txt', false), plan('a.txt', true), plan('b.txt', true), plan('c.txt', true)];

test('conflicts are the planned paths that already hold an item, in order, once each', () => {
  assert.deepEqual(conflictsOf([...PLAN, plan('a.txt', true)]), ['a.txt', 'b.txt', 'c.txt']);
  assert.ok(isSettled(startQueue([plan('x', false)])));
});

test('answering one at a time', () => {
  let q = startQueue(PLAN);
  assert.equal(currentConflict(q), 'a.txt');
  q = decide(q, 'replace', false);
  assert.equal(currentConflict(q), 'b.txt');
  q = decide(q, 'skip', false);
  q = decide(q, 'keep-both', false);
  assert.ok(isSettled(q));
  assert.deepEqual(q.decisions, { 'a.txt': 'replace', 'b.txt': 'skip', 'c.txt': 'keep-both' });
  assert.equal(decide(q, 'replace', true), q, 'nothing left to decide');
  assert.equal(filesToSeal(PLAN, q.decisions), 3);
});

test('apply to all answers the current and every remaining conflict', () => {
  let q = decide(startQueue(PLAN), 'keep-both', false);
  q = decide(q, 'skip', true);
  assert.ok(isSettled(q));
  assert.deepEqual(q.decisions, { 'a.txt': 'keep-both', 'b.txt': 'skip', 'c.txt': 'skip' });
  assert.equal(filesToSeal(PLAN, q.decisions), 2);
});
