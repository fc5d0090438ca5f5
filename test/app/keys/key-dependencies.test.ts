// keyDependencies (app/keys/key-dependencies.ts): items per key, items a key alone opens, the
// at-risk and the uncertain items, on small hand-made vaults.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyDependencies, type KeyStanding } from '../../../app/keys/key-dependencies.js';

const item = (id: string, ...keyIds: string[]) => ({ id, path: `${id}.txt`, keyIds });
const keys = (o: Record<string, KeyStanding>) => new Map(Object.entries(o));

test('a failing key: the items it alone opens are at risk, items with a healthy second key are not', () => {
  const d = keyDependencies(keys({ A: 'failing', B: 'healthy' }), [item('1', 'A'), item('2', 'A', 'B'), item('3', 'B'), item('4', 'A')]);
  assert.deepEqual(d.perKey.get('A'), { items: 3, alone: 2 });
  assert.deepEqual(d.perKey.get('B'), { items: 2, alone: 2 });
  assert.deepEqual(d.atRisk.map((i) => i.id), ['1', '4']);
  assert.deepEqual(d.uncertain, []);
});

test('two healthy keys on every item: no key opens anything alone', () => {
  const d = keyDependencies(keys({ A: 'healthy', B: 'healthy' }), [item('1', 'A', 'B'), item('2', 'B', 'A')]);
  assert.deepEqual(d.perKey.get('A'), { items: 2, alone: 0 });
  assert.deepEqual(d.perKey.get('B'), { items: 2, alone: 0 });
  assert.deepEqual(d.atRisk, []);
});

test('a key of unknown state keeps an item uncertain, not at risk; a key the vault no longer names is unknown', () => {
  const d = keyDependencies(keys({ A: 'failing', U: 'unknown' }), [item('1', 'A', 'U'), item('2', 'A', 'RETIRED'), item('3', 'A')]);
  assert.deepEqual(d.uncertain.map((i) => i.id), ['1', '2']);
  assert.deepEqual(d.atRisk.map((i) => i.id), ['3']);
  assert.equal(d.perKey.has('RETIRED'), false);
  assert.deepEqual(d.perKey.get('A'), { items: 3, alone: 3 });
});

test('a key named twice in one item counts once; keys with no item are listed with zero', () => {
  const d = keyDependencies(keys({ A: 'healthy', Z: 'healthy' }), [item('1', 'A', 'A')]);
  assert.deepEqual(d.perKey.get('A'), { items: 1, alone: 1 });
  assert.deepEqual(d.perKey.get('Z'), { items: 0, alone: 0 });
  assert.deepEqual([...d.perKey.keys()], ['A', 'Z']);
});
