// The list's selection, by row identity: an item row is its item id, a folder row its path. A
// row number is never kept, so sorting, searching, adding, removing and refreshing leave the same
// items selected (or drop the ones that are gone), and an action acts on what the person picked.
// Pure functions over the current rows; the hook (use-browse.ts) holds the state. No React here.
// What is selected but not among the rows shown (hidden by a search) is not acted on: `pick`.

import type { IndexedItem, Row } from './browse-logic.js';

export interface Selection {
  /** Keys of the selected rows (`rowKey`). */
  readonly keys: ReadonlySet<string>;
  /** The row the keyboard is on (may be unselected after Ctrl+click). */
  readonly focus: string | null;
  /** Where a Shift range starts. */
  readonly anchor: string | null;
}

export const NO_SELECTION: Selection = { keys: new Set(), focus: null, anchor: null };

export function rowKey(row: Row): string {
  return row.kind === 'item' ? `i:${row.entry.item.id}` : `f:${row.path}`;
}

/** Row key -> index, for the rows shown. */
export function indexRows(rows: readonly Row[]): ReadonlyMap<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) m.set(rowKey(rows[i]!), i);
  return m;
}

export function selectOnly(key: string): Selection {
  return { keys: new Set([key]), focus: key, anchor: key };
}

/** Ctrl/Cmd+click: add or remove one row; it becomes the anchor of the next Shift range. */
export function toggle(sel: Selection, key: string): Selection {
  const keys = new Set(sel.keys);
  if (!keys.delete(key)) keys.add(key);
  return { keys, focus: key, anchor: key };
}

/** Shift+click or Shift+arrow: the rows from the anchor to `to`, the anchor kept. */
export function selectRange(sel: Selection, rows: readonly Row[], index: ReadonlyMap<string, number>, to: number): Selection {
  const target = rows[to];
  if (!target) return sel;
  const toKey = rowKey(target);
  const from = sel.anchor !== null ? index.get(sel.anchor) : undefined;
  if (from === undefined) return selectOnly(toKey);
  const keys = new Set<string>();
  for (let i = Math.min(from, to); i <= Math.max(from, to); i++) keys.add(rowKey(rows[i]!));
  return { keys, focus: toKey, anchor: sel.anchor };
}

export function selectAll(rows: readonly Row[]): Selection {
  if (rows.length === 0) return NO_SELECTION;
  const keys = new Set(rows.map(rowKey));
  return { keys, focus: rowKey(rows[0]!), anchor: rowKey(rows[0]!) };
}

/** The selected rows among those shown, in their shown order. */
export function pick(sel: Selection, rows: readonly Row[]): Row[] {
  if (sel.keys.size === 0) return [];
  return rows.filter((r) => sel.keys.has(rowKey(r)));
}

/** What a selection stands for: its items, its folders, and every item id they cover. */
export interface Picked {
  readonly items: readonly IndexedItem[];
  readonly folders: readonly string[];
  /** Item ids of the selected items and of every item under a selected folder, once each. */
  readonly ids: readonly string[];
  /** The picked entries of `ids` (for names and keys). */
  readonly entries: readonly IndexedItem[];
}

export function expandPicked(picked: readonly Row[], all: readonly IndexedItem[]): Picked {
  const items: IndexedItem[] = [];
  const folders: string[] = [];
  for (const r of picked) {
    if (r.kind === 'item') items.push(r.entry);
    else folders.push(r.path);
  }
  const seen = new Set<string>();
  const entries: IndexedItem[] = [];
  const take = (e: IndexedItem) => {
    if (seen.has(e.item.id)) return;
    seen.add(e.item.id);
    entries.push(e);
  };
  items.forEach(take);
  if (folders.length > 0) {
    for (const e of all) {
      if (folders.some((f) => e.folder === f || e.folder.startsWith(`${f}/`))) take(e);
    }
  }
  return { items, folders, ids: entries.map((e) => e.item.id), entries };
}

/** "“a.txt”", "“a.txt” and “b.txt”", "3 items", "the folder “docs” (2 items)" ... for dialogs. */
export function describePicked(p: Picked): string {
  const n = p.ids.length;
  const count = `${n.toLocaleString('en-US')} ${n === 1 ? 'item' : 'items'}`;
  if (p.folders.length === 0) {
    if (p.items.length === 1) return `“${p.items[0]!.item.path}”`;
    if (p.items.length === 2) return `“${p.items[0]!.item.path}” and “${p.items[1]!.item.path}”`;
    return count;
  }
  if (p.folders.length === 1 && p.items.length === 0) return `the folder “${p.folders[0]}” (${count})`;
  const parts = [`${p.folders.length} ${p.folders.length === 1 ? 'folder' : 'folders'}`];
  if (p.items.length > 0) parts.push(`${p.items.length} ${p.items.length === 1 ? 'item' : 'items'}`);
  return `${parts.join(' and ')} (${count} in all)`;
}
