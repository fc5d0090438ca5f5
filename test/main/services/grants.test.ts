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

test("'save' covers exactly the confirmed file, nothing beside or below it", () => {
  const g = new PathGrants();
  const file = join(root, 'out', 'report.txt');
  g.grant(file, ['save']);
  assert.equal(g.check(file, 'save'), file);
  for (const p of [join(file, 'x'), join(root, 'out', 'other.txt'), join(root, 'out')]) assert.equal(g.has(p, 'save'), false, p);
  g.grant(join(root, 'out'), ['write']);
  assert.equal(g.has(join(root, 'out', 'other.txt'), 'save'), false, 'a write grant on the folder is not a save grant');
});

test('checkOnDisk refuses a symlink below the granted folder, not the granted path itself', { skip: process.platform === 'win32' && 'symbolic links need privileges on Windows' }, async (t) => {
  const { mkdtemp, mkdir, rm, symlink } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'cachet-grants-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'real', 'sub'), { recursive: true });
  await mkdir(join(dir, 'outside'));
  await symlink(join(dir, 'outside'), join(dir, 'real', 'link'));
  await symlink(join(dir, 'real'), join(dir, 'chosen-link'));
  const g = new PathGrants();
  g.grant(join(dir, 'real'), ['read', 'write']);
  g.grant(join(dir, 'chosen-link'), ['read']);
  const denied = (e: unknown) => isCachetError(e, 'permission-denied') && e.detail['reason'] === 'symlink';
  await assert.rejects(g.checkOnDisk(join(dir, 'real', 'link', 'id_rsa'), 'read'), denied);
  await assert.rejects(g.checkOnDisk(join(dir, 'real', 'link'), 'write', { self: true }), denied);
  assert.equal(await g.checkOnDisk(join(dir, 'real', 'link'), 'read'), join(dir, 'real', 'link'), 'the last component is the caller\'s to lstat');
  assert.equal(await g.checkOnDisk(join(dir, 'real', 'sub', 'a.txt'), 'read'), join(dir, 'real', 'sub', 'a.txt'));
  assert.equal(await g.checkOnDisk(join(dir, 'real', 'new', 'deeper', 'a.txt'), 'write', { self: true }), join(dir, 'real', 'new', 'deeper', 'a.txt'), 'missing parts end the walk');
  assert.equal(await g.checkOnDisk(join(dir, 'chosen-link', 'sub', 'a.txt'), 'read'), join(dir, 'chosen-link', 'sub', 'a.txt'), 'a chosen link is the person\'s choice');
  await assert.rejects(g.checkOnDisk(join(dir, 'elsewhere', 'a'), 'read'), (e: unknown) => isCachetError(e, 'permission-denied'));
});
