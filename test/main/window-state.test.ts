// main/window-state.ts: the saved window bounds come back fitted to today's displays and to the
// layout's minimum size; a missing or damaged file means the default window.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WINDOW_OPTIONS } from '../../main/window-policy.js';
import { WINDOW_STATE_FILE, fitWindowState, readWindowState, writeWindowState, type WindowState } from '../../main/window-state.js';

const SCREEN = { x: 0, y: 0, width: 1920, height: 1080 };
const RIGHT = { x: 1920, y: 0, width: 1280, height: 1024 };
const state = (x: number, y: number, width: number, height: number, maximized = false): WindowState => ({ bounds: { x, y, width, height }, maximized });

test('write then read round-trips; missing, damaged or ill-typed files read as none', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cachet-winstate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(readWindowState(dir), undefined);
  await writeWindowState(dir, state(10, 20, 900, 700, true));
  assert.deepEqual(readWindowState(dir), state(10, 20, 900, 700, true));
  await writeWindowState(dir, state(30, 40, 1000, 750));
  assert.deepEqual(readWindowState(dir), state(30, 40, 1000, 750));
  for (const bad of ['{', '[]', '{"bounds":{"x":"1","y":0,"width":800,"height":600}}', '{"bounds":{"x":0.5,"y":0,"width":800,"height":600}}', '{"bounds":{"x":1e300,"y":0,"width":800,"height":600}}']) {
    await writeFile(join(dir, WINDOW_STATE_FILE), bad);
    assert.equal(readWindowState(dir), undefined, bad);
  }
});

test('fitted to the display it was on, to the minimum size, and dropped when off every display', () => {
  assert.equal(fitWindowState(undefined, [SCREEN]), undefined);
  assert.deepEqual(fitWindowState(state(100, 100, 1000, 700), [SCREEN]), state(100, 100, 1000, 700));
  assert.deepEqual(fitWindowState(state(2000, 50, 900, 600, true), [SCREEN, RIGHT]), state(2000, 50, 900, 600, true));
  // Too small: grown to the layout's minimum.
  assert.deepEqual(fitWindowState(state(100, 100, 200, 100), [SCREEN])?.bounds, { x: 100, y: 100, width: WINDOW_OPTIONS.minWidth, height: WINDOW_OPTIONS.minHeight });
  // Larger than the display: shrunk to it and moved onto it.
  assert.deepEqual(fitWindowState(state(-50, -10, 4000, 3000), [SCREEN])?.bounds, SCREEN);
  // Hanging off the right edge but reachable: pulled fully onto the display.
  assert.deepEqual(fitWindowState(state(1800, 100, 800, 600), [SCREEN])?.bounds, { x: 1120, y: 100, width: 800, height: 600 });
  // It was on a monitor that is gone: the OS places a default window.
  assert.equal(fitWindowState(state(2000, 50, 900, 600), [SCREEN]), undefined);
  // Title bar above the top of every display: unreachable.
  assert.equal(fitWindowState(state(100, -500, 900, 600), [SCREEN]), undefined);
});
