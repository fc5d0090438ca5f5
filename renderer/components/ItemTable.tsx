// The vault's item list as a table: sortable column headers over a VirtualList of folder and
// item rows. Props only: which rows, which is active (the keyboard's row), which are selected,
// and callbacks for what the person does (select, open, preview, delete, rename, drag out).
// Mouse: click selects one row, Ctrl/Cmd+click adds or removes one, Shift+click selects a range;
// double-click opens. Keyboard: arrows, Home/End, PageUp/Down move (with Shift they extend the
// selection); Ctrl/Cmd+A selects all; Enter opens; Space previews; Delete deletes the selection;
// F2 renames; Backspace goes up a folder; the Menu key or Shift+F10 opens the context menu.

import { useState, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import { showBidiControls } from '../../app/text/bidi.js';
import { formatDate, formatSize, type IndexedItem, type Row, type SortKey, type SortSpec } from '../features/browse/browse-logic.js';
import { VirtualList } from './VirtualList.js';

export const ROW_HEIGHT = 34;

const COLUMNS: readonly { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'folder', label: 'Folder' },
  { key: 'size', label: 'Size' },
  { key: 'modified', label: 'Modified' },
  { key: 'key', label: 'Key' },
];

export interface ItemTableProps {
  readonly rows: readonly Row[];
  readonly sort: SortSpec;
  readonly activeIndex: number;
  readonly label: string;
  /** Shown when there are no rows (an empty folder and a search without a match differ). */
  readonly emptyText: string;
  readonly isSelected: (row: Row) => boolean;
  readonly onSort: (key: SortKey) => void;
  readonly onClickRow: (index: number, how: { toggle: boolean; range: boolean }) => void;
  readonly onMoveTo: (index: number, range: boolean) => void;
  readonly onSelectAll: () => void;
  readonly onOpenFolder: (path: string) => void;
  readonly onOpenItem: (entry: IndexedItem) => void;
  readonly onPreview: () => void;
  /** Delete / F2 act on the selection; the container knows what it is. */
  readonly onDelete: () => void;
  readonly onRename: () => void;
  readonly onUp: () => void;
  /** Right-click, the Menu key or Shift+F10: at (x, y) in the window. */
  readonly onContextMenu?: (x: number, y: number) => void;
  readonly onDragOut?: (entry: IndexedItem, e: DragEvent<HTMLDivElement>) => void;
}

function rowId(i: number): string {
  return `item-row-${i}`;
}

export function ItemTable(props: ItemTableProps) {
  const { rows, activeIndex } = props;
  const [pageSize, setPageSize] = useState(10);

  const open = (row: Row | undefined) => {
    if (!row) return;
    if (row.kind === 'folder') props.onOpenFolder(row.path);
    else props.onOpenItem(row.entry);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const last = rows.length - 1;
    const move = (to: number) => {
      e.preventDefault();
      if (last >= 0) props.onMoveTo(Math.min(last, Math.max(0, to)), e.shiftKey);
    };
    const current = rows[activeIndex];
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      return props.onSelectAll();
    }
    if (e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) {
      e.preventDefault();
      const row = document.getElementById(rowId(activeIndex)) ?? e.currentTarget;
      const r = row.getBoundingClientRect();
      return props.onContextMenu?.(r.left + 24, r.top + r.height / 2);
    }
    switch (e.key) {
      case 'ArrowDown':
        return move(activeIndex < 0 ? 0 : activeIndex + 1);
      case 'ArrowUp':
        return move(activeIndex < 0 ? 0 : activeIndex - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(last);
      case 'PageDown':
        return move(activeIndex + pageSize);
      case 'PageUp':
        return move(activeIndex - pageSize);
      case 'Enter':
        e.preventDefault();
        return open(current);
      case ' ':
        e.preventDefault();
        return props.onPreview();
      case 'Delete':
        e.preventDefault();
        return props.onDelete();
      case 'F2':
        e.preventDefault();
        return props.onRename();
      case 'Backspace':
        e.preventDefault();
        return props.onUp();
    }
  };

  const renderRow = (i: number) => {
    const row = rows[i]!;
    const active = i === activeIndex;
    const selected = props.isSelected(row);
    const common = {
      id: rowId(i),
      role: 'row',
      'aria-rowindex': i + 2,
      'aria-selected': selected,
      className: `row ${active ? 'row-active' : ''} ${selected ? 'row-selected' : ''} ${row.kind === 'folder' ? 'row-folder' : ''}`,
      onClick: (e: MouseEvent) => props.onClickRow(i, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey }),
      onDoubleClick: () => open(row),
      onContextMenu: (e: MouseEvent) => {
        if (!props.onContextMenu) return;
        e.preventDefault();
        // A right-click on an unselected row selects it first, as file managers do.
        if (!selected) props.onClickRow(i, { toggle: false, range: false });
        props.onContextMenu(e.clientX, e.clientY);
      },
    } as const;
    if (row.kind === 'folder') {
      return (
        <div key={`f:${row.path}`} {...common} data-folder={row.path}>
          <span role="gridcell" className="cell cell-name">
            <span className="icon icon-folder" aria-hidden="true" />
            {showBidiControls(row.name)}
          </span>
          <span role="gridcell" className="cell cell-folder muted">
            {row.count} {row.count === 1 ? 'item' : 'items'}
          </span>
          <span role="gridcell" className="cell cell-size" />
          <span role="gridcell" className="cell cell-modified" />
          <span role="gridcell" className="cell cell-key" />
        </div>
      );
    }
    const { entry } = row;
    return (
      <div
        key={`i:${entry.item.id}`}
        {...common}
        data-item={entry.item.path}
        draggable={props.onDragOut !== undefined}
        onDragStart={props.onDragOut ? (e) => props.onDragOut?.(entry, e) : undefined}
      >
        <span role="gridcell" className="cell cell-name" title={showBidiControls(entry.name)}>
          <span className="icon icon-file" aria-hidden="true" />
          {showBidiControls(entry.name)}
        </span>
        <span role="gridcell" className="cell cell-folder muted" title={showBidiControls(entry.folder)}>
          {entry.folder === '' ? '/' : showBidiControls(entry.folder)}
        </span>
        <span role="gridcell" className="cell cell-size">
          {formatSize(entry.item.size)}
        </span>
        <span role="gridcell" className="cell cell-modified">
          {formatDate(entry.item.mtime)}
        </span>
        <span role="gridcell" className="cell cell-key" title={showBidiControls(entry.item.keyIds.join('\n'))}>
          {showBidiControls(entry.keyLabel)}
        </span>
      </div>
    );
  };

  return (
    // The grid holds the focus and names the active row (aria-activedescendant); rows are not
    // focusable themselves, so Tab moves past the list in one step.
    <div
      className="item-table"
      role="grid"
      aria-label={props.label}
      aria-multiselectable="true"
      aria-rowcount={rows.length + 1}
      tabIndex={0}
      aria-activedescendant={activeIndex >= 0 && activeIndex < rows.length ? rowId(activeIndex) : undefined}
      onKeyDown={onKeyDown}
    >
      <div className="row row-header" role="row" aria-rowindex={1}>
        {COLUMNS.map((c) => {
          const sorted = props.sort.key === c.key;
          return (
            <span
              key={c.key}
              role="columnheader"
              className={`cell cell-${c.key}`}
              aria-sort={sorted ? (props.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
            >
              <button type="button" className="sort-button" onClick={() => props.onSort(c.key)}>
                {c.label}
                <span className="sort-mark" aria-hidden="true">
                  {sorted ? (props.sort.dir === 'asc' ? '▲' : '▼') : ''}
                </span>
              </button>
            </span>
          );
        })}
      </div>
      {rows.length === 0 ? (
        <p className="empty">{props.emptyText}</p>
      ) : (
        <VirtualList
          count={rows.length}
          rowHeight={ROW_HEIGHT}
          renderRow={renderRow}
          activeIndex={activeIndex}
          onPageSize={setPageSize}
        />
      )}
    </div>
  );
}
