// Selection by row identity (renderer/features/browse/selection.ts): the same items stay selected
// when the rows are re-sorted or new rows arrive, ranges run from the anchor, a hidden selection
// is not picked, and a folder stands for every item under it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browseRows, indexItems, type BrowseItem } from '../../renderer/features/browse/browse-logic.js';
import { describePicked, expandPicked, indexRows, pick, rowKey, selectAll, selectOnly, selectRange, toggle } from '../../renderer/features/browse/selection.js';

const item = (n: number, path: string, size: number): BrowseItem => ({ id: n.toString(16).padStart(32, '0'), path, size, mtime: 0, keyIds: ['local:00'] });
const ITEMS = [item(1, 'b.txt', 30), item(2, 'c.txt', 10), item(3, 'docs/a.txt', 5), item(4, 'docs/x/y.txt', 5), item(5, 'd.txt', 20)];
const names = (rows: ReturnType<typeof pick>) => rows.map((r) => (r.kind === 'item' ? r.entry.item.path : `${r.path}/`));

test('a selection is kept by identity through a re-sort and an added row', () => {
  const entries = indexItems(ITEMS);
  const byName = browseRows(entries, '', '', { key: 'name', dir: 'asc' });
  const sel = selectOnly(rowKey(byName.find((r) => r.kind === 'item' && r.entry.item.path === 'c.txt')!));
  const bySize = browseRows(entries, '', '', { key: 'size', dir: 'asc' });
  assert.deepEqual(names(pick(sel, bySize)), ['c.txt']);
  const more = browseRows(indexItems([item(9, '0.txt', 1), ...ITEMS]), '', '', { key: 'name', dir: 'asc' });
  assert.deepEqual(names(pick(sel, more)), ['c.txt']);
  // Hidden by a search: not picked.
  assert.deepEqual(names(pick(sel, browseRows(entries, '', 'd.txt', { key: 'name', dir: 'asc' }))), []);
});

test('ranges run from the anchor; Ctrl toggles and moves the anchor; select all', () => {
  const rows = browseRows(indexItems(ITEMS), '', '', { key: 'name', dir: 'asc' });
  assert.deepEqual(names(rows), ['docs/', 'b.txt', 'c.txt', 'd.txt']);
  const index = indexRows(rows);
  let sel = selectOnly(rowKey(rows[3]!));
  sel = selectRange(sel, rows, index, 1);
  assert.deepEqual(names(pick(sel, rows)), ['b.txt', 'c.txt', 'd.txt']);
  sel = selectRange(sel, rows, index, 2);
  assert.deepEqual(names(pick(sel, rows)), ['c.txt', 'd.txt'], 'the anchor stays at d.txt');
  sel = toggle(sel, rowKey(rows[0]!));
  assert.deepEqual(names(pick(sel, rows)), ['docs/', 'c.txt', 'd.txt']);
  sel = selectRange(sel, rows, index, 1);
  assert.deepEqual(names(pick(sel, rows)), ['docs/', 'b.txt'], 'a range after a Ctrl+click starts there');
  assert.equal(pick(selectAll(rows), rows).length, 4);
});

test('a folder stands for every item under it, each once', () => {
  const entries = indexItems(ITEMS);
  const rows = browseRows(entries, '', '', { key: 'name', dir: 'asc' });
  const p = expandPicked(rows.filter((r) => r.kind === 'folder' || r.entry.item.path === 'b.txt'), entries);
  assert.deepEqual([...p.ids].sort(), [ITEMS[0]!.id, ITEMS[2]!.id, ITEMS[3]!.id].sort());
  assert.equal(describePicked(p), '1 folder and 1 item (3 items in all)');
  assert.equal(describePicked(expandPicked([rows[1]!], entries)), '“b.txt”');
});
