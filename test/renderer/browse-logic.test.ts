// renderer/features/browse/browse-logic.ts: folders, search, sort and formatting of the list,
// and that a search over 100,000 items stays fast.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breadcrumbs, browseRows, formatSize, indexItems, nextSort, shortKeyLabel, sortEntries, splitPath, type BrowseItem, type Row } from '../../renderer/features/browse/browse-logic.js';

const item = (path: string, size: number | null = 1, mtime: number | null = 0, keyIds = ['local:aa']): BrowseItem => ({ id: path, path, size, mtime, keyIds });
const names = (rows: Row[]) => rows.map((r) => (r.kind === 'folder' ? `${r.name}/` : r.entry.item.path));

const ITEMS = [item('b.txt', 10, 3), item('a.txt', 30, 1), item('docs/x.md', 20, 2), item('docs/deep/y.md', 5, 9), item('Photos/IMG 10.jpg', null, null), item('Photos/IMG 9.jpg', 7, 4)];
const entries = indexItems(ITEMS);

test('splitPath', () => {
  assert.deepEqual(splitPath('a/b/c.txt'), { folder: 'a/b', name: 'c.txt' });
  assert.deepEqual(splitPath('c.txt'), { folder: '', name: 'c.txt' });
});

test('the root lists its subfolders (with recursive counts) first, then its own items', () => {
  const rows = browseRows(entries, '', '', { key: 'name', dir: 'asc' });
  assert.deepEqual(names(rows), ['docs/', 'Photos/', 'a.txt', 'b.txt']);
  const docs = rows[0];
  assert.ok(docs?.kind === 'folder' && docs.count === 2 && docs.path === 'docs');
});

test('a subfolder lists only what is directly in it', () => {
  assert.deepEqual(names(browseRows(entries, 'docs', '', { key: 'name', dir: 'asc' })), ['deep/', 'docs/x.md']);
  assert.deepEqual(names(browseRows(entries, 'docs/deep', '', { key: 'name', dir: 'asc' })), ['docs/deep/y.md']);
});

test('search: case-insensitive, every word must match, limited to the current folder subtree', () => {
  assert.deepEqual(names(browseRows(entries, '', 'MD', { key: 'name', dir: 'asc' })), ['docs/x.md', 'docs/deep/y.md']);
  assert.deepEqual(names(browseRows(entries, '', 'docs y', { key: 'name', dir: 'asc' })), ['docs/deep/y.md']);
  assert.deepEqual(names(browseRows(entries, 'Photos', 'md', { key: 'name', dir: 'asc' })), []);
  assert.deepEqual(names(browseRows(entries, '', '   ', { key: 'name', dir: 'asc' })), names(browseRows(entries, '', '', { key: 'name', dir: 'asc' })));
});

test('sort by each column, both directions; numbers in names sort naturally; unknowns first', () => {
  const paths = (key: 'name' | 'folder' | 'size' | 'modified' | 'key', dir: 'asc' | 'desc') => sortEntries(entries, { key, dir }).map((e) => e.item.path);
  assert.deepEqual(paths('name', 'asc').slice(0, 4), ['a.txt', 'b.txt', 'Photos/IMG 9.jpg', 'Photos/IMG 10.jpg']);
  assert.deepEqual(paths('size', 'asc'), ['Photos/IMG 10.jpg', 'docs/deep/y.md', 'Photos/IMG 9.jpg', 'b.txt', 'docs/x.md', 'a.txt']);
  assert.deepEqual(paths('size', 'desc'), [...paths('size', 'asc')].reverse());
  assert.deepEqual(paths('modified', 'desc')[0], 'docs/deep/y.md');
  assert.deepEqual(paths('folder', 'asc').slice(0, 2), ['a.txt', 'b.txt']);
  // Ties break by path, so the order never depends on the input order.
  assert.deepEqual(paths('key', 'asc'), sortEntries(indexItems([...ITEMS].reverse()), { key: 'key', dir: 'asc' }).map((e) => e.item.path));
});

test('nextSort flips the same column and starts a new one ascending', () => {
  assert.deepEqual(nextSort({ key: 'name', dir: 'asc' }, 'name'), { key: 'name', dir: 'desc' });
  assert.deepEqual(nextSort({ key: 'name', dir: 'desc' }, 'size'), { key: 'size', dir: 'asc' });
});

test('breadcrumbs', () => {
  assert.deepEqual(breadcrumbs('', 'V'), [{ name: 'V', path: '' }]);
  assert.deepEqual(breadcrumbs('a/b', 'V'), [{ name: 'V', path: '' }, { name: 'a', path: 'a' }, { name: 'b', path: 'a/b' }]);
});

test('key labels: a known alias, else local or a short id', () => {
  assert.equal(shortKeyLabel('local:abcdef'), 'Local key');
  assert.equal(shortKeyLabel('arn:aws:kms:us-east-1:111:alias/team'), 'team');
  assert.equal(shortKeyLabel('arn:aws:kms:us-east-1:111:key/1234abcd-12ab-34cd-56ef-1234567890ab'), '1234abcd…');
  const labelled = indexItems([item('a', 1, 1, ['arn:k1', 'local:x'])], (k) => (k === 'arn:k1' ? 'prod' : undefined));
  assert.equal(labelled[0]?.keyLabel, 'prod, Local key');
});

test('formatSize', () => {
  assert.equal(formatSize(null), '—');
  assert.equal(formatSize(0), '0 B');
  assert.equal(formatSize(999), '999 B');
  assert.equal(formatSize(1500), '1.5 KB');
  assert.equal(formatSize(25_000_000), '25 MB');
});

test('100,000 items: index once, then search and sort quickly', () => {
  const many: BrowseItem[] = [];
  for (let i = 0; i < 100_000; i++) many.push(item(`f${i % 300}/file-${i}.bin`, (i * 7919) % 100_000, i));
  const t0 = performance.now();
  const idx = indexItems(many);
  const t1 = performance.now();
  const hits = browseRows(idx, '', 'file-9999', { key: 'name', dir: 'asc' });
  const t2 = performance.now();
  const root = browseRows(idx, '', '', { key: 'name', dir: 'asc' });
  const t3 = performance.now();
  // file-9999 and file-99990..99999, sorted naturally by name.
  assert.deepEqual(names(hits), ['f99/file-9999.bin', ...Array.from({ length: 10 }, (_, k) => `f${(99990 + k) % 300}/file-${99990 + k}.bin`)]);
  assert.equal(root.length, 300);
  // Generous bounds (a slow CI machine): the point is no quadratic work per keystroke.
  assert.ok(t1 - t0 < 3000, `index ${t1 - t0} ms`);
  assert.ok(t2 - t1 < 1000, `search ${t2 - t1} ms`);
  assert.ok(t3 - t2 < 1000, `folders ${t3 - t2} ms`);
});
