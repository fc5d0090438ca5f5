// What the list shows: the current folder, the search text (deferred so typing stays smooth with
// 100,000 items), the sort, and the selection (selection.ts: by item id / folder path, never by
// row number, so it survives sort, search, adds, removes and refreshes). Rows are memoized on
// (entries, folder, search, sort), so scrolling and selection never re-filter or re-sort.
// Typing in search selects nothing; changing folder clears the selection.

import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import { browseRows, nextSort, type IndexedItem, type Row, type SortKey, type SortSpec } from './browse-logic.js';
import { indexRows, NO_SELECTION, pick, rowKey, selectAll, selectOnly, selectRange, toggle, type Selection } from './selection.js';

export interface Browse {
  readonly folder: string;
  readonly search: string;
  readonly sort: SortSpec;
  readonly rows: readonly Row[];
  /** The row the keyboard is on, or -1. */
  readonly activeIndex: number;
  /** The selected rows shown, in order. */
  readonly picked: readonly Row[];
  isSelected(row: Row): boolean;
  setFolder(folder: string): void;
  up(): void;
  setSearch(text: string): void;
  sortBy(key: SortKey): void;
  /** A click: plain selects one row, `toggle` (Ctrl/Cmd) adds or removes it, `range` (Shift) extends. */
  clickRow(i: number, how: { toggle: boolean; range: boolean }): void;
  /** The keyboard moved to row i; with `range` the selection extends from the anchor. */
  moveTo(i: number, range: boolean): void;
  selectAll(): void;
  clearSelection(): void;
}

export function useBrowse(entries: readonly IndexedItem[]): Browse {
  const [folder, setFolderState] = useState('');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<SortSpec>({ key: 'name', dir: 'asc' });
  const [sel, setSel] = useState<Selection>(NO_SELECTION);
  const deferredSearch = useDeferredValue(search);

  const rows = useMemo(() => browseRows(entries, folder, deferredSearch, sort), [entries, folder, deferredSearch, sort]);
  const index = useMemo(() => indexRows(rows), [rows]);
  const picked = useMemo(() => pick(sel, rows), [sel, rows]);
  const activeIndex = sel.focus !== null ? (index.get(sel.focus) ?? -1) : -1;

  const setFolder = useCallback((f: string) => {
    setFolderState(f);
    setSel(NO_SELECTION);
  }, []);

  return {
    folder,
    search,
    sort,
    rows,
    activeIndex,
    picked,
    isSelected: (row) => sel.keys.has(rowKey(row)),
    setFolder,
    up: () => {
      const i = folder.lastIndexOf('/');
      setFolder(i < 0 ? '' : folder.slice(0, i));
    },
    setSearch,
    sortBy: (key) => setSort((s) => nextSort(s, key)),
    clickRow: (i, how) => {
      const row = rows[i];
      if (!row) return;
      if (how.range) setSel((s) => selectRange(s, rows, index, i));
      else if (how.toggle) setSel((s) => toggle(s, rowKey(row)));
      else setSel(selectOnly(rowKey(row)));
    },
    moveTo: (i, range) => {
      const row = rows[i];
      if (!row) return;
      setSel((s) => (range ? selectRange(s, rows, index, i) : selectOnly(rowKey(row))));
    },
    selectAll: () => setSel(selectAll(rows)),
    clearSelection: () => setSel(NO_SELECTION),
  };
}
