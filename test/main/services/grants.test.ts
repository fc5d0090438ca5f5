import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { isCachetError } from '../../../app/errors.js';
import { PathGrants } from '../../../main/services/grants.js';

const root = resolve('/tmp/cachet-grants-test');

test('a granted folder covers what is inside it, for its kind only', () => {
  const g = new PathGrants();
  g.grant(join(root, 'drop'), ['read']);
  assert.equal(g.check(join(root, 'drop', 'a', 'b.txt'), 'read'), join(root, 'drop', 'a', 'b.txt'));
  assert.equal(g.has(join(root, 'drop'), 'write'), false, 'read does not imply write');
  assert.equal(g.has(join(root, 'other'), 'read'), false);
  assert.equal(g.has(join(root, 'drop-sibling'), 'read'), false, 'a prefix of the name is not containment');
});

test('.. is resolved before the containment check; relative and NUL paths are refused', () => {
  const g = new PathGrants();
  g.grant(join(root, 'drop'), ['read']);
  for (const p of [join(root, 'drop', '..', 'secret'), `${root}/drop/../../etc/passwd`, 'drop/a.txt', '../x', `${root}/drop/a\0b`, '']) {
    assert.throws(() => g.check(p, 'read'), (e: unknown) => isCachetError(e, 'permission-denied'), p);
  }
  assert.throws(() => g.grant('relative/path', ['read']), (e: unknown) => isCachetError(e, 'bad-request'));
});
