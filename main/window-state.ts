// The window's size and position across runs: read from and written to window-state.json in the
// user-data folder, and fitted to the displays there are now (a monitor unplugged since the last
// run must not leave the window off screen) and to the minimum size the layout supports
// (WINDOW_OPTIONS in window-policy.ts). Pure data and node:fs; main.ts feeds it Electron's display
// work areas and the window's bounds. Not a setting: a damaged file just means the default size.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../app/fs/atomic.js';
import { WINDOW_OPTIONS } from './window-policy.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const WINDOW_STATE_FILE = 'window-state.json';
/** How much of the title bar must lie on a display for the window to be reachable. */
const MIN_VISIBLE = 64;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1_000_000;

/** The saved state, or undefined when there is none or it is not one (never throws). */
export function readWindowState(userDataDir: string): WindowState | undefined {
  try {
    const raw = JSON.parse(readFileSync(join(userDataDir, WINDOW_STATE_FILE), 'utf8')) as { bounds?: Record<string, unknown>; maximized?: unknown };
    const b = raw.bounds ?? {};
    if (![b['x'], b['y'], b['width'], b['height']].every(isInt)) return undefined;
    return { bounds: { x: b['x'] as number, y: b['y'] as number, width: b['width'] as number, height: b['height'] as number }, maximized: raw.maximized === true };
  } catch {
    return undefined;
  }
}

export async function writeWindowState(userDataDir: string, state: WindowState): Promise<void> {
  await writeAtomic(join(userDataDir, WINDOW_STATE_FILE), (fh) => fh.writeFile(JSON.stringify(state) + '\n'), { overwrite: true });
}

/**
 * The bounds to open with: the saved ones grown to the minimum size and shrunk to the display
 * they are on, or undefined (let the OS place a default-sized window) when no display shows at
 * least MIN_VISIBLE pixels of the saved window's top edge.
 */
export function fitWindowState(saved: WindowState | undefined, workAreas: readonly Rect[]): WindowState | undefined {
  if (!saved) return undefined;
  const b = saved.bounds;
  const area = workAreas.find((a) => {
    const overlapX = Math.min(b.x + b.width, a.x + a.width) - Math.max(b.x, a.x);
    return overlapX >= MIN_VISIBLE && b.y >= a.y - MIN_VISIBLE / 2 && b.y < a.y + a.height - MIN_VISIBLE / 2;
  });
  if (!area) return undefined;
  const width = Math.min(Math.max(b.width, WINDOW_OPTIONS.minWidth), area.width);
  const height = Math.min(Math.max(b.height, WINDOW_OPTIONS.minHeight), area.height);
  const x = Math.min(Math.max(b.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(b.y, area.y), area.y + area.height - height);
  return { bounds: { x, y, width, height }, maximized: saved.maximized };
}
