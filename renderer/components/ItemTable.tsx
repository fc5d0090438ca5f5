// The vault's item list as a table: sortable column headers over a VirtualList of folder and
// item rows. Props only: which rows, which is active, and callbacks for what the person does
// (open a folder, preview, delete, rename, drag out). Keyboard: arrows, Home/End, PageUp/Down
// move; Enter opens; Delete deletes; F2 renames; Backspace goes up a folder.

import { useState, type DragEvent, type KeyboardEvent } from 'react';
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
  readonly onSort: (key: SortKey) => void;
  readonly onActiveChange: (index: number) => void;
  readonly onOpenFolder: (path: string) => void;
  readonly onOpenItem: (entry: IndexedItem) => void;
  readonly onDelete: (entry: IndexedItem) => void;
  readonly onRename: (entry: IndexedItem) => void;
  readonly onUp: () => void;
  readonly onDragOut?: (entry: IndexedItem, e: DragEvent<HTMLDivElement>) => void;
}

function rowId(i: number): string {
  return `item-row-${i}`;
}

export function ItemTable(props: ItemTableProps) {
  const { rows, activeIndex, onActiveChange } = props;
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
      if (last >= 0) onActiveChange(Math.min(last, Math.max(0, to)));
    };
    const current = rows[activeIndex];
    switch (e.key) {
      case 'ArrowDown':
        return move(activeIndex + 1);
      case 'ArrowUp':
        return move(activeIndex - 1);
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
      case 'Delete':
        if (current?.kind === 'item') {
          e.preventDefault();
          props.onDelete(current.entry);
        }
        return;
      case 'F2':
        if (current?.kind === 'item') {
          e.preventDefault();
          props.onRename(current.entry);
        }
        return;
      case 'Backspace':
        e.preventDefault();
        return props.onUp();
    }
  };

  const renderRow = (i: number) => {
    const row = rows[i]!;
    const active = i === activeIndex;
    const common = {
      id: rowId(i),
      role: 'row',
      'aria-rowindex': i + 2,
      'aria-selected': active,
      className: `row ${active ? 'row-active' : ''} ${row.kind === 'folder' ? 'row-folder' : ''}`,
      onClick: () => onActiveChange(i),
      onDoubleClick: () => open(row),
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
        <p className="empty">Nothing here yet. Drop files or folders onto the window, or use “Add files”.</p>
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
