// What the list shows: the current folder, the search text (deferred so typing stays smooth with
// 100,000 items), the sort, and the active row. Rows are memoized on (entries, folder, search,
// sort), so scrolling and selection never re-filter or re-sort.

import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import { browseRows, nextSort, type IndexedItem, type Row, type SortKey, type SortSpec } from './browse-logic.js';

export interface Browse {
  readonly folder: string;
  readonly search: string;
  readonly sort: SortSpec;
  readonly rows: readonly Row[];
  readonly activeIndex: number;
  readonly active: Row | undefined;
  setFolder(folder: string): void;
  up(): void;
  setSearch(text: string): void;
  sortBy(key: SortKey): void;
  setActiveIndex(i: number): void;
}

export function useBrowse(entries: readonly IndexedItem[]): Browse {
  const [folder, setFolderState] = useState('');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<SortSpec>({ key: 'name', dir: 'asc' });
  const [activeIndex, setActiveIndex] = useState(0);
  const deferredSearch = useDeferredValue(search);

  const rows = useMemo(() => browseRows(entries, folder, deferredSearch, sort), [entries, folder, deferredSearch, sort]);
  const clamped = rows.length === 0 ? -1 : Math.min(activeIndex, rows.length - 1);

  const setFolder = useCallback((f: string) => {
    setFolderState(f);
    setActiveIndex(0);
  }, []);

  return {
    folder,
    search,
    sort,
    rows,
    activeIndex: clamped,
    active: clamped >= 0 ? rows[clamped] : undefined,
    setFolder,
    up: () => {
      const i = folder.lastIndexOf('/');
      setFolder(i < 0 ? '' : folder.slice(0, i));
    },
    setSearch: (text) => {
      setSearch(text);
      setActiveIndex(0);
    },
    sortBy: (key) => setSort((s) => nextSort(s, key)),
    setActiveIndex,
  };
}
