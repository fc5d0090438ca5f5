// renderer/components/virtual-window.ts: which rows a fixed-height virtual list renders.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scrollToRow, virtualWindow } from '../../renderer/components/virtual-window.js';

test('top of a long list: the visible rows plus overscan below', () => {
  const w = virtualWindow(100_000, 30, 0, 300, 5);
  assert.equal(w.start, 0);
  assert.equal(w.end, 10 + 1 + 5);
  assert.equal(w.offset, 0);
  assert.equal(w.total, 3_000_000);
});

test('middle: overscan on both sides, offset at the first rendered row', () => {
  const w = virtualWindow(100_000, 30, 30_000 + 15, 300, 5);
  assert.equal(w.start, 1000 - 5);
  assert.equal(w.end, 1000 + 11 + 5);
  assert.equal(w.offset, w.start * 30);
});

test('rendered rows stay bounded wherever the list is scrolled', () => {
  for (let top = 0; top <= 3_000_000; top += 99_991) {
    const w = virtualWindow(100_000, 30, top, 600, 6);
    assert.ok(w.end - w.start <= 600 / 30 + 1 + 12, `at ${top}: ${w.end - w.start}`);
    assert.ok(w.start >= 0 && w.end <= 100_000 && w.start <= w.end);
  }
});

test('scrolled past the end (a list that shrank) clamps to the last page', () => {
  const w = virtualWindow(50, 30, 1_000_000, 300, 2);
  assert.equal(w.end, 50);
  assert.equal(w.start, Math.floor((50 * 30 - 300) / 30) - 2);
});

test('empty list and a list shorter than the viewport', () => {
  assert.deepEqual(virtualWindow(0, 30, 0, 300), { start: 0, end: 0, offset: 0, total: 0 });
  const w = virtualWindow(3, 30, 0, 300, 6);
  assert.equal(w.start, 0);
  assert.equal(w.end, 3);
});

test('scrollToRow moves only as far as needed', () => {
  assert.equal(scrollToRow(5, 30, 0, 300), 0, 'already visible');
  assert.equal(scrollToRow(20, 30, 0, 300), 21 * 30 - 300, 'below: align bottom');
  assert.equal(scrollToRow(2, 30, 300, 300), 60, 'above: align top');
});
